package state

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/plan"
)

func snapshotLen(t *testing.T, s *Store) int {
	t.Helper()
	snap, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	return len(snap)
}

func TestBatchFlushesBySize(t *testing.T) {
	s := openTemp(t)
	b := s.NewBatch(BatchOptions{Size: 3, Interval: time.Hour})
	for i := range 2 {
		if err := b.Put(fileRecord(fmt.Sprint(i), 1)); err != nil {
			t.Fatal(err)
		}
	}
	if n := snapshotLen(t, s); n != 0 {
		t.Fatalf("after 2 of 3: %d records written, want 0", n)
	}
	if err := b.Put(fileRecord("2", 1)); err != nil {
		t.Fatal(err)
	}
	if n := snapshotLen(t, s); n != 3 || b.Pending() != 0 {
		t.Fatalf("after 3 of 3: %d records written, %d pending; want 3, 0", n, b.Pending())
	}
}

func TestBatchFlushWritesPendingInOrder(t *testing.T) {
	s := openTemp(t)
	b := s.NewBatch(BatchOptions{Interval: time.Hour})
	steps := []func() error{
		func() error { return b.Put(fileRecord("a", 1)) },
		func() error { return b.Put(fileRecord("b", 1)) },
		func() error { return b.Delete("a") },
		func() error { return b.Put(fileRecord("b", 2)) },
		func() error { return b.Put(plan.Record{Path: "d", Kind: plan.KindDir}) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	if n := snapshotLen(t, s); n != 0 {
		t.Fatalf("before Flush: %d records written, want 0", n)
	}
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	snap, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := snap["a"]; ok || len(snap) != 2 || snap["b"].RemoteSize != 2 {
		t.Errorf("after Flush: %+v", snap)
	}
	if n, _ := s.Len(); n != 1 {
		t.Errorf("Len() = %d, want 1", n)
	}
	if err := b.Flush(); err != nil {
		t.Errorf("Flush with nothing pending: %v", err)
	}
}

func TestBatchFlushesByInterval(t *testing.T) {
	s := openTemp(t)
	b := s.NewBatch(BatchOptions{Size: 1000, Interval: time.Minute})
	clock := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	b.now = func() time.Time { return clock }
	b.last = clock

	if err := b.Put(fileRecord("a", 1)); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(59 * time.Second)
	if err := b.Put(fileRecord("b", 1)); err != nil {
		t.Fatal(err)
	}
	if n := snapshotLen(t, s); n != 0 {
		t.Fatalf("before the interval: %d records written, want 0", n)
	}
	clock = clock.Add(time.Second)
	if err := b.Delete("a"); err != nil {
		t.Fatal(err)
	}
	if n := snapshotLen(t, s); n != 1 || b.Pending() != 0 {
		t.Fatalf("after the interval: %d records, %d pending; want 1, 0", n, b.Pending())
	}
}

func TestBatchConcurrentPuts(t *testing.T) {
	s := openTemp(t)
	b := s.NewBatch(BatchOptions{Size: 7})
	const workers, each = 8, 100
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				if err := b.Put(fileRecord(fmt.Sprintf("w%d/f%d", w, i), int64(i))); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	if n := snapshotLen(t, s); n != workers*each {
		t.Errorf("%d records written, want %d", n, workers*each)
	}
	if n, _ := s.Len(); n != workers*each {
		t.Errorf("Len() = %d, want %d", n, workers*each)
	}
}

func TestBatchKeepsChangesWhenWriteFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	w, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	s, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b := s.NewBatch(BatchOptions{Size: 2})
	if err := b.Put(fileRecord("a", 1)); err != nil {
		t.Fatal(err)
	}
	if err := b.Put(fileRecord("b", 1)); err == nil {
		t.Fatal("a write to a read-only store succeeded")
	}
	if b.Pending() != 2 {
		t.Errorf("after a failed write %d changes pending, want 2", b.Pending())
	}
}

func TestBatchRefusesEmptyPath(t *testing.T) {
	b := openTemp(t).NewBatch(BatchOptions{})
	if err := b.Put(plan.Record{}); err == nil {
		t.Error("Put of an empty path succeeded")
	}
	if err := b.Delete(""); err == nil {
		t.Error("Delete of an empty path succeeded")
	}
	if b.Pending() != 0 {
		t.Errorf("%d refused changes pending", b.Pending())
	}
}
