package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A URL where nothing listens: a command that connected would exit 3, so
// exit 2 shows that validation came first.
const deadURL = "ftp://user@127.0.0.1:1/"

func TestUsageErrorsExit2BeforeConnecting(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"no command args", []string{"pull"}, "pull needs a remote URL and a local directory"},
		{"too many args", []string{"pull", deadURL, dir, "extra"}, "pull needs"},
		{"unknown command", []string{"frobnicate"}, "unknown command"},
		{"unknown flag", []string{"pull", "--frob", deadURL, dir}, "unknown flag"},
		{"bad flag type", []string{"pull", "--parallel", "many", deadURL, dir}, "--parallel"},
		{"parallel zero", []string{"pull", "--parallel", "0", deadURL, dir}, "--parallel 0"},
		{"bad mode", []string{"pull", "--mode", "sideways", deadURL, dir}, "invalid --mode"},
		{"bad tls", []string{"pull", "--tls", "maybe", deadURL, dir}, "invalid --tls"},
		{"tls contradicts ftps", []string{"pull", "--tls", "explicit", "ftps://127.0.0.1:1/", dir}, "contradicts"},
		{"ca-file without tls", []string{"pull", "--tls", "off", "--ca-file", file, deadURL, dir}, "need TLS"},
		{"ca-file not PEM", []string{"pull", "--tls", "explicit", "--ca-file", file, deadURL, dir}, "no PEM certificate"},
		{"bad active addr", []string{"pull", "--active-addr", "nowhere", deadURL, dir}, "invalid --active-addr"},
		{"bad active ports", []string{"pull", "--active-ports", "6000-5000", deadURL, dir}, "invalid --active-ports"},
		{"bad max-delete", []string{"pull", "--max-delete", "lots", deadURL, dir}, "invalid --max-delete"},
		{"max-delete over 100%", []string{"pull", "--max-delete", "150%", deadURL, dir}, "invalid --max-delete"},
		{"negative retries", []string{"pull", "--retries", "-1", deadURL, dir}, "--retries"},
		{"bad data timeout", []string{"pull", "--data-timeout", "0s", deadURL, dir}, "--data-timeout"},
		{"bad progress", []string{"pull", "--progress", "sometimes", deadURL, dir}, "invalid --progress"},
		{"quiet and verbose", []string{"pull", "-q", "-v", deadURL, dir}, "contradict"},
		{"bad glob", []string{"pull", "--exclude", "[", deadURL, dir}, "pattern"},
		{"missing exclude-from", []string{"pull", "--exclude-from", filepath.Join(dir, "nope"), deadURL, dir}, "--exclude-from"},
		{"missing password file", []string{"pull", "--password-file", filepath.Join(dir, "nope"), deadURL, dir}, "password file"},
		{"not an URL", []string{"pull", "127.0.0.1/pub", dir}, "ftp:// or ftps:// URL"},
		{"http URL", []string{"pull", "http://127.0.0.1/", dir}, "unsupported URL scheme"},
		{"bad port", []string{"pull", "ftp://127.0.0.1:0/", dir}, "invalid port"},
		{"local dir is a file", []string{"pull", deadURL, file}, "not a directory"},
		{"probe without URL", []string{"probe"}, "probe needs a remote URL"},
		{"probe bad mode", []string{"probe", "--mode", "x", deadURL}, "invalid --mode"},
		{"demo two dirs", []string{"demo", "a", "b"}, "at most one directory"},
		{"version with args", []string{"version", "x"}, "no arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, tt.args...)
			if r.code != exitUsage {
				t.Fatalf("want exit 2, got %v", r)
			}
			if !strings.HasPrefix(r.stderr, "ftpmirror: error: ") || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("stderr should start with 'ftpmirror: error:' and name %q:\n%s", tt.want, r.stderr)
			}
			if !strings.Contains(tt.want, "--exclude-from") && !strings.Contains(tt.want, "password file") &&
				!strings.Contains(r.stderr, "ftpmirror: hint: ") {
				t.Errorf("no hint:\n%s", r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout should be empty:\n%s", r.stdout)
			}
		})
	}
}

func TestHelpHasExamples(t *testing.T) {
	isolate(t)
	for _, cmd := range [][]string{{"--help"}, {"pull", "--help"}, {"probe", "--help"}, {"demo", "--help"}, {"version", "--help"}} {
		r := runCLI(t, cmd...)
		if r.code != exitOK || !strings.Contains(r.stdout, "Examples:") {
			t.Errorf("%v: want exit 0 and examples, got %v", cmd, r)
		}
	}
	r := runCLI(t, "--help")
	for _, code := range []string{"0  done", "2  usage", "3  the connection", "4  another run", "5  refused"} {
		if !strings.Contains(r.stdout, code) {
			t.Errorf("root help does not document exit code %q", code)
		}
	}
}

func TestVersion(t *testing.T) {
	isolate(t)
	r := runCLI(t, "version")
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "ftpmirror "+version+" (") {
		t.Fatalf("got %v", r)
	}
}

func TestConnectionRefusedExits3(t *testing.T) {
	isolate(t)
	r := runCLI(t, "pull", "--retries", "0", deadURL, t.TempDir())
	if r.code != exitConnect || !strings.Contains(r.stderr, "ftpmirror: error: ") {
		t.Fatalf("want exit 3, got %v", r)
	}
}

func TestInterruptedExits1(t *testing.T) {
	f := newFixture(t, sampleTree, ftptestOptions())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := runCLIContext(ctx, t, "", "pull", "--state", f.state, f.url, f.local)
	if r.code != exitFailed || !strings.Contains(r.stderr, "ftpmirror: error: interrupted") {
		t.Fatalf("want exit 1 and 'interrupted', got %v", r)
	}
}
