package ftptest

import (
	"bytes"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// ReadTree reads every file under root into a map of slash-separated
// relative paths to contents, the counterpart of WriteTree.
func ReadTree(t testing.TB, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// WriteTree creates files under root: each key is a slash-separated path
// relative to root and its value the file's content. Parent directories are
// created; a key ending in "/" makes an (empty) directory.
func WriteTree(t testing.TB, root string, files map[string]string) {
	t.Helper()
	for p, content := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if strings.HasSuffix(p, "/") {
			if err := os.MkdirAll(full, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// SetMtime sets the modification (and access) time of path.
func SetMtime(t testing.TB, path string, mtime time.Time) {
	t.Helper()
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

// TreeEqual fails the test, listing the differences, unless the trees at a
// and b hold the same files (same bytes, same mtime to the second), the
// same symlinks (same target) and the same directories. Directory mtimes
// and permissions are not compared.
func TreeEqual(t testing.TB, a, b string) {
	t.Helper()
	diffs, err := DiffTrees(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) > 0 {
		t.Errorf("trees %s and %s differ:\n  %s", a, b, strings.Join(diffs, "\n  "))
	}
}

// DiffTrees compares two trees as TreeEqual does and returns one line per
// difference, sorted by path; none when they are equal.
func DiffTrees(a, b string) ([]string, error) {
	ta, err := scanTree(a)
	if err != nil {
		return nil, err
	}
	tb, err := scanTree(b)
	if err != nil {
		return nil, err
	}
	var diffs []string
	for p, ea := range ta {
		eb, ok := tb[p]
		if !ok {
			diffs = append(diffs, fmt.Sprintf("%s: %s only in %s", p, ea.kind, a))
			continue
		}
		if d := ea.diff(eb, filepath.Join(a, p), filepath.Join(b, p)); d != "" {
			diffs = append(diffs, p+": "+d)
		}
	}
	for p, eb := range tb {
		if _, ok := ta[p]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s: %s only in %s", p, eb.kind, b))
		}
	}
	sort.Strings(diffs)
	return diffs, nil
}

type treeEntry struct {
	kind   string // "file", "dir", "symlink", "other"
	size   int64
	mtime  time.Time // files: truncated to the second, UTC
	target string
}

func (x treeEntry) diff(y treeEntry, pathX, pathY string) string {
	if x.kind != y.kind {
		return fmt.Sprintf("%s vs %s", x.kind, y.kind)
	}
	switch x.kind {
	case "symlink":
		if x.target != y.target {
			return fmt.Sprintf("symlink target %q vs %q", x.target, y.target)
		}
	case "file":
		if x.size != y.size {
			return fmt.Sprintf("size %d vs %d", x.size, y.size)
		}
		bx, err := os.ReadFile(pathX)
		if err != nil {
			return err.Error()
		}
		by, err := os.ReadFile(pathY)
		if err != nil {
			return err.Error()
		}
		if !bytes.Equal(bx, by) {
			return "content differs"
		}
		if !x.mtime.Equal(y.mtime) {
			return fmt.Sprintf("mtime %s vs %s", x.mtime.Format(time.RFC3339), y.mtime.Format(time.RFC3339))
		}
	}
	return ""
}

func scanTree(root string) (map[string]treeEntry, error) {
	out := map[string]treeEntry{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == root {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		e := treeEntry{kind: "other"}
		switch {
		case fi.IsDir():
			e.kind = "dir"
		case fi.Mode()&fs.ModeSymlink != 0:
			e.kind = "symlink"
			if e.target, err = os.Readlink(p); err != nil {
				return err
			}
		case fi.Mode().IsRegular():
			e.kind = "file"
			e.size = fi.Size()
			e.mtime = fi.ModTime().UTC().Truncate(time.Second)
		}
		out[filepath.ToSlash(rel)] = e
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ftptest: scan %s: %w", root, err)
	}
	return out, nil
}

// RandomTree writes a deterministic tree under root: dirs nested
// directories and files files of 0..maxSize random bytes, with mtimes in
// 2024, the same for the same seed. Some names are hidden (".h...") or
// contain spaces, as real trees do.
func RandomTree(root string, seed int64, files, dirs int, maxSize int) error {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	var key [32]byte
	for i := range key {
		key[i] = byte(uint64(seed) >> (8 * (i % 8)))
	}
	stream := rand.NewChaCha8(key)
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	all := []string{root}
	for i := range dirs {
		parent := all[rng.IntN(len(all))]
		d := filepath.Join(parent, fmt.Sprintf("dir%03d", i))
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("ftptest: random tree: %w", err)
		}
		all = append(all, d)
	}
	for i := range files {
		name := fmt.Sprintf("file%04d.bin", i)
		switch {
		case i%17 == 5:
			name = fmt.Sprintf(".hidden%04d", i)
		case i%11 == 3:
			name = fmt.Sprintf("file %04d with spaces.txt", i)
		}
		p := filepath.Join(all[rng.IntN(len(all))], name)
		size := 0
		if maxSize > 0 {
			size = rng.IntN(maxSize + 1)
		}
		data := make([]byte, size)
		_, _ = stream.Read(data) // never fails
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return fmt.Errorf("ftptest: random tree: %w", err)
		}
		mt := base.Add(time.Duration(rng.Int64N(365*24*3600)) * time.Second)
		if err := os.Chtimes(p, mt, mt); err != nil {
			return fmt.Errorf("ftptest: random tree: %w", err)
		}
	}
	return nil
}
