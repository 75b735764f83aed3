package mirror

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

// proftpdFixture serves files with proftpd and mod_digest, chrooted so that
// the mirror's remote root is "/".
func proftpdFixture(t *testing.T, files map[string]string) *pullFixture {
	t.Helper()
	remote := t.TempDir()
	ftptest.WriteTree(t, remote, files)
	s := ftptest.StartProftpd(t, remote, ftptest.ProftpdOptions{Chroot: true})
	return &pullFixture{t: t, remote: remote, local: filepath.Join(t.TempDir(), "mirror"),
		state: filepath.Join(t.TempDir(), "state.db"), srv: serverFor(s)}
}

func TestProftpdHashMatchesTheLocalDigest(t *testing.T) {
	content := strings.Repeat("mod_digest ", 1000)
	f := proftpdFixture(t, map[string]string{"d/a file.txt": content, "d/plain.txt": content})
	local := filepath.Join(t.TempDir(), "a")
	if err := os.WriteFile(local, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	pool := NewPool(NewDialer(f.srv, Options{}), 1)
	defer pool.Close()
	ctx := context.Background()
	err := pool.Do(ctx, func(c *Conn) error {
		hs, err := c.HashSupport(ctx)
		if err != nil {
			return err
		}
		best, ok := hs.Best()
		if !ok || best.Command != "HASH" {
			t.Fatalf("proftpd offers %+v, best %+v", hs, best)
		}
		methods := []HashMethod{best}
		for _, x := range xHashCommands {
			if hs.X[x.Command] {
				methods = append(methods, x)
			}
		}
		if len(methods) != 5 {
			t.Errorf("methods %v, want HASH and the four X commands", methods)
		}
		for _, m := range methods {
			name := "/d/a file.txt"
			if m.Command != "HASH" {
				// mod_digest's X commands read "NAME [START END]": a name
				// with a space is refused, and the sync compares by
				// download instead (refusedCommand).
				if _, err := c.HashWith(ctx, name, m); !refusedCommand(err) {
					t.Errorf("%s of a name with a space: %v, want a refusal", m.Command, err)
				}
				name = "/d/plain.txt"
			}
			got, err := c.HashWith(ctx, name, m)
			if err != nil {
				return err
			}
			want, _ := HashFile(local, m.Alg)
			if !bytes.Equal(got, want) {
				t.Errorf("%s %s: %x, want %x", m.Command, m.Alg, got, want)
			}
		}
		if _, err := c.HashWith(ctx, "/d/missing", best); err == nil || Classify(err) != KindPerFile {
			t.Errorf("hash of a missing file: %v, want a per-file error", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// messageLog records the messages of a logger, at every level.
type messageLog struct {
	mu   sync.Mutex
	msgs []string
}

func (m *messageLog) Enabled(context.Context, slog.Level) bool { return true }
func (m *messageLog) Handle(_ context.Context, r slog.Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.msgs = append(m.msgs, r.Message)
	return nil
}
func (m *messageLog) WithAttrs([]slog.Attr) slog.Handler { return m }
func (m *messageLog) WithGroup(string) slog.Handler      { return m }

func (m *messageLog) has(msg string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range m.msgs {
		if s == msg {
			return true
		}
	}
	return false
}

const hashMessage = "comparing content with the server's digests"

// syncEditsOnBothSides runs the scenario of issue 12 against a real server:
// after a first sync, one file is edited on both sides to the same size
// within the same second (a conflict), another to the same bytes (adopted),
// a third is new on both sides, alike by size and time but not by content.
// It returns what the runs logged.
func syncEditsOnBothSides(t *testing.T, f *pullFixture) *messageLog {
	t.Helper()
	if err := os.MkdirAll(f.local, 0o755); err != nil {
		t.Fatal(err)
	}
	log := &messageLog{}
	withLog := func(o *SyncOptions) { o.Logger = slog.New(log) }
	f.mustSync(withLog)
	t1 := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	editBothSides(t, f, "notes.txt", "base+local7", "base+remot7", t1)
	editBothSides(t, f, "same.txt", "the same edit", "the same edit", t1)
	editBothSides(t, f, "new.txt", "made here!", "made there", t1)
	r := f.mustSync(withLog)
	if s := r.Done; s.Conflicts != 2 || s.Adopted != 1 {
		t.Fatalf("done = %+v, want notes.txt and new.txt in conflict, same.txt adopted", s)
	}
	checkKeptBoth(t, f, "notes.txt", "base+remot7", "base+local7")
	checkKeptBoth(t, f, "new.txt", "made there", "made here!")
	if r := f.mustSync(withLog); len(r.Plan.Actions) != 0 {
		t.Fatalf("the sync after the conflicts plans %v", r.Plan.Actions)
	}
	return log
}

func TestProftpdSyncComparesEditsOnBothSidesByTheServersHash(t *testing.T) {
	f := proftpdFixture(t, map[string]string{"notes.txt": "base", "same.txt": "base"})
	if log := syncEditsOnBothSides(t, f); !log.has(hashMessage) {
		t.Fatal("the content was not compared by the server's hash")
	}
}

func TestVsftpdSyncComparesEditsOnBothSidesByDownload(t *testing.T) {
	f, _ := vsftpdFixture(t, map[string]string{"notes.txt": "base", "same.txt": "base"}, ftptest.VsftpdOptions{Writable: true})
	if log := syncEditsOnBothSides(t, f); log.has(hashMessage) {
		t.Fatal("vsftpd offers no hash, yet one was used")
	}
}

// syncInterestingRows runs rows of the decision table against a real
// server: a file against a directory each way, a deletion against a change
// each way, a directory deleted on the remote while a file was added in it
// locally.
func syncInterestingRows(t *testing.T, f *pullFixture) {
	t.Helper()
	if err := os.MkdirAll(f.local, 0o755); err != nil {
		t.Fatal(err)
	}
	f.mustSync(nil)
	t1 := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	writeAt(t, f.local, "x", "local file x", t1)
	writeAt(t, f.remote, "x/in.txt", "remote dir x", t1)
	writeAt(t, f.local, "y/in.txt", "local dir y", t1)
	writeAt(t, f.remote, "y", "remote file y", t1)
	writeAt(t, f.local, "del-remote.txt", "changed here", t1)
	if err := os.Remove(filepath.Join(f.remote, "del-remote.txt")); err != nil {
		t.Fatal(err)
	}
	writeAt(t, f.remote, "del-local.txt", "changed there", t1)
	if err := os.Remove(filepath.Join(f.local, "del-local.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(f.remote, "d")); err != nil {
		t.Fatal(err)
	}
	writeAt(t, f.local, "d/added.txt", "added in d", t1)

	dry := f.mustSync(func(o *SyncOptions) { o.DryRun = true })
	if s := dry.Plan.Summary(); s.Renames != 2 {
		t.Fatalf("dry run plans %v, want the two kind conflicts named", dry.Plan.Actions)
	}
	f.mustSync(func(o *SyncOptions) { o.Force = true }) // d/old.txt's deletion is 1 of 3
	ftptest.TreeEqual(t, f.remote, f.local)
	got := map[string]string{}
	for _, rel := range []string{"x/in.txt", "y/in.txt", "del-remote.txt", "del-local.txt", "d/added.txt"} {
		got[rel] = readFile(t, filepath.Join(f.local, rel))
	}
	want := map[string]string{"x/in.txt": "remote dir x", "y/in.txt": "local dir y", "del-remote.txt": "changed here",
		"del-local.txt": "changed there", "d/added.txt": "added in d"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	for pattern, want := range map[string]string{"x.conflict-local-*": "local file x", "y.conflict-remote-*": "remote file y"} {
		m, _ := filepath.Glob(filepath.Join(f.remote, pattern))
		if len(m) != 1 || readFile(t, m[0]) != want {
			t.Errorf("remote %s: %v, want one copy holding %q", pattern, m, want)
		}
	}
	noTempNames(t, f.local)
	noTempNames(t, f.remote)
	if r := f.mustSync(nil); len(r.Plan.Actions) != 0 {
		t.Fatalf("the sync after plans %v", r.Plan.Actions)
	}
}

var interestingRowsTree = map[string]string{"del-remote.txt": "base", "del-local.txt": "base", "d/old.txt": "old"}

func TestProftpdSyncKindConflictsAndDeletionsAgainstChanges(t *testing.T) {
	syncInterestingRows(t, proftpdFixture(t, interestingRowsTree))
}

func TestVsftpdSyncKindConflictsAndDeletionsAgainstChanges(t *testing.T) {
	f, _ := vsftpdFixture(t, interestingRowsTree, ftptest.VsftpdOptions{Writable: true})
	syncInterestingRows(t, f)
}
