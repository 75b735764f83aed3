package mirror

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
	"github.com/ftpmirror/ftpmirror/plan"
)

// editBothSides gives rel the content local on the local side and remote on
// the remote side, both with the mtime at.
func editBothSides(t *testing.T, f *pullFixture, rel, local, remote string, at time.Time) {
	t.Helper()
	writeAt(t, f.local, rel, local, at)
	writeAt(t, f.remote, rel, remote, at)
}

// checkKeptBoth checks that both trees hold rel with want and one conflict
// copy of it holding other, and nothing else under a temporary name.
func checkKeptBoth(t *testing.T, f *pullFixture, rel, want, other string) {
	t.Helper()
	ftptest.TreeEqual(t, f.remote, f.local)
	if got := readFile(t, filepath.Join(f.local, rel)); got != want {
		t.Errorf("%s = %q, want %q", rel, got, want)
	}
	ext := filepath.Ext(rel)
	copies, _ := filepath.Glob(filepath.Join(f.local, rel[:len(rel)-len(ext)]+".conflict-*"+ext))
	if len(copies) != 1 || readFile(t, copies[0]) != other {
		t.Errorf("conflict copies %v, want one holding %q", copies, other)
	}
	noTempNames(t, f.local)
	noTempNames(t, f.remote)
}

// noTempNames fails if a temporary name of the mirror is left under root.
func noTempNames(t *testing.T, root string) {
	t.Helper()
	_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && IsTempName(d.Name()) {
			t.Errorf("temporary name left: %s", p)
		}
		return nil
	})
}

// The bug of issue 12: two edits within one second to the same size were
// taken for one version, and the sides stayed different for good.
func TestSyncEditsInTheSameSecondToTheSameSizeKeepBothVersions(t *testing.T) {
	f := newPullFixture(t, map[string]string{"notes.txt": "base"}, ftptest.Options{})
	if err := os.MkdirAll(f.local, 0o755); err != nil {
		t.Fatal(err)
	}
	f.mustSync(nil)
	t1 := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	editBothSides(t, f, "notes.txt", "base+local7", "base+remot7", t1)

	dry := f.mustSync(func(o *SyncOptions) { o.DryRun = true })
	if s := dry.Plan.Summary(); s.Conflicts != 1 || s.Renames != 1 {
		t.Fatalf("dry run plans %+v, want the conflict and its copy", dry.Plan.Actions)
	}
	r := f.mustSync(nil)
	if r.Done.Conflicts != 1 {
		t.Fatalf("done = %+v, want one conflict", r.Done)
	}
	checkKeptBoth(t, f, "notes.txt", "base+remot7", "base+local7")
	if r := f.mustSync(nil); len(r.Plan.Actions) != 0 {
		t.Fatalf("the sync after the conflict plans %v", r.Plan.Actions)
	}
}

func TestSyncEditsToTheSameBytesOnBothSidesAreAdoptedWithoutTransfer(t *testing.T) {
	f := newPullFixture(t, map[string]string{"notes.txt": "base"}, ftptest.Options{})
	if err := os.MkdirAll(f.local, 0o755); err != nil {
		t.Fatal(err)
	}
	f.mustSync(nil)
	editBothSides(t, f, "notes.txt", "same edit", "same edit", time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC))
	r := f.mustSync(nil)
	if s := r.Done; s.Adopted != 1 || s.Downloads+s.Uploads+s.Conflicts != 0 {
		t.Fatalf("done = %+v, want the file adopted, nothing transferred", s)
	}
	if r := f.mustSync(nil); len(r.Plan.Actions) != 0 {
		t.Fatalf("the sync after the adoption plans %v", r.Plan.Actions)
	}
}

func TestSyncFirstRunComparesFilesAlikeBySizeAndTime(t *testing.T) {
	f := newPullFixture(t, nil, ftptest.Options{})
	at := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	editBothSides(t, f, "same.bin", "identical", "identical", at)
	editBothSides(t, f, "d/other.bin", "made here", "made there", at.Add(time.Minute))
	writeAt(t, f.local, "d/longer.bin", "abc", at)
	writeAt(t, f.remote, "d/longer.bin", "abd", at)
	r := f.mustSync(nil)
	if s := r.Done; s.Adopted < 1 || s.Conflicts != 2 {
		t.Fatalf("done = %+v, want same.bin adopted, d/other.bin and d/longer.bin conflicts", s)
	}
	checkKeptBoth(t, f, "d/longer.bin", "abd", "abc")
	for _, a := range r.Plan.Actions {
		if a.Op == plan.OpCompare {
			t.Errorf("a compare left in the plan carried out: %+v", a)
		}
	}
}

// A large file compared by download and found different is not downloaded
// a second time by the conflict: the comparison's copy is taken.
func TestSyncConflictTakesTheComparisonsDownload(t *testing.T) {
	size := 2 << 20
	base := strings.Repeat("b", size)
	f := newPullFixture(t, map[string]string{"big.bin": base, "other.bin": base}, ftptest.Options{})
	if err := os.MkdirAll(f.local, 0o755); err != nil {
		t.Fatal(err)
	}
	f.mustSync(nil)
	t1 := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	local, remote := "L"+base[1:], "R"+base[1:]
	editBothSides(t, f, "big.bin", local, remote, t1)
	r := f.mustSync(nil)
	if r.Done.Conflicts != 1 || r.Bytes != int64(size) {
		t.Fatalf("done %+v, %d bytes; want one conflict and only the local copy's upload (%d bytes)", r.Done, r.Bytes, size)
	}
	checkKeptBoth(t, f, "big.bin", remote, local)

	// With --conflict local the kept download is not needed: it is removed.
	editBothSides(t, f, "other.bin", local, remote, t1)
	r = f.mustSync(func(o *SyncOptions) { o.Conflict = plan.ConflictLocal })
	if r.Done.Uploads != 1 || r.Done.Downloads != 0 {
		t.Fatalf("done %+v, want the local version uploaded", r.Done)
	}
	if got := readFile(t, filepath.Join(f.remote, "other.bin")); got != local {
		t.Fatal("the local version did not win")
	}
	noTempNames(t, f.local)
	noTempNames(t, f.remote)
}
