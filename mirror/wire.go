package mirror

import (
	"bufio"
	"errors"
	"net"
	"sync/atomic"
	"time"
)

// errAborted is returned by I/O on a connection whose operation was cancelled.
var errAborted = errors.New("operation aborted")

// wire is the control connection's socket: the bytes, their deadlines and
// whether the connection can still be used. It alone writes broken: any
// failure to write a line or read a reply marks the connection lost, and
// so does the transport when the replies fall out of step (fail).
type wire struct {
	tcp  net.Conn // the socket, for abort from any goroutine
	conn net.Conn // what lines go through: tcp, or TLS over it
	br   *bufio.Reader
	idle time.Duration
	// charset, if set, is what a line is encoded in when sent (charset.go).
	charset *Charset

	aborted atomic.Bool
	broken  error // only the goroutine that owns the Conn reads or writes it
}

func newWire(tcp net.Conn, idle time.Duration) *wire {
	return &wire{tcp: tcp, conn: tcp, br: bufio.NewReader(tcp), idle: idle}
}

// upgrade puts c (TLS over the socket) in place of the connection.
func (w *wire) upgrade(c net.Conn) {
	w.conn, w.br = c, bufio.NewReader(c)
}

// err returns why the connection is unusable, or nil.
func (w *wire) err() error {
	if w.broken != nil {
		return w.broken
	}
	if w.aborted.Load() {
		return errAborted
	}
	return nil
}

// fail marks the connection unusable; the first reason is kept.
func (w *wire) fail(err error) error {
	if w.broken == nil {
		w.broken = err
	}
	return err
}

// send writes one command line.
func (w *wire) send(line string) error {
	if err := w.err(); err != nil {
		return err
	}
	if err := w.deadline(w.conn.SetWriteDeadline); err != nil {
		return err
	}
	if _, err := w.conn.Write([]byte(w.charset.encodeCommand(line) + "\r\n")); err != nil {
		return w.fail(err)
	}
	return nil
}

// readReply reads one reply of at most maxLines lines.
func (w *wire) readReply(maxLines int) (reply, error) {
	if err := w.err(); err != nil {
		return reply{}, err
	}
	if err := w.deadline(w.conn.SetReadDeadline); err != nil {
		return reply{}, err
	}
	r, err := readReply(w.br, maxLines)
	if err != nil {
		return reply{}, w.fail(err)
	}
	return r, nil
}

// deadline gives the next read or write the idle timeout, unless the wire
// was aborted: abort may run at any moment on another goroutine, so the
// flag is checked again after the deadline is set.
func (w *wire) deadline(set func(time.Time) error) error {
	if w.aborted.Load() {
		return errAborted
	}
	_ = set(time.Now().Add(w.idle))
	if w.aborted.Load() {
		_ = set(time.Unix(1, 0))
		return errAborted
	}
	return nil
}

// abort makes every blocked read or write fail at once, from any goroutine.
func (w *wire) abort() {
	w.aborted.Store(true)
	w.interrupt()
}

// interrupt fails the blocked read or write without marking the abort:
// the read that fails then breaks the connection.
func (w *wire) interrupt() { _ = w.tcp.SetDeadline(time.Unix(1, 0)) }

// close closes the connection.
func (w *wire) close() error { return w.conn.Close() }
