package mirror

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/ftpmirror/ftpmirror/plan"
)

// makeDir makes the directory rel, and its parents, with mode 0755. A
// directory already there is fine; a file or symlink there is a *PathError
// wrapping syscall.ENOTDIR. Unless mtime is zero it is set as the directory's
// times, though writing into the directory later changes them again: see
// setDirTimes.
func makeDir(root, rel string, mtime time.Time) error {
	return inRoot(root, true, func(r *os.Root) error { return makeDirIn(r, rel, mtime) })
}

func makeDirIn(r *os.Root, rel string, mtime time.Time) error {
	p, err := safeName(r, rel)
	if err != nil {
		return err
	}
	fi, err := r.Lstat(p)
	switch {
	case err == nil && !fi.IsDir():
		return &PathError{Op: "mkdir", Path: rel, Err: syscall.ENOTDIR}
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return &PathError{Op: "mkdir", Path: rel, Err: err}
	case err != nil:
		if err := r.MkdirAll(p, 0o755); err != nil {
			return &PathError{Op: "mkdir", Path: rel, Err: err}
		}
	}
	if !mtime.IsZero() {
		if err := r.Chtimes(p, mtime, mtime); err != nil {
			return &PathError{Op: "chtimes", Path: rel, Err: err}
		}
	}
	return nil
}

// makeSymlink makes rel a symlink to target, replacing a file or symlink
// there atomically (the link is made under a temporary name and renamed over
// rel). A target that plan.LinkInside does not find inside root (absolute,
// climbing above root, or with ".." after a name) is refused with a
// *PathError wrapping ErrLinkOutside, and a directory standing at rel with one wrapping
// syscall.EISDIR. A link already pointing at target is left alone.
func makeSymlink(root, rel, target string) error {
	return inRoot(root, true, func(r *os.Root) error { return makeSymlinkIn(r, rel, target) })
}

func makeSymlinkIn(r *os.Root, rel, target string) error {
	p, err := safeName(r, rel)
	if err != nil {
		return err
	}
	if !plan.LinkInside(rel, target) {
		return &PathError{Op: "symlink", Path: rel, Err: ErrLinkOutside}
	}
	dir, base := parentName(p), filepath.Base(p)
	if dir != "." {
		if err := r.MkdirAll(dir, 0o755); err != nil {
			return &PathError{Op: "mkdir", Path: rel, Err: err}
		}
	}
	if fi, err := r.Lstat(p); err == nil {
		if fi.IsDir() {
			return &PathError{Op: "symlink", Path: rel, Err: syscall.EISDIR}
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			if old, err := r.Readlink(p); err == nil && old == target {
				return nil
			}
		}
	}
	tmp := filepath.Join(dir, "."+base+linkSuffix)
	if err := r.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return &PathError{Op: "symlink", Path: rel, Err: err}
	}
	if err := r.Symlink(target, tmp); err != nil {
		return &PathError{Op: "symlink", Path: rel, Err: err}
	}
	if err := r.Rename(tmp, p); err != nil {
		r.Remove(tmp)
		return &PathError{Op: "rename", Path: rel, Err: err}
	}
	if err := syncDir(r, dir); err != nil {
		return &PathError{Op: "fsync", Path: rel, Err: err}
	}
	return nil
}

// setDirTimes sets each directory's access and modification times to its
// ModTime, and its mode to the one listed (see modeFor), deepest first, so
// that setting a child does not disturb its parent. It is called after the
// directories' contents are written, since writing changes their times (and
// a mode without write permission would stop it). Entries that are not
// directories, have neither ModTime nor Mode or are no longer directories on
// disk are passed over. It goes on past failures and returns them joined.
func setDirTimes(root string, dirs []plan.Entry) error {
	order := make([]plan.Entry, 0, len(dirs))
	for _, d := range dirs {
		if d.Kind == plan.KindDir && (!d.ModTime.IsZero() || d.Mode != 0) {
			order = append(order, d)
		}
	}
	slices.SortStableFunc(order, func(a, b plan.Entry) int { return relDepth(b.Path) - relDepth(a.Path) })
	if len(order) == 0 {
		return nil
	}
	r, err := openRoot(root, false)
	if err != nil {
		return err
	}
	defer r.Close()
	var errs []error
	for _, d := range order {
		p, err := safeName(r, d.Path)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		// Chtimes follows symlinks (inside the root): only touch a real directory.
		fi, err := r.Lstat(p)
		if err != nil || !fi.IsDir() {
			continue
		}
		if err := chmodDir(r, p, d.Mode); err != nil {
			errs = append(errs, &PathError{Op: "chmod", Path: d.Path, Err: err})
		}
		if d.ModTime.IsZero() {
			continue
		}
		if err := r.Chtimes(p, d.ModTime, d.ModTime); err != nil {
			errs = append(errs, &PathError{Op: "chtimes", Path: d.Path, Err: err})
		}
	}
	return errors.Join(errs...)
}

// chmodDir gives the directory name beneath r the listed mode (see
// modeFor), through a descriptor opened without following a symlink.
func chmodDir(r *os.Root, name string, listed fs.FileMode) error {
	mode := modeFor(listed)
	if mode == 0 {
		return nil
	}
	d, err := r.OpenFile(name, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_DIRECTORY, 0)
	if err != nil {
		return err
	}
	err = d.Chmod(mode)
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
