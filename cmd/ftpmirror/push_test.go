package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

// newPushFixture serves an empty remote tree; the local tree, the source,
// holds files.
func newPushFixture(t *testing.T, files map[string]string) *fixture {
	t.Helper()
	f := newFixture(t, nil, ftptest.Options{})
	f.local = t.TempDir()
	ftptest.WriteTree(t, f.local, files)
	return f
}

// push runs "ftpmirror push" on the fixture with extra flags.
func (f *fixture) push(t *testing.T, flags ...string) result {
	t.Helper()
	args := append([]string{"push", "--state", f.state}, flags...)
	return runCLI(t, append(args, f.local, f.url)...)
}

func TestPushEndToEnd(t *testing.T) {
	f := newPushFixture(t, sampleTree)

	r := f.push(t, "-n")
	if r.code != exitOK {
		t.Fatalf("dry run: %v", r)
	}
	if !strings.Contains(r.stdout, "+ docs/guide.txt (2.9 KiB)\n") || !strings.Contains(r.stdout, "6 to upload (3.0 KiB), 4 directories to create\n") {
		t.Errorf("dry run output:\n%s", r.stdout)
	}
	if names, _ := os.ReadDir(f.remote); len(names) != 0 {
		t.Fatalf("dry run wrote to the server: %v", names)
	}

	r = f.push(t)
	if r.code != exitOK {
		t.Fatalf("push: %v", r)
	}
	ftptest.TreeEqual(t, f.local, f.remote)
	if !strings.Contains(r.stderr, "pushed 6 files") {
		t.Errorf("summary line missing:\n%s", r.stderr)
	}

	r = f.push(t, "--json")
	var doc struct {
		Summary struct {
			Uploads int `json:"uploads"`
		} `json:"summary"`
		Bytes int64 `json:"bytes"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); r.code != exitOK || err != nil {
		t.Fatalf("second push (%v): %v", err, r)
	}
	if doc.Summary.Uploads != 0 || doc.Bytes != 0 {
		t.Errorf("second push should upload nothing: %s", r.stdout)
	}

	// A local change, a local deletion, an edit on the server.
	ftptest.WriteTree(t, f.local, map[string]string{"README": "hello again, longer\n"})
	if err := os.Remove(filepath.Join(f.local, "src/util/x.go")); err != nil {
		t.Fatal(err)
	}
	ftptest.WriteTree(t, f.remote, map[string]string{"src/main.go": "package main // edited remotely\n"})
	r = f.push(t, "-n", "--delete", "--max-delete", "100%")
	for _, line := range []string{"~ README (20 B)", "- src/util/x.go", "> src/main.go (13 B)",
		"2 to upload (33 B), 1 to delete, 1 remote edit to be overwritten"} {
		if !strings.Contains(r.stdout, line+"\n") {
			t.Errorf("dry run output lacks %q:\n%s", line, r.stdout)
		}
	}
	if r = f.push(t, "--delete", "--max-delete", "100%"); r.code != exitOK {
		t.Fatalf("push: %v", r)
	}
	ftptest.TreeEqual(t, f.local, f.remote)
}

func TestPushRefusesMissingLocalDir(t *testing.T) {
	f := newPushFixture(t, nil)
	f.local = filepath.Join(f.local, "nope")
	r := f.push(t)
	if r.code != exitUsage || !strings.Contains(r.stderr, "not a directory") {
		t.Fatalf("push from a missing directory: %v", r)
	}
}
