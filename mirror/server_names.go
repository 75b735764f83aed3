package mirror

import (
	"fmt"
	"strings"
	"sync"

	"github.com/ftpmirror/ftpmirror/plan"
)

// Some servers cannot carry names that plan.CheckName allows. pure-ftpd
// leaves every name with a control character or a backslash out of its
// listings (src/ftpd.c, checknamesanity) and turns each control character
// of a command line into '_' (src/ftp_parser.c): an upload of "a\tb"
// creates "a_b", and the next run, not seeing "a\tb", uploads it again.
// Such names are skipped like those with a line break (localNames), told
// once. The server is known by its greeting, as lftp knows servers that
// mishandle commands sent ahead.

// serverNameRule returns the check of the names the server that sent
// greeting cannot carry, or nil when plan.CheckName's rules are enough.
func serverNameRule(greeting string) func(name string) error {
	if strings.Contains(greeting, "Pure-FTPd") {
		return pureFtpdName
	}
	return nil
}

func pureFtpdName(name string) error {
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return fmt.Errorf("%w: %q holds a control character or a backslash, which Pure-FTPd neither lists nor stores", plan.ErrUnmirrorable, name)
		}
	}
	return nil
}

// firstGreeting keeps the text of the first greeting a Dialer read.
type firstGreeting struct {
	mu   sync.Mutex
	text string
	set  bool
}

func (g *firstGreeting) keep(text string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.set {
		g.text, g.set = text, true
	}
}

// Greeting returns the text of the first greeting this Dialer's
// connections read ("" before one has).
func (d *Dialer) Greeting() string {
	d.greeting.mu.Lock()
	defer d.greeting.mu.Unlock()
	return d.greeting.text
}
