package hostileftp

import (
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
)

// Server is a running hostile FTP server on 127.0.0.1.
type Server struct {
	Addr string // "127.0.0.1:port"
	Host string // "127.0.0.1"
	Port int

	opts Options
	ln   net.Listener
	done chan struct{} // closed by Close
	wg   sync.WaitGroup

	mu      sync.Mutex
	closed  bool
	closers map[io.Closer]struct{} // control and data connections, data listeners
	ctrl    int                    // control connections open now
	stats   Stats

	closeOnce sync.Once
}

// Stats is what the server has seen so far.
type Stats struct {
	// Conns counts the control connections accepted, DataConns the data
	// connections.
	Conns, DataConns int
	// Commands holds every command line received, in order, with the
	// argument of PASS hidden.
	Commands []string
}

// Count returns how many commands with this verb arrived.
func (s Stats) Count(verb string) int {
	n := 0
	for _, c := range s.Commands {
		if v, _, _ := strings.Cut(c, " "); strings.EqualFold(v, verb) {
			n++
		}
	}
	return n
}

// Args returns the arguments of the commands with this verb, in order.
func (s Stats) Args(verb string) []string {
	var out []string
	for _, c := range s.Commands {
		if v, arg, _ := strings.Cut(c, " "); strings.EqualFold(v, verb) {
			out = append(out, arg)
		}
	}
	return out
}

// Serve starts a server on 127.0.0.1 with a free port. The caller must
// Close it.
func Serve(o Options) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().(*net.TCPAddr)
	s := &Server{
		Addr: addr.String(), Host: addr.IP.String(), Port: addr.Port,
		opts: o.withDefaults(), ln: ln, done: make(chan struct{}),
		closers: make(map[io.Closer]struct{}),
	}
	s.wg.Add(1)
	go s.acceptLoop()
	return s, nil
}

// Start is Serve for tests: it fails tb if the server cannot start and
// closes the server when the test ends.
func Start(tb testing.TB, o Options) *Server {
	tb.Helper()
	s, err := Serve(o)
	if err != nil {
		tb.Fatalf("hostileftp: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
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

// Stats returns a copy of what the server has seen so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Commands = append([]string(nil), s.stats.Commands...)
	return st
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
		s.stats.Conns++
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

func (s *Server) record(line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Commands = append(s.stats.Commands, line)
}

func (s *Server) countData() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.DataConns++
}
