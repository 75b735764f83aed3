package mirror

import (
	"context"
	"path"
	"sync"
	"time"

	"github.com/ftpmirror/ftpmirror/plan"
)

// applyRename moves an entry aside on one side, to keep a conflicting
// version as a conflict copy (sync), and forgets the record of its path:
// from then on the trees alone tell what is left to do (the copy is new on
// its side, the path new or changed on the other), so a run killed after
// the rename converges without naming the copy again. The transfers that
// follow write the records of both names.
func (e *executor) applyRename(ctx context.Context, a plan.Action) error {
	if a.Reason == plan.ReasonMoved {
		return e.applyMove(ctx, a) // --track-renames (renames.go)
	}
	if err := e.renameAction(ctx, a); err != nil {
		return err
	}
	return e.forget(a.Path)
}

// renameAction renames a.Path to a.To: on the server (RNFR/RNTO, retried) for
// plan.OpRenameRemote, else in the local tree.
func (e *executor) renameAction(ctx context.Context, a plan.Action) error {
	if a.Op != plan.OpRenameRemote {
		return renameLocal(e.localRoot, a.Path, a.To)
	}
	from, to := path.Join(e.remoteRoot, a.Path), path.Join(e.remoteRoot, a.To)
	return retry(ctx, e.retries, e.log, "rename "+from, func() error {
		return e.pool.Do(ctx, func(c *Conn) error { return c.Rename(ctx, from, to) })
	})
}

// prefetched is a remote file a sync's content comparison downloaded, kept
// under the download's temporary name because it differs from the local
// file: the conflict that follows downloads it, and takes this copy instead.
type prefetched struct {
	size  int64
	mtime time.Time // the remote file's, exact when the server told it
}

// prefetchSet holds the files kept by the comparison, by path, until the
// executor takes them.
type prefetchSet struct {
	mu sync.Mutex
	m  map[string]prefetched
}

func (s *prefetchSet) add(p string, f prefetched) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = make(map[string]prefetched)
	}
	s.m[p] = f
}

func (s *prefetchSet) has(p string) bool {
	if s == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.m[p]
	return ok
}

func (s *prefetchSet) take(p string) (prefetched, bool) {
	if s == nil {
		return prefetched{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.m[p]
	delete(s.m, p)
	return f, ok
}

// removeUnused removes the temporary files nothing took (a conflict
// resolved by uploading, a failed run), so none is left behind.
func (s *prefetchSet) removeUnused(localRoot string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for p := range s.m {
		if w, _, err := createPart(localRoot, p, 0); err == nil {
			_ = w.Abort()
		}
		delete(s.m, p)
	}
}

// downloadPrefetched carries out the download of src with the copy the
// comparison kept, if there is one of this very version: it renames it into
// place as a download would. done is false when there is none.
func (e *executor) downloadPrefetched(src plan.Entry) (done bool, err error) {
	f, ok := e.prefetched.take(src.Path)
	if !ok || f.size != src.Size {
		return false, nil
	}
	w, offset, err := createPart(e.localRoot, src.Path, f.size)
	if err != nil {
		return true, &LocalError{Err: err}
	}
	if offset != f.size {
		_ = w.Abort()
		return false, nil // the kept file is gone or short: download
	}
	w.flushWith(e.durable)
	local, err := w.Commit(f.mtime)
	if err != nil {
		return true, &LocalError{Err: err}
	}
	e.progress.Bytes(f.size)
	return true, e.record(src, local)
}
