package mirror

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/plan"
)

func TestIsTempName(t *testing.T) {
	for name, want := range map[string]bool{
		".a.ftpmirror-part":     true,
		".a.b.ftpmirror-part":   true,
		"...ftpmirror-part":     true,  // the part of "."-prefixed ".": odd but ours
		"..ftpmirror-part":      false, // would be the part of "", which no path has
		".a.ftpmirror-link":     true,
		".ftpmirror-part":       false,
		"a.ftpmirror-part":      false,
		".a.ftpmirror-part.txt": false,
		".a":                    false,
		"":                      false,
	} {
		if got := IsTempName(name); got != want {
			t.Errorf("IsTempName(%q) = %v, want %v", name, got, want)
		}
	}
	part, err := partName("d/file.txt")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.FromSlash("d/.file.txt.ftpmirror-part"); part != want {
		t.Errorf("partName = %q, want %q", part, want)
	}
	if !IsTempName(filepath.Base(part)) {
		t.Errorf("IsTempName(%q) = false for our own part name", filepath.Base(part))
	}
}

func TestCommitReplacesAtomicallyAndSetsMtime(t *testing.T) {
	root := t.TempDir()
	final := filepath.Join(root, "d", "f.txt")
	writeTestFile(t, final, "old content")
	mtime := time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)

	w, off, err := createPart(root, "d/f.txt", 0)
	if err != nil || off != 0 {
		t.Fatalf("createPart = %d, %v", off, err)
	}
	if _, err := w.Write([]byte("new content, longer")); err != nil {
		t.Fatal(err)
	}
	// Until Commit, the final name still holds the old file, whole.
	if got := readTestFile(t, final); got != "old content" {
		t.Fatalf("before commit, final = %q", got)
	}
	wantTree(t, root, "d", "d/.f.txt.ftpmirror-part", "d/f.txt")

	e, err := w.Commit(mtime)
	if err != nil {
		t.Fatal(err)
	}
	if got := readTestFile(t, final); got != "new content, longer" {
		t.Errorf("after commit, final = %q", got)
	}
	want := plan.Entry{Path: "d/f.txt", Kind: plan.KindFile, Size: 19, ModTime: mtime, Precision: time.Nanosecond}
	if e != want {
		t.Errorf("Commit entry = %+v, want %+v", e, want)
	}
	fi, err := os.Lstat(final)
	if err != nil {
		t.Fatal(err)
	}
	if !fi.ModTime().Equal(mtime) {
		t.Errorf("mtime on disk = %v, want %v", fi.ModTime(), mtime)
	}
	wantTree(t, root, "d", "d/f.txt")

	if _, err := w.Write([]byte("late")); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Write after Commit = %v, want os.ErrClosed", err)
	}
	if err := w.Abort(); err != nil {
		t.Errorf("Abort after Commit = %v", err)
	}
	if got := readTestFile(t, final); got != "new content, longer" {
		t.Errorf("Abort after Commit touched the file: %q", got)
	}
}

func TestCommitReplacesSymlinkNotItsTarget(t *testing.T) {
	root, outside := t.TempDir(), t.TempDir()
	victim := filepath.Join(outside, "victim")
	writeTestFile(t, victim, "keep me")
	if err := os.Symlink(victim, filepath.Join(root, "f")); err != nil {
		t.Fatal(err)
	}
	w, _, err := createPart(root, "f", 0)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("mirrored"))
	if _, err := w.Commit(time.Time{}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(filepath.Join(root, "f"))
	if err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("f is not a regular file now: %v %v", fi, err)
	}
	if got := readTestFile(t, victim); got != "keep me" {
		t.Errorf("symlink target was written: %q", got)
	}
}

func TestCommitOntoDirectoryFailsAndLeavesNothing(t *testing.T) {
	root := t.TempDir()
	writeTestFile(t, filepath.Join(root, "d", "inside"), "x")
	w, _, err := createPart(root, "d", 0)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("file data"))
	_, err = w.Commit(time.Now())
	wantPathErr(t, err, syscall.EISDIR)
	wantTree(t, root, "d", "d/inside")
}

func TestAbortLeavesNothing(t *testing.T) {
	root := t.TempDir()
	writeTestFile(t, filepath.Join(root, "f"), "old")
	w, _, err := createPart(root, "f", 0)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("partial"))
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	wantTree(t, root, "f")
	if got := readTestFile(t, filepath.Join(root, "f")); got != "old" {
		t.Errorf("f = %q after abort", got)
	}
	if n, err := partSize(root, "f"); n != 0 || err != nil {
		t.Errorf("partSize after abort = %d, %v", n, err)
	}
	if err := w.Abort(); err != nil {
		t.Errorf("second Abort = %v", err)
	}
}

func TestKeepThenResumeAppends(t *testing.T) {
	root := t.TempDir()
	if n, err := partSize(root, "a/f"); n != 0 || err != nil {
		t.Fatalf("partSize with nothing = %d, %v", n, err)
	}
	w, _, err := createPart(root, "a/f", 0)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("hello wXYZXYZ")) // the last bytes are suspect: the caller resumes before them
	if err := w.Keep(); err != nil {
		t.Fatal(err)
	}
	if n, err := partSize(root, "a/f"); n != 13 || err != nil {
		t.Fatalf("partSize after Keep = %d, %v", n, err)
	}

	w, off, err := createPart(root, "a/f", 7)
	if err != nil || off != 7 {
		t.Fatalf("resume createPart = %d, %v; want 7", off, err)
	}
	w.Write([]byte("orld"))
	e, err := w.Commit(time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if got := readTestFile(t, filepath.Join(root, "a", "f")); got != "hello world" || e.Size != 11 {
		t.Errorf("resumed file = %q (entry size %d), want %q", got, e.Size, "hello world")
	}
	wantTree(t, root, "a", "a/f")
}

func TestResumeBeyondPartStartsOver(t *testing.T) {
	root := t.TempDir()
	writeTestFile(t, filepath.Join(root, ".f.ftpmirror-part"), "abc")
	w, off, err := createPart(root, "f", 10)
	if err != nil || off != 0 {
		t.Fatalf("createPart(resume 10 of 3) = %d, %v; want 0", off, err)
	}
	w.Write([]byte("fresh"))
	if _, err := w.Commit(time.Time{}); err != nil {
		t.Fatal(err)
	}
	if got := readTestFile(t, filepath.Join(root, "f")); got != "fresh" {
		t.Errorf("f = %q, want %q", got, "fresh")
	}
}

func TestCreatePartDoesNotFollowSymlinkAtTempName(t *testing.T) {
	root, outside := t.TempDir(), t.TempDir()
	victim := filepath.Join(outside, "victim")
	writeTestFile(t, victim, "keep me")
	if err := os.Symlink(victim, filepath.Join(root, ".f.ftpmirror-part")); err != nil {
		t.Fatal(err)
	}
	for _, resume := range []int64{0, 3} {
		if w, _, err := createPart(root, "f", resume); err == nil {
			w.Write([]byte("evil"))
			w.Commit(time.Time{})
		}
	}
	if got := readTestFile(t, victim); got != "keep me" {
		t.Errorf("write went through the symlink: victim = %q", got)
	}
}

func TestCreatePartUnderFileFails(t *testing.T) {
	root := t.TempDir()
	writeTestFile(t, filepath.Join(root, "f"), "x")
	_, _, err := createPart(root, "f/g", 0)
	wantPathErr(t, err, syscall.ENOTDIR)
}

// mountTinyTmpfs mounts a 64 KiB tmpfs, unmounted when the test ends.
func mountTinyTmpfs(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("full-disk test needs root to mount a tmpfs")
	}
	dir := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir).CombinedOutput()
	if err != nil {
		t.Skipf("mounting a tmpfs is not permitted here: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

func TestFullDiskSurfacesENOSPCAndAbortLeavesNothing(t *testing.T) {
	root := mountTinyTmpfs(t)
	w, _, err := createPart(root, "big.bin", 0)
	if err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte("x"), 32<<10)
	var werr error
	for i := 0; i < 8 && werr == nil; i++ { // 256 KiB into 64 KiB
		_, werr = w.Write(chunk)
	}
	if werr == nil {
		_, werr = w.Commit(time.Time{})
	} else if err := w.Abort(); err != nil {
		t.Fatalf("Abort: %v", err)
	}
	if !errors.Is(werr, syscall.ENOSPC) {
		t.Fatalf("writing 256 KiB into 64 KiB: %v, want ENOSPC", werr)
	}
	wantPathErr(t, werr, nil)
	if Classify(werr) != KindFatal {
		t.Errorf("Classify(ENOSPC) = %v, want KindFatal", Classify(werr))
	}
	wantTree(t, root)

	// The space is back: a small file fits again.
	w, _, err = createPart(root, "small", 0)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("fits"))
	if _, err := w.Commit(time.Time{}); err != nil {
		t.Fatalf("after abort the disk is still full: %v", err)
	}
	wantTree(t, root, "small")
}
