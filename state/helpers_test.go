package state

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/plan"
)

// openTemp opens a new writable store in a temporary directory and closes
// it when the test ends.
func openTemp(t testing.TB) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "state.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// fileRecord returns a record of a file at path with every field set.
func fileRecord(path string, size int64) plan.Record {
	mod := time.Date(2024, 3, 1, 12, 30, 0, 0, time.UTC)
	return plan.Record{
		Path:            path,
		Kind:            plan.KindFile,
		RemoteSize:      size,
		RemoteModTime:   mod,
		RemotePrecision: time.Second,
		LocalSize:       size,
		LocalModTime:    mod.Add(123456789 * time.Nanosecond),
		SyncedAt:        time.Date(2024, 3, 2, 8, 0, 0, 987, time.UTC),
	}
}

// sameRecord reports whether a and b are equal, comparing times as instants.
func sameRecord(a, b plan.Record) bool {
	return a.Path == b.Path && a.Kind == b.Kind &&
		a.RemoteSize == b.RemoteSize && a.RemoteModTime.Equal(b.RemoteModTime) &&
		a.RemotePrecision == b.RemotePrecision &&
		a.LocalSize == b.LocalSize && a.LocalModTime.Equal(b.LocalModTime) &&
		a.SyncedAt.Equal(b.SyncedAt)
}
