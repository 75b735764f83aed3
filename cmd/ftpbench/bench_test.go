package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testLog writes the bench's progress lines to the test log.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// TestQuickScenarioAPullsByteIdenticalTree runs the smoke version of
// scenario (a) with ftpmirror alone (built from this module) against the
// in-process server through the link emulator, and checks the mirror is
// byte-identical and the report names it. It asserts nothing about time.
func TestQuickScenarioAPullsByteIdenticalTree(t *testing.T) {
	if testing.Short() {
		t.Skip("builds ftpmirror and pulls 200 files")
	}
	cfg := defaultConfig()
	applyQuick(&cfg)
	cfg.scenarios = []string{"a"}
	cfg.server = "goftp"
	cfg.tools = []string{toolFtpmirror}
	cfg.rtt = 4 * time.Millisecond
	cfg.timeout = 2 * time.Minute
	cfg.tmp = t.TempDir()

	ctx := context.Background()
	b, err := newBench(ctx, cfg, testLog{t})
	if err != nil {
		t.Fatal(err)
	}
	defer b.close()
	results, err := b.run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 1 {
		t.Fatalf("got %d results, want 1", len(results))
	}
	r := results[0]
	if r.err != "" || r.verifyErr != "" {
		t.Fatalf("ftpmirror run failed: %s %s", r.err, r.verifyErr)
	}
	if !r.verdict.identical() || r.verdict.files != cfg.files {
		t.Errorf("mirror of %d files not identical: %+v (%s)", cfg.files, r.verdict, r.verdict.notes())
	}
	if !r.proxied || r.verbs["RETR"] < cfg.files {
		t.Errorf("proxy saw %d RETR (proxied %v), want at least %d", r.verbs["RETR"], r.proxied, cfg.files)
	}
	var out bytes.Buffer
	writeReport(&out, cfg, b.toolsRun(), results)
	if !strings.Contains(out.String(), "ftpmirror") || !strings.Contains(out.String(), "<= 0.5 x rclone: no rclone") {
		t.Errorf("report lacks the ftpmirror row or its target:\n%s", out.String())
	}
	if entries, _ := os.ReadDir(b.tmp); len(entries) != 1 { // only bin/ stays until close
		t.Errorf("temporary directory holds %d entries after the run, want only bin/", len(entries))
	}
}

func TestCompareTreesFindsEveryKindOfDifference(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	write := func(root, rel, content string) {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(src, "same.txt", "hello")
	write(dst, "same.txt", "hello")
	write(src, "d/changed.txt", "abc")
	write(dst, "d/changed.txt", "abd")
	write(src, "missing.txt", "x")
	write(dst, "extra.txt", "y")
	if err := os.Mkdir(filepath.Join(src, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := os.Chtimes(filepath.Join(src, "same.txt"), old, old); err != nil {
		t.Fatal(err)
	}
	v, err := compareTrees(src, dst)
	if err != nil {
		t.Fatal(err)
	}
	want := verdict{files: 3, missing: 1, differ: 1, extra: 1, mtimes: 1, dirsAbsent: 1}
	v.first = ""
	if v != want {
		t.Errorf("verdict %+v, want %+v", v, want)
	}
	if v.identical() {
		t.Error("trees with differences reported identical")
	}
	same, err := compareTrees(src, src)
	if err != nil || !same.identical() || same.mtimes != 0 {
		t.Errorf("a tree compared with itself: %+v, %v", same, err)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{
		"200MiB": 200 << 20, "20MB": 20_000_000, "16KiB": 16 << 10, "4096": 4096, "1.5GiB": 3 << 29, "0": 0,
	} {
		got, err := parseSize(in)
		if err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "MiB", "-1", "20 parsecs", "12x"} {
		if _, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) succeeded", bad)
		}
	}
}
