package mirror

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/ftpmirror/ftpmirror/plan"
)

// The suffixes of our temporary names. A download is written to
// ".<base>.ftpmirror-part" beside its target and renamed over it when
// complete; a symlink is made as ".<base>.ftpmirror-link" and renamed the same
// way; an upload goes to the remote ".<base>.ftpmirror-up" (see
// execute_push.go).
const (
	partSuffix = ".ftpmirror-part"
	linkSuffix = ".ftpmirror-link"
	upSuffix   = ".ftpmirror-up"
)

// IsTempName reports whether name, one path element, is a temporary name of
// the mirror: a partial download, a symlink being replaced or a partial
// upload. ScanLocal never returns such entries, paths containing them are
// refused as targets, and Push leaves them out of the remote listing.
func IsTempName(name string) bool {
	if len(name) < 2 || name[0] != '.' {
		return false
	}
	for _, suffix := range []string{partSuffix, linkSuffix, upSuffix} {
		if strings.HasSuffix(name, suffix) && len(name) > 1+len(suffix) {
			return true
		}
	}
	return false
}

// tempTarget returns the base name a temporary name stands for and whether it
// is a partial download: ".a.txt.ftpmirror-part" gives "a.txt", true.
func tempTarget(name string) (base string, part bool) {
	if !IsTempName(name) {
		return "", false
	}
	if s, ok := strings.CutSuffix(name, partSuffix); ok {
		return s[1:], true
	}
	if s, ok := strings.CutSuffix(name, upSuffix); ok {
		return s[1:], false
	}
	return strings.TrimSuffix(name, linkSuffix)[1:], false
}

// partName returns the root name of the temporary file a download of rel
// is written to.
func partName(rel string) (string, error) {
	name, err := rootName(rel)
	if err != nil {
		return "", err
	}
	dir, base := filepath.Split(name)
	return filepath.Join(dir, "."+base+partSuffix), nil
}

// partSize returns the size of an existing temporary file of rel, kept by an
// interrupted download, or 0 if there is none that could be resumed.
func partSize(root, rel string) (int64, error) {
	r, err := os.OpenRoot(root)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("local directory: %w", err)
	}
	defer r.Close()
	return partSizeIn(r, rel)
}

func partSizeIn(r *os.Root, rel string) (int64, error) {
	part, err := partName(rel)
	if err != nil {
		return 0, err
	}
	fi, err := r.Lstat(part)
	switch {
	case errors.Is(err, os.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		return 0, nil
	case err != nil:
		return 0, &PathError{Op: "lstat", Path: rel, Err: err}
	case !fi.Mode().IsRegular():
		return 0, nil
	}
	return fi.Size(), nil
}

// fileWriter is where one download goes: an io.Writer on the temporary file
// beside the target. It ends with exactly one of Commit, Abort or Keep; the
// others are then no-ops. It holds the target's directory open until then
// (see openParent): the create, the rename and the rest each resolve one
// name in that very directory, whatever is renamed above it meanwhile.
type fileWriter struct {
	f     *os.File
	root  *os.Root // the directory holding the target
	rel   string
	part  string      // temporary file, a name in root
	final string      // target, a name in root
	mode  fs.FileMode // given at Commit unless 0 (see keepModeWith)
	sync  *batchSync  // nil: Commit flushes the file to disk itself
	done  bool
}

// keepModeWith makes Commit give the file the permission bits listed, less
// umask (the process's, see umask); 0 leaves the default, 0644 less the umask.
func (w *fileWriter) keepModeWith(listed, umask fs.FileMode) {
	if listed != 0 {
		w.mode = listed & fs.ModePerm &^ umask
	}
}

// flushWith leaves the flush to disk of the committed file to s, once for
// the state batch that records it (see local_durable.go); nil flushes it at
// Commit.
func (w *fileWriter) flushWith(s *batchSync) { w.sync = s }

var _ io.Writer = (*fileWriter)(nil)

// createPart opens the temporary file for a download of rel, making the
// root and the parent directories as needed. With resumeFrom > 0 and a kept
// temporary file of at least that many bytes, the file is cut to resumeFrom
// and writing continues from there; otherwise it starts empty. It returns
// the offset in use: resumeFrom when resuming, else 0.
func createPart(root, rel string, resumeFrom int64) (*fileWriter, int64, error) {
	r, err := openRoot(root, true)
	if err != nil {
		return nil, 0, err
	}
	dir, err := openParent(r, rel, true)
	if dir != r {
		r.Close()
	}
	if err != nil {
		return nil, 0, err
	}
	w, off, err := createPartIn(dir, rel, resumeFrom)
	if err != nil {
		dir.Close()
		return nil, 0, err
	}
	return w, off, nil
}

// createPartIn is createPart in dir, the directory holding rel.
func createPartIn(dir *os.Root, rel string, resumeFrom int64) (*fileWriter, int64, error) {
	final := path.Base(rel)
	part := "." + final + partSuffix
	w := &fileWriter{root: dir, rel: rel, part: part, final: final}
	if resumeFrom > 0 {
		if fi, err := dir.Lstat(part); err == nil && fi.Mode().IsRegular() && fi.Size() >= resumeFrom {
			f, err := dir.OpenFile(part, os.O_WRONLY|syscall.O_NOFOLLOW, 0)
			if err == nil {
				if err = f.Truncate(resumeFrom); err == nil {
					_, err = f.Seek(resumeFrom, io.SeekStart)
				}
				if err == nil {
					w.f = f
					return w, resumeFrom, nil
				}
				f.Close()
			}
		}
	}
	// O_NOFOLLOW: never write through a symlink standing at our temporary name.
	f, err := dir.OpenFile(part, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|syscall.O_NOFOLLOW, 0o644)
	if err != nil {
		return nil, 0, &PathError{Op: "create", Path: rel, Err: err}
	}
	w.f = f
	return w, 0, nil
}

// Write appends p to the temporary file. A full disk surfaces as an error
// that wraps syscall.ENOSPC (or EDQUOT).
func (w *fileWriter) Write(p []byte) (int, error) {
	if w.done {
		return 0, &PathError{Op: "write", Path: w.rel, Err: os.ErrClosed}
	}
	n, err := w.f.Write(p)
	if err != nil {
		return n, &PathError{Op: "write", Path: w.rel, Err: err}
	}
	return n, nil
}

// WriteAt writes p at off in the temporary file, for a download in
// segments (segment.go). Several goroutines may call it at once for ranges
// that do not overlap. Errors are as Write's.
func (w *fileWriter) WriteAt(p []byte, off int64) (int, error) {
	if w.done {
		return 0, &PathError{Op: "write", Path: w.rel, Err: os.ErrClosed}
	}
	n, err := w.f.WriteAt(p, off)
	if err != nil {
		return n, &PathError{Op: "write", Path: w.rel, Err: err}
	}
	return n, nil
}

// setSize makes the temporary file size bytes long, for a download in
// segments that each write their own range.
func (w *fileWriter) setSize(size int64) error {
	if err := w.f.Truncate(size); err != nil {
		return &PathError{Op: "truncate", Path: w.rel, Err: err}
	}
	return nil
}

// Commit completes the download: it gives the temporary file its mode (see
// keepMode), sets its modification (and access) time to mtime unless mtime
// is zero, flushes it to disk, renames it over the target and flushes the
// directory. With flushWith, both flushes are left to the batchSync when
// the file is on the root's file system. A file or symlink at the target
// is replaced; a directory there is a *PathError wrapping syscall.EISDIR.
// It returns the local entry as written. On failure the temporary file is
// removed: nothing partial remains.
func (w *fileWriter) Commit(mtime time.Time) (plan.Entry, error) {
	if w.done {
		return plan.Entry{}, &PathError{Op: "commit", Path: w.rel, Err: os.ErrClosed}
	}
	w.done = true
	defer w.root.Close()
	e, err := w.commit(mtime)
	if err != nil {
		w.f.Close()
		w.root.Remove(w.part)
		return plan.Entry{}, err
	}
	return e, nil
}

func (w *fileWriter) commit(mtime time.Time) (plan.Entry, error) {
	if w.mode != 0 {
		if err := w.f.Chmod(w.mode); err != nil {
			return plan.Entry{}, &PathError{Op: "chmod", Path: w.rel, Err: err}
		}
	}
	if !mtime.IsZero() {
		if err := w.root.Chtimes(w.part, mtime, mtime); err != nil {
			return plan.Entry{}, &PathError{Op: "chtimes", Path: w.rel, Err: err}
		}
	}
	fi, err := w.f.Stat() // the same inode as the target after the rename
	if err != nil {
		return plan.Entry{}, &PathError{Op: "fstat", Path: w.rel, Err: err}
	}
	deferred := false
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		deferred = w.sync.covers(uint64(st.Dev))
	}
	if !deferred {
		if err := w.f.Sync(); err != nil {
			return plan.Entry{}, &PathError{Op: "fsync", Path: w.rel, Err: err}
		}
	}
	if err := w.f.Close(); err != nil {
		return plan.Entry{}, &PathError{Op: "close", Path: w.rel, Err: err}
	}
	// The rename resolves both names in the directory the file was created
	// in: a symlink swapped in above it since cannot redirect it.
	if fi, err := w.root.Lstat(w.final); err == nil && fi.IsDir() {
		return plan.Entry{}, &PathError{Op: "rename", Path: w.rel, Err: syscall.EISDIR}
	}
	if err := w.root.Rename(w.part, w.final); err != nil {
		return plan.Entry{}, &PathError{Op: "rename", Path: w.rel, Err: err}
	}
	if deferred {
		w.sync.wrote(w.rel)
	} else if err := syncDir(w.root, "."); err != nil {
		return plan.Entry{}, &PathError{Op: "fsync", Path: w.rel, Err: err}
	}
	return localEntry(w.rel, fi, ""), nil
}

// Abort closes and removes the temporary file, for a download that failed:
// nothing partial remains.
func (w *fileWriter) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	defer w.root.Close()
	w.f.Close()
	if err := w.root.Remove(w.part); err != nil && !errors.Is(err, os.ErrNotExist) {
		return &PathError{Op: "remove", Path: w.rel, Err: err}
	}
	return nil
}

// Keep closes the temporary file and leaves it in place, for a download that
// was interrupted and may be resumed by a later run (see partSize).
func (w *fileWriter) Keep() error {
	if w.done {
		return nil
	}
	w.done = true
	defer w.root.Close()
	if err := w.f.Close(); err != nil {
		return &PathError{Op: "close", Path: w.rel, Err: err}
	}
	return nil
}

// syncDir flushes the directory dir beneath r, so that a rename in it
// survives a crash. File systems that cannot sync a directory are not an
// error.
func syncDir(r *os.Root, dir string) error {
	d, err := r.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTSUP) {
		return nil
	}
	return err
}
