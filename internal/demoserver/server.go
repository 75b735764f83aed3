package demoserver

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"time"
)

// Options configure a Server. The zero value serves read-only to user
// "demo" with password "demo".
type Options struct {
	// User and Password are the one account; default "demo" and "demo".
	User, Password string
	// Anonymous also admits "anonymous" (and "ftp") with any password.
	Anonymous bool
	// DataTimeout bounds waiting for a data connection, passive or active
	// (default 10s).
	DataTimeout time.Duration
	// IdleTimeout ends a session that sends no command for this long
	// (default 5m).
	IdleTimeout time.Duration
	// MaxConns bounds the control connections open at once; more are
	// answered "421" (default 32).
	MaxConns int
}

func (o Options) withDefaults() Options {
	if o.User == "" {
		o.User = "demo"
	}
	if o.Password == "" {
		o.Password = "demo"
	}
	if o.DataTimeout <= 0 {
		o.DataTimeout = 10 * time.Second
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 5 * time.Minute
	}
	if o.MaxConns <= 0 {
		o.MaxConns = 32
	}
	return o
}

// Server is a running demo server on 127.0.0.1.
type Server struct {
	Addr string // "127.0.0.1:port"
	Host string // "127.0.0.1"
	Port int

	opts Options
	root *os.Root
	ln   net.Listener
	done chan struct{}
	wg   sync.WaitGroup

	mu      sync.Mutex
	closed  bool
	closers map[io.Closer]struct{}
	ctrl    int

	closeOnce sync.Once
}

// Serve starts a server for the directory dir on 127.0.0.1 with a free
// port. The caller must Close it.
func Serve(dir string, o Options) (*Server, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("demoserver: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		root.Close()
		return nil, fmt.Errorf("demoserver: %w", err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	s := &Server{
		Addr: addr.String(), Host: addr.IP.String(), Port: addr.Port,
		opts: o.withDefaults(), root: root, ln: ln, done: make(chan struct{}),
		closers: map[io.Closer]struct{}{},
	}
	s.wg.Add(1)
	go s.acceptLoop()
	return s, nil
}

// Close stops the server: the listener, every connection, and every
// goroutine, which it waits for. It may be called more than once.
func (s *Server) Close() error {
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
		_ = s.root.Close()
	})
	return nil
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
			newSession(s, c).serve()
		}()
	}
}

// track registers c to be closed by Close; false when the server is closed
// already, and the caller must close c itself.
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

func (s *Server) isClosed() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// login checks a user and password.
func (s *Server) login(user, pass string) bool {
	if s.opts.Anonymous && (strings.EqualFold(user, "anonymous") || strings.EqualFold(user, "ftp")) {
		return true
	}
	return user == s.opts.User && pass == s.opts.Password
}
