package mirror

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// Durability costs once per state batch, not once per file. A download is
// written to its temporary name and renamed over its target without waiting
// for the disk (fileWriter.Commit with a batchSync); the record that says it
// is mirrored is queued in the state batch after the rename. Before the
// batch commits, its BeforeWrite hook (batchSync.sync) calls syncfs(2) on
// the mirror root's file system, which writes back every dirty page and
// inode of that file system and commits its journal: the data, the
// temporary file's inode and the rename's directory entry of every file
// whose record the batch holds. So a record is never committed ahead of the
// data it describes; a crash between rename and commit leaves a file
// without its record, which the next run compares and adopts or fetches
// again. A file that lands on another file system than the root's (a mount
// point inside the tree) is flushed at its own Commit, as before.

// syncEvent is what a batchSync reports to its observer (tests only): a
// file renamed into place whose flush is left to the batch, or a flush of
// the root's file system.
type syncEvent struct {
	synced bool   // true: the file system was flushed; false: a file written
	path   string // the file written (synced false)
}

// batchSync flushes the local files of a run to disk once per state batch.
// Its methods may be called from many goroutines. A nil *batchSync defers
// nothing: every file is flushed at its own Commit.
type batchSync struct {
	root    string
	observe func(syncEvent) // nil but in tests

	written atomic.Uint64 // files renamed into place with their flush deferred

	mu     sync.Mutex // one flush at a time
	synced uint64     // written as of the start of the last good flush

	devOnce sync.Once
	dev     uint64 // the root's device; 0 if it could not be read
}

func newBatchSync(root string, observe func(syncEvent)) *batchSync {
	return &batchSync{root: root, observe: observe}
}

// covers reports whether a file on device dev is flushed by sync: whether it
// is on the root's file system.
func (s *batchSync) covers(dev uint64) bool {
	if s == nil {
		return false
	}
	s.devOnce.Do(func() {
		var st unix.Stat_t
		if unix.Stat(s.root, &st) == nil {
			s.dev = st.Dev
		}
	})
	return s.dev != 0 && dev == s.dev
}

// wrote notes a file renamed into place whose flush is left to sync.
func (s *batchSync) wrote(rel string) {
	s.written.Add(1)
	if s.observe != nil {
		s.observe(syncEvent{path: rel})
	}
}

// sync flushes the root's file system if a file was written since the last
// flush; it is the state batch's BeforeWrite hook.
func (s *batchSync) sync() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.written.Load()
	if n == s.synced {
		return nil
	}
	if s.observe != nil {
		s.observe(syncEvent{synced: true})
	}
	if err := syncFS(s.root); err != nil {
		return fmt.Errorf("flushing the downloaded files to disk: %w", err)
	}
	s.synced = n
	return nil
}

// syncFS flushes the file system holding dir (syncfs(2)), reporting the
// write-back errors the kernel has seen on it.
func syncFS(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	rc, err := d.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		for {
			if serr = unix.Syncfs(int(fd)); !errors.Is(serr, syscall.EINTR) {
				return
			}
		}
	}); err != nil {
		return err
	}
	return serr
}
