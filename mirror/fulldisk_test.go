package mirror

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
	"github.com/ftpmirror/ftpmirror/state"
)

// A full disk stops the run with a clear error, leaves nothing partial under
// a final name, keeps the state true to the disk, and a run after space is
// freed converges.
func TestPullOnFullDiskStopsCleanlyAndConverges(t *testing.T) {
	dir := mountTinyTmpfs(t) // 64 KiB
	files := map[string]string{"big.bin": strings.Repeat("B", 200<<10)}
	for _, n := range []string{"s1", "s2", "s3"} {
		files["small/"+n] = n
	}
	f := newPullFixture(t, files, ftptest.Options{})
	f.local = filepath.Join(dir, "mirror")
	r, err := f.pull(nil)
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("err = %v, want ENOSPC", err)
	}
	// Which download meets the full disk first is a race: the error must
	// name one of them.
	if !strings.Contains(err.Error(), "big.bin") && !strings.Contains(err.Error(), "small/") {
		t.Errorf("the error does not name the file: %v", err)
	}
	if r == nil {
		t.Fatal("no report with the error")
	}
	if _, err := os.Stat(filepath.Join(f.local, "big.bin")); !os.IsNotExist(err) {
		t.Fatalf("big.bin stands under its final name after a full disk: %v", err)
	}
	assertStateTrue(t, f)

	if out, err := exec.Command("mount", "-o", "remount,size=4m", dir).CombinedOutput(); err != nil {
		t.Fatalf("remount: %v: %s", err, out)
	}
	f.mustPull(nil)
	ftptest.TreeEqual(t, f.remote, f.local)
	assertStateTrue(t, f)
}

// assertStateTrue checks that every file the state records stands locally
// with the recorded size and mtime.
func assertStateTrue(t *testing.T, f *pullFixture) {
	t.Helper()
	st, err := state.Open(f.state, state.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	snap, err := st.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	for p, rec := range snap {
		fi, err := os.Lstat(filepath.Join(f.local, filepath.FromSlash(p)))
		if err != nil {
			t.Errorf("state records %s, which is not on disk: %v", p, err)
			continue
		}
		if fi.Mode().IsRegular() && (fi.Size() != rec.LocalSize || !fi.ModTime().Equal(rec.LocalModTime)) {
			t.Errorf("state says %s is %d bytes at %v; disk has %d at %v", p, rec.LocalSize, rec.LocalModTime, fi.Size(), fi.ModTime())
		}
	}
}
