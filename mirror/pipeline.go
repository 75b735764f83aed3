package mirror

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Over a slow link a mirror is bound by round trips. Once a passive method
// is known to work, the transport pipelines: it sends EPSV (or PASV) and
// lets the library send its data command at once, without waiting for the
// reply; the reply is read, and the data connection dialled, when the
// library reads the data command's reply. An MDTM can ride along the same
// way, and TYPE I with FEAT. Each such command has its entry in the record
// of owed replies (owed.go), in wire order, with the handler that takes
// its reply.

// pipelinePolicy is what a Dialer's connections may send ahead, shared by
// them: commands together while the connection is idle (Options.NoPipeline
// turns that off), and the next download during a transfer (ahead.go),
// which stops for good once the server is seen to mishandle it.
type pipelinePolicy struct {
	pipeline bool
	noAhead  atomic.Bool
	warnOnce sync.Once
}

func newPipelinePolicy(o Options) *pipelinePolicy {
	p := &pipelinePolicy{pipeline: !o.NoPipeline}
	p.noAhead.Store(o.NoPipeline || o.NoSendAhead)
	return p
}

// sendsAhead reports whether the next download may be sent during a transfer.
func (p *pipelinePolicy) sendsAhead() bool { return !p.noAhead.Load() }

// stopSendingAhead turns sending ahead off for the server, saying so once.
func (p *pipelinePolicy) stopSendingAhead(log *slog.Logger, server string) {
	p.noAhead.Store(true)
	p.warnOnce.Do(func() {
		log.Info("the server mishandles commands sent during a transfer; sending them one at a time from now on", "server", server)
	})
}

func newPassiveConn(n *negotiator, m Method) *passiveConn {
	return &passiveConn{n: n, method: m, ready: make(chan struct{})}
}

// passiveConn is a passive data connection whose port is not known yet.
// Its attempt is told to the book by the operation that takes it up.
type passiveConn struct {
	n      *negotiator
	method Method

	resolveOnce sync.Once
	ready       chan struct{}
	raw         net.Conn
	err         error

	attempt Attempt

	op       *dataOp // the operation that uses it; set and read by its goroutine
	wrapOnce sync.Once
	conn     net.Conn
}

// takenBy makes op the operation that uses the connection.
func (p *passiveConn) takenBy(op *dataOp) { p.op = op }

// resolve handles the passive reply: it starts dialling the named port.
// It runs on the goroutine that reads the control connection.
func (p *passiveConn) resolve(r reply) {
	p.resolveOnce.Do(func() {
		n := p.n
		target, note, err := n.passiveTarget(p.method, r)
		if err != nil {
			p.finish(nil, err, Attempt{Method: p.method, Stage: StageCommand, Err: err})
			return
		}
		go func() {
			ctx, cancel := context.WithTimeout(n.dialCtx, n.opts.DataTimeout)
			defer cancel()
			start := time.Now()
			var d net.Dialer
			conn, err := d.DialContext(ctx, "tcp", target)
			if err != nil {
				if n.aborted.Load() {
					p.finish(nil, err, Attempt{})
					return
				}
				err = fmt.Errorf("connecting to %s for data (waited at most %s): %w", target, n.opts.DataTimeout, err)
				p.finish(nil, err, Attempt{Method: p.method, Stage: StageConnect, Target: target, Err: err, Duration: time.Since(start), Note: note})
				return
			}
			p.finish(conn, nil, Attempt{Method: p.method, Stage: StageOK, Target: target, Duration: time.Since(start), Note: note})
		}()
	})
}

// finish makes the outcome known; a is told to the book by the operation
// that used the connection (takeAttempt).
func (p *passiveConn) finish(c net.Conn, err error, a Attempt) {
	p.raw, p.err, p.attempt = c, err, a
	close(p.ready)
}

// takeAttempt returns the connection's attempt once, when it is known.
func (p *passiveConn) takeAttempt() (Attempt, bool) {
	select {
	case <-p.ready:
	default:
		return Attempt{}, false
	}
	a := p.attempt
	p.attempt = Attempt{}
	return a, a.Method != ""
}

// cancel gives up a connection whose reply never came.
func (p *passiveConn) cancel() {
	p.resolveOnce.Do(func() { p.finish(nil, errors.New("passive data connection abandoned"), Attempt{}) })
}

// dialled waits for the dial and returns the connection as dialled.
func (p *passiveConn) dialled() (net.Conn, error) {
	<-p.ready
	return p.raw, p.err
}

// get returns the connection as the library uses it: with deadlines,
// limits and TLS for the operation that took it up.
func (p *passiveConn) get() (net.Conn, error) {
	c, err := p.dialled()
	if err != nil {
		return nil, err
	}
	p.wrapOnce.Do(func() { p.conn = p.n.wrapData(c, p.op) })
	return p.conn, nil
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
	c, err := p.dialled()
	if err != nil {
		return nil
	}
	if p.conn != nil {
		return p.conn.Close()
	}
	return c.Close()
}

func (p *passiveConn) LocalAddr() net.Addr  { return p.n.local }
func (p *passiveConn) RemoteAddr() net.Addr { return p.n.peer }

func (p *passiveConn) SetDeadline(d time.Time) error {
	select {
	case <-p.ready:
		if p.raw != nil {
			return p.raw.SetDeadline(d)
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
	if _, err := t.sendOwn("MDTM "+path, maxReplyLines, false, f.handle); err != nil {
		return nil, err
	}
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
