package mirror

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

func TestSyncFileAgainstDirectoryKeepsBoth(t *testing.T) {
	f := newPullFixture(t, map[string]string{"x": "remote file", "y/in.txt": "remote dir's file"}, ftptest.Options{})
	at := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	writeAt(t, f.local, "x/in.txt", "local dir's file", at)
	writeAt(t, f.local, "y", "local file", at)
	r := f.mustSync(nil)
	if r.Done.Conflicts != 2 || r.Done.Renames != 2 {
		t.Fatalf("done = %+v, want two conflicts, each a rename", r.Done)
	}
	ftptest.TreeEqual(t, f.remote, f.local)
	for rel, want := range map[string]string{"x/in.txt": "local dir's file", "y/in.txt": "remote dir's file"} {
		if got := readFile(t, filepath.Join(f.remote, rel)); got != want {
			t.Errorf("%s = %q, want %q", rel, got, want)
		}
	}
	for pattern, want := range map[string]string{"x.conflict-remote-*": "remote file", "y.conflict-local-*": "local file"} {
		m, _ := filepath.Glob(filepath.Join(f.local, pattern))
		if len(m) != 1 || readFile(t, m[0]) != want {
			t.Errorf("%s: %v, want one copy holding %q", pattern, m, want)
		}
	}
	noTempNames(t, f.local)
	noTempNames(t, f.remote)
	if r := f.mustSync(nil); len(r.Plan.Actions) != 0 {
		t.Fatalf("the sync after plans %v", r.Plan.Actions)
	}
}

func TestSyncDirectoryDeletedWhileTheOtherSideAddedAFileKeepsBoth(t *testing.T) {
	f := newPullFixture(t, map[string]string{"d/old.txt": "old", "e/old.txt": "old"}, ftptest.Options{})
	if err := os.MkdirAll(f.local, 0o755); err != nil {
		t.Fatal(err)
	}
	f.mustSync(nil)
	// d deleted on the remote while a file was added in it locally, and
	// the other way round for e.
	if err := os.RemoveAll(filepath.Join(f.remote, "d")); err != nil {
		t.Fatal(err)
	}
	writeAt(t, f.local, "d/new.txt", "new here", time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC))
	if err := os.RemoveAll(filepath.Join(f.local, "e")); err != nil {
		t.Fatal(err)
	}
	writeAt(t, f.remote, "e/new.txt", "new there", time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC))
	f.mustSync(func(o *SyncOptions) { o.Force = true }) // old.txt deleted on each side: 2 of 2 files
	ftptest.TreeEqual(t, f.remote, f.local)
	for rel, want := range map[string]string{"d/new.txt": "new here", "e/new.txt": "new there"} {
		if got := readFile(t, filepath.Join(f.local, rel)); got != want {
			t.Errorf("%s = %q, want %q", rel, got, want)
		}
	}
	for _, gone := range []string{"d/old.txt", "e/old.txt"} {
		if _, err := os.Stat(filepath.Join(f.local, gone)); !os.IsNotExist(err) {
			t.Errorf("%s: the deletion did not travel", gone)
		}
	}
}
