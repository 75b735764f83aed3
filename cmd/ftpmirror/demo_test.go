package main

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBinaryDemo builds the real binary and runs the README's first command,
// as a person on a fresh machine would.
func TestBinaryDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	isolate(t)
	bin := filepath.Join(t.TempDir(), "ftpmirror")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir := filepath.Join(t.TempDir(), "demo-mirror")
	cmd := exec.Command(bin, "demo", dir)
	cmd.Env = append(os.Environ(), "TMPDIR="+t.TempDir())
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("demo: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	for _, want := range []string{"serving a generated tree of 200 files", "127.0.0.1:", "... and ", "200 to download"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("demo stdout lacks %q:\n%s", want, stdout.String())
		}
	}
	if !strings.Contains(stderr.String(), "pulled 200 files") || strings.Contains(stderr.String(), "\r") {
		t.Errorf("demo stderr should end with the summary and hold no '\\r':\n%q", stderr.String())
	}
	files := 0
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files++
		}
		return nil
	})
	if files != 200 {
		t.Errorf("the demo mirror holds %d files, want 200", files)
	}
}
