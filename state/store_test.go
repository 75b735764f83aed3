package state

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/ftpmirror/ftpmirror/plan"
)

func TestOpenCreatesPrivateDirsAndFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "state.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Path() != path {
		t.Errorf("Path() = %q, want %q", s.Path(), path)
	}
	for p, want := range map[string]fs.FileMode{path: 0o600, filepath.Dir(path): 0o700 | fs.ModeDir} {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode() != want {
			t.Errorf("%s: mode %v, want %v", p, info.Mode(), want)
		}
	}
	m, err := s.Meta()
	if err != nil {
		t.Fatal(err)
	}
	if m.Schema != SchemaVersion {
		t.Errorf("new file has schema %d, want %d", m.Schema, SchemaVersion)
	}
}

func TestRecordsAndMetaSurviveReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	put := []plan.Record{
		fileRecord("a.txt", 1),
		fileRecord("dir/b.txt", 2),
		{Path: "dir", Kind: plan.KindDir},
		{Path: "link", Kind: plan.KindSymlink, RemoteModTime: time.Unix(5, 0)},
		{Path: "dir/ünïcode file", Kind: plan.KindFile},
	}
	if err := s.Apply(put, nil); err != nil {
		t.Fatal(err)
	}
	meta := Meta{
		Remote: "ftp://example.org/pub", Local: "/srv/mirror", DataMethod: "epsv",
		LastRun: time.Date(2024, 5, 6, 7, 8, 9, 10, time.UTC), LastComplete: true,
	}
	if err := s.SetMeta(meta); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	snap, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if len(snap) != len(put) {
		t.Errorf("snapshot has %d records, want %d", len(snap), len(put))
	}
	for _, want := range put {
		if got, ok := snap[want.Path]; !ok || !sameRecord(got, want) {
			t.Errorf("snapshot[%q] = %+v, %v; want %+v", want.Path, got, ok, want)
		}
	}
	if n, err := s.Len(); err != nil || n != 3 {
		t.Errorf("Len() = %d, %v; want 3 files", n, err)
	}
	got, err := s.Meta()
	if err != nil {
		t.Fatal(err)
	}
	meta.Schema = SchemaVersion
	if got != meta {
		t.Errorf("Meta() = %+v, want %+v", got, meta)
	}
}

func TestSetMetaZeroLastRunStaysZero(t *testing.T) {
	s := openTemp(t)
	if err := s.SetMeta(Meta{LastRun: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetMeta(Meta{Remote: "r"}); err != nil {
		t.Fatal(err)
	}
	m, err := s.Meta()
	if err != nil {
		t.Fatal(err)
	}
	if !m.LastRun.IsZero() || m.LastComplete || m.Remote != "r" {
		t.Errorf("Meta() = %+v, want only Remote set", m)
	}
}

func TestApplyDeletesThenPutsAndCountsFiles(t *testing.T) {
	s := openTemp(t)
	if err := s.Apply([]plan.Record{fileRecord("a", 1), fileRecord("b", 2), fileRecord("c", 3)}, nil); err != nil {
		t.Fatal(err)
	}
	// "a" becomes a directory, "b" is deleted, "c" is deleted and put again,
	// "missing" is deleted though absent, "a" is overwritten twice.
	put := []plan.Record{fileRecord("c", 30), fileRecord("a", 10), {Path: "a", Kind: plan.KindDir}}
	if err := s.Apply(put, []string{"b", "c", "missing"}); err != nil {
		t.Fatal(err)
	}
	if put[0].Path != "c" || put[2].Kind != plan.KindDir {
		t.Errorf("Apply reordered the caller's slice: %+v", put)
	}
	snap, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if len(snap) != 2 || snap["a"].Kind != plan.KindDir || snap["c"].RemoteSize != 30 {
		t.Errorf("snapshot = %+v", snap)
	}
	if n, err := s.Len(); err != nil || n != 1 {
		t.Errorf("Len() = %d, %v; want 1", n, err)
	}
}

func TestApplyIsAllOrNothing(t *testing.T) {
	s := openTemp(t)
	err := s.Apply([]plan.Record{fileRecord("ok", 1), {Path: ""}}, nil)
	if err == nil {
		t.Fatal("Apply of an empty path succeeded")
	}
	snap, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Len(); len(snap) != 0 || n != 0 {
		t.Errorf("after a failed Apply: snapshot %v, Len %d; want nothing", snap, n)
	}
}

func TestSecondOpenIsLocked(t *testing.T) {
	s := openTemp(t)
	_, err := Open(s.Path(), Options{})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: %v, want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), s.Path()) {
		t.Errorf("error %q does not name the file", err)
	}
	if _, err := Open(s.Path(), Options{ReadOnly: true}); !errors.Is(err, ErrLocked) {
		t.Errorf("read-only Open beside a writer: %v, want ErrLocked", err)
	}
}

func TestReadOnlyOpensShare(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	w, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r1, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r1.Close()
	r2, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("second read-only Open: %v", err)
	}
	defer r2.Close()
	if _, err := Open(path, Options{}); !errors.Is(err, ErrLocked) {
		t.Errorf("writer beside readers: %v, want ErrLocked", err)
	}
	if err := r1.Apply([]plan.Record{fileRecord("a", 1)}, nil); !errors.Is(err, berrors.ErrDatabaseReadOnly) {
		t.Errorf("Apply on a read-only store: %v, want ErrDatabaseReadOnly", err)
	}
}

func TestWaitGetsLockWhenHolderCloses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	holder, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		s   *Store
		err error
	}
	done := make(chan result)
	waiting := make(chan struct{})
	go func() {
		s, err := Open(path, Options{Wait: time.Minute, Waiting: func() { close(waiting) }})
		done <- result{s, err}
	}()
	select {
	case <-waiting:
	case r := <-done:
		t.Fatalf("Open returned without waiting for the lock held: %v", r.err)
	}
	if err := holder.Close(); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil {
		t.Fatalf("Open with Wait after the holder closed: %v", r.err)
	}
	r.s.Close()
}

func TestWaitingIsCalledOnlyWhenOpenWaits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	calls := 0
	waiting := func() { calls++ }
	free, err := Open(path, Options{Wait: time.Minute, Waiting: waiting})
	if err != nil {
		t.Fatal(err)
	}
	defer free.Close()
	if calls != 0 {
		t.Errorf("Waiting called %d times for a free lock", calls)
	}
	// Held, without Wait: refused at once, without waiting.
	if _, err := Open(path, Options{Waiting: waiting}); !errors.Is(err, ErrLocked) || calls != 0 {
		t.Errorf("Open of a held lock without Wait: %v, Waiting called %d times; want ErrLocked and 0", err, calls)
	}
	// Held, with a short Wait: Waiting once, then ErrLocked.
	if _, err := Open(path, Options{Wait: time.Millisecond, Waiting: waiting}); !errors.Is(err, ErrLocked) || calls != 1 {
		t.Errorf("Open of a held lock with Wait: %v, Waiting called %d times; want ErrLocked and 1", err, calls)
	}
}

func TestReadOnlyMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dir", "state.db")
	_, err := Open(path, Options{ReadOnly: true})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("read-only Open of a missing file: %v, want fs.ErrNotExist", err)
	}
	if _, err := os.Stat(filepath.Dir(path)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("read-only Open created the directory (stat: %v)", err)
	}
}

func TestReadOnlyEmptyFileIsNotExist(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path, Options{ReadOnly: true}); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("read-only Open of an empty file: %v, want fs.ErrNotExist", err)
	}
	if info, err := os.Stat(path); err != nil || info.Size() != 0 {
		t.Errorf("read-only Open wrote to the empty file (%v, %v)", info.Size(), err)
	}
}

func TestReadOnlyWritesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	w, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Apply([]plan.Record{fileRecord("a", 1)}, nil); err != nil {
		t.Fatal(err)
	}
	w.Close()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Snapshot(); err != nil {
		t.Fatal(err)
	}
	r.Close()
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("a read-only open changed the file")
	}
}

func TestOpenRefusesCorruptFile(t *testing.T) {
	cases := map[string][]byte{
		"short text": []byte("this is not a database\n"),
		"one page":   bytes.Repeat([]byte("x"), 5000),
		"many pages": bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef}, 16<<10),
	}
	for name, content := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.db")
			if err := os.WriteFile(path, content, 0o600); err != nil {
				t.Fatal(err)
			}
			for _, ro := range []bool{false, true} {
				_, err := Open(path, Options{ReadOnly: ro})
				if !errors.Is(err, ErrCorrupt) {
					t.Fatalf("Open(ReadOnly=%v): %v, want ErrCorrupt", ro, err)
				}
				if msg := err.Error(); !strings.Contains(msg, path) || !strings.Contains(msg, "--state") {
					t.Errorf("error %q should name the file and suggest --state", msg)
				}
			}
			if got, _ := os.ReadFile(path); !bytes.Equal(got, content) {
				t.Error("Open changed the corrupt file")
			}
		})
	}
}

func TestOpenCorruptWrapsBoltError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	if err := os.WriteFile(path, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path, Options{}); !errors.Is(err, berrors.ErrInvalid) {
		t.Errorf("Open: %v, want it to wrap bbolt's ErrInvalid", err)
	}
}

func TestOpenRefusesForeignBoltDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket([]byte("somebody else's"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Open(path, Options{}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Open of a foreign bbolt file: %v, want ErrCorrupt", err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keySchema, encodeUint(SchemaVersion+1))
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before, _ := os.ReadFile(path)

	for _, ro := range []bool{false, true} {
		_, err := Open(path, Options{ReadOnly: ro})
		if !errors.Is(err, ErrSchema) {
			t.Fatalf("Open(ReadOnly=%v): %v, want ErrSchema", ro, err)
		}
		if !strings.Contains(err.Error(), path) {
			t.Errorf("error %q does not name the file", err)
		}
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("Open changed a file of a newer schema")
	}
}

func TestSnapshotReportsDamagedRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Apply([]plan.Record{fileRecord("good", 1)}, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketRecords).Put([]byte("bad"), []byte{0})
	}); err != nil {
		t.Fatal(err)
	}
	_, err = s.Snapshot()
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Snapshot: %v, want ErrCorrupt", err)
	}
	if msg := err.Error(); !strings.Contains(msg, path) || !strings.Contains(msg, `"bad"`) {
		t.Errorf("error %q should name the file and the record", msg)
	}
	s.Close()
}
