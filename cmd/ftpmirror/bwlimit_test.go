package main

import (
	"strings"
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

func TestBWLimitShownOnTheBarAndInTheSummaryAndAsAJobKey(t *testing.T) {
	f := newFixture(t, sampleTree, ftptest.Options{})
	r := f.pull(t, "--bwlimit", "4M", "--progress", "always")
	if r.code != exitOK {
		t.Fatalf("pull: %v", r)
	}
	ftptest.TreeEqual(t, f.remote, f.local)
	if !strings.Contains(r.stderr, "limit 4.0 MiB/s") || !strings.Contains(r.stderr, "files, limit 4.0 MiB/s") {
		t.Errorf("the bar and the summary should show the limit:\n%s", r.stderr)
	}

	f.siteJob(t, `bwlimit = "08:00,1M 19:00,off"`)
	r = runCLI(t, "run", "--json", "site")
	if r.code != exitOK || !strings.Contains(r.stdout, `"bwlimit": "08:00,1M 19:00,off"`) {
		t.Fatalf("run with a timetable: %v", r)
	}
}

func TestBWLimitRefusesABadRateBeforeConnecting(t *testing.T) {
	isolate(t)
	for _, bad := range []string{"fast", "08:00", "25:00,1M", "-2M"} {
		r := runCLI(t, "pull", "--bwlimit", bad, "ftp://127.0.0.1:1/", t.TempDir())
		if r.code != exitUsage || !strings.Contains(r.stderr, "invalid --bwlimit") || !strings.Contains(r.stderr, "hint: e.g. --bwlimit 2M") {
			t.Errorf("--bwlimit %q: %v", bad, r)
		}
	}
}
