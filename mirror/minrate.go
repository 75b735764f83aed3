package mirror

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"time"
)

// The idle timeout ends a transfer that stops; it does not end one that
// trickles: a server that sends a byte every 30 seconds resets it with
// every byte, and keeps a run, and the state lock, for ever. So every data
// connection, a listing's or a file's, must also make progress: at least
// MinRate.Bytes in every MinRate.Window, or it is cut with ErrTooSlow.

// ErrTooSlow means a data connection moved fewer bytes in a window than
// Options.MinRate asks. The listing or transfer fails (a per-file failure);
// the data channel itself is not at fault.
var ErrTooSlow = errors.New("data connection too slow")

// MinRate is the least progress a data connection must make: Bytes in
// every Window of its life. The zero value is DefaultMinRate; a negative
// Bytes turns the bound off.
type MinRate struct {
	Bytes  int64
	Window time.Duration
}

// DefaultMinRate is 1 KiB a minute: far below any real link, far above a
// server that trickles.
var DefaultMinRate = MinRate{Bytes: 1 << 10, Window: time.Minute}

// Off reports whether the bound is turned off.
func (m MinRate) Off() bool { return m.Bytes < 0 }

func (m MinRate) withDefaults() MinRate {
	if m == (MinRate{}) {
		return DefaultMinRate
	}
	if m.Window <= 0 {
		m.Window = DefaultMinRate.Window
	}
	return m
}

// ParseMinRate reads a bound as --min-rate takes it: "BYTES/WINDOW" with
// BYTES as ParseRate reads it and WINDOW a duration ("1K/60s", "10k/30s"),
// or "off".
func ParseMinRate(s string) (MinRate, error) {
	t := strings.TrimSpace(s)
	if strings.EqualFold(t, "off") {
		return MinRate{Bytes: -1}, nil
	}
	bytes, window, ok := strings.Cut(t, "/")
	bad := fmt.Errorf("invalid minimum rate %q: give bytes per window such as 1K/60s, or off", s)
	if !ok {
		return MinRate{}, bad
	}
	r, err := ParseRate(bytes)
	w, werr := time.ParseDuration(strings.TrimSpace(window))
	if err != nil || r <= 0 || werr != nil || w <= 0 {
		return MinRate{}, bad
	}
	return MinRate{Bytes: int64(r), Window: w}, nil
}

// String writes the bound as ParseMinRate reads it.
func (m MinRate) String() string {
	if m.Off() {
		return "off"
	}
	m = m.withDefaults()
	return Rate(m.Bytes).String() + "/" + m.Window.String()
}

// bound wraps a freshly opened data connection, beneath everything else
// (TLS, counting, the idle deadline), so that it measures the bytes on the
// wire. It returns c itself when the bound is off.
func (m MinRate) bound(c net.Conn) net.Conn {
	if m.Off() {
		return c
	}
	b := &boundedConn{Conn: c, min: m.withDefaults()}
	b.timer = time.AfterFunc(time.Hour, b.check)
	b.timer.Reset(b.min.Window)
	return b
}

// boundedConn is a data connection that must move min.Bytes in every
// min.Window. A timer looks at the end of each window; when too little
// moved, it marks the connection slow and sets a deadline in the past, so
// that a read or write blocked in it returns at once, with ErrTooSlow.
type boundedConn struct {
	net.Conn
	min   MinRate
	timer *time.Timer
	moved atomic.Int64 // bytes in the current window
	slow  atomic.Bool
}

func (b *boundedConn) check() {
	if b.moved.Swap(0) >= b.min.Bytes {
		b.timer.Reset(b.min.Window)
		return
	}
	b.slow.Store(true) // before the deadline: a read that sees it returns at once
	_ = b.Conn.SetDeadline(time.Unix(1, 0))
}

func (b *boundedConn) tooSlow() error {
	return fmt.Errorf("%w: fewer than %d bytes in %s", ErrTooSlow, b.min.Bytes, b.min.Window)
}

func (b *boundedConn) Read(p []byte) (int, error) {
	if b.slow.Load() {
		return 0, b.tooSlow()
	}
	n, err := b.Conn.Read(p)
	b.moved.Add(int64(n))
	if err != nil && b.slow.Load() {
		err = b.tooSlow()
	}
	return n, err
}

func (b *boundedConn) Write(p []byte) (int, error) {
	if b.slow.Load() {
		return 0, b.tooSlow()
	}
	n, err := b.Conn.Write(p)
	b.moved.Add(int64(n))
	if err != nil && b.slow.Load() {
		err = b.tooSlow()
	}
	return n, err
}

// SetDeadline, SetReadDeadline and SetWriteDeadline keep a slow
// connection's past deadline: the idle deadline set before each read must
// not undo it.
func (b *boundedConn) SetDeadline(t time.Time) error {
	if b.slow.Load() {
		return nil
	}
	return b.Conn.SetDeadline(t)
}

func (b *boundedConn) SetReadDeadline(t time.Time) error {
	if b.slow.Load() {
		return nil
	}
	return b.Conn.SetReadDeadline(t)
}

func (b *boundedConn) SetWriteDeadline(t time.Time) error {
	if b.slow.Load() {
		return nil
	}
	return b.Conn.SetWriteDeadline(t)
}

func (b *boundedConn) Close() error {
	b.timer.Stop()
	return b.Conn.Close()
}
