package main

import (
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

// Without --tls, a server that offers AUTH TLS is used with TLS and its
// certificate verified: an unverifiable one stops the run with the three
// ways out; --tls-insecure goes on and says it is unsafe.
func TestDefaultTLSAutoVerifiesAndNamesTheWaysOut(t *testing.T) {
	f := newFixture(t, sampleTree, ftptest.Options{TLS: ftptest.TLSExplicit})
	r := runCLI(t, "pull", "--retries", "0", "--state", f.state, f.url, f.local)
	if r.code != exitConnect {
		t.Fatalf("want exit 3 on an unverifiable certificate, got %v", r)
	}
	for _, want := range []string{"ftpmirror: hint: ", "--ca-file", "--tls-insecure", "--tls off"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	r = f.pull(t, "--tls-insecure")
	if r.code != exitOK {
		t.Fatalf("pull --tls-insecure: %v", r)
	}
	ftptest.TreeEqual(t, f.remote, f.local)
	if n := strings.Count(r.stderr, "--tls-insecure: the server's certificate is not verified (unsafe)"); n != 1 {
		t.Errorf("the unsafe warning appears %d times, want once:\n%s", n, r.stderr)
	}
	if strings.Contains(r.stderr, "in clear") {
		t.Errorf("warned of a password in clear over TLS:\n%s", r.stderr)
	}
}

// A server without TLS: the run goes on in clear and says once that the
// password crosses in clear.
func TestPlainServerWarnsOnceOfThePasswordInClear(t *testing.T) {
	f := newFixture(t, sampleTree, ftptest.Options{})
	r := f.pull(t, "--trust-pasv-ip")
	if r.code != exitOK {
		t.Fatalf("pull: %v", r)
	}
	if n := strings.Count(r.stderr, "ftpmirror: warning: the password is sent in clear: the server offers no TLS"); n != 1 {
		t.Errorf("the clear password warning appears %d times, want once:\n%s", n, r.stderr)
	}
	if !strings.Contains(r.stderr, "--trust-pasv-ip") || !strings.Contains(r.stderr, "(unsafe)") {
		t.Errorf("--trust-pasv-ip not warned about:\n%s", r.stderr)
	}
}

// A server that answers 421 (full) is busy, not a wrong password: retried,
// then exit 3 with the server's words.
func TestFullServerExits3SayingSo(t *testing.T) {
	isolate(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("421 Too many users - please try again later\r\n"))
			c.Close()
		}
	}()
	t.Setenv("FTPMIRROR_PASSWORD", "pw")
	r := runCLI(t, "pull", "--retries", "1", "--state", filepath.Join(t.TempDir(), "s.db"), "ftp://u@"+ln.Addr().String()+"/", t.TempDir())
	if r.code != exitConnect || !strings.Contains(r.stderr, "ftpmirror: error: the server is full (421 Too many users") ||
		strings.Contains(r.stderr, "check the user and password") {
		t.Fatalf("want exit 3 saying the server is full, got %v", r)
	}
}
