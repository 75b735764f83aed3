package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

// The report of issue 12, as a new user would meet it: after a first sync,
// 7 bytes appended locally and 7 other bytes on the server within the same
// second. sync -n said "1 already identical" and the sides stayed apart.
func TestSyncEditsInTheSameSecondAreAConflictNamedByTheDryRun(t *testing.T) {
	f := newFixture(t, map[string]string{"notes.txt": "shopping list\n"}, ftptest.Options{})
	if err := os.MkdirAll(f.local, 0o755); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, "sync", "--state", f.state, f.local, f.url); r.code != exitOK {
		t.Fatalf("first sync: %v", r)
	}
	t1 := time.Date(2025, 7, 7, 7, 7, 7, 0, time.UTC)
	for root, tail := range map[string]string{f.local: "+eggs!\n", f.remote: "+milk!\n"} {
		p := filepath.Join(root, "notes.txt")
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, append(b, tail...), 0o644); err != nil {
			t.Fatal(err)
		}
		ftptest.SetMtime(t, p, t1)
	}

	dry := runCLI(t, "sync", "-n", "--state", f.state, f.local, f.url)
	if dry.code != exitOK || strings.Contains(dry.stdout, "already identical") {
		t.Fatalf("dry run: %v", dry)
	}
	for _, want := range []string{"R local: notes.txt -> notes.conflict-local-", "(kept as a conflict copy)", "1 conflict"} {
		if !strings.Contains(dry.stdout, want) {
			t.Errorf("dry run lacks %q:\n%s", want, dry.stdout)
		}
	}
	if r := runCLI(t, "sync", "--state", f.state, f.local, f.url); r.code != exitOK {
		t.Fatalf("sync: %v", r)
	}
	ftptest.TreeEqual(t, f.remote, f.local)
	copies, _ := filepath.Glob(filepath.Join(f.local, "notes.conflict-local-*.txt"))
	if len(copies) != 1 {
		t.Fatalf("conflict copies %v, want one", copies)
	}
	if got := mustRead(t, copies[0]); got != "shopping list\n+eggs!" { // mustRead trims
		t.Errorf("the copy holds %q, want the local version", got)
	}
	if got := mustRead(t, filepath.Join(f.local, "notes.txt")); got != "shopping list\n+milk!" {
		t.Errorf("notes.txt holds %q, want the remote version", got)
	}
	if r := runCLI(t, "sync", "-n", "--state", f.state, f.local, f.url); r.code != exitOK || strings.Contains(r.stdout, "notes") {
		t.Fatalf("the next dry run is not empty: %v", r)
	}
}
