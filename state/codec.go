package state

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/ftpmirror/ftpmirror/plan"
)

// A record value (schema 1) is:
//
//	kind       1 byte (plan.Kind)
//	flags      1 byte: which of the three times are set
//	RemoteSize varint
//	RemoteModTime   [varint Unix seconds, uvarint nanoseconds] if set
//	RemotePrecision varint nanoseconds
//	LocalSize  varint
//	LocalModTime    [seconds, nanoseconds] if set
//	SyncedAt        [seconds, nanoseconds] if set
//
// The key is the path. A zero time.Time is stored as an unset flag, so it is
// still zero after a round trip. Times are kept as seconds plus nanoseconds
// rather than UnixNano so that any year survives, not only 1678-2262; the
// size is the same for the usual whole-second FTP times. Decoded times are UTC.
const (
	flagRemoteModTime byte = 1 << iota
	flagLocalModTime
	flagSyncedAt
)

// errTruncated reports a value shorter than its layout.
var errTruncated = errors.New("truncated value")

// appendRecord appends the encoding of r (without its path) to buf.
func appendRecord(buf []byte, r plan.Record) []byte {
	var flags byte
	if !r.RemoteModTime.IsZero() {
		flags |= flagRemoteModTime
	}
	if !r.LocalModTime.IsZero() {
		flags |= flagLocalModTime
	}
	if !r.SyncedAt.IsZero() {
		flags |= flagSyncedAt
	}
	buf = append(buf, byte(r.Kind), flags)
	buf = binary.AppendVarint(buf, r.RemoteSize)
	if flags&flagRemoteModTime != 0 {
		buf = appendTime(buf, r.RemoteModTime)
	}
	buf = binary.AppendVarint(buf, int64(r.RemotePrecision))
	buf = binary.AppendVarint(buf, r.LocalSize)
	if flags&flagLocalModTime != 0 {
		buf = appendTime(buf, r.LocalModTime)
	}
	if flags&flagSyncedAt != 0 {
		buf = appendTime(buf, r.SyncedAt)
	}
	return buf
}

// decodeRecord decodes a value written by appendRecord.
func decodeRecord(path string, v []byte) (plan.Record, error) {
	if len(v) < 2 {
		return plan.Record{}, fmt.Errorf("record %q: %w", path, errTruncated)
	}
	r := plan.Record{Path: path, Kind: plan.Kind(v[0])}
	if r.Kind > plan.KindSymlink {
		return plan.Record{}, fmt.Errorf("record %q: unknown kind %d", path, v[0])
	}
	flags := v[1]
	d := decoder{b: v[2:]}
	r.RemoteSize = d.varint()
	if flags&flagRemoteModTime != 0 {
		r.RemoteModTime = d.time()
	}
	r.RemotePrecision = time.Duration(d.varint())
	r.LocalSize = d.varint()
	if flags&flagLocalModTime != 0 {
		r.LocalModTime = d.time()
	}
	if flags&flagSyncedAt != 0 {
		r.SyncedAt = d.time()
	}
	if err := d.finish(); err != nil {
		return plan.Record{}, fmt.Errorf("record %q: %w", path, err)
	}
	return r, nil
}

// recordKind returns the kind of an encoded record without decoding it.
func recordKind(v []byte) (plan.Kind, bool) {
	if len(v) == 0 {
		return 0, false
	}
	return plan.Kind(v[0]), true
}

func appendTime(buf []byte, t time.Time) []byte {
	buf = binary.AppendVarint(buf, t.Unix())
	return binary.AppendUvarint(buf, uint64(t.Nanosecond()))
}

// decoder reads varints from b and remembers the first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errTruncated
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errTruncated
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) time() time.Time {
	sec := d.varint()
	nsec := d.uvarint()
	if d.err == nil && nsec >= uint64(time.Second) {
		d.err = fmt.Errorf("bad nanoseconds %d", nsec)
	}
	if d.err != nil {
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)).UTC()
}

// finish reports a decoding error or bytes left over.
func (d *decoder) finish() error {
	if d.err != nil {
		return d.err
	}
	if len(d.b) != 0 {
		return fmt.Errorf("%d unexpected trailing bytes", len(d.b))
	}
	return nil
}

// encodeUint and decodeUint store counters and the schema as 8 bytes, big endian.
func encodeUint(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

func decodeUint(b []byte) (uint64, bool) {
	if len(b) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(b), true
}
