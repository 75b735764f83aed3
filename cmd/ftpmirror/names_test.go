package main

import (
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
	"github.com/ftpmirror/ftpmirror/internal/hostileftp"
)

// Regression: a name FTP cannot carry made every run exit 1 ("could not
// list /"), so a cron job mailed forever. Now the first run warns, exits 0
// and mirrors the rest; later runs are quiet, and -v still tells.
func TestCLIWarnsOnceAboutANameThatCannotBeMirrored(t *testing.T) {
	f := newFixture(t, map[string]string{"ok.txt": "ok", "tab\tname": "tab", "cr\rname": "cr"}, ftptest.Options{})
	first := f.pull(t)
	if first.code != 0 {
		t.Fatalf("first run: %v", first)
	}
	if !strings.Contains(first.stderr, `ftpmirror: warning: skipped remote name "cr\rname": name cannot be mirrored`) {
		t.Errorf("first run does not warn about the name, quoted:\n%v", first)
	}
	second := f.pull(t)
	if second.code != 0 || strings.Contains(second.stderr, "cr") {
		t.Errorf("second run is not quiet about the known name:\n%v", second)
	}
	verbose := f.pull(t, "-v")
	if verbose.code != 0 || !strings.Contains(verbose.stderr, `skipped remote name "cr\rname", as before`) {
		t.Errorf("-v does not mention the known name:\n%v", verbose)
	}
	if b, err := os.ReadFile(filepath.Join(f.local, "tab\tname")); err != nil || string(b) != "tab" {
		t.Errorf("tab name: %q, %v", b, err)
	}
	if _, err := os.Lstat(filepath.Join(f.local, "cr\rname")); !os.IsNotExist(err) {
		t.Errorf("the skipped name was written: %v", err)
	}
}

// newHostileFixture is a fixture served by the scripted server of
// internal/hostileftp, which lists what a test says, names that no file
// system holds included.
func newHostileFixture(t *testing.T, o hostileftp.Options) *fixture {
	t.Helper()
	isolate(t)
	srv := hostileftp.Start(t, o)
	t.Setenv("FTPMIRROR_PASSWORD", "p")
	return &fixture{
		local: filepath.Join(t.TempDir(), "mirror"),
		state: filepath.Join(t.TempDir(), "state.db"),
		url:   "ftp://u@" + srv.Addr + "/",
	}
}

func TestCLICopyLinksDownloadsWhatALinkPointsTo(t *testing.T) {
	f := newFixture(t, map[string]string{"a.txt": "content"}, ftptest.Options{})
	if err := os.Symlink("a.txt", filepath.Join(f.remote, "link")); err != nil {
		t.Fatal(err)
	}
	if r := f.pull(t, "-L"); r.code != 0 {
		t.Fatalf("pull -L: %v", r)
	}
	fi, err := os.Lstat(filepath.Join(f.local, "link"))
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != int64(len("content")) {
		t.Errorf("link after -L: %v, %v; want a copy of a.txt", fi, err)
	}
}

// A Latin-1 server's name is mirrored as its bytes, and JSON output, whose
// strings must be UTF-8, gives those bytes in path_bytes; with
// --remote-charset latin1 the local name is UTF-8.
func TestCLINonUTF8NamesInJSONAndWithRemoteCharset(t *testing.T) {
	f := newFixture(t, map[string]string{"caf\xe9.txt": "latin1"}, ftptest.Options{})
	r := f.pull(t, "-n", "--json")
	var doc struct {
		Actions []struct {
			Path      string `json:"path"`
			PathBytes []byte `json:"path_bytes"`
		} `json:"actions"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != 0 {
		t.Fatalf("pull -n --json (%v): %v", err, r)
	}
	if len(doc.Actions) != 1 || string(doc.Actions[0].PathBytes) != "caf\xe9.txt" {
		t.Errorf("actions = %+v, want the name's bytes in path_bytes", doc.Actions)
	}
	if r := f.pull(t); r.code != 0 {
		t.Fatalf("pull: %v", r)
	}
	if b, err := os.ReadFile(filepath.Join(f.local, "caf\xe9.txt")); err != nil || string(b) != "latin1" {
		t.Errorf("the name's bytes: %q, %v", b, err)
	}
	utf := filepath.Join(t.TempDir(), "utf8")
	if r := runCLI(t, "pull", "--remote-charset", "latin1", "--state", filepath.Join(t.TempDir(), "s.db"), f.url, utf); r.code != 0 {
		t.Fatalf("pull --remote-charset latin1: %v", r)
	}
	if b, err := os.ReadFile(filepath.Join(utf, "café.txt")); err != nil || string(b) != "latin1" {
		t.Errorf("café.txt in UTF-8: %q, %v", b, err)
	}
	if r := runCLI(t, "pull", "--remote-charset", "klingon", f.url, utf); r.code != 2 || !strings.Contains(r.stderr, "invalid --remote-charset") {
		t.Errorf("an unknown charset: %v", r)
	}
}

func TestJSONLogKeepsTheBytesOfANameThatIsNotUTF8(t *testing.T) {
	var b strings.Builder
	h := slog.NewJSONHandler(&b, &slog.HandlerOptions{ReplaceAttr: quoteNonUTF8})
	slog.New(h).Info("listed", "path", "caf\xe9.txt", "ok", "café")
	if got := b.String(); !strings.Contains(got, `"path":"\"caf\\xe9.txt\""`) || !strings.Contains(got, `"ok":"café"`) {
		t.Errorf("log line = %s", got)
	}
}
