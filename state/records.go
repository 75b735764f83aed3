package state

import (
	"fmt"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/ftpmirror/ftpmirror/plan"
)

// Snapshot returns all records, keyed by path.
func (s *Store) Snapshot() (plan.Snapshot, error) {
	var snap plan.Snapshot
	err := s.view("snapshot", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRecords)
		if b == nil {
			snap = plan.Snapshot{}
			return nil
		}
		snap = make(plan.Snapshot, b.Stats().KeyN)
		return b.ForEach(func(k, v []byte) error {
			path := string(k)
			r, err := decodeRecord(path, v)
			if err != nil {
				return damagedError(err)
			}
			snap[path] = r
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return snap, nil
}

// Len returns the number of records of kind plan.KindFile. It reads a
// counter kept up to date by Apply and Batch, so it is cheap.
func (s *Store) Len() (int, error) {
	var n uint64
	err := s.view("len", func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			return nil
		}
		v := meta.Get(keyFiles)
		var ok bool
		if n, ok = decodeUint(v); !ok {
			return damagedError(fmt.Errorf("bad file count %q", v))
		}
		return nil
	})
	return int(n), err
}

// Apply deletes the records at the paths in del, then writes the records in
// put, in one transaction: after a crash either all of it is in the state or
// none. A path in both ends up with its record from put.
func (s *Store) Apply(put []plan.Record, del []string) error {
	if len(put) == 0 && len(del) == 0 {
		return nil
	}
	// bbolt inserts into a sorted slice per page: keys in order make a large
	// Apply append instead of moving memory on every put. The sort is stable,
	// so of two records of one path the later still wins.
	byPath := func(a, b plan.Record) int { return strings.Compare(a.Path, b.Path) }
	if !slices.IsSortedFunc(put, byPath) {
		put = slices.Clone(put)
		slices.SortStableFunc(put, byPath)
	}
	return s.update("apply", func(tx *bolt.Tx) error {
		w, err := newRecordWriter(tx)
		if err != nil {
			return err
		}
		for _, p := range del {
			if err := w.delete(p); err != nil {
				return err
			}
		}
		for _, r := range put {
			if err := w.put(r); err != nil {
				return err
			}
		}
		return w.finish()
	})
}

// recordWriter changes records within one write transaction and keeps the
// count of file records in step.
type recordWriter struct {
	records *bolt.Bucket
	meta    *bolt.Bucket
	files   int64
}

func newRecordWriter(tx *bolt.Tx) (*recordWriter, error) {
	w := &recordWriter{records: tx.Bucket(bucketRecords), meta: tx.Bucket(bucketMeta)}
	if w.records == nil || w.meta == nil {
		return nil, fmt.Errorf("missing buckets")
	}
	v := w.meta.Get(keyFiles)
	n, ok := decodeUint(v)
	if !ok {
		return nil, fmt.Errorf("bad file count %q", v)
	}
	w.files = int64(n)
	return w, nil
}

func (w *recordWriter) put(r plan.Record) error {
	key := []byte(r.Path)
	if old := w.records.Get(key); old != nil {
		if k, _ := recordKind(old); k == plan.KindFile {
			w.files--
		}
	}
	// A fresh slice each time: bbolt keeps a reference to it until commit.
	if err := w.records.Put(key, appendRecord(make([]byte, 0, 32), r)); err != nil {
		return fmt.Errorf("put %q: %w", r.Path, err)
	}
	if r.Kind == plan.KindFile {
		w.files++
	}
	return nil
}

func (w *recordWriter) delete(path string) error {
	key := []byte(path)
	old := w.records.Get(key)
	if old == nil {
		return nil
	}
	if k, _ := recordKind(old); k == plan.KindFile {
		w.files--
	}
	if err := w.records.Delete(key); err != nil {
		return fmt.Errorf("delete %q: %w", path, err)
	}
	return nil
}

// finish stores the file count; call it before the transaction commits.
func (w *recordWriter) finish() error {
	if w.files < 0 {
		w.files = 0
	}
	return w.meta.Put(keyFiles, encodeUint(uint64(w.files)))
}
