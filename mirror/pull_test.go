package mirror

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
	"github.com/ftpmirror/ftpmirror/plan"
	"github.com/ftpmirror/ftpmirror/state"
)

// pullFixture is a served tree, a local mirror and a state file.
type pullFixture struct {
	t      *testing.T
	remote string
	local  string
	state  string
	srv    Server
}

func newPullFixture(t *testing.T, files map[string]string, o ftptest.Options) *pullFixture {
	t.Helper()
	remote := t.TempDir()
	ftptest.WriteTree(t, remote, files)
	s := ftptest.Start(t, remote, o)
	return &pullFixture{t: t, remote: remote, local: filepath.Join(t.TempDir(), "mirror"),
		state: filepath.Join(t.TempDir(), "state.db"), srv: serverFor(s)}
}

func (f *pullFixture) pull(mod func(*PullOptions)) (*Report, error) {
	f.t.Helper()
	return f.pullContext(context.Background(), mod)
}

func (f *pullFixture) pullContext(ctx context.Context, mod func(*PullOptions)) (*Report, error) {
	f.t.Helper()
	st, err := state.Open(f.state, state.Options{})
	if err != nil {
		f.t.Fatal(err)
	}
	defer st.Close()
	o := PullOptions{Server: f.srv, LocalDir: f.local, Store: st, Parallel: 3}
	if mod != nil {
		mod(&o)
	}
	return Pull(ctx, o)
}

func (f *pullFixture) mustPull(mod func(*PullOptions)) *Report {
	f.t.Helper()
	r, err := f.pull(mod)
	if err != nil {
		f.t.Fatalf("pull: %v", err)
	}
	if len(r.Failed) > 0 {
		f.t.Fatalf("pull failed items: %v", r.Failed)
	}
	return r
}

var sampleTree = map[string]string{
	"README":            "top",
	"a/one.txt":         "one",
	"a/b/two.txt":       "two two",
	"a/b/c/three.bin":   string(make([]byte, 70000)),
	"empty/":            "",
	".dotfile":          "hidden",
	"space name/f g.md": "spaces",
}

func TestPullFreshThenNothingToDo(t *testing.T) {
	f := newPullFixture(t, sampleTree, ftptest.Options{})
	r := f.mustPull(nil)
	ftptest.TreeEqual(t, f.remote, f.local)
	if r.Done.Downloads != 6 {
		t.Errorf("downloads = %d, want 6", r.Done.Downloads)
	}
	if r.Method != MethodEPSV {
		t.Errorf("method = %q", r.Method)
	}
	r = f.mustPull(nil)
	if n := len(r.Plan.Actions); n != 0 {
		t.Fatalf("second run plans %d actions, want none: %+v", n, r.Plan.Actions)
	}
}

func TestPullCarriesRemoteChangeAddDelete(t *testing.T) {
	f := newPullFixture(t, sampleTree, ftptest.Options{})
	f.mustPull(nil)
	// Earlier, not later: a local mtime is never set in the future (clock.go).
	earlier := time.Now().Add(-time.Hour).Truncate(time.Second)
	ftptest.WriteTree(t, f.remote, map[string]string{"a/one.txt": "one, changed", "new/file": "n"})
	ftptest.SetMtime(t, filepath.Join(f.remote, "a/one.txt"), earlier)
	if err := os.Remove(filepath.Join(f.remote, "a/b/two.txt")); err != nil {
		t.Fatal(err)
	}
	r := f.mustPull(func(o *PullOptions) { o.Delete = true })
	ftptest.TreeEqual(t, f.remote, f.local)
	if r.Done.Downloads != 2 || r.Done.Deletes != 1 {
		t.Fatalf("done = %+v, want 2 downloads and 1 delete", r.Done)
	}
}

func TestPullDryRunChangesNothing(t *testing.T) {
	f := newPullFixture(t, sampleTree, ftptest.Options{})
	r := f.mustPull(func(o *PullOptions) { o.DryRun = true })
	if _, err := os.Stat(f.local); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("dry run created the local dir: %v", err)
	}
	if got := r.Plan.Summary().Downloads; got != 6 {
		t.Fatalf("dry run plans %d downloads, want 6", got)
	}
	st, _ := state.Open(f.state, state.Options{})
	defer st.Close()
	if n, _ := st.Len(); n != 0 {
		t.Fatalf("dry run recorded %d files", n)
	}
}

func TestPullDeleteGuardRefusesMassDeletion(t *testing.T) {
	f := newPullFixture(t, sampleTree, ftptest.Options{})
	f.mustPull(nil)
	for _, p := range []string{"README", "a", ".dotfile", "space name"} {
		if err := os.RemoveAll(filepath.Join(f.remote, p)); err != nil {
			t.Fatal(err)
		}
	}
	_, err := f.pull(func(o *PullOptions) { o.Delete = true })
	var ge *plan.GuardError
	if !errors.As(err, &ge) {
		t.Fatalf("err = %v, want a GuardError", err)
	}
	if _, err := os.Stat(filepath.Join(f.local, "README")); err != nil {
		t.Fatalf("guard let a deletion through: %v", err)
	}
	f.mustPull(func(o *PullOptions) { o.Delete, o.Force = true, true })
	ftptest.TreeEqual(t, f.remote, f.local)
}

func TestPullAdoptsExistingIdenticalTree(t *testing.T) {
	f := newPullFixture(t, sampleTree, ftptest.Options{})
	if err := os.CopyFS(f.local, os.DirFS(f.remote)); err != nil {
		t.Fatal(err)
	}
	copyMtimes(t, f.remote, f.local)
	r := f.mustPull(nil)
	if r.Done.Downloads != 0 || r.Done.Adopted != 6 {
		t.Fatalf("done = %+v, want 6 adopted and no downloads", r.Done)
	}
	r = f.mustPull(nil)
	if len(r.Plan.Actions) != 0 {
		t.Fatalf("after adoption, plan = %+v", r.Plan.Actions)
	}
}

func TestPullOverwritesLocalEdit(t *testing.T) {
	f := newPullFixture(t, sampleTree, ftptest.Options{})
	f.mustPull(nil)
	if err := os.WriteFile(filepath.Join(f.local, "README"), []byte("edited here"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := f.mustPull(nil)
	if r.Done.LocalEdits != 1 {
		t.Fatalf("done = %+v, want one local edit overwritten", r.Done)
	}
	ftptest.TreeEqual(t, f.remote, f.local)
}

func copyMtimes(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		return os.Chtimes(filepath.Join(to, rel), fi.ModTime(), fi.ModTime())
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A state file given inside the mirror is not part of it: --delete leaves it.
func TestStateFileInsideMirrorIsNeverDeleted(t *testing.T) {
	f := newPullFixture(t, sampleTree, ftptest.Options{})
	f.state = filepath.Join(f.local, "mirror.state")
	if err := os.MkdirAll(f.local, 0o755); err != nil {
		t.Fatal(err)
	}
	f.mustPull(func(o *PullOptions) { o.Delete, o.Force = true, true })
	r := f.mustPull(func(o *PullOptions) { o.Delete, o.Force = true, true })
	for _, a := range r.Plan.Actions {
		if a.Path == "mirror.state" {
			t.Fatalf("the state file is in the plan: %+v", a)
		}
	}
	if _, err := os.Stat(f.state); err != nil {
		t.Fatalf("the state file is gone: %v", err)
	}
}
