package mirror

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// dataConn is one data connection: every read and write has an idle
// deadline, a listing may not exceed its byte limit, and the first error is
// kept so the transport can tell a broken data channel from a refused file.
type dataConn struct {
	net.Conn
	idle    time.Duration
	limit   int64        // 0 = none
	aborted *atomic.Bool // the transport's; once set, no deadline is extended

	mu   sync.Mutex
	read int64
	err  error
}

// errListingTooLong is returned when a listing exceeds its byte limit.
var errListingTooLong = errors.New("listing too long")

// wrapData prepares a freshly opened data connection for op: deadlines,
// limit and, with PROT P, TLS resuming the control connection's session.
func (n *negotiator) wrapData(c net.Conn, op *dataOp) net.Conn {
	if op == nil {
		op = &dataOp{}
	}
	dc := &dataConn{Conn: n.opts.MinRate.bound(c), idle: n.opts.IdleTimeout, limit: op.limit, aborted: n.aborted} // minrate.go
	op.setCurrent(dc)
	conn := n.opts.Bandwidth.conn(dc, n.aborted) // the bytes on the wire, beneath TLS
	if n.tls != nil {
		conn = tls.Client(conn, n.tls)
	}
	if op.limit > 0 {
		// A listing: count its lines as the library reads them.
		lc := &lineCounter{raw: rawLines{all: op.asList}}
		op.setLines(lc)
		conn = &listingConn{Conn: conn, lines: lc}
	}
	return conn
}

// listingConn counts the lines of a listing, in clear, as they are read.
type listingConn struct {
	net.Conn
	lines *lineCounter
}

func (l *listingConn) Read(p []byte) (int, error) {
	n, err := l.Conn.Read(p)
	_, _ = l.lines.Write(p[:n])
	return n, err
}

func (d *dataConn) Read(p []byte) (int, error) {
	_ = d.Conn.SetReadDeadline(time.Now().Add(d.idle))
	if d.aborted != nil && d.aborted.Load() {
		// abort's past deadline may have been undone by the line above.
		_ = d.Conn.SetReadDeadline(time.Unix(1, 0))
	}
	n, err := d.Conn.Read(p)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.read += int64(n)
	if d.limit > 0 && d.read > d.limit {
		err = fmt.Errorf("%w: more than %d bytes", errListingTooLong, d.limit)
		_ = d.Conn.Close()
	}
	if err != nil && err != io.EOF && d.err == nil {
		d.err = err
	}
	return n, err
}

func (d *dataConn) Write(p []byte) (int, error) {
	_ = d.Conn.SetWriteDeadline(time.Now().Add(d.idle))
	if d.aborted != nil && d.aborted.Load() {
		_ = d.Conn.SetWriteDeadline(time.Unix(1, 0))
	}
	n, err := d.Conn.Write(p)
	if err != nil {
		d.mu.Lock()
		if d.err == nil {
			d.err = err
		}
		d.mu.Unlock()
	}
	return n, err
}

// failure returns the error that broke the connection, if any; a listing
// over its limit, or a server too slow (minrate.go), is the server's fault,
// not the channel's, and is not one.
func (d *dataConn) failure() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if errors.Is(d.err, errListingTooLong) || errors.Is(d.err, errAborted) || errors.Is(d.err, ErrTooSlow) {
		return nil
	}
	return d.err
}
