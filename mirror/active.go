package mirror

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"time"
)

// listenActive listens on ip, on a port in [low, high] when given.
func listenActive(ip net.IP, low, high int) (net.Listener, error) {
	if low <= 0 || high < low {
		return net.Listen("tcp", net.JoinHostPort(ip.String(), "0"))
	}
	n := high - low + 1
	start := rand.IntN(n)
	var last error
	for i := range n {
		port := low + (start+i)%n
		ln, err := net.Listen("tcp", net.JoinHostPort(ip.String(), strconv.Itoa(port)))
		if err == nil {
			return ln, nil
		}
		last = err
	}
	return nil, fmt.Errorf("no free port in %d-%d: %w", low, high, last)
}

// activeWait accepts the one data connection the server opens in active
// mode. Only the server's address is admitted: any other peer is refused
// and the wait goes on.
type activeWait struct {
	ln     net.Listener
	server net.IP
	method Method
	target string
	log    *slog.Logger

	armOnce    sync.Once
	cancelOnce sync.Once
	done       chan struct{}
	conn       net.Conn
	err        error
}

func newActiveWait(ln net.Listener, server net.IP, m Method, target string, log *slog.Logger) *activeWait {
	return &activeWait{ln: ln, server: server, method: m, target: target, log: log, done: make(chan struct{})}
}

// arm starts accepting, once the data command has been sent. If the server
// has not connected within timeout, onTimeout is called.
func (w *activeWait) arm(timeout time.Duration, onTimeout func()) {
	w.armOnce.Do(func() {
		if tl, ok := w.ln.(*net.TCPListener); ok {
			_ = tl.SetDeadline(time.Now().Add(timeout))
		}
		go w.accept(onTimeout)
	})
}

func (w *activeWait) accept(onTimeout func()) {
	defer close(w.done)
	defer w.ln.Close()
	for {
		c, err := w.ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				w.err = fmt.Errorf("waited for the server's active data connection: the server did not connect to %s within the data timeout: %w", w.target, err)
				onTimeout()
			} else {
				w.err = err
			}
			return
		}
		peer, _ := c.RemoteAddr().(*net.TCPAddr)
		if peer == nil || !peer.IP.Equal(w.server) {
			w.log.Warn("refused a data connection from a stranger", "peer", c.RemoteAddr(), "server", w.server)
			_ = c.Close()
			continue
		}
		w.conn = c
		return
	}
}

// cancel stops waiting; a connection already accepted is kept.
func (w *activeWait) cancel() {
	w.cancelOnce.Do(func() {
		_ = w.ln.Close()
		w.armOnce.Do(func() { close(w.done) })
	})
}

// disarm cancels the wait if the data command was never sent, so that
// closing an unused connection never blocks.
func (w *activeWait) disarm() {
	w.armOnce.Do(func() {
		_ = w.ln.Close()
		close(w.done)
	})
}

// wait returns the accepted connection, or why there is none.
func (w *activeWait) wait() (net.Conn, error) {
	<-w.done
	if w.conn == nil && w.err == nil {
		return nil, errors.New("active data connection cancelled")
	}
	return w.conn, w.err
}

// activeConn is the data connection handed to the library in active mode.
// The library "dials" before it sends the data command, so the connection is
// accepted lazily, on first use.
type activeConn struct {
	w    *activeWait
	n    *negotiator
	op   *dataOp
	once sync.Once
	conn net.Conn
	err  error
}

func (a *activeConn) get() (net.Conn, error) {
	a.once.Do(func() {
		c, err := a.w.wait()
		if err != nil {
			a.err = err
			return
		}
		a.op.record(Attempt{Method: a.w.method, Stage: StageOK, Target: a.w.target})
		a.conn = a.n.wrapData(c, a.op)
	})
	return a.conn, a.err
}

func (a *activeConn) Read(p []byte) (int, error) {
	c, err := a.get()
	if err != nil {
		return 0, err
	}
	return c.Read(p)
}

func (a *activeConn) Write(p []byte) (int, error) {
	c, err := a.get()
	if err != nil {
		return 0, err
	}
	return c.Write(p)
}

// Handshake completes the TLS handshake of an empty upload, as the library
// does for its own TLS connections.
func (a *activeConn) Handshake() error {
	c, err := a.get()
	if err != nil {
		return err
	}
	if tc, ok := c.(*tls.Conn); ok {
		return tc.Handshake()
	}
	return nil
}

// Close waits for the server's connection if the data command was sent (an
// empty upload never reads or writes), then closes it.
func (a *activeConn) Close() error {
	a.w.disarm()
	c, err := a.get()
	if err != nil {
		return nil
	}
	return c.Close()
}

func (a *activeConn) LocalAddr() net.Addr  { return a.w.ln.Addr() }
func (a *activeConn) RemoteAddr() net.Addr { return &net.TCPAddr{IP: a.w.server} }

func (a *activeConn) SetDeadline(t time.Time) error {
	if c, err := a.get(); err == nil {
		return c.SetDeadline(t)
	}
	return nil
}

func (a *activeConn) SetReadDeadline(t time.Time) error  { return a.SetDeadline(t) }
func (a *activeConn) SetWriteDeadline(t time.Time) error { return a.SetDeadline(t) }
