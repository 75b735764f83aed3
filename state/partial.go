package state

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Partial is an interrupted transfer. A later run may resume it only when
// the source still has the same Size and ModTime.
type Partial struct {
	// Path is the mirrored path, as in plan.Record.
	Path string
	// Size and ModTime are the source's when the transfer started.
	Size    int64
	ModTime time.Time
	// Temp is the name of the temporary file holding the bytes so far.
	Temp string
}

// A partial value (schema 1) is: flags (1 byte, bit 0: ModTime set), Size
// varint, ModTime [varint seconds, uvarint nanoseconds] if set, then the
// bytes of Temp to the end.
const flagPartialModTime byte = 1

// PutPartial records p, replacing any partial of the same path.
func (s *Store) PutPartial(p Partial) error {
	if p.Path == "" {
		return errors.New("put partial: empty path")
	}
	var flags byte
	if !p.ModTime.IsZero() {
		flags |= flagPartialModTime
	}
	v := binary.AppendVarint([]byte{flags}, p.Size)
	if flags&flagPartialModTime != 0 {
		v = appendTime(v, p.ModTime)
	}
	v = append(v, p.Temp...)
	return s.update("put partial", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketPartials)
		if b == nil {
			return fmt.Errorf("missing partials bucket")
		}
		return b.Put([]byte(p.Path), v)
	})
}

// Partial returns the partial of path, and whether there is one.
func (s *Store) Partial(path string) (Partial, bool, error) {
	var p Partial
	var found bool
	err := s.view("read partial", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketPartials)
		if b == nil {
			return nil
		}
		v := b.Get([]byte(path))
		if v == nil {
			return nil
		}
		var err error
		p, err = decodePartial(path, v)
		if err != nil {
			return damagedError(err)
		}
		found = true
		return nil
	})
	return p, found, err
}

// DeletePartial forgets the partial of path, if any.
func (s *Store) DeletePartial(path string) error {
	return s.update("delete partial", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketPartials)
		if b == nil {
			return fmt.Errorf("missing partials bucket")
		}
		return b.Delete([]byte(path))
	})
}

// Partials returns all partials, sorted by the bytes of their paths.
func (s *Store) Partials() ([]Partial, error) {
	var ps []Partial
	err := s.view("read partials", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketPartials)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			p, err := decodePartial(string(k), v)
			if err != nil {
				return damagedError(err)
			}
			ps = append(ps, p)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return ps, nil
}

func decodePartial(path string, v []byte) (Partial, error) {
	if len(v) < 1 {
		return Partial{}, fmt.Errorf("partial %q: %w", path, errTruncated)
	}
	flags := v[0]
	d := decoder{b: v[1:]}
	p := Partial{Path: path, Size: d.varint()}
	if flags&flagPartialModTime != 0 {
		p.ModTime = d.time()
	}
	if d.err != nil {
		return Partial{}, fmt.Errorf("partial %q: %w", path, d.err)
	}
	p.Temp = string(d.b)
	return p, nil
}
