package state

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// SchemaVersion is the layout of the state file this package reads and writes.
// A file with a higher version was written by a newer ftpmirror and is refused.
const SchemaVersion = 1

// Errors a caller tells apart with errors.Is. All three are fatal for a run.
var (
	// ErrLocked means another run holds the state's lock.
	ErrLocked = errors.New("state is locked by another ftpmirror run")
	// ErrSchema means the state file has a schema version this build does not
	// know, usually because a newer ftpmirror wrote it.
	ErrSchema = errors.New("state file has an unsupported schema version")
	// ErrCorrupt means the file is not a usable ftpmirror state database.
	ErrCorrupt = errors.New("not a usable ftpmirror state file")
)

// lockPoll is the bbolt lock timeout used when Options.Wait is 0: bbolt tries
// the lock once, and gives up at its first retry.
const lockPoll = 50 * time.Millisecond

// Bucket and key names. The layout is SchemaVersion 1.
var (
	bucketMeta     = []byte("meta")
	bucketRecords  = []byte("records")
	bucketPartials = []byte("partials")

	keySchema = []byte("schema")
	keyFiles  = []byte("files") // number of records of KindFile
)

// Options control how Open opens a state file. The zero value opens it for
// writing and fails at once with ErrLocked if another run holds it.
type Options struct {
	// ReadOnly opens with a shared lock, never creates the file and writes
	// nothing. Several read-only opens may share a file, but not with a
	// writer.
	ReadOnly bool
	// Wait is how long to wait for the lock before returning ErrLocked.
	// 0 fails at once. The lock is retried every 50ms.
	Wait time.Duration
	// Waiting, if set, is called once when the lock is held by another
	// run and Open starts to wait for it (Wait > 0), before it waits.
	Waiting func()
}

// Store is an open state file. Its methods are safe for concurrent use.
type Store struct {
	db       *bolt.DB
	path     string
	readOnly bool
}

// Open opens the state file at path. Unless opts.ReadOnly is set, it creates
// the parent directories (0700) and the file (0600) when missing. A read-only
// open of a missing or empty file returns an error wrapping fs.ErrNotExist.
func Open(path string, opts Options) (*Store, error) {
	if opts.ReadOnly {
		info, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("open state: %w", err)
		}
		if info.Size() == 0 {
			return nil, fmt.Errorf("open state: %s is empty: %w", path, fs.ErrNotExist)
		}
	} else if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open state: %w", err)
	}

	db, err := openBolt(path, opts)
	if err != nil {
		return nil, openError(path, err)
	}
	s := &Store{db: db, path: path, readOnly: opts.ReadOnly}
	if err := s.prepare(); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// openBolt opens the bbolt file. It tries the lock once; if another run
// holds it and opts.Wait allows, it calls opts.Waiting and waits up to
// opts.Wait for it.
func openBolt(path string, opts Options) (*bolt.DB, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: lockPoll, ReadOnly: opts.ReadOnly})
	if opts.Wait <= 0 || !errors.Is(err, berrors.ErrTimeout) {
		return db, err
	}
	if opts.Waiting != nil {
		opts.Waiting()
	}
	return bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.Wait, ReadOnly: opts.ReadOnly})
}

// openError turns an error of bolt.Open into one of this package's kinds.
func openError(path string, err error) error {
	var pathErr *fs.PathError
	var errno syscall.Errno
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return fmt.Errorf("open state %s: %w", path, ErrLocked)
	case errors.As(err, &pathErr), errors.As(err, &errno):
		return fmt.Errorf("open state: %w", err)
	default:
		// ErrInvalid, ErrChecksum, ErrVersionMismatch, "file size too small"...
		return corruptError(path, err)
	}
}

func corruptError(path string, err error) error {
	return fmt.Errorf("%s: %w (%w); remove it or choose another file with --state", path, ErrCorrupt, err)
}

// damagedError is corruptError for errors that view and update name the file of.
func damagedError(err error) error {
	return fmt.Errorf("%w (%w); remove the file or choose another with --state", ErrCorrupt, err)
}

// prepare checks the schema and, for a writable store, creates the buckets
// of a new file. It writes nothing when the schema is unknown.
func (s *Store) prepare() error {
	if s.readOnly {
		return s.db.View(func(tx *bolt.Tx) error { return s.checkSchema(tx) })
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		if err := s.checkSchema(tx); err != nil {
			return err
		}
		if tx.Bucket(bucketMeta) != nil {
			for _, name := range [][]byte{bucketRecords, bucketPartials} {
				if _, err := tx.CreateBucketIfNotExists(name); err != nil {
					return err
				}
			}
			return nil
		}
		// A new file: lay out schema 1.
		meta, err := tx.CreateBucket(bucketMeta)
		if err != nil {
			return err
		}
		if err := meta.Put(keySchema, encodeUint(SchemaVersion)); err != nil {
			return err
		}
		if err := meta.Put(keyFiles, encodeUint(0)); err != nil {
			return err
		}
		for _, name := range [][]byte{bucketRecords, bucketPartials} {
			if _, err := tx.CreateBucket(name); err != nil {
				return err
			}
		}
		return nil
	})
}

// checkSchema accepts a file of schema 1 and a bbolt file with no buckets at
// all (a new file); it refuses anything else.
func (s *Store) checkSchema(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		empty := true
		_ = tx.ForEach(func([]byte, *bolt.Bucket) error { empty = false; return nil })
		if empty {
			return nil
		}
		return corruptError(s.path, errors.New("bbolt database without ftpmirror metadata"))
	}
	v := meta.Get(keySchema)
	schema, ok := decodeUint(v)
	if !ok || schema == 0 {
		return corruptError(s.path, fmt.Errorf("bad schema value %q", v))
	}
	if schema != SchemaVersion {
		return fmt.Errorf("%s: %w %d (this ftpmirror understands %d); upgrade ftpmirror or choose another file with --state",
			s.path, ErrSchema, schema, SchemaVersion)
	}
	return nil
}

// Path returns the path the store was opened with.
func (s *Store) Path() string { return s.path }

// Close releases the lock and closes the file. Flush any Batch first.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close state %s: %w", s.path, err)
	}
	return nil
}

// update runs fn in a write transaction, with the path in its error.
func (s *Store) update(what string, fn func(tx *bolt.Tx) error) error {
	if err := s.db.Update(fn); err != nil {
		return fmt.Errorf("state %s: %s: %w", s.path, what, err)
	}
	return nil
}

// view runs fn in a read transaction, with the path in its error.
func (s *Store) view(what string, fn func(tx *bolt.Tx) error) error {
	if err := s.db.View(fn); err != nil {
		return fmt.Errorf("state %s: %s: %w", s.path, what, err)
	}
	return nil
}
