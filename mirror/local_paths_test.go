package mirror

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// writeTestFile writes content at p, making its parents.
func writeTestFile(t *testing.T, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// readTestFile returns the content of p.
func readTestFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// treeNames lists every path under root, slash-separated and sorted, without
// following symlinks: what a test expects to find on disk, and nothing more.
func treeNames(t *testing.T, root string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != root {
			rel, _ := filepath.Rel(root, p)
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	return names
}

func wantTree(t *testing.T, root string, want ...string) {
	t.Helper()
	slices.Sort(want)
	if got := treeNames(t, root); !slices.Equal(got, want) {
		t.Errorf("tree under %s:\n got %q\nwant %q", root, got, want)
	}
}

// openTestRoot opens root as an *os.Root closed at the end of the test.
func openTestRoot(t *testing.T, root string) *os.Root {
	t.Helper()
	r, err := os.OpenRoot(root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func wantPathErr(t *testing.T, err, sentinel error) {
	t.Helper()
	var pe *PathError
	if !errors.As(err, &pe) {
		t.Fatalf("error = %v (%T), want a *PathError", err, err)
	}
	if sentinel != nil && !errors.Is(err, sentinel) {
		t.Fatalf("error = %v, want one wrapping %v", err, sentinel)
	}
}

func TestLocalPathRefusesEscapes(t *testing.T) {
	root := t.TempDir()
	for _, rel := range []string{
		"../x", "/etc/passwd", "a/../../b", "a\x00b", "", ".", "..", "./a", "a/.",
		"a//b", "a/", "/", "a/.b.ftpmirror-part", ".x.ftpmirror-link/y", "a\nb",
	} {
		p, err := localPath(root, rel)
		if err == nil {
			t.Errorf("localPath(%q) = %q, want refused", rel, p)
			continue
		}
		wantPathErr(t, err, ErrUnsafePath)
		if err := checkNoSymlinkParents(openTestRoot(t, root), rel); !errors.Is(err, ErrUnsafePath) {
			t.Errorf("checkNoSymlinkParents(%q) = %v, want ErrUnsafePath", rel, err)
		}
	}
}

func TestLocalPathAcceptsOrdinaryNames(t *testing.T) {
	root := t.TempDir()
	// A backslash is an ordinary byte of a name on the systems ftpmirror
	// runs on: `..\x` is one name, not a way up.
	for _, rel := range []string{"a", "a/b/c.txt", ".hidden", "a..b", "...", "x/..y", "ftpmirror-part", ".ftpmirror-part", "a b/ü",
		`a\..\..\b`, `..\x`, "tab\tname", "caf\xe9"} {
		p, err := localPath(root, rel)
		if err != nil {
			t.Errorf("localPath(%q): %v", rel, err)
			continue
		}
		if want := filepath.Join(root, filepath.FromSlash(rel)); p != want {
			t.Errorf("localPath(%q) = %q, want %q", rel, p, want)
		}
		if !strings.HasPrefix(p, root+string(filepath.Separator)) {
			t.Errorf("localPath(%q) = %q is not under %q", rel, p, root)
		}
	}
}

func TestCheckNoSymlinkParentsRefusesSymlinkedDir(t *testing.T) {
	root, outside := t.TempDir(), t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "real", "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "real", "link")); err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, filepath.Join(root, "file"), "x")
	r := openTestRoot(t, root)

	for _, rel := range []string{"real/link/x", "real/link/deeper/x"} {
		wantPathErr(t, checkNoSymlinkParents(r, rel), ErrSymlinkParent)
	}
	wantPathErr(t, checkNoSymlinkParents(r, "file/x"), syscall.ENOTDIR)
	for _, rel := range []string{"real/link", "real/sub/x", "missing/a/b", "x"} {
		if err := checkNoSymlinkParents(r, rel); err != nil {
			t.Errorf("checkNoSymlinkParents(%q): %v", rel, err)
		}
	}
}

func TestWritingThroughSymlinkedParentIsRefused(t *testing.T) {
	root, outside := t.TempDir(), t.TempDir()
	writeTestFile(t, filepath.Join(outside, "victim"), "keep me")
	if err := os.Symlink(outside, filepath.Join(root, "d")); err != nil {
		t.Fatal(err)
	}

	if _, _, err := createPart(root, "d/new", 0); !errors.Is(err, ErrSymlinkParent) {
		t.Errorf("createPart through symlink: %v, want ErrSymlinkParent", err)
	}
	if err := makeDir(root, "d/sub", time.Time{}); !errors.Is(err, ErrSymlinkParent) {
		t.Errorf("makeDir through symlink: %v, want ErrSymlinkParent", err)
	}
	if err := makeSymlink(root, "d/l", "x"); !errors.Is(err, ErrSymlinkParent) {
		t.Errorf("makeSymlink through symlink: %v, want ErrSymlinkParent", err)
	}
	if err := removeLocal(root, "d/victim", 0); !errors.Is(err, ErrSymlinkParent) {
		t.Errorf("removeLocal through symlink: %v, want ErrSymlinkParent", err)
	}
	wantTree(t, outside, "victim")
	if got := readTestFile(t, filepath.Join(outside, "victim")); got != "keep me" {
		t.Errorf("victim = %q", got)
	}
}

func TestSymlinkedRootIsAllowed(t *testing.T) {
	real := t.TempDir()
	root := filepath.Join(t.TempDir(), "root")
	if err := os.Symlink(real, root); err != nil {
		t.Fatal(err)
	}
	w, _, err := createPart(root, "a/f", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("data")); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit(time.Time{}); err != nil {
		t.Fatal(err)
	}
	if got := readTestFile(t, filepath.Join(real, "a", "f")); got != "data" {
		t.Errorf("a/f = %q", got)
	}
}
