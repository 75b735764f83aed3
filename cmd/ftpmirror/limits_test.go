package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/hostileftp"
)

// hostileURL serves o and returns the URL of its root, with a password in
// the environment.
func hostileURL(t *testing.T, o hostileftp.Options) string {
	t.Helper()
	isolate(t)
	srv := hostileftp.Start(t, o)
	t.Setenv("FTPMIRROR_PASSWORD", "p")
	return "ftp://u@" + srv.Addr + "/"
}

// A transfer that stalls for ever is ended by --max-duration: the run exits
// 6, the file finished before it is kept and recorded, and nothing partial
// stands under a final name.
func TestMaxDurationEndsAStalledRunKeepingWhatIsDone(t *testing.T) {
	url := hostileURL(t, hostileftp.Options{
		MLST: true,
		Listings: map[string][]string{"/": {
			hostileftp.MLSDLine("file", "1", "a"), hostileftp.MLSDLine("file", "100", "b")}},
		Files: map[string]hostileftp.File{"/a": {Data: []byte("a")}, "/b": {Data: make([]byte, 100), StallAfter: 10}},
	})
	local, state := filepath.Join(t.TempDir(), "m"), filepath.Join(t.TempDir(), "state.db")
	// One connection: a is done before b starts, and b never ends.
	r := runCLI(t, "pull", "--parallel", "1", "--max-duration", "2s", "--state", state, url, local)
	if r.code != exitMaxDuration || !strings.Contains(r.stderr, "ftpmirror: error: stopped by --max-duration 2s: 1 downloaded, 0 uploaded; the rest is left for the next run") {
		t.Fatalf("want exit 6 saying what was done: %v", r)
	}
	if got, err := os.ReadFile(filepath.Join(local, "a")); err != nil || string(got) != "a" {
		t.Errorf("a = %q, %v; want it kept", got, err)
	}
	if _, err := os.Lstat(filepath.Join(local, "b")); err == nil {
		t.Error("b stands under its final name after an abandoned transfer")
	}
	// The state was committed: a second run plans b alone.
	r = runCLI(t, "pull", "-n", "--json", "--state", state, url, local)
	var doc struct {
		Actions []struct{ Path string } `json:"actions"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != exitOK {
		t.Fatalf("dry run: %v (%v)", r, err)
	}
	if len(doc.Actions) != 1 || doc.Actions[0].Path != "b" {
		t.Errorf("after the stop, the plan should hold b alone: %+v", doc.Actions)
	}
}

// A dry run fails when a listing failed, as the real run does.
func TestDryRunExitsNonZeroWhenAListingFailed(t *testing.T) {
	url := hostileURL(t, hostileftp.Options{
		MLST:     true,
		Listings: map[string][]string{"/": {hostileftp.MLSDLine("dir", "0", "sub"), hostileftp.MLSDLine("file", "1", "a")}},
		Files:    map[string]hostileftp.File{"/a": {Data: []byte("a")}},
		// "/sub" is not in Listings: listing it gets 550.
	})
	local, state := filepath.Join(t.TempDir(), "m"), filepath.Join(t.TempDir(), "state.db")
	r := runCLI(t, "pull", "-n", "--retries", "0", "--state", state, url, local)
	real := runCLI(t, "pull", "--retries", "0", "--state", state, url, local)
	if r.code != exitFailed || r.code != real.code || !strings.Contains(r.stderr, "the plan above is incomplete") {
		t.Errorf("dry run: want exit %d as the real run's (%v), got %v", exitFailed, real, r)
	}
}

// A listing that trickles is ended by --min-rate through the command line.
func TestMinRateEndsATricklingListing(t *testing.T) {
	var sub []string
	for i := range 1000 {
		sub = append(sub, hostileftp.MLSDLine("file", "1", fmt.Sprintf("f%04d", i)))
	}
	url := hostileURL(t, hostileftp.Options{
		MLST:           true,
		Listings:       map[string][]string{"/": {hostileftp.MLSDLine("dir", "0", "sub")}, "/sub": sub},
		TrickleListing: "/sub",
	})
	local, state := filepath.Join(t.TempDir(), "m"), filepath.Join(t.TempDir(), "state.db")
	r := runCLI(t, "pull", "--min-rate", "1K/50ms", "--retries", "0", "--state", state, url, local)
	if r.code != exitFailed || !strings.Contains(r.stderr, "data connection too slow: fewer than 1024 bytes in 50ms") {
		t.Errorf("want the trickling listing ended as too slow: %v", r)
	}
	r = runCLI(t, "pull", "--min-rate", "fast", "--state", state, url, local)
	if r.code != exitUsage || !strings.Contains(r.stderr, "invalid --min-rate") {
		t.Errorf("want a usage error: %v", r)
	}
}
