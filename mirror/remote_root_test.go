package mirror

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/hostileftp"
)

func TestUnquotePWD(t *testing.T) {
	// What the library hands over: the reply between its first and last
	// quote.
	for _, tt := range []struct{ in, want string }{
		{`/home/alice`, "/home/alice"},
		{`/`, "/"},
		{`/a ""q"" b`, `/a "q" b`},
		{`/x""`, `/x"`},
		{`/home/alice" is your "current`, "/home/alice"},
		{`/a ""b""" is the "current`, `/a "b"`},
		{``, ""},
	} {
		if got := unquotePWD(tt.in); got != tt.want {
			t.Errorf("unquotePWD(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestLoginDirFromOddPWDReplies checks that a relative remote path is
// resolved from a PWD reply with doubled quotes and quoted text after the
// name, and that a reply that names no absolute path stops the run with
// ErrLoginDir rather than guessing "/"; an absolute path needs no PWD.
func TestLoginDirFromOddPWDReplies(t *testing.T) {
	const home = `/srv/a "q" b`
	listings := map[string][]string{home: {hostileftp.LISTLine("-rw-r--r--", "5", "x.txt")}}
	files := map[string]hostileftp.File{home + "/x.txt": {Data: []byte("hello")}}

	t.Run("doubled quotes and trailing quotes", func(t *testing.T) {
		h := newHostile(t, hostileftp.Options{Listings: listings, Files: files,
			Echo: map[string]string{"PWD": `257 "/srv/a ""q"" b" is the "current" directory`}})
		r, err := h.pull(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if r.RemoteDir != home {
			t.Errorf("RemoteDir = %q, want %q", r.RemoteDir, home)
		}
		if b, err := os.ReadFile(filepath.Join(h.local, "x.txt")); err != nil || string(b) != "hello" {
			t.Errorf("x.txt = %q, %v", b, err)
		}
	})
	for _, reply := range []string{`257 /srv/a`, `257 "C:\ftp" is the current directory`} {
		t.Run(reply, func(t *testing.T) {
			h := newHostile(t, hostileftp.Options{Listings: listings, Files: files, Echo: map[string]string{"PWD": reply}})
			if _, err := h.pull(context.Background(), nil); !errors.Is(err, ErrLoginDir) {
				t.Errorf("relative path: err = %v, want ErrLoginDir", err)
			}
			if _, err := os.Stat(h.local); !os.IsNotExist(err) {
				t.Errorf("the mirror was created: %v", err)
			}
			r, err := h.pull(context.Background(), func(o *PullOptions) { o.RemoteDir = home })
			if err != nil || r.RemoteDir != home {
				t.Errorf("absolute path: %v, %+v", err, r)
			}
		})
	}
	t.Run("PWD refused", func(t *testing.T) {
		h := newHostile(t, hostileftp.Options{Listings: listings, Files: files, Refuse: []string{"PWD"}})
		if _, err := h.pull(context.Background(), func(o *PullOptions) { o.RemoteDir = "sub" }); !errors.Is(err, ErrLoginDir) {
			t.Errorf("err = %v, want ErrLoginDir", err)
		}
	})
}
