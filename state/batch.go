package state

import (
	"errors"
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ftpmirror/ftpmirror/plan"
)

// BatchOptions control when a Batch writes. The zero value works.
type BatchOptions struct {
	// Size is how many pending changes cause a write. Default 256.
	Size int
	// Interval is how long after the last write a change causes a write,
	// however few are pending. Default 2s.
	Interval time.Duration
	// BeforeWrite, if set, is called by every write after it has taken the
	// pending changes and before it commits them: whatever a change refers
	// to that was done before the change was queued can be made durable
	// there, once for the whole batch (mirror flushes the local files to
	// disk). If it fails, nothing is written, the changes stay pending and
	// the write returns its error.
	BeforeWrite func() error
}

func (o *BatchOptions) applyDefaults() {
	if o.Size <= 0 {
		o.Size = 256
	}
	if o.Interval <= 0 {
		o.Interval = 2 * time.Second
	}
}

// Batch gathers record changes from many goroutines and writes them in few
// transactions, so that a run commits each finished file without paying a
// disk sync per file. A write happens inside Put or Delete when Size changes
// are pending or Interval has passed since the last write; there is no
// background goroutine, so call Flush at the end of a run (and before
// Store.Close). Changes are written in the order they were made.
type Batch struct {
	s    *Store
	opts BatchOptions
	now  func() time.Time // time.Now; replaced in tests

	flushMu sync.Mutex // held during a write, so writes commit in order

	mu      sync.Mutex // guards pending and last
	pending []change
	last    time.Time
}

// change is a pending Put (del false) or Delete (del true, rec.Path only).
type change struct {
	rec plan.Record
	del bool
}

// NewBatch returns an empty batch writing to s.
func (s *Store) NewBatch(o BatchOptions) *Batch {
	o.applyDefaults()
	return &Batch{s: s, opts: o, now: time.Now, last: time.Now()}
}

// Put queues r to be stored, replacing any record of the same path.
func (b *Batch) Put(r plan.Record) error {
	if err := checkKey(r.Path); err != nil {
		return err
	}
	return b.add(change{rec: r})
}

// Delete queues the removal of the record of path.
func (b *Batch) Delete(path string) error {
	if err := checkKey(path); err != nil {
		return err
	}
	return b.add(change{rec: plan.Record{Path: path}, del: true})
}

func (b *Batch) add(c change) error {
	b.mu.Lock()
	b.pending = append(b.pending, c)
	due := len(b.pending) >= b.opts.Size || b.now().Sub(b.last) >= b.opts.Interval
	b.mu.Unlock()
	if !due {
		return nil
	}
	return b.Flush()
}

// Flush writes all pending changes in one transaction. If the write fails,
// the changes stay pending and the next Flush tries them again.
func (b *Batch) Flush() error {
	b.flushMu.Lock()
	defer b.flushMu.Unlock()

	b.mu.Lock()
	changes := b.pending
	b.pending = nil
	b.last = b.now()
	b.mu.Unlock()
	if len(changes) == 0 {
		return nil
	}

	var err error
	if b.opts.BeforeWrite != nil {
		err = b.opts.BeforeWrite()
	}
	if err == nil {
		err = b.write(changes)
	}
	if err != nil {
		b.mu.Lock()
		b.pending = append(changes, b.pending...)
		b.mu.Unlock()
	}
	return err
}

// write commits changes in one transaction.
func (b *Batch) write(changes []change) error {
	return b.s.update("flush batch", func(tx *bolt.Tx) error {
		w, err := newRecordWriter(tx)
		if err != nil {
			return err
		}
		for _, c := range changes {
			if c.del {
				err = w.delete(c.rec.Path)
			} else {
				err = w.put(c.rec)
			}
			if err != nil {
				return err
			}
		}
		return w.finish()
	})
}

// Pending returns the number of changes not yet written.
func (b *Batch) Pending() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.pending)
}

// checkKey refuses a path bbolt cannot store, before it is queued where it
// would make every later write fail.
func checkKey(path string) error {
	switch {
	case path == "":
		return errors.New("state: empty path")
	case len(path) > bolt.MaxKeySize:
		return fmt.Errorf("state: path of %d bytes is longer than %d", len(path), bolt.MaxKeySize)
	}
	return nil
}
