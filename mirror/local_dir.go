package mirror

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// openParent opens the directory that holds rel (a path relative to the
// mirror root, checked by rootName) as an *os.Root of its own, so that the
// file operations of one download each resolve a single name beneath it
// instead of walking the whole path again. It goes down one directory at a
// time and refuses, as checkNoSymlinkParents does, a symlink
// (ErrSymlinkParent) or a non-directory (syscall.ENOTDIR) on the way; with
// create, missing directories are made (mode 0755). For a file at the top
// of the tree it returns r itself; the caller closes what it returns when
// that is not r.
func openParent(r *os.Root, rel string, create bool) (*os.Root, error) {
	if _, err := rootName(rel); err != nil {
		return nil, err
	}
	elems := strings.Split(rel, "/")
	cur := r
	for i, elem := range elems[:len(elems)-1] {
		next, err := openChildDir(cur, elem, create)
		if cur != r {
			cur.Close()
		}
		if err != nil {
			var pe *PathError
			if errors.As(err, &pe) {
				pe.Path = strings.Join(elems[:i+1], "/")
			}
			return nil, err
		}
		cur = next
	}
	return cur, nil
}

// openChildDir opens the directory name, one element, beneath dir, making
// it first with create if it is missing.
func openChildDir(dir *os.Root, name string, create bool) (*os.Root, error) {
	name = filepath.FromSlash(name)
	fi, err := dir.Lstat(name)
	if errors.Is(err, fs.ErrNotExist) && create {
		err = dir.Mkdir(name, 0o755)
		if errors.Is(err, fs.ErrExist) { // made meanwhile by another download
			fi, err = dir.Lstat(name)
		} else if err != nil {
			return nil, &PathError{Op: "mkdir", Err: err}
		}
	}
	switch {
	case err != nil:
		return nil, &PathError{Op: "lstat", Err: err}
	case fi == nil: // made just now: a plain directory of ours
	case fi.Mode()&fs.ModeSymlink != 0:
		return nil, &PathError{Op: "check", Err: ErrSymlinkParent}
	case !fi.IsDir():
		return nil, &PathError{Op: "check", Err: syscall.ENOTDIR}
	}
	sub, err := dir.OpenRoot(name)
	if err != nil {
		return nil, &PathError{Op: "open", Err: err}
	}
	return sub, nil
}
