package ftpcore

import (
	"errors"
	"io"
	"net"
	"sync"
	"time"
)

// Options configure a Server. The zero value bounds nothing but the
// control connections (32 at once).
type Options struct {
	// MaxConns bounds the control connections open at once; more are
	// answered "421" (default 32).
	MaxConns int
	// IdleTimeout, when set, bounds waiting for each command, the writing
	// of each reply and each data transfer. Zero waits without end.
	IdleTimeout time.Duration
	// DataTimeout bounds waiting for a data connection, passive or active
	// (default 10s).
	DataTimeout time.Duration
	// OnAccept, when set, is called for every control connection accepted,
	// before the bound on them is checked.
	OnAccept func()
}

func (o Options) withDefaults() Options {
	if o.MaxConns <= 0 {
		o.MaxConns = 32
	}
	if o.DataTimeout <= 0 {
		o.DataTimeout = 10 * time.Second
	}
	return o
}

// Server accepts control connections on 127.0.0.1 and serves each with its
// own goroutine.
type Server struct {
	Addr string // "127.0.0.1:port"
	Host string // "127.0.0.1"
	Port int

	opts  Options
	serve func(*Session)
	ln    net.Listener
	done  chan struct{} // closed by Close
	wg    sync.WaitGroup

	mu      sync.Mutex
	closed  bool
	closers map[io.Closer]struct{} // control and data connections, data listeners
	ctrl    int                    // control connections open now

	closeOnce sync.Once
}

// Listen starts a server on 127.0.0.1 with a free port; serve runs once per
// control connection, which is closed when serve returns. The caller must
// Close the server.
func Listen(o Options, serve func(*Session)) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().(*net.TCPAddr)
	s := &Server{
		Addr: addr.String(), Host: addr.IP.String(), Port: addr.Port,
		opts: o.withDefaults(), serve: serve, ln: ln, done: make(chan struct{}),
		closers: make(map[io.Closer]struct{}),
	}
	s.wg.Add(1)
	go s.acceptLoop()
	return s, nil
}

// Close stops the server: it closes the listener and every connection and
// waits for every goroutine of the server to end. It may be called more than
// once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.done)
		_ = s.ln.Close()
		s.mu.Lock()
		s.closed = true
		closers := s.closers
		s.closers = nil
		s.mu.Unlock()
		for c := range closers {
			_ = c.Close()
		}
		s.wg.Wait()
	})
}

// Done is closed when Close begins.
func (s *Server) Done() <-chan struct{} { return s.done }

// Closed reports whether Close has begun.
func (s *Server) Closed() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

func (s *Server) acceptLoop() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return // closed
		}
		if !s.track(c) {
			_ = c.Close()
			return
		}
		if s.opts.OnAccept != nil {
			s.opts.OnAccept()
		}
		s.mu.Lock()
		full := s.ctrl >= s.opts.MaxConns
		if !full {
			s.ctrl++
		}
		s.mu.Unlock()
		if full {
			_, _ = io.WriteString(c, "421 Too many connections\r\n")
			s.untrack(c)
			_ = c.Close()
			continue
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() {
				s.mu.Lock()
				s.ctrl--
				s.mu.Unlock()
			}()
			ss := newSession(s, c)
			defer ss.end()
			s.serve(ss)
		}()
	}
}

// track registers c to be closed by Close; it returns false when the server
// is already closed, and the caller must close c itself.
func (s *Server) track(c io.Closer) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.closers[c] = struct{}{}
	return true
}

func (s *Server) untrack(c io.Closer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.closers, c)
}
