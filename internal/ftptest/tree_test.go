package ftptest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDiffTreesReportsEachKindOfDifference(t *testing.T) {
	mt := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
	files := map[string]string{"f": "x", "d/g": "yy", "d/h": "z", "e/": "", "m": "m", "only": "o"}
	a, b := t.TempDir(), t.TempDir()
	WriteTree(t, a, files)
	WriteTree(t, b, files)
	for _, root := range []string{a, b} {
		for _, p := range []string{"f", "d/g", "d/h", "m", "only"} {
			SetMtime(t, filepath.Join(root, p), mt)
		}
		if err := os.Symlink("f", filepath.Join(root, "l")); err != nil {
			t.Fatal(err)
		}
	}
	// Sub-second differences do not count.
	SetMtime(t, filepath.Join(b, "f"), mt.Add(300*time.Millisecond))
	if d, err := DiffTrees(a, b); err != nil || len(d) != 0 {
		t.Fatalf("equal trees: %v %v", d, err)
	}

	WriteTree(t, b, map[string]string{"d/g": "yY", "d/h": "zz", "e/new/": ""})
	SetMtime(t, filepath.Join(b, "d/g"), mt)
	SetMtime(t, filepath.Join(b, "m"), mt.Add(time.Second))
	must(t, os.Remove(filepath.Join(b, "only")))
	must(t, os.Remove(filepath.Join(b, "l")))
	must(t, os.Symlink("d", filepath.Join(b, "l")))
	d, err := DiffTrees(a, b)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(d, "\n")
	for _, want := range []string{
		"d/g: content differs",
		"d/h: size 1 vs 2",
		"e/new: dir only in " + b,
		`l: symlink target "f" vs "d"`,
		"m: mtime 2022-01-01T00:00:00Z vs 2022-01-01T00:00:01Z",
		"only: file only in " + a,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("differences lack %q:\n%s", want, got)
		}
	}
	if len(d) != 6 {
		t.Errorf("want 6 differences, got %d:\n%s", len(d), got)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestRandomTreeIsDeterministicPerSeed(t *testing.T) {
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	must(t, RandomTree(a, 42, 60, 8, 3000))
	must(t, RandomTree(b, 42, 60, 8, 3000))
	must(t, RandomTree(c, 43, 60, 8, 3000))
	TreeEqual(t, a, b)
	if d, err := DiffTrees(a, c); err != nil || len(d) == 0 {
		t.Errorf("seeds 42 and 43 gave equal trees (%v)", err)
	}
	var files, dirs int
	must(t, filepath.WalkDir(a, func(p string, de os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if de.IsDir() && p != a {
			dirs++
		} else if de.Type().IsRegular() {
			files++
		}
		return nil
	}))
	if files != 60 || dirs != 8 {
		t.Errorf("got %d files, %d dirs; want 60, 8", files, dirs)
	}
}

func symlink(target, path string) error { return os.Symlink(target, path) }
