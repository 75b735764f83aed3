package state

import (
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Meta is what the state remembers about the mirror as a whole.
type Meta struct {
	// Schema is the file's schema version. SetMeta ignores it.
	Schema int
	// Remote is the remote URL, without credentials.
	Remote string
	// Local is the absolute local directory.
	Local string
	// DataMethod is the data channel mode that last worked (e.g. "epsv").
	DataMethod string
	// NoSendAhead is set once the server was seen to mishandle commands
	// sent during a transfer: later runs send one command at a time.
	NoSendAhead bool
	// LastRun is when the last run started; zero if none.
	LastRun time.Time
	// LastComplete is whether the last run finished without failures.
	LastComplete bool
	// Checksum is the digest the last run verified its transfers with
	// (--checksum): "SHA-256" and so on, "size" when the server offered
	// none, "" when the run did not verify.
	Checksum string
	// ServerOffset is how far ahead of UTC the server reports times, when
	// ServerOffsetKnown. ServerOffsetTried says that learning it was tried
	// and failed (the server lets us create no file), so that it is not
	// tried on every run.
	ServerOffset                         time.Duration
	ServerOffsetKnown, ServerOffsetTried bool
}

// Keys of the meta bucket, besides keySchema and keyFiles.
var (
	keyRemote       = []byte("remote")
	keyLocal        = []byte("local")
	keyDataMethod   = []byte("data_method")
	keyNoSendAhead  = []byte("no_send_ahead")
	keyLastRun      = []byte("last_run")
	keyLastComplete = []byte("last_complete")
	keyChecksum     = []byte("checksum")
	// keyServerOffset holds the offset in seconds, or offsetUnknown.
	keyServerOffset = []byte("server_offset")
)

// offsetUnknown is the value of keyServerOffset when learning it failed.
const offsetUnknown = "?"

// Meta returns the metadata. A file that was never written returns a zero Meta.
func (s *Store) Meta() (Meta, error) {
	var m Meta
	err := s.view("read metadata", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMeta)
		if b == nil {
			return nil
		}
		schema, _ := decodeUint(b.Get(keySchema))
		m.Schema = int(schema)
		m.Remote = string(b.Get(keyRemote))
		m.Local = string(b.Get(keyLocal))
		m.DataMethod = string(b.Get(keyDataMethod))
		if v := b.Get(keyLastRun); v != nil {
			d := decoder{b: v}
			m.LastRun = d.time()
			if err := d.finish(); err != nil {
				return damagedError(fmt.Errorf("last run: %w", err))
			}
		}
		m.LastComplete = string(b.Get(keyLastComplete)) == "1"
		m.NoSendAhead = string(b.Get(keyNoSendAhead)) == "1"
		m.Checksum = string(b.Get(keyChecksum))
		switch v := string(b.Get(keyServerOffset)); v {
		case "":
		case offsetUnknown:
			m.ServerOffsetTried = true
		default:
			secs, err := strconv.ParseInt(v, 10, 32)
			if err != nil {
				return damagedError(fmt.Errorf("server offset %q: %w", v, err))
			}
			m.ServerOffset, m.ServerOffsetKnown, m.ServerOffsetTried = time.Duration(secs)*time.Second, true, true
		}
		return nil
	})
	return m, err
}

// SetMeta stores m in one transaction. m.Schema is ignored: the schema is
// the store's own.
func (s *Store) SetMeta(m Meta) error {
	return s.update("write metadata", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMeta)
		if b == nil {
			return fmt.Errorf("missing meta bucket")
		}
		complete, noAhead := "0", "0"
		if m.LastComplete {
			complete = "1"
		}
		if m.NoSendAhead {
			noAhead = "1"
		}
		for _, kv := range []struct {
			key   []byte
			value string
		}{
			{keyRemote, m.Remote},
			{keyLocal, m.Local},
			{keyDataMethod, m.DataMethod},
			{keyLastComplete, complete},
			{keyNoSendAhead, noAhead},
			{keyChecksum, m.Checksum},
		} {
			if err := b.Put(kv.key, []byte(kv.value)); err != nil {
				return err
			}
		}
		if err := putServerOffset(b, m); err != nil {
			return err
		}
		if m.LastRun.IsZero() {
			return b.Delete(keyLastRun)
		}
		return b.Put(keyLastRun, appendTime(nil, m.LastRun))
	})
}

func putServerOffset(b *bolt.Bucket, m Meta) error {
	switch {
	case m.ServerOffsetKnown:
		return b.Put(keyServerOffset, []byte(strconv.FormatInt(int64(m.ServerOffset/time.Second), 10)))
	case m.ServerOffsetTried:
		return b.Put(keyServerOffset, []byte(offsetUnknown))
	}
	return b.Delete(keyServerOffset)
}
