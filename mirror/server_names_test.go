package mirror

import (
	"errors"
	"testing"

	"github.com/ftpmirror/ftpmirror/plan"
)

func TestPureFtpdGreetingMakesControlCharactersUnmirrorable(t *testing.T) {
	rule := serverNameRule("---------- Welcome to Pure-FTPd [privsep] ----------\nYou are user number 1 of 50 allowed.")
	if rule == nil {
		t.Fatal("no name rule for a Pure-FTPd greeting")
	}
	for _, name := range []string{"tab\tname.txt", "back\\slash", "del\x7f"} {
		if err := rule(name); !errors.Is(err, plan.ErrUnmirrorable) {
			t.Errorf("%q on Pure-FTPd: %v; want ErrUnmirrorable", name, err)
		}
	}
	for _, name := range []string{"space name.txt", "glob*?[x].txt", "ünïcødé", "-dash"} {
		if err := rule(name); err != nil {
			t.Errorf("%q on Pure-FTPd: %v; want nil", name, err)
		}
	}
	for _, greeting := range []string{"(vsFTPd 3.0.3)", "ProFTPD Server (Debian) [127.0.0.1]", "pyftpdlib 1.5.7 ready."} {
		if serverNameRule(greeting) != nil {
			t.Errorf("a name rule for %q", greeting)
		}
	}
}
