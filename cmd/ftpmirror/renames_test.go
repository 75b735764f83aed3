package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

func TestTrackRenamesDryRunShowsTheMoveAndThePullRenames(t *testing.T) {
	f := newFixture(t, map[string]string{"old/a.bin": strings.Repeat("a", 4096), "b.txt": "b\n"}, ftptest.Options{})
	if r := f.pull(t); r.code != exitOK {
		t.Fatalf("pull: %v", r)
	}
	if err := os.MkdirAll(filepath.Join(f.remote, "new"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(f.remote, "old/a.bin"), filepath.Join(f.remote, "new/a.bin")); err != nil {
		t.Fatal(err)
	}
	r := f.pull(t, "-n", "--delete", "--track-renames")
	if r.code != exitOK || !strings.Contains(r.stdout, "R old/a.bin -> new/a.bin (moved)\n") || strings.Contains(r.stdout, "+ new/a.bin") {
		t.Fatalf("dry run: %v", r)
	}
	r = f.pull(t, "--delete", "--track-renames", "-v")
	if r.code != exitOK || !strings.Contains(r.stderr, "pulled 0 files (0 B)") || !strings.Contains(r.stderr, "moved old/a.bin instead of sending it again") {
		t.Fatalf("pull: %v", r)
	}
	ftptest.TreeEqual(t, f.remote, f.local)
	r = runCLI(t, "sync", "--track-renames", f.local, f.url)
	if r.code != exitUsage || !strings.Contains(r.stderr, "--track-renames is for pull and push") {
		t.Errorf("sync --track-renames: %v", r)
	}
}
