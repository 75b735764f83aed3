package mirror

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
	"github.com/ftpmirror/ftpmirror/plan"
	"github.com/ftpmirror/ftpmirror/state"
)

func (f *pullFixture) sync(mod func(*SyncOptions)) (*Report, error) {
	f.t.Helper()
	st, err := state.Open(f.state, state.Options{})
	if err != nil {
		f.t.Fatal(err)
	}
	defer st.Close()
	o := SyncOptions{RunOptions: RunOptions{Server: f.srv, LocalDir: f.local, Store: st, Parallel: 3}}
	if mod != nil {
		mod(&o)
	}
	return Sync(context.Background(), o)
}

func (f *pullFixture) mustSync(mod func(*SyncOptions)) *Report {
	f.t.Helper()
	r, err := f.sync(mod)
	if err != nil {
		f.t.Fatalf("sync: %v", err)
	}
	if len(r.Failed) > 0 {
		f.t.Fatalf("sync failed items: %v", r.Failed)
	}
	return r
}

// writeAt writes a file and gives it an mtime, so changes are seen however
// fast the test runs.
func writeAt(t *testing.T, root, rel, content string, mtime time.Time) {
	t.Helper()
	ftptest.WriteTree(t, root, map[string]string{rel: content})
	ftptest.SetMtime(t, filepath.Join(root, rel), mtime)
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSyncUnitesThenCarriesChangesAndDeletionsBothWays(t *testing.T) {
	f := newPullFixture(t, map[string]string{"remote-only.txt": "r", "both/same.txt": "same", "rdir/x": "x"}, ftptest.Options{})
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	ftptest.SetMtime(t, filepath.Join(f.remote, "both/same.txt"), t0)
	writeAt(t, f.local, "both/same.txt", "same", t0)
	writeAt(t, f.local, "local-only.txt", "l", t0)
	ftptest.WriteTree(t, f.local, map[string]string{"ldir/empty/": ""})

	r := f.mustSync(nil)
	ftptest.TreeEqual(t, f.remote, f.local)
	if s := r.Done; s.Uploads != 1 || s.Downloads != 2 || s.Adopted == 0 || s.Deletes != 0 {
		t.Fatalf("first sync = %+v, want the union: 1 upload, 2 downloads, adoption, no deletion", s)
	}
	if r := f.mustSync(nil); len(r.Plan.Actions) != 0 {
		t.Fatalf("second sync plans %+v", r.Plan.Actions)
	}

	t1 := t0.Add(time.Hour)
	writeAt(t, f.local, "local-only.txt", "l changed", t1)
	writeAt(t, f.remote, "remote-only.txt", "r changed", t1)
	writeAt(t, f.remote, "rdir/new", "new remote", t1)
	if err := os.Remove(filepath.Join(f.local, "both/same.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(f.remote, "rdir/x")); err != nil {
		t.Fatal(err)
	}
	r = f.mustSync(nil)
	ftptest.TreeEqual(t, f.remote, f.local)
	if s := r.Done; s.Uploads != 1 || s.Downloads != 2 || s.Deletes != 2 {
		t.Fatalf("sync = %+v, want 1 upload, 2 downloads, 2 deletions", s)
	}
	if _, err := os.Stat(filepath.Join(f.remote, "both/same.txt")); !os.IsNotExist(err) {
		t.Fatal("a local deletion did not reach the remote")
	}
}

func TestSyncConflictKeepsBothVersions(t *testing.T) {
	f := newPullFixture(t, map[string]string{"doc.txt": "base"}, ftptest.Options{})
	if err := os.MkdirAll(f.local, 0o755); err != nil {
		t.Fatal(err)
	}
	f.mustSync(nil)
	t1 := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	writeAt(t, f.local, "doc.txt", "local edit", t1)
	writeAt(t, f.remote, "doc.txt", "remote edit, newer", t1.Add(time.Hour))
	r := f.mustSync(nil)
	ftptest.TreeEqual(t, f.remote, f.local)
	if r.Done.Conflicts != 1 {
		t.Fatalf("done = %+v, want one conflict", r.Done)
	}
	if got := readFile(t, filepath.Join(f.local, "doc.txt")); got != "remote edit, newer" {
		t.Fatalf("doc.txt = %q, want the newer version", got)
	}
	matches, _ := filepath.Glob(filepath.Join(f.local, "doc.conflict-local-*.txt"))
	if len(matches) != 1 || readFile(t, matches[0]) != "local edit" {
		t.Fatalf("conflict copy = %v, want one holding the local edit", matches)
	}
}

func TestSyncDryRunChangesNothing(t *testing.T) {
	f := newPullFixture(t, map[string]string{"r.txt": "r"}, ftptest.Options{})
	writeAt(t, f.local, "l.txt", "l", time.Now())
	r := f.mustSync(func(o *SyncOptions) { o.DryRun = true })
	if s := r.Plan.Summary(); s.Uploads != 1 || s.Downloads != 1 {
		t.Fatalf("dry-run plan = %+v", s)
	}
	if _, err := os.Stat(filepath.Join(f.local, "r.txt")); !os.IsNotExist(err) {
		t.Fatal("dry run downloaded")
	}
	if _, err := os.Stat(filepath.Join(f.remote, "l.txt")); !os.IsNotExist(err) {
		t.Fatal("dry run uploaded")
	}
}

func TestSyncGuardRefusesMassDeletionOnEitherSide(t *testing.T) {
	files := map[string]string{}
	for _, n := range []string{"a", "b", "c", "d"} {
		files[n] = n
	}
	f := newPullFixture(t, files, ftptest.Options{})
	if err := os.MkdirAll(f.local, 0o755); err != nil {
		t.Fatal(err)
	}
	f.mustSync(nil)
	for _, n := range []string{"a", "b", "c"} {
		if err := os.Remove(filepath.Join(f.local, n)); err != nil {
			t.Fatal(err)
		}
	}
	_, err := f.sync(nil)
	if err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("err = %v, want the guard naming --force", err)
	}
	var ge *plan.GuardError
	if !asGuard(err, &ge) {
		t.Fatalf("err = %v is not a GuardError", err)
	}
	if _, err := os.Stat(filepath.Join(f.remote, "a")); err != nil {
		t.Fatal("the guard let a remote deletion through")
	}
}

func TestVsftpdSyncBothWays(t *testing.T) {
	f, _ := vsftpdFixture(t, map[string]string{"r.txt": "remote"}, ftptest.VsftpdOptions{Writable: true})
	writeAt(t, f.local, "sub/l.txt", "local", time.Date(2025, 2, 3, 4, 5, 6, 0, time.UTC))
	f.mustSync(nil)
	ftptest.TreeEqual(t, f.remote, f.local)
	if r := f.mustSync(nil); len(r.Plan.Actions) != 0 {
		t.Fatalf("second sync against vsftpd plans %+v", r.Plan.Actions)
	}
}
