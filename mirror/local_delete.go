package mirror

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"syscall"

	"github.com/ftpmirror/ftpmirror/plan"
)

// ErrKindChanged means a path to delete is no longer the kind the plan saw:
// a directory where a file or symlink was, or the reverse. Nothing is removed.
var ErrKindChanged = errors.New("changed kind since it was listed")

// removeLocal removes rel, of the given kind as the plan saw it: a file or
// symlink (never what the symlink points to), or an empty directory. A
// directory holding nothing but the mirror's temporary files is emptied of
// them and removed; one with anything else in it is a *PathError wrapping
// syscall.ENOTEMPTY, and nothing in it is touched. A path that is already
// gone is not an error. Paths outside root, or under a symlinked directory,
// are refused, as is a path whose kind changed between file and directory
// (ErrKindChanged).
func removeLocal(root, rel string, kind plan.Kind) error {
	r, err := os.OpenRoot(root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // no tree: rel cannot exist
	}
	if err != nil {
		return fmt.Errorf("local directory: %w", err)
	}
	defer r.Close()
	return removeIn(r, rel, kind)
}

func removeIn(r *os.Root, rel string, kind plan.Kind) error {
	p, err := safeName(r, rel)
	if err != nil {
		var pe *PathError
		if errors.As(err, &pe) && errors.Is(pe.Err, syscall.ENOTDIR) {
			return nil // a parent is a file now: rel cannot exist
		}
		return err
	}
	fi, err := r.Lstat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return &PathError{Op: "remove", Path: rel, Err: err}
	case fi.IsDir() != (kind == plan.KindDir):
		return &PathError{Op: "remove", Path: rel, Err: ErrKindChanged}
	case !fi.IsDir():
		return removeMissingOK(r, p, rel)
	}
	err = r.Remove(p)
	if err == nil || errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if !errors.Is(err, syscall.ENOTEMPTY) && !errors.Is(err, syscall.EEXIST) {
		return &PathError{Op: "remove", Path: rel, Err: err}
	}
	// Not empty: remove it only if all it holds is our temporary files.
	names, rerr := readNames(r, p)
	if rerr != nil {
		return &PathError{Op: "remove", Path: rel, Err: rerr}
	}
	var temps []string
	for _, n := range names {
		fi, err := r.Lstat(filepath.Join(p, n))
		if err != nil || !IsTempName(n) || fi.IsDir() {
			return &PathError{Op: "remove", Path: rel, Err: syscall.ENOTEMPTY}
		}
		temps = append(temps, n)
	}
	for _, n := range temps {
		if err := removeMissingOK(r, filepath.Join(p, n), path.Join(rel, n)); err != nil {
			return err
		}
	}
	return removeMissingOK(r, p, rel)
}

// cleanStaleParts removes the mirror's temporary files under root, except the
// partial downloads that keep wants for a later resume. keep is given the
// slash-separated path of the download's target ("a/b.txt" for
// "a/.b.txt.ftpmirror-part"); a nil keep keeps nothing. Temporary symlinks
// are always removed. Symlinked directories are not descended. A missing root
// is not an error.
func cleanStaleParts(root string, keep func(rel string) bool) error {
	r, err := scanRoot(root)
	if err != nil || r == nil {
		return err
	}
	defer r.Close()
	var errs []error
	err = fs.WalkDir(r.FS(), ".", func(rel string, d fs.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, &PathError{Op: "clean", Path: rel, Err: err})
			return nil
		}
		if rel == "." || !IsTempName(d.Name()) {
			return nil
		}
		if d.IsDir() {
			return fs.SkipDir // not ours
		}
		base, isPart := tempTarget(d.Name())
		target := path.Join(path.Dir(rel), base)
		if isPart && keep != nil && keep(target) {
			return nil
		}
		if err := removeMissingOK(r, filepath.FromSlash(rel), rel); err != nil {
			errs = append(errs, err)
		}
		return nil
	})
	if err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// removeMissingOK removes one file or symlink, the root name p; one already
// gone is fine.
func removeMissingOK(r *os.Root, p, rel string) error {
	if err := r.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return &PathError{Op: "remove", Path: rel, Err: err}
	}
	return nil
}

// readNames lists the names in the directory dir beneath r.
func readNames(r *os.Root, dir string) ([]string, error) {
	f, err := r.OpenFile(dir, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_DIRECTORY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Readdirnames(-1)
}
