package mirror

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/plan"
)

func TestScanLocalSkipsTempFilesAndExcludedDirs(t *testing.T) {
	root := t.TempDir()
	at := func(p string, mtime time.Time) {
		t.Helper()
		if err := os.Chtimes(filepath.Join(root, filepath.FromSlash(p)), mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	t1 := time.Date(2022, 7, 8, 9, 10, 11, 123456789, time.FixedZone("X", 3600))
	t2 := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	writeTestFile(t, filepath.Join(root, "f"), "hello")
	writeTestFile(t, filepath.Join(root, "d", "g"), "abc")
	writeTestFile(t, filepath.Join(root, "d", ".g.ftpmirror-part"), "partial")
	writeTestFile(t, filepath.Join(root, ".top.ftpmirror-link"), "")
	writeTestFile(t, filepath.Join(root, "excl", "x"), "hidden")
	writeTestFile(t, filepath.Join(root, "skipme"), "no")
	if err := os.Symlink("f", filepath.Join(root, "l")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(root, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	at("f", t1)
	at("d/g", t2)
	at("d", t2)
	lfi, err := os.Lstat(filepath.Join(root, "l"))
	if err != nil {
		t.Fatal(err)
	}

	var asked []string
	skip := func(rel string, kind plan.Kind) bool {
		asked = append(asked, rel+":"+kind.String())
		return rel == "excl" || rel == "skipme"
	}
	got, err := ScanLocal(context.Background(), root, skip)
	if err != nil {
		t.Fatal(err)
	}
	ns := time.Nanosecond
	want := []plan.Entry{
		{Path: "d", Kind: plan.KindDir, ModTime: t2, Precision: ns},
		{Path: "d/g", Kind: plan.KindFile, Size: 3, ModTime: t2, Precision: ns},
		{Path: "f", Kind: plan.KindFile, Size: 5, ModTime: t1.UTC(), Precision: ns},
		{Path: "l", Kind: plan.KindSymlink, ModTime: lfi.ModTime().UTC(), Precision: ns, Target: "f"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("ScanLocal:\n got %+v\nwant %+v", got, want)
	}
	for _, e := range got {
		if e.ModTime.Location() != time.UTC {
			t.Errorf("%s: ModTime %v is not in UTC", e.Path, e.ModTime)
		}
	}
	wantAsked := []string{"d:dir", "d/g:file", "excl:dir", "f:file", "l:symlink", "skipme:file"}
	if !slices.Equal(asked, wantAsked) {
		t.Errorf("skip was asked %q, want %q (an excluded dir is not descended, temp files never offered)", asked, wantAsked)
	}

	// Through a symlinked root: the same tree.
	link := filepath.Join(t.TempDir(), "root")
	if err := os.Symlink(root, link); err != nil {
		t.Fatal(err)
	}
	viaLink, err := ScanLocal(context.Background(), link, skip)
	if err != nil || !slices.Equal(viaLink, want) {
		t.Errorf("ScanLocal via symlinked root = %+v, %v", viaLink, err)
	}
}

func TestScanLocalMissingRootIsEmpty(t *testing.T) {
	got, err := ScanLocal(context.Background(), filepath.Join(t.TempDir(), "not", "yet"), nil)
	if err != nil || len(got) != 0 {
		t.Errorf("ScanLocal(missing) = %v, %v; want empty, nil", got, err)
	}
}

func TestScanLocalRootIsFileFails(t *testing.T) {
	f := filepath.Join(t.TempDir(), "file")
	writeTestFile(t, f, "x")
	if _, err := ScanLocal(context.Background(), f, nil); !errors.Is(err, syscall.ENOTDIR) {
		t.Errorf("ScanLocal(file) = %v, want ENOTDIR", err)
	}
}

func TestScanLocalStopsOnCancel(t *testing.T) {
	root := t.TempDir()
	for i := range 2 * scanCheckEvery {
		writeTestFile(t, filepath.Join(root, fmt.Sprintf("f%04d", i)), "")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if got, err := ScanLocal(ctx, root, nil); !errors.Is(err, context.Canceled) || got != nil {
		t.Errorf("ScanLocal(cancelled) = %d entries, %v; want context.Canceled", len(got), err)
	}
}

// asNobodyEnv marks a test binary re-run as an unprivileged user.
const asNobodyEnv = "FTPMIRROR_TEST_AS_NOBODY"

func TestScanLocalUnreadableSubdirIsError(t *testing.T) {
	if os.Geteuid() == 0 {
		// Root reads any directory; run this test again as nobody.
		runAsNobody(t, "TestScanLocalUnreadableSubdirIsError")
		return
	}
	root := t.TempDir()
	writeTestFile(t, filepath.Join(root, "a", "ok"), "x")
	writeTestFile(t, filepath.Join(root, "a", "locked", "secret"), "x")
	locked := filepath.Join(root, "a", "locked")
	if err := os.Chmod(locked, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(locked, 0o755) })

	got, err := ScanLocal(context.Background(), root, nil)
	wantPathErr(t, err, os.ErrPermission)
	var pe *PathError
	if errors.As(err, &pe); pe.Path != "a/locked" {
		t.Errorf("error names %q, want a/locked: %v", pe.Path, err)
	}
	if got != nil {
		t.Errorf("a failed scan returned %d entries", len(got))
	}
}

// runAsNobody runs the named test of a copy of this test binary as uid and
// gid 65534 and fails if it fails.
func runAsNobody(t *testing.T, name string) {
	t.Helper()
	if os.Getenv(asNobodyEnv) != "" {
		t.Fatal("still root after switching to nobody")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "nobody-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "test.bin")
	if err := copyExecutable(exe, bin); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^"+name+"$", "-test.count=1", "-test.v")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), asNobodyEnv+"=1", "TMPDIR="+os.TempDir())
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	var exitErr *exec.ExitError
	switch {
	case err != nil && !errors.As(err, &exitErr):
		t.Skipf("cannot run the test as an unprivileged user here: %v", err)
	case err != nil:
		t.Fatalf("as nobody: %v\n%s", err, out)
	case !bytes.Contains(out, []byte("--- PASS: "+name)):
		t.Fatalf("as nobody, the test did not run:\n%s", out)
	}
}

func copyExecutable(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
