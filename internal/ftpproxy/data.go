package ftpproxy

import (
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// relay opens a one-shot listener on 127.0.0.1:0 and returns its port. The
// first connection it accepts is relayed to target (a loopback address);
// the listener closes after that one accept, after AcceptTimeout, or on
// Close. Passive mode: the client connects and target is the server's data
// port. Active mode: the server connects and target is the client's.
func (p *Proxy) relay(target string) (int, error) {
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return 0, fmt.Errorf("ftpproxy: data listener: %w", err)
	}
	if !p.track(ln) {
		return 0, errClosed
	}
	_ = ln.SetDeadline(time.Now().Add(p.opts.AcceptTimeout))
	port := ln.Addr().(*net.TCPAddr).Port
	ok := p.spawn(func() {
		a, err := ln.Accept()
		p.release(ln)
		if err != nil {
			p.opts.Logger.Debug("ftpproxy: data accept", "port", port, "err", err)
			return
		}
		if !p.track(a) {
			return
		}
		b, err := p.dial(target)
		if err != nil {
			p.opts.Logger.Debug("ftpproxy: data dial", "target", target, "err", err)
			p.release(a)
			return
		}
		p.pipeData(a, b)
	})
	if !ok {
		p.release(ln)
		return 0, errClosed
	}
	return port, nil
}

// dataConn is a relayed data connection with its cut fault.
type dataConn struct {
	a, b    net.Conn
	cut     bool
	left    atomic.Int64 // bytes still allowed before the cut
	cutOnce sync.Once
}

// pipeData relays a and b both ways with the data faults until both
// directions end, then closes both.
func (p *Proxy) pipeData(a, b net.Conn) {
	dc := &dataConn{a: a, b: b}
	var after int64
	dc.cut, after = p.cutPlan()
	dc.left.Store(after)
	defer p.release(a)
	defer p.release(b)
	if dc.cut && after == 0 {
		p.abort(dc)
		return
	}
	back := make(chan struct{})
	if !p.spawn(func() {
		defer close(back)
		p.pump(p.newLink(a), a, b, dc)
	}) {
		return
	}
	p.pump(p.newLink(b), b, a, dc)
	<-back
}

// pump copies src to dst through l (a link to dst), applying the data
// faults when dc is not nil, then flushes l and half-closes dst so the peer
// sees the end of the stream.
func (p *Proxy) pump(l *link, dst net.Conn, src io.Reader, dc *dataConn) {
	var th *throttle
	if dc != nil {
		th = newThrottle(p.opts.BytesPerSec)
	}
	buf := make([]byte, th.readSize())
	for {
		n, err := src.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			cutNow := false
			if dc != nil && dc.cut {
				left := dc.left.Add(-int64(n))
				if left <= 0 {
					before := left + int64(n) // allowance before this chunk
					if before <= 0 {
						break // the other direction cut already
					}
					chunk, cutNow = chunk[:before], true
				}
			}
			if !th.wait(len(chunk), p.life.Done()) {
				break
			}
			if _, werr := l.Write(chunk); werr != nil {
				break
			}
			if cutNow {
				_ = l.Close() // deliver what came before the cut, delay included
				p.abort(dc)
				return
			}
		}
		if err != nil {
			break
		}
	}
	_ = l.Close()
	if tc, ok := dst.(interface{ CloseWrite() error }); ok {
		_ = tc.CloseWrite()
	}
}

// abort resets both sides of a cut data connection and counts the cut.
func (p *Proxy) abort(dc *dataConn) {
	dc.cutOnce.Do(func() {
		p.mu.Lock()
		p.stats.CutConns++
		p.mu.Unlock()
		p.opts.Logger.Debug("ftpproxy: cutting data connection")
		for _, c := range []net.Conn{dc.a, dc.b} {
			if tc, ok := c.(*net.TCPConn); ok {
				_ = tc.SetLinger(0) // close with RST
			}
			_ = c.Close()
		}
	})
}
