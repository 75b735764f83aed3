package mirror

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
	"github.com/ftpmirror/ftpmirror/plan"
	"github.com/ftpmirror/ftpmirror/state"
)

// The state never records a file before the flush to disk that covers it:
// at each flush of the batch sync, every file record already committed
// must be of a file written before an earlier flush, and so must every
// record at the end. The tree is larger than a state batch (256), so that
// records commit in several batches during the run.
func TestPullCommitsNoRecordBeforeTheFlushThatCoversItsFile(t *testing.T) {
	files := map[string]string{}
	for i := range 600 {
		files[fmt.Sprintf("d%02d/f%03d.txt", i%7, i)] = fmt.Sprint(i)
	}
	remote := t.TempDir()
	ftptest.WriteTree(t, remote, files)
	srv := serverFor(ftptest.Start(t, remote, ftptest.Options{}))
	st, err := state.Open(filepath.Join(t.TempDir(), "state.db"), state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	var (
		mu      sync.Mutex
		written []string            // files renamed into place, flush pending
		covered = map[string]bool{} // files written before a flush
		flushes int
	)
	// uncovered lists the file records committed whose file no flush covered.
	uncovered := func() []string {
		snap, err := st.Snapshot()
		if err != nil {
			t.Error(err)
			return nil
		}
		var bad []string
		for p, r := range snap {
			if r.Kind == plan.KindFile && !covered[p] {
				bad = append(bad, p)
			}
		}
		return bad
	}
	observe := func(ev syncEvent) {
		mu.Lock()
		defer mu.Unlock()
		if !ev.synced {
			written = append(written, ev.path)
			return
		}
		flushes++
		if bad := uncovered(); len(bad) > 0 {
			t.Errorf("flush %d: %d records committed before a flush covered their files, e.g. %s", flushes, len(bad), bad[0])
		}
		for _, p := range written {
			covered[p] = true
		}
		written = nil
	}
	o := PullOptions{Server: srv, LocalDir: filepath.Join(t.TempDir(), "mirror"), Store: st, Parallel: 3}
	o.observeSync = observe
	r, err := Pull(context.Background(), o)
	if err != nil || len(r.Failed) > 0 {
		t.Fatalf("pull: %v %v", err, r.Failed)
	}
	ftptest.TreeEqual(t, remote, o.LocalDir)
	mu.Lock()
	defer mu.Unlock()
	if bad := uncovered(); len(bad) > 0 {
		t.Errorf("after the run: %d records of files no flush covered, e.g. %s", len(bad), bad[0])
	}
	if len(covered) != len(files) || flushes < 2 {
		t.Errorf("%d files flushed in %d flushes; want %d files in 2 or more", len(covered), flushes, len(files))
	}
}
