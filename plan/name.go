package plan

import (
	"cmp"
	"errors"
	"fmt"
	"strings"
)

// MaxNameLen is the longest name, in bytes, a local file system holds
// (NAME_MAX on Linux and the BSDs); a longer name is skipped.
const MaxNameLen = 255

// ErrInvalidName is wrapped by the errors of CheckName and CheckPath for a
// name that is no name at all: empty, "." or "..", or holding "/" or NUL.
// A listing that holds one was misread or forged, so plan.Walk fails the
// directory (see checkChild) rather than skip the entry.
var ErrInvalidName = errors.New("invalid name")

// ErrUnmirrorable is wrapped by the errors of CheckName and CheckPath for a
// real name that cannot be mirrored: FTP cannot carry a CR or LF in a
// command or a listing line, and a local file system holds at most
// MaxNameLen bytes in a name. Such an entry is skipped with a warning; the
// rest of its directory mirrors.
var ErrUnmirrorable = errors.New("name cannot be mirrored")

// CheckName reports whether name may be one element of a mirrored path.
// Every byte but NUL, "/", CR and LF is allowed (tabs, other control
// characters, backslashes and bytes that are not UTF-8 included): the name
// is written as the same bytes. The errors wrap ErrInvalidName for a name
// that cannot be one (empty, "." or "..", "/" or NUL), which only a broken
// or hostile server lists, and ErrUnmirrorable for a name with CR or LF, or
// longer than MaxNameLen bytes.
func CheckName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty", ErrInvalidName)
	case name == "." || name == "..":
		return fmt.Errorf("%w %q", ErrInvalidName, name)
	case strings.IndexByte(name, '/') >= 0:
		return fmt.Errorf("%w %q: contains \"/\"", ErrInvalidName, name)
	case strings.IndexByte(name, 0) >= 0:
		return fmt.Errorf("%w %q: contains NUL", ErrInvalidName, name)
	case strings.ContainsAny(name, "\r\n"):
		return fmt.Errorf("%w: %q contains a line break, which FTP cannot carry", ErrUnmirrorable, name)
	case len(name) > MaxNameLen:
		return fmt.Errorf("%w: %q... is %d bytes long; a local name holds at most %d", ErrUnmirrorable, name[:40], len(name), MaxNameLen)
	}
	return nil
}

// CheckPath reports whether p is a valid entry path: relative and
// slash-separated, without a leading or trailing slash, and made of names
// that pass CheckName (so no empty, "." or ".." elements). The root itself,
// "", is not an entry path and is refused.
func CheckPath(p string) error {
	if p == "" {
		return fmt.Errorf("%w: empty path", ErrInvalidName)
	}
	for elem := range strings.SplitSeq(p, "/") {
		if err := CheckName(elem); err != nil {
			return fmt.Errorf("path %q: %w", p, err)
		}
	}
	return nil
}

// JoinPath returns the path of name in directory dir; dir "" is the root.
func JoinPath(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// splitPath returns the directory and the name of an entry path: ("", p) for
// a path at the root.
func splitPath(p string) (dir, name string) {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return "", p
	}
	return p[:i], p[i+1:]
}

// parentDir returns the directory holding p, "" for a path at the root.
func parentDir(p string) string {
	dir, _ := splitPath(p)
	return dir
}

// ComparePath orders paths as a tree is walked: a directory comes right
// before its contents, and the subtree of a directory is contiguous. It is
// byte order with "/" sorting before every other byte, which is the same as
// comparing the paths element by element. It returns -1, 0 or +1.
//
// Listing.Entries are sorted by it, and so are the actions of each stage.
func ComparePath(a, b string) int {
	n := min(len(a), len(b))
	i := 0
	// Skip the common prefix eight bytes at a time: paths of one tree share
	// long ones.
	for i+8 <= n && load64(a, i) == load64(b, i) {
		i += 8
	}
	for ; i < n; i++ {
		ca, cb := a[i], b[i]
		switch {
		case ca == cb:
			continue
		case ca == '/':
			return -1
		case cb == '/':
			return 1
		case ca < cb:
			return -1
		}
		return 1
	}
	return cmp.Compare(len(a), len(b))
}

// load64 returns the eight bytes of s from i on as one number (the compiler
// makes it a single load).
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// under reports whether p lies under the directory dir ("" is the root).
func under(p, dir string) bool {
	if dir == "" {
		return p != ""
	}
	return len(p) > len(dir) && p[len(dir)] == '/' && p[:len(dir)] == dir
}

// LinkInside reports whether a symlink at linkPath (a path relative to the
// root) with the given target stays within the tree. It is a pure, lexical and
// deliberately strict check:
//
//   - an empty or absolute target (leading "/") is outside, as is one with a
//     NUL byte;
//   - ".." elements are allowed only at the start of the target, and no more of
//     them than the link's depth (a link at the root may not use "..");
//   - a ".." after a name is refused even when it would cancel out
//     ("a/../b"), because the name could itself be a symlink and the kernel
//     would then resolve ".." from its target, not lexically.
//
// If every symlink in the tree passes this check, following any of them
// cannot leave the tree. The executor decides what to do with the others.
func LinkInside(linkPath, target string) bool {
	if target == "" || strings.HasPrefix(target, "/") || strings.IndexByte(target, 0) >= 0 {
		return false
	}
	depth := 0
	if linkPath != "" {
		depth = strings.Count(linkPath, "/") // the directory holding the link
	}
	up, named := 0, false
	for elem := range strings.SplitSeq(target, "/") {
		switch elem {
		case "", ".":
		case "..":
			if named {
				return false
			}
			up++
			if up > depth {
				return false
			}
		default:
			named = true
		}
	}
	return true
}
