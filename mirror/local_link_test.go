package mirror

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/plan"
)

func TestMakeSymlinkInsideAccepted(t *testing.T) {
	root := t.TempDir()
	writeTestFile(t, filepath.Join(root, "f"), "x")
	if err := makeSymlink(root, "a/l", "../f"); err != nil {
		t.Fatal(err)
	}
	if got, err := os.Readlink(filepath.Join(root, "a", "l")); err != nil || got != "../f" {
		t.Fatalf("a/l -> %q, %v", got, err)
	}
	if got := readTestFile(t, filepath.Join(root, "a", "l")); got != "x" {
		t.Errorf("reading through a/l = %q", got)
	}
	// Same target again: left alone. A new target: replaced.
	if err := makeSymlink(root, "a/l", "../f"); err != nil {
		t.Fatal(err)
	}
	if err := makeSymlink(root, "a/l", "../g"); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.Readlink(filepath.Join(root, "a", "l")); got != "../g" {
		t.Errorf("a/l -> %q after replace, want ../g", got)
	}
	wantTree(t, root, "a", "a/l", "f")
}

func TestMakeSymlinkOutsideRefused(t *testing.T) {
	root := t.TempDir()
	for _, tt := range []struct{ rel, target string }{
		{"l", "../x"},
		{"l", "/etc/passwd"},
		{"a/l", "../../b"},
		{"a/l", "d/../../x"},
		{"a/l", "../c/../f"},
		{"l", ""},
	} {
		err := makeSymlink(root, tt.rel, tt.target)
		wantPathErr(t, err, ErrLinkOutside)
	}
	wantTree(t, root)
}

func TestMakeSymlinkReplacesFileButNotDirectory(t *testing.T) {
	root := t.TempDir()
	writeTestFile(t, filepath.Join(root, "f"), "old")
	writeTestFile(t, filepath.Join(root, "d", "inside"), "x")
	if err := makeSymlink(root, "f", "d/inside"); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(filepath.Join(root, "f")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("f is not a symlink: %v %v", fi, err)
	}
	wantPathErr(t, makeSymlink(root, "d", "f"), syscall.EISDIR)
	wantTree(t, root, "d", "d/inside", "f")
}

func TestMakeDir(t *testing.T) {
	root := t.TempDir()
	mtime := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := makeDir(root, "a/b/c", mtime); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(filepath.Join(root, "a", "b", "c"))
	if err != nil || !fi.IsDir() || !fi.ModTime().Equal(mtime) || fi.Mode().Perm()&^0o755 != 0 {
		t.Fatalf("a/b/c = %v (mtime %v), %v", fi.Mode(), fi.ModTime(), err)
	}
	if err := makeDir(root, "a/b/c", time.Time{}); err != nil {
		t.Errorf("existing directory: %v", err)
	}
	writeTestFile(t, filepath.Join(root, "f"), "x")
	wantPathErr(t, makeDir(root, "f", time.Time{}), syscall.ENOTDIR)
	if err := os.Symlink("a", filepath.Join(root, "l")); err != nil {
		t.Fatal(err)
	}
	wantPathErr(t, makeDir(root, "l", time.Time{}), syscall.ENOTDIR)
	wantPathErr(t, makeDir(root, "../x", time.Time{}), ErrUnsafePath)
}

func TestSetDirTimesDeepestFirst(t *testing.T) {
	root, outside := t.TempDir(), t.TempDir()
	for _, d := range []string{"a/b/c", "x"} {
		if err := os.MkdirAll(filepath.Join(root, filepath.FromSlash(d)), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(outside, filepath.Join(root, "l")); err != nil {
		t.Fatal(err)
	}
	before, err := os.Stat(outside)
	if err != nil {
		t.Fatal(err)
	}
	day := func(d int) time.Time { return time.Date(2019, 5, d, 0, 0, 0, 0, time.UTC) }
	dirs := []plan.Entry{
		{Path: "a", Kind: plan.KindDir, ModTime: day(1)},
		{Path: "a/b/c", Kind: plan.KindDir, ModTime: day(3)},
		{Path: "a/b", Kind: plan.KindDir, ModTime: day(2)},
		{Path: "x", Kind: plan.KindDir},                  // no time: left alone
		{Path: "l", Kind: plan.KindDir, ModTime: day(4)}, // a symlink now: not followed
		{Path: "gone", Kind: plan.KindDir, ModTime: day(5)},
	}
	if err := setDirTimes(root, dirs); err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs[:3] {
		fi, err := os.Lstat(filepath.Join(root, filepath.FromSlash(d.Path)))
		if err != nil || !fi.ModTime().Equal(d.ModTime) {
			t.Errorf("%s mtime = %v, want %v (%v)", d.Path, fi.ModTime(), d.ModTime, err)
		}
	}
	after, err := os.Stat(outside)
	if err != nil {
		t.Fatal(err)
	}
	if !after.ModTime().Equal(before.ModTime()) {
		t.Errorf("setDirTimes followed a symlink: outside mtime %v -> %v", before.ModTime(), after.ModTime())
	}
	wantPathErr(t, setDirTimes(root, []plan.Entry{{Path: "../x", Kind: plan.KindDir, ModTime: day(1)}}), ErrUnsafePath)
}
