package hostileftp

import (
	"strings"
	"sync"
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/ftpcore"
)

// Server is a running hostile FTP server on 127.0.0.1.
//
// Close stops the server: it closes the listener and every connection and
// waits for every goroutine of the server to end. It may be called more than
// once.
type Server struct {
	*ftpcore.Server // Addr, Host, Port, Close

	opts Options

	mu    sync.Mutex
	stats Stats
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
	s := &Server{opts: o.withDefaults()}
	var err error
	s.Server, err = ftpcore.Listen(ftpcore.Options{
		MaxConns:    s.opts.MaxConns,
		DataTimeout: s.opts.AcceptTimeout,
		OnAccept:    s.countConn,
	}, func(cs *ftpcore.Session) { newSession(s, cs).serve() })
	if err != nil {
		return nil, err
	}
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

// Stats returns a copy of what the server has seen so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Commands = append([]string(nil), s.stats.Commands...)
	return st
}

func (s *Server) countConn() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Conns++
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
