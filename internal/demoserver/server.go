package demoserver

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/ftpmirror/ftpmirror/internal/ftpcore"
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
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 5 * time.Minute
	}
	return o
}

// Server is a running demo server on 127.0.0.1.
type Server struct {
	*ftpcore.Server // Addr, Host, Port

	opts Options
	root *os.Root
}

// Serve starts a server for the directory dir on 127.0.0.1 with a free
// port. The caller must Close it.
func Serve(dir string, o Options) (*Server, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("demoserver: %w", err)
	}
	s := &Server{opts: o.withDefaults(), root: root}
	s.Server, err = ftpcore.Listen(ftpcore.Options{
		MaxConns:    s.opts.MaxConns,
		IdleTimeout: s.opts.IdleTimeout,
		DataTimeout: s.opts.DataTimeout,
	}, func(cs *ftpcore.Session) { newSession(s, cs).serve() })
	if err != nil {
		root.Close()
		return nil, fmt.Errorf("demoserver: %w", err)
	}
	return s, nil
}

// Close stops the server: the listener, every connection, and every
// goroutine, which it waits for. It may be called more than once.
func (s *Server) Close() error {
	s.Server.Close()
	_ = s.root.Close()
	return nil
}

// login checks a user and password.
func (s *Server) login(user, pass string) bool {
	if s.opts.Anonymous && (strings.EqualFold(user, "anonymous") || strings.EqualFold(user, "ftp")) {
		return true
	}
	return user == s.opts.User && pass == s.opts.Password
}
