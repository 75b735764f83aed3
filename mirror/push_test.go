package mirror

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
	"github.com/ftpmirror/ftpmirror/plan"
	"github.com/ftpmirror/ftpmirror/state"
)

// serveRemote serves remote for one test and returns how to reach it.
type serveRemote func(t *testing.T, remote string) Server

func inProcess(o ftptest.Options) serveRemote {
	return func(t *testing.T, remote string) Server { return serverFor(ftptest.Start(t, remote, o)) }
}

// newPushFixture writes files into the local tree, the source, and serves an
// empty remote tree.
func newPushFixture(t *testing.T, files map[string]string, start serveRemote) *pullFixture {
	t.Helper()
	local := t.TempDir()
	ftptest.WriteTree(t, local, files)
	remote := t.TempDir()
	return &pullFixture{t: t, remote: remote, local: local,
		state: filepath.Join(t.TempDir(), "state.db"), srv: start(t, remote)}
}

func (f *pullFixture) push(ctx context.Context, mod func(*PushOptions)) (*Report, error) {
	f.t.Helper()
	st, err := state.Open(f.state, state.Options{})
	if err != nil {
		f.t.Fatal(err)
	}
	defer st.Close()
	o := PushOptions{RunOptions: RunOptions{Server: f.srv, LocalDir: f.local, Store: st, Parallel: 3}}
	if mod != nil {
		mod(&o)
	}
	return Push(ctx, o)
}

func (f *pullFixture) mustPush(mod func(*PushOptions)) *Report {
	f.t.Helper()
	r, err := f.push(context.Background(), mod)
	if err != nil {
		f.t.Fatalf("push: %v", err)
	}
	if len(r.Failed) > 0 {
		f.t.Fatalf("push failed items: %v", r.Failed)
	}
	return r
}

// The scenarios below run against the in-process server here and against
// vsftpd in push_interop_test.go.

func pushFreshThenNothingToDo(t *testing.T, start serveRemote) {
	f := newPushFixture(t, sampleTree, start)
	if err := os.Symlink("README", filepath.Join(f.local, "link")); err != nil {
		t.Fatal(err)
	}
	r := f.mustPush(nil)
	if err := os.Remove(filepath.Join(f.local, "link")); err != nil {
		t.Fatal(err)
	}
	ftptest.TreeEqual(t, f.local, f.remote) // bytes and mtimes; no temporary file left
	if r.Done.Uploads != 6 || r.Bytes != r.Plan.Summary().Bytes {
		t.Errorf("done = %+v, %d bytes; want 6 uploads of %d bytes", r.Done, r.Bytes, r.Plan.Summary().Bytes)
	}
	if len(r.Skipped) != 1 || !errors.Is(r.Skipped[0].Err, ErrSymlinkNotPushed) {
		t.Errorf("skipped = %v, want the symlink", r.Skipped)
	}
	r = f.mustPush(nil)
	if len(r.Plan.Actions) != 0 || r.Bytes != 0 {
		t.Fatalf("second push plans %+v and sends %d bytes, want nothing", r.Plan.Actions, r.Bytes)
	}
}

func pushCarriesLocalChangeAddDelete(t *testing.T, start serveRemote) {
	f := newPushFixture(t, sampleTree, start)
	f.mustPush(nil)
	later := time.Now().Add(time.Hour).Truncate(time.Second)
	ftptest.WriteTree(t, f.local, map[string]string{"a/one.txt": "one, changed", "new/file": "n"})
	ftptest.SetMtime(t, filepath.Join(f.local, "a/one.txt"), later)
	if err := os.Remove(filepath.Join(f.local, "a/b/two.txt")); err != nil {
		t.Fatal(err)
	}
	r := f.mustPush(func(o *PushOptions) { o.Delete = true })
	ftptest.TreeEqual(t, f.local, f.remote)
	if r.Done.Uploads != 2 || r.Done.Deletes != 1 || r.Done.Mkdirs != 1 {
		t.Fatalf("done = %+v, want 2 uploads, 1 mkdir and 1 delete", r.Done)
	}
	if r = f.mustPush(nil); len(r.Plan.Actions) != 0 {
		t.Fatalf("after the change, plan = %+v", r.Plan.Actions)
	}
}

func pushDryRunChangesNothing(t *testing.T, start serveRemote) {
	f := newPushFixture(t, sampleTree, start)
	r := f.mustPush(func(o *PushOptions) { o.DryRun = true })
	if names, _ := os.ReadDir(f.remote); len(names) != 0 {
		t.Fatalf("dry run wrote to the server: %v", names)
	}
	if got := r.Plan.Summary(); got.Uploads != 6 || got.Mkdirs != 5 {
		t.Fatalf("dry run plans %+v, want 6 uploads and 5 mkdirs", got)
	}
	st, _ := state.Open(f.state, state.Options{})
	defer st.Close()
	if n, _ := st.Len(); n != 0 {
		t.Fatalf("dry run recorded %d files", n)
	}
}

// pushKilledMidway cancels a push while it uploads a large file, over a
// previous version of it or none, and checks that the final name never holds
// a partial file and that the next push resumes and converges.
func pushKilledMidway(t *testing.T, start serveRemote) {
	for _, previous := range []bool{false, true} {
		name := "fresh"
		if previous {
			name = "over-previous-version"
		}
		t.Run(name, func(t *testing.T) {
			big := bytes.Repeat([]byte("upload-me-"), 400_000) // 4 MB
			f := newPushFixture(t, map[string]string{"big.bin": "old version", "small": "s"}, start)
			final := filepath.Join(f.remote, "big.bin")
			if previous {
				f.mustPush(nil)
			}
			ftptest.WriteTree(t, f.local, map[string]string{"big.bin": string(big)})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			_, err := f.push(ctx, func(o *PushOptions) {
				o.Parallel = 1
				o.Progress = &cancelAfter{limit: 1_500_000, cancel: cancel}
			})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("interrupted push: err = %v, want context.Canceled", err)
			}
			got, err := os.ReadFile(final)
			switch {
			case !previous && !errors.Is(err, os.ErrNotExist):
				t.Fatalf("the final name exists after an interrupted first upload (err %v, %d bytes)", err, len(got))
			case previous && string(got) != "old version":
				t.Fatalf("the final name holds %d bytes, want the previous version (err %v)", len(got), err)
			}
			st, err := state.Open(f.state, state.Options{})
			if err != nil {
				t.Fatal(err)
			}
			p, ok, _ := st.Partial("big.bin")
			st.Close()
			if !ok || !strings.HasSuffix(p.Temp, "/.big.bin.ftpmirror-up") {
				t.Fatalf("partial = %+v, %v; want one naming the temporary upload", p, ok)
			}

			// The server drains the aborted data connection after we have
			// gone; let it finish, or the resume would race with it.
			waitSettled(t, filepath.Join(f.remote, ".big.bin.ftpmirror-up"))

			r := f.mustPush(nil)
			ftptest.TreeEqual(t, f.local, f.remote)
			// How much the first run got through before the abort took
			// effect varies (all of it, at times: then only the rename
			// remains), but a resume never sends the whole file again.
			if r.Bytes >= int64(len(big)) {
				t.Fatalf("the second push sent %d bytes of %d: it did not resume", r.Bytes, len(big))
			}
			st, _ = state.Open(f.state, state.Options{})
			defer st.Close()
			if _, ok, _ := st.Partial("big.bin"); ok {
				t.Fatal("the partial record outlived the finished upload")
			}
		})
	}
}

// waitSettled waits until the file at p exists and its size stops changing
// (it fails the test after a generous bound, never asserts on time).
func waitSettled(t *testing.T, p string) {
	t.Helper()
	last, same := int64(-1), 0
	for range 500 {
		fi, err := os.Stat(p)
		if err == nil && fi.Size() == last {
			if same++; same == 5 {
				return
			}
		} else {
			same = 0
		}
		if err == nil {
			last = fi.Size()
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s did not settle (last size %d)", p, last)
}

// cancelAfter is a Progress that cancels the run once limit bytes went out.
type cancelAfter struct {
	limit  int64
	cancel context.CancelFunc

	mu   sync.Mutex
	sent int64
}

func (c *cancelAfter) Start(int, int64)           {}
func (c *cancelAfter) Done(string, string, error) {}
func (c *cancelAfter) Bytes(n int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sent += n; c.sent >= c.limit {
		c.cancel()
	}
}

func TestPushFreshThenNothingToDo(t *testing.T) {
	pushFreshThenNothingToDo(t, inProcess(ftptest.Options{}))
}

func TestPushCarriesLocalChangeAddDelete(t *testing.T) {
	pushCarriesLocalChangeAddDelete(t, inProcess(ftptest.Options{}))
}

func TestPushDryRunChangesNothing(t *testing.T) {
	pushDryRunChangesNothing(t, inProcess(ftptest.Options{}))
}

func TestPushKilledMidwayResumes(t *testing.T) {
	pushKilledMidway(t, inProcess(ftptest.Options{}))
}

// A kept temporary upload is resumed, with REST+STOR or, where the server
// refuses REST, APPE, and only while the local file is the one the partial
// was made from.
func TestPushResumesKeptTemporaryUpload(t *testing.T) {
	for _, tc := range []struct {
		name    string
		disable []string
		changed bool
	}{
		{name: "REST"},
		{name: "APPE", disable: []string{"REST"}},
		{name: "changed", changed: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			big := bytes.Repeat([]byte("resume-me-"), 300_000) // 3 MB
			f := newPushFixture(t, map[string]string{"big.bin": string(big)}, inProcess(ftptest.Options{Disable: tc.disable}))
			mtime := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
			ftptest.SetMtime(t, filepath.Join(f.local, "big.bin"), mtime)
			const have = 1_000_000
			ftptest.WriteTree(t, f.remote, map[string]string{".big.bin.ftpmirror-up": string(big[:have])})
			st, err := state.Open(f.state, state.Options{})
			if err != nil {
				t.Fatal(err)
			}
			partMtime := mtime
			if tc.changed {
				partMtime = mtime.Add(-time.Hour)
			}
			err = st.PutPartial(state.Partial{Path: "big.bin", Size: int64(len(big)), ModTime: partMtime, Temp: "/.big.bin.ftpmirror-up"})
			if err != nil {
				t.Fatal(err)
			}
			st.Close()

			r := f.mustPush(nil)
			ftptest.TreeEqual(t, f.local, f.remote)
			want := int64(len(big) - have)
			if tc.changed {
				want = int64(len(big))
			}
			if r.Bytes != want {
				t.Fatalf("sent %d bytes, want %d", r.Bytes, want)
			}
		})
	}
}

func TestPushWithoutSettableTimesRemembersTheServerTimes(t *testing.T) {
	f := newPushFixture(t, sampleTree, inProcess(ftptest.Options{Disable: []string{"MFMT", "MDTM"}}))
	f.mustPush(nil)
	diffs, err := ftptest.DiffTrees(f.local, f.remote)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		if !strings.Contains(d, "mtime") {
			t.Errorf("differs beyond mtimes: %s", d)
		}
	}
	if r := f.mustPush(nil); len(r.Plan.Actions) != 0 {
		t.Fatalf("second push plans %+v, want nothing", r.Plan.Actions)
	}
}

func TestPushOverwritesRemoteEdit(t *testing.T) {
	f := newPushFixture(t, sampleTree, inProcess(ftptest.Options{}))
	f.mustPush(nil)
	ftptest.WriteTree(t, f.remote, map[string]string{"README": "edited on the server"})
	r := f.mustPush(nil)
	if r.Done.Uploads != 1 || r.Done.RemoteEdits != 1 {
		t.Fatalf("done = %+v, want one remote edit overwritten", r.Done)
	}
	ftptest.TreeEqual(t, f.local, f.remote)
}

func TestPushInPlace(t *testing.T) {
	f := newPushFixture(t, sampleTree, inProcess(ftptest.Options{Disable: []string{"RNFR", "RNTO"}}))
	f.mustPush(func(o *PushOptions) { o.InPlace = true })
	ftptest.TreeEqual(t, f.local, f.remote)
}

func TestPushAdoptsIdenticalRemoteTree(t *testing.T) {
	f := newPushFixture(t, sampleTree, inProcess(ftptest.Options{}))
	if err := os.CopyFS(f.remote, os.DirFS(f.local)); err != nil {
		t.Fatal(err)
	}
	copyMtimes(t, f.local, f.remote)
	r := f.mustPush(nil)
	if r.Done.Uploads != 0 || r.Done.Adopted != 6 {
		t.Fatalf("done = %+v, want 6 adopted and no uploads", r.Done)
	}
	if r = f.mustPush(nil); len(r.Plan.Actions) != 0 {
		t.Fatalf("after adoption, plan = %+v", r.Plan.Actions)
	}
}

func TestPushDeleteGuardRefusesMassDeletion(t *testing.T) {
	f := newPushFixture(t, sampleTree, inProcess(ftptest.Options{}))
	f.mustPush(nil)
	for _, p := range []string{"README", "a", ".dotfile", "space name"} {
		if err := os.RemoveAll(filepath.Join(f.local, p)); err != nil {
			t.Fatal(err)
		}
	}
	_, err := f.push(context.Background(), func(o *PushOptions) { o.Delete = true })
	var ge *plan.GuardError
	if !errors.As(err, &ge) {
		t.Fatalf("err = %v, want a GuardError", err)
	}
	if _, err := os.Stat(filepath.Join(f.remote, "README")); err != nil {
		t.Fatalf("guard let a deletion through: %v", err)
	}
	f.mustPush(func(o *PushOptions) { o.Delete, o.Force = true, true })
	ftptest.TreeEqual(t, f.local, f.remote)
}

func TestPushRefusesMissingLocalDir(t *testing.T) {
	f := newPushFixture(t, nil, inProcess(ftptest.Options{}))
	ftptest.WriteTree(t, f.remote, map[string]string{"keep": "k"})
	f.local = filepath.Join(f.local, "typo")
	if _, err := f.push(context.Background(), func(o *PushOptions) { o.Delete, o.Force = true, true }); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want a missing local directory", err)
	}
	if _, err := os.Stat(filepath.Join(f.remote, "keep")); err != nil {
		t.Fatalf("the remote file went: %v", err)
	}
}

func TestPushRemovesStaleTemporaryUploads(t *testing.T) {
	f := newPushFixture(t, map[string]string{"a": "a"}, inProcess(ftptest.Options{}))
	ftptest.WriteTree(t, f.remote, map[string]string{"d/.gone.ftpmirror-up": "left by a killed run"})
	r := f.mustPush(nil)
	if len(r.Plan.Actions) != 1 {
		t.Fatalf("plan = %+v, want the upload alone (temporary files are not listed)", r.Plan.Actions)
	}
	if _, err := os.Stat(filepath.Join(f.remote, "d/.gone.ftpmirror-up")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("stale temporary upload left: %v", err)
	}
}
