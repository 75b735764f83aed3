package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

func TestPushOlderThanAndMinSizeLeaveTheRestAloneOnBothSides(t *testing.T) {
	f := newPushFixture(t, map[string]string{"settled.log": "settled log\n", "tiny": "t", "fresh.log": "still being written\n"})
	old := time.Now().Add(-48 * time.Hour)
	for _, name := range []string{"settled.log", "tiny"} {
		if err := os.Chtimes(filepath.Join(f.local, name), old, old); err != nil {
			t.Fatal(err)
		}
	}
	// The server has its own fresh.log and tiny: held on our side, they are
	// neither overwritten nor deleted.
	ftptest.WriteTree(t, f.remote, map[string]string{"fresh.log": "server's\n", "tiny": "server's tiny\n", "gone.log": "x"})
	r := f.push(t, "-n", "--delete", "--older-than", "1d", "--min-size", "2")
	if r.code != exitOK || r.stdout != "+ settled.log (12 B)\n- gone.log\n1 to upload (12 B), 1 to delete\n" {
		t.Errorf("dry run: %v", r)
	}
	if r = f.push(t, "--delete", "--older-than", "1d", "--min-size", "2"); r.code != exitOK {
		t.Fatalf("push: %v", r)
	}
	for rel, want := range map[string]string{"settled.log": "settled log\n", "fresh.log": "server's\n", "tiny": "server's tiny\n"} {
		if got, err := os.ReadFile(filepath.Join(f.remote, rel)); err != nil || string(got) != want {
			t.Errorf("remote %s = %q, %v; want %q", rel, got, err, want)
		}
	}
	if _, err := os.Stat(filepath.Join(f.remote, "gone.log")); !os.IsNotExist(err) {
		t.Errorf("gone.log should be deleted: %v", err)
	}
}

func TestSizeAndAgeFlagsRefuseBadValuesBeforeConnecting(t *testing.T) {
	isolate(t)
	for _, args := range [][]string{
		{"--min-size", "huge"}, {"--max-size", "0"}, {"--min-size", "2M", "--max-size", "1M"},
		{"--newer-than", "yesterday"}, {"--older-than", "-3d"}, {"--newer-than", "1d", "--older-than", "7d"},
	} {
		r := runCLI(t, append(append([]string{"pull"}, args...), "ftp://127.0.0.1:1/", t.TempDir())...)
		if r.code != exitUsage || !strings.Contains(r.stderr, "ftpmirror: error: ") || !strings.Contains(r.stderr, "--") {
			t.Errorf("%v: %v", args, r)
		}
	}
}

func TestSizeAndAgeAsJobKeys(t *testing.T) {
	f := newFixture(t, map[string]string{"a.txt": "a\n", "big.iso": strings.Repeat("i", 4096)}, ftptest.Options{})
	f.siteJob(t, `max_size = "1k"`, `newer_than = "30d"`, `delete = true`)
	if r := runCLI(t, "run", "site"); r.code != exitOK || !strings.Contains(r.stderr, "pulled 1 file") {
		t.Fatalf("run site: %v", r)
	}
	if _, err := os.Stat(filepath.Join(f.local, "big.iso")); !os.IsNotExist(err) {
		t.Errorf("big.iso was pulled: %v", err)
	}
}
