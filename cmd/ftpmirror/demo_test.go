package main

import (
	"bufio"
	"context"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestBinaryDemoFallsBackToActiveThenMovesOnlyTheChange runs the README's
// first command, as a person on a fresh machine would, and checks that each
// step of the story is told and done.
func TestBinaryDemoFallsBackToActiveThenMovesOnlyTheChange(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t) // before isolate: the build cache is under $HOME
	isolate(t)
	dir := filepath.Join(t.TempDir(), "demo-mirror")
	cmd := exec.Command(bin, "demo", dir)
	cmd.Env = append(os.Environ(), "TMPDIR="+t.TempDir())
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("demo: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	out := stdout.String()
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^\$ ftpmirror probe --data-timeout 2s ftp://127\.0\.0\.1:\d+/$`),
		regexp.MustCompile(`(?m)^EPSV +failed .*time out`),
		regexp.MustCompile(`(?m)^EPRT +ok `),
		regexp.MustCompile(`ftpmirror will use EPRT`),
		regexp.MustCompile(`(?m)^\$ ftpmirror pull --data-timeout 2s --bwlimit 4M --state \S+ ftp://127\.0\.0\.1:\d+/ ` + regexp.QuoteMeta(dir) + `$`),
		regexp.MustCompile(`(?m)^\$ ftpmirror pull -n --delete `),
		regexp.MustCompile(`(?m)^\+ NEWS\.txt \(43 B\)$`),
		regexp.MustCompile(`(?m)^~ \S+`),
		regexp.MustCompile(`(?m)^- .+`),
		regexp.MustCompile(`(?m)^2 to download \(.*\), 1 to delete$`),
	} {
		if !want.MatchString(out) {
			t.Errorf("demo stdout lacks %s:\n%s", want, out)
		}
	}
	errs := stderr.String()
	for _, want := range []string{"pulled 200 files", "via EPRT, limit 4.0 MiB/s", "pulled 2 files", "deleted 1 in"} {
		if !strings.Contains(errs, want) {
			t.Errorf("demo stderr lacks %q:\n%s", want, errs)
		}
	}
	if strings.Contains(errs, "\r") {
		t.Errorf("without a terminal there is no bar and no '\\r':\n%q", errs)
	}
	files := 0
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files++
		}
		return nil
	})
	if files != 200 {
		t.Errorf("the demo mirror holds %d files, want 200 (one added, one deleted)", files)
	}
}

// TestDemoKeepLeavesTheServersUpUntilInterrupted checks --keep: the
// servers answer the commands the demo suggests, until Ctrl-C (here, the
// context of run).
func TestDemoKeepLeavesTheServersUpUntilInterrupted(t *testing.T) {
	isolate(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, []string{"demo", "--keep", "--files", "20", "--dirs", "3", filepath.Join(t.TempDir(), "m")},
			strings.NewReader(""), pw, io.Discard)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	plain := regexp.MustCompile(`^  ftpmirror probe (ftp://127\.0\.0\.1:\d+/)$`)
	url := ""
	for url == "" && sc.Scan() {
		if m := plain.FindStringSubmatch(sc.Text()); m != nil {
			url = m[1]
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if url == "" {
		t.Fatalf("the demo never suggested a probe of the plain server; exit %d", <-code)
	}
	if r := runCLI(t, "probe", url); r.code != exitOK || !strings.Contains(r.stdout, "EPSV    ok") {
		t.Errorf("probe of the kept server: %v", r)
	}
	cancel()
	if c := <-code; c != exitOK {
		t.Errorf("demo --keep after Ctrl-C: exit %d", c)
	}
}

// TestShippedBinaryCarriesNoTestHelpers protects the release binary from
// linking package testing or the test servers (and their reflect/unsafe
// fix-ups of goftp) through the demo.
func TestShippedBinaryCarriesNoTestHelpers(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "testing" || strings.HasSuffix(dep, "/internal/ftptest") || strings.HasPrefix(dep, "goftp.io/") {
			t.Errorf("cmd/ftpmirror links %s", dep)
		}
	}
}
