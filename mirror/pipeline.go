package mirror

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"
)

// Over a slow link a mirror is bound by round trips. Once a passive method
// is known to work, the transport pipelines: it sends EPSV (or PASV) and
// lets the library send its data command at once, without waiting for the
// reply; the reply is read, and the data connection dialled, when the
// library reads the data command's reply. An MDTM can ride along the same
// way. The replies the transport owes itself are kept, in order, as
// expectations that ctrlConn.Read consumes before it passes anything on.

// expect queues a handler for the reply to a command sent ahead.
func (t *transport) expect(fn func(reply)) { t.expects = append(t.expects, fn) }

// drain reads the replies owed to the transport's own pipelined commands.
func (t *transport) drain() error {
	for len(t.expects) > 0 {
		r, err := t.readReplyOf(maxStatLines) // a STAT sent ahead is long
		if err != nil {
			return err
		}
		fn := t.expects[0]
		t.expects = t.expects[1:]
		fn(r)
	}
	return nil
}

// sendLogin sends USER with the commands the library sends after it when
// the login works (PASS, FEAT, TYPE I): one round trip instead of four.
func (t *transport) sendLogin(user string) error {
	lines := append([]string{user}, t.login...)
	t.login = nil
	for _, l := range lines {
		if err := t.send(l); err != nil {
			return err
		}
	}
	t.presend = append(t.presend, lines[1:]...)
	return nil
}

// swallow reports whether line was sent ahead already. Lines sent ahead
// that the library skipped (PASS, when USER alone logged in) have their
// replies discarded.
func (t *transport) swallow(line string) bool {
	for len(t.presend) > 0 {
		next := t.presend[0]
		t.presend = t.presend[1:]
		if next == line {
			return true
		}
		t.expect(func(reply) {})
	}
	return false
}

func newPassiveConn(t *transport, m Method, limit int64) *passiveConn {
	return &passiveConn{t: t, method: m, limit: limit, ready: make(chan struct{})}
}

// passiveConn is a passive data connection whose port is not known yet.
type passiveConn struct {
	t      *transport
	method Method
	limit  int64

	resolveOnce sync.Once
	ready       chan struct{}
	conn        net.Conn
	err         error
}

// resolve handles the passive reply: it starts dialling the named port.
// It runs on the goroutine that reads the control connection.
func (p *passiveConn) resolve(r reply) {
	p.resolveOnce.Do(func() {
		t := p.t
		target, note, err := t.passiveTarget(p.method, r)
		if err != nil {
			t.book.record(Attempt{Method: p.method, Stage: StageCommand, Err: err})
			p.finish(nil, err)
			return
		}
		t.target = target
		ctx, cancel := context.WithTimeout(context.Background(), t.opts.DataTimeout)
		t.mu.Lock()
		t.cancelDial = cancel
		t.mu.Unlock()
		go func() {
			defer cancel()
			start := time.Now()
			var d net.Dialer
			conn, err := d.DialContext(ctx, "tcp", target)
			if err != nil {
				if !t.aborted.Load() {
					t.book.record(Attempt{Method: p.method, Stage: StageConnect, Target: target, Err: err, Duration: time.Since(start), Note: note})
				}
				p.finish(nil, err)
				return
			}
			t.book.record(Attempt{Method: p.method, Stage: StageOK, Target: target, Duration: time.Since(start), Note: note})
			p.finish(t.wrapData(conn, p.limit), nil)
		}()
	})
}

func (p *passiveConn) finish(c net.Conn, err error) {
	p.conn, p.err = c, err
	close(p.ready)
}

// cancel gives up a connection whose reply never came.
func (p *passiveConn) cancel() {
	p.resolveOnce.Do(func() { p.finish(nil, errors.New("passive data connection abandoned")) })
}

func (p *passiveConn) get() (net.Conn, error) {
	<-p.ready
	return p.conn, p.err
}

func (p *passiveConn) Read(b []byte) (int, error) {
	c, err := p.get()
	if err != nil {
		return 0, err
	}
	return c.Read(b)
}

func (p *passiveConn) Write(b []byte) (int, error) {
	c, err := p.get()
	if err != nil {
		return 0, err
	}
	return c.Write(b)
}

// Handshake completes the TLS handshake of an empty upload.
func (p *passiveConn) Handshake() error {
	c, err := p.get()
	if err != nil {
		return err
	}
	if tc, ok := c.(*tls.Conn); ok {
		return tc.Handshake()
	}
	return nil
}

// Close closes the connection; one still waiting for its reply is
// abandoned, so that closing never blocks.
func (p *passiveConn) Close() error {
	select {
	case <-p.ready:
	default:
		p.cancel()
	}
	c, err := p.get()
	if err != nil {
		return nil
	}
	return c.Close()
}

func (p *passiveConn) LocalAddr() net.Addr  { return p.t.local }
func (p *passiveConn) RemoteAddr() net.Addr { return p.t.peer }

func (p *passiveConn) SetDeadline(d time.Time) error {
	select {
	case <-p.ready:
		if p.conn != nil {
			return p.conn.SetDeadline(d)
		}
	default:
	}
	return nil
}

func (p *passiveConn) SetReadDeadline(d time.Time) error  { return p.SetDeadline(d) }
func (p *passiveConn) SetWriteDeadline(d time.Time) error { return p.SetDeadline(d) }

// mtimeFuture is the answer to an MDTM sent ahead.
type mtimeFuture struct {
	t  time.Time
	ok bool
}

// prefetchModTime sends MDTM for path now; its reply is read with the next
// reply the library reads.
func (t *transport) prefetchModTime(path string) (*mtimeFuture, error) {
	f := &mtimeFuture{}
	if err := t.send("MDTM " + path); err != nil {
		return nil, err
	}
	t.expect(f.handle)
	return f, nil
}

// handle takes the MDTM reply.
func (f *mtimeFuture) handle(r reply) {
	if r.Code == 213 {
		if tm, err := parseMDTM(r.Msg); err == nil {
			f.t, f.ok = tm, true
		}
	}
}

// parseMDTM reads "YYYYMMDDHHMMSS[.sss]" (RFC 3659), in UTC.
func parseMDTM(s string) (time.Time, error) {
	if len(s) < 14 {
		return time.Time{}, fmt.Errorf("malformed MDTM reply %q", truncate(s, 40))
	}
	t, err := time.Parse("20060102150405", s[:14])
	if err != nil {
		return time.Time{}, fmt.Errorf("malformed MDTM reply %q", truncate(s, 40))
	}
	if len(s) > 15 && s[14] == '.' {
		frac := s[15:]
		if n, err := strconv.Atoi(frac); err == nil && len(frac) <= 9 {
			for range 9 - len(frac) {
				n *= 10
			}
			t = t.Add(time.Duration(n))
		}
	}
	return t.UTC(), nil
}
