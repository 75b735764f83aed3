package state

import (
	"errors"
	"testing"
	"time"
)

// BeforeWrite runs once per write, before the write commits anything: a
// caller that makes its files durable there never has a record committed
// ahead of the data it describes.
func TestBatchBeforeWriteRunsBeforeTheCommitOfEveryBatch(t *testing.T) {
	s := openTemp(t)
	var seen []int // records already committed when each BeforeWrite ran
	b := s.NewBatch(BatchOptions{Size: 2, Interval: time.Hour, BeforeWrite: func() error {
		seen = append(seen, snapshotLen(t, s))
		return nil
	}})
	for _, p := range []string{"a", "b", "c"} {
		if err := b.Put(fileRecord(p, 1)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := b.Flush(); err != nil { // nothing pending: no write, no call
		t.Fatal(err)
	}
	if want := []int{0, 2}; len(seen) != len(want) || seen[0] != want[0] || seen[1] != want[1] {
		t.Errorf("BeforeWrite saw %v records committed, want %v", seen, want)
	}
	if n := snapshotLen(t, s); n != 3 {
		t.Errorf("%d records written, want 3", n)
	}
}

func TestBatchBeforeWriteFailureCommitsNothingAndKeepsChanges(t *testing.T) {
	s := openTemp(t)
	errSync := errors.New("sync failed")
	fail := true
	b := s.NewBatch(BatchOptions{Interval: time.Hour, BeforeWrite: func() error {
		if fail {
			return errSync
		}
		return nil
	}})
	if err := b.Put(fileRecord("a", 1)); err != nil {
		t.Fatal(err)
	}
	if err := b.Flush(); !errors.Is(err, errSync) {
		t.Fatalf("Flush = %v, want the BeforeWrite error", err)
	}
	if n := snapshotLen(t, s); n != 0 || b.Pending() != 1 {
		t.Fatalf("after a failed BeforeWrite: %d written, %d pending; want 0, 1", n, b.Pending())
	}
	fail = false
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	if n := snapshotLen(t, s); n != 1 {
		t.Errorf("after a good BeforeWrite: %d written, want 1", n)
	}
}
