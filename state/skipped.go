package state

import (
	bolt "go.etcd.io/bbolt"
)

// bucketSkipped holds the paths the last run left out on purpose (a name
// that cannot be mirrored, a symlink that leaves the tree), each with the
// reason it was told. It lets a run warn about such a path once, the first
// time it sees it, and mention it only in verbose output afterwards. Files
// without it (made before it existed) read as having none.
var bucketSkipped = []byte("skipped")

// Skipped returns the paths recorded by SetSkipped, with their reasons.
func (s *Store) Skipped() (map[string]string, error) {
	out := map[string]string{}
	err := s.view("read skipped", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSkipped)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			out[string(k)] = string(v)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SetSkipped replaces the skipped paths with those of m (path -> reason),
// in one transaction. Paths are stored as their bytes, whatever they hold.
func (s *Store) SetSkipped(m map[string]string) error {
	for p := range m {
		if err := checkKey(p); err != nil {
			delete(m, p) // cannot be remembered: it will be told again
		}
	}
	return s.update("write skipped", func(tx *bolt.Tx) error {
		if tx.Bucket(bucketSkipped) != nil {
			if err := tx.DeleteBucket(bucketSkipped); err != nil {
				return err
			}
		}
		if len(m) == 0 {
			return nil
		}
		b, err := tx.CreateBucket(bucketSkipped)
		if err != nil {
			return err
		}
		for p, why := range m {
			if err := b.Put([]byte(p), []byte(why)); err != nil {
				return err
			}
		}
		return nil
	})
}
