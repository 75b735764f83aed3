package demoserver

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
	"github.com/ftpmirror/ftpmirror/mirror"
)

func serve(t *testing.T, o Options) (*Server, string) {
	t.Helper()
	root := t.TempDir()
	if err := (Tree{Files: 60, Dirs: 8, MaxSize: 40 << 10, Seed: 3}).Generate(root); err != nil {
		t.Fatal(err)
	}
	s, err := Serve(root, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, root
}

func TestPullFromTheDemoServerInEveryDataMode(t *testing.T) {
	s, root := serve(t, Options{})
	for _, mode := range []mirror.DataMode{mirror.ModePassive, mirror.ModeActive} {
		t.Run(string(mode), func(t *testing.T) {
			local := filepath.Join(t.TempDir(), "m")
			r, err := mirror.Pull(context.Background(), mirror.PullOptions{
				Server:   mirror.Server{Host: s.Host, Port: s.Port, User: "demo", Password: mirror.NewSecret("demo")},
				Conn:     mirror.Options{Mode: mode},
				LocalDir: local,
			})
			if err != nil || len(r.Failed) > 0 {
				t.Fatalf("pull: %v %v", err, r)
			}
			if r.Done.Downloads != 60 || r.Method.Passive() != (mode == mirror.ModePassive) {
				t.Errorf("downloads %d via %s", r.Done.Downloads, r.Method)
			}
			ftptest.TreeEqual(t, root, local)
		})
	}
}

// talk sends each command on a fresh session and returns the replies'
// first lines.
func talk(t *testing.T, s *Server, cmds ...string) []string {
	t.Helper()
	c, err := net.Dial("tcp", s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	read := func() string {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		for len(line) > 3 && line[3] == '-' { // a multi-line reply
			code := line[:3]
			for {
				next, err := r.ReadString('\n')
				if err != nil {
					t.Fatalf("read: %v", err)
				}
				if strings.HasPrefix(next, code+" ") {
					break
				}
			}
			break
		}
		return strings.TrimRight(line, "\r\n")
	}
	read() // greeting
	var out []string
	for _, cmd := range cmds {
		fmt.Fprintf(c, "%s\r\n", cmd)
		out = append(out, read())
	}
	return out
}

func TestDemoServerIsReadOnlyStaysInItsRootAndChecksLogins(t *testing.T) {
	s, _ := serve(t, Options{Anonymous: true})
	got := talk(t, s, "USER demo", "PASS wrong", "SIZE /x", "USER anonymous", "PASS a@b",
		"STOR x", "DELE file-0000.dat", "MKD new", "SIZE ../../../etc/passwd", "CWD ../../..", "PWD",
		"EPRT |1|192.0.2.1|4000|", "PORT 10,0,0,1,15,160")
	want := []string{"331", "530", "530", "331", "230", "550", "550", "550", "550", "250", "257 \"/\"", "504", "504"}
	for i := range want {
		if i >= len(got) || !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("reply %d = %q, want %s...", i, got, want[i])
			break
		}
	}
}
