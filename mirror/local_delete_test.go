package mirror

import (
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"

	"github.com/ftpmirror/ftpmirror/plan"
)

func TestRemoveLocal(t *testing.T) {
	root, outside := t.TempDir(), t.TempDir()
	victim := filepath.Join(outside, "victim")
	writeTestFile(t, victim, "keep me")
	writeTestFile(t, filepath.Join(root, "f"), "x")
	writeTestFile(t, filepath.Join(root, "full", "g"), "x")
	writeTestFile(t, filepath.Join(root, "temps", ".g.ftpmirror-part"), "partial")
	writeTestFile(t, filepath.Join(root, "temps", ".h.ftpmirror-link"), "")
	for _, d := range []string{"empty", "dirlink-target"} {
		if err := os.Mkdir(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(victim, filepath.Join(root, "l")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "dl")); err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		rel  string
		kind plan.Kind
	}{
		{"f", plan.KindFile},
		{"l", plan.KindSymlink},  // the link, not its target
		{"dl", plan.KindSymlink}, // a link to a directory is a link
		{"empty", plan.KindDir},
		{"temps", plan.KindDir}, // only our temporary files inside
		{"missing", plan.KindFile},
		{"f/under-a-file", plan.KindFile},
	} {
		if err := removeLocal(root, tt.rel, tt.kind); err != nil {
			t.Errorf("removeLocal(%q): %v", tt.rel, err)
		}
	}
	wantPathErr(t, removeLocal(root, "full", plan.KindDir), syscall.ENOTEMPTY)
	wantPathErr(t, removeLocal(root, "full/g", plan.KindDir), ErrKindChanged)
	wantPathErr(t, removeLocal(root, "dirlink-target", plan.KindFile), ErrKindChanged)
	for _, rel := range []string{"../x", "/etc/passwd", "a/../../b", "a\x00b", ""} {
		wantPathErr(t, removeLocal(root, rel, plan.KindFile), ErrUnsafePath)
	}

	wantTree(t, root, "dirlink-target", "full", "full/g")
	wantTree(t, outside, "victim")
	if got := readTestFile(t, victim); got != "keep me" {
		t.Errorf("victim = %q", got)
	}
}

func TestCleanStalePartsKeepsResumable(t *testing.T) {
	root := t.TempDir()
	for _, p := range []string{
		"a/.x.ftpmirror-part", // kept: resumable
		"a/.y.ftpmirror-part", // stale
		".z.ftpmirror-part",   // stale
		".x.ftpmirror-link",   // always removed
		"a/x", "b/c",          // ordinary files: never touched
	} {
		writeTestFile(t, filepath.Join(root, filepath.FromSlash(p)), "data")
	}
	var asked []string
	keep := func(rel string) bool {
		asked = append(asked, rel)
		return rel == "a/x"
	}
	if err := cleanStaleParts(root, keep); err != nil {
		t.Fatal(err)
	}
	wantTree(t, root, "a", "a/.x.ftpmirror-part", "a/x", "b", "b/c")
	slices.Sort(asked)
	if want := []string{"a/x", "a/y", "z"}; !slices.Equal(asked, want) {
		t.Errorf("keep was asked about %q, want %q", asked, want)
	}

	if err := cleanStaleParts(root, nil); err != nil {
		t.Fatal(err)
	}
	wantTree(t, root, "a", "a/x", "b", "b/c")
	if err := cleanStaleParts(filepath.Join(root, "missing"), nil); err != nil {
		t.Errorf("missing root: %v", err)
	}
}
