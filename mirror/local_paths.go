package mirror

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/ftpmirror/ftpmirror/plan"
)

// Every local file of the tree is reached through an *os.Root opened on the
// mirror root (openRoot): the kernel resolves each path beneath the root's
// file descriptor, so a path can never leave the root, whatever a hostile
// listing names or a local process swaps in while the run works (a
// directory exchanged with a symlink to /etc, say). os.Root still follows
// a symlink that stays inside the root; checkNoSymlinkParents refuses those
// too, but as a separate system call: a local process racing it can move a
// write from one directory of the tree to another, never out of it.

// Errors carried by a *PathError when a path of the tree is refused before
// any local file is touched.
var (
	// ErrUnsafePath means a relative path would leave the mirror root or is
	// malformed (see localPath).
	ErrUnsafePath = errors.New("unsafe path")
	// ErrSymlinkParent means an existing directory between the mirror root
	// and the target is a symlink, so writing there could land elsewhere.
	ErrSymlinkParent = errors.New("parent directory is a symlink")
	// ErrLinkOutside means a symlink's target would resolve outside the
	// mirror root, so the link is not created.
	ErrLinkOutside = errors.New("symlink target outside the mirror root")
)

// openRoot opens the mirror root. With create, a missing root is made first
// (with its parents: the root's own path is the user's choice, and may be a
// symlink). Without, a missing root is an error wrapping fs.ErrNotExist.
func openRoot(root string, create bool) (*os.Root, error) {
	if create {
		if err := os.MkdirAll(root, 0o755); err != nil {
			return nil, fmt.Errorf("local directory: %w", err)
		}
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, fmt.Errorf("local directory: %w", err)
	}
	return r, nil
}

// inRoot runs fn with the mirror root open (see openRoot) and closes it.
func inRoot(root string, create bool, fn func(r *os.Root) error) error {
	r, err := openRoot(root, create)
	if err != nil {
		return err
	}
	defer r.Close()
	return fn(r)
}

// localPath joins rel, a slash-separated path relative to the mirror root as in
// plan.Entry.Path, under root, for messages and tests; files are reached with
// rootName and an *os.Root. It refuses what rootName refuses.
func localPath(root, rel string) (string, error) {
	name, err := rootName(rel)
	if err != nil {
		return "", err
	}
	return filepath.Join(root, name), nil
}

// rootName is rel as a name for the methods of an *os.Root on the mirror
// root. It refuses, with a *PathError wrapping ErrUnsafePath, anything that
// would not name a proper descendant of the root: paths that plan.CheckPath
// refuses (empty or absolute paths, ".", ".." or empty elements, NUL, CR or
// LF, overlong names) and elements that are
// temporary names of ours (IsTempName), which the mirror reserves for its
// own use.
func rootName(rel string) (string, error) {
	if err := checkRel(rel); err != nil {
		return "", &PathError{Op: "check", Path: rel, Err: err}
	}
	return filepath.FromSlash(rel), nil
}

// checkRel tells why rel is not an acceptable relative path, or returns nil.
// It accepts what plan.CheckPath accepts, less our temporary names.
func checkRel(rel string) error {
	if err := plan.CheckPath(rel); err != nil {
		return fmt.Errorf("%w: %w", ErrUnsafePath, err)
	}
	for elem := range strings.SplitSeq(rel, "/") {
		if IsTempName(elem) {
			return fmt.Errorf("%w: %q is a temporary name of ftpmirror", ErrUnsafePath, elem)
		}
	}
	return nil
}

// checkNoSymlinkParents verifies that no existing directory between the root
// (exclusive) and rel's final element (exclusive) is a symlink or a
// non-directory. It stops at the first parent that does not exist yet, since
// what we create ourselves is a plain directory. It returns a *PathError
// wrapping ErrSymlinkParent for a symlink, or syscall.ENOTDIR for a file
// standing where a directory is needed.
func checkNoSymlinkParents(r *os.Root, rel string) error {
	if err := checkRel(rel); err != nil {
		return &PathError{Op: "check", Path: rel, Err: err}
	}
	elems := strings.Split(rel, "/")
	for i := range elems[:len(elems)-1] {
		parent := strings.Join(elems[:i+1], "/")
		fi, err := r.Lstat(filepath.FromSlash(parent))
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return &PathError{Op: "lstat", Path: parent, Err: err}
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return &PathError{Op: "check", Path: parent, Err: ErrSymlinkParent}
		}
		if !fi.IsDir() {
			return &PathError{Op: "check", Path: parent, Err: syscall.ENOTDIR}
		}
	}
	return nil
}

// safeName is rootName followed by checkNoSymlinkParents: the name to write
// or remove at, checked against escapes of both kinds.
func safeName(r *os.Root, rel string) (string, error) {
	name, err := rootName(rel)
	if err != nil {
		return "", err
	}
	if err := checkNoSymlinkParents(r, rel); err != nil {
		return "", err
	}
	return name, nil
}

// parentName is the root name of the directory holding name: "." for a
// name at the top of the tree.
func parentName(name string) string { return filepath.Dir(name) }

// lstatEntry describes the local entry at rel as ScanLocal would.
func lstatEntry(root, rel string) (plan.Entry, error) {
	var e plan.Entry
	err := inRoot(root, false, func(r *os.Root) error {
		name, err := rootName(rel)
		if err != nil {
			return err
		}
		fi, err := r.Lstat(name)
		if err != nil {
			return &PathError{Op: "lstat", Path: rel, Err: err}
		}
		e = localEntry(rel, fi, "")
		return nil
	})
	return e, err
}

// renameLocal moves the file at from to the free name to, both relative to
// the root, for a conflict copy. A name already taken at to is a *PathError
// wrapping fs.ErrExist.
func renameLocal(root, from, to string) error {
	return inRoot(root, false, func(r *os.Root) error {
		src, err := safeName(r, from)
		if err != nil {
			return err
		}
		dst, err := safeName(r, to)
		if err != nil {
			return err
		}
		if _, err := r.Lstat(dst); err == nil {
			return &PathError{Op: "rename", Path: to, Err: fs.ErrExist}
		}
		if err := r.Rename(src, dst); err != nil {
			return &PathError{Op: "rename", Path: from, Err: err}
		}
		return nil
	})
}

// openLocal opens the file at rel for reading, never through a symlink,
// and returns it with its Stat information.
func openLocal(root, rel string) (*os.File, fs.FileInfo, error) {
	r, err := openRoot(root, false)
	if err != nil {
		return nil, nil, err
	}
	defer r.Close() // the file stays open without its root
	name, err := rootName(rel)
	if err != nil {
		return nil, nil, err
	}
	f, err := r.OpenFile(name, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return nil, nil, &PathError{Op: "open", Path: rel, Err: err}
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, &PathError{Op: "open", Path: rel, Err: err}
	}
	return f, fi, nil
}

// relDepth is the number of elements of a slash-separated relative path.
func relDepth(rel string) int { return strings.Count(rel, "/") + 1 }
