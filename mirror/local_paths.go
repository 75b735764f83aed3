package mirror

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/ftpmirror/ftpmirror/plan"
)

// Errors carried by a *PathError when a path of the tree is refused before
// any local file is touched.
var (
	// ErrUnsafePath means a relative path would leave the mirror root or is
	// malformed (see localPath).
	ErrUnsafePath = errors.New("unsafe path")
	// ErrSymlinkParent means an existing directory between the mirror root
	// and the target is a symlink, so writing there could land outside the
	// root.
	ErrSymlinkParent = errors.New("parent directory is a symlink")
	// ErrLinkOutside means a symlink's target would resolve outside the
	// mirror root, so the link is not created.
	ErrLinkOutside = errors.New("symlink target outside the mirror root")
)

// localPath joins rel, a slash-separated path relative to the mirror root as in
// plan.Entry.Path, under root. It refuses, with a *PathError wrapping
// ErrUnsafePath, anything that would not name a proper descendant of root:
// paths that plan.CheckPath refuses (empty or absolute paths, ".", ".." or
// empty elements, NUL and other control bytes, backslashes, overlong names)
// and elements that are temporary names of ours (IsTempName), which the
// mirror reserves for its own use.
func localPath(root, rel string) (string, error) {
	if err := checkRel(rel); err != nil {
		return "", &PathError{Op: "check", Path: rel, Err: err}
	}
	p := filepath.Join(root, filepath.FromSlash(rel))
	// Belt and braces: the checks above already guarantee this.
	if r, err := filepath.Rel(root, p); err != nil || r == "." || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", &PathError{Op: "check", Path: rel, Err: ErrUnsafePath}
	}
	return p, nil
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

// checkNoSymlinkParents verifies that no existing directory between root
// (exclusive) and rel's final element (exclusive) is a symlink or a non-directory.
// It stops at the first parent that does not exist yet, since what we create
// ourselves is a plain directory. root itself may be a symlink: that is the
// user's choice. It returns a *PathError wrapping ErrSymlinkParent for a
// symlink, or syscall.ENOTDIR for a file standing where a directory is needed.
//
// The check and the later write are separate system calls; it protects against
// a hostile listing, not against a local process racing the mirror.
func checkNoSymlinkParents(root, rel string) error {
	if err := checkRel(rel); err != nil {
		return &PathError{Op: "check", Path: rel, Err: err}
	}
	elems := strings.Split(rel, "/")
	dir := root
	for i, elem := range elems[:len(elems)-1] {
		dir = filepath.Join(dir, elem)
		fi, err := os.Lstat(dir)
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		parent := strings.Join(elems[:i+1], "/")
		if err != nil {
			return &PathError{Op: "lstat", Path: parent, Err: err}
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			return &PathError{Op: "check", Path: parent, Err: ErrSymlinkParent}
		}
		if !fi.IsDir() {
			return &PathError{Op: "check", Path: parent, Err: syscall.ENOTDIR}
		}
	}
	return nil
}

// safeLocalPath is localPath followed by checkNoSymlinkParents: the path to
// write or remove at, checked against escapes of both kinds.
func safeLocalPath(root, rel string) (string, error) {
	p, err := localPath(root, rel)
	if err != nil {
		return "", err
	}
	if err := checkNoSymlinkParents(root, rel); err != nil {
		return "", err
	}
	return p, nil
}

// relDepth is the number of elements of a slash-separated relative path.
func relDepth(rel string) int { return strings.Count(rel, "/") + 1 }
