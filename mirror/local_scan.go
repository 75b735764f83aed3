package mirror

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/ftpmirror/ftpmirror/plan"
)

// scanCheckEvery is how many entries ScanLocal visits between looks at its
// context.
const scanCheckEvery = 256

// ScanLocal lists the local tree under root, parents before children, in
// lexical order. Entries have slash-separated Paths relative to root, times
// in UTC and Precision time.Nanosecond. Symlinks are reported as such with
// their Target and never followed; files have their Size, directories and
// symlinks Size 0. Other kinds of file (devices, FIFOs, sockets) and the
// mirror's own temporary files (IsTempName) are left out.
//
// skip, which may be nil, excludes entries: a skipped directory is not
// descended. A root that does not exist gives an empty list, as on a first
// pull. A subdirectory that cannot be read is an error naming it: a partial
// scan must not pass for the whole tree. root itself may be a symlink to a
// directory.
func ScanLocal(ctx context.Context, root string, skip func(rel string, kind plan.Kind) bool) ([]plan.Entry, error) {
	r, err := scanRoot(root)
	if err != nil || r == nil {
		return nil, err
	}
	defer r.Close()
	var entries []plan.Entry
	seen := 0
	err = fs.WalkDir(r.FS(), ".", func(rel string, d fs.DirEntry, err error) error {
		if seen++; seen%scanCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err != nil {
			if rel == "." {
				return fmt.Errorf("scan %s: %w", root, err)
			}
			return &PathError{Op: "scan", Path: rel, Err: err}
		}
		if rel == "." {
			return nil
		}
		if IsTempName(d.Name()) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		var kind plan.Kind
		switch t := d.Type(); {
		case t.IsDir():
			kind = plan.KindDir
		case t&fs.ModeSymlink != 0:
			kind = plan.KindSymlink
		case t.IsRegular():
			kind = plan.KindFile
		default:
			return nil // device, FIFO, socket: nothing a mirror holds
		}
		if skip != nil && skip(rel, kind) {
			if kind == plan.KindDir {
				return fs.SkipDir
			}
			return nil
		}
		fi, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil // vanished while we looked
		}
		if err != nil {
			return &PathError{Op: "scan", Path: rel, Err: err}
		}
		target := ""
		if kind == plan.KindSymlink {
			if target, err = r.Readlink(filepath.FromSlash(rel)); err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return &PathError{Op: "readlink", Path: rel, Err: err}
			}
		}
		entries = append(entries, localEntry(rel, fi, target))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return entries, nil
}

// scanRoot opens root, or the directory a symlinked root points to, to
// walk it beneath its file descriptor; a root that does not exist (or a
// dangling symlink) gives nil.
func scanRoot(root string) (*os.Root, error) {
	fi, err := os.Stat(root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", root, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("scan %s: %w", root, syscall.ENOTDIR)
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", root, err)
	}
	return r, nil
}

// localEntry describes a local file from its Lstat information.
func localEntry(rel string, fi fs.FileInfo, target string) plan.Entry {
	e := plan.Entry{
		Path:      rel,
		ModTime:   fi.ModTime().UTC(),
		Precision: time.Nanosecond,
	}
	switch {
	case fi.IsDir():
		e.Kind = plan.KindDir
	case fi.Mode()&fs.ModeSymlink != 0:
		e.Kind = plan.KindSymlink
		e.Target = target
	default:
		e.Kind = plan.KindFile
		e.Size = fi.Size()
	}
	return e
}
