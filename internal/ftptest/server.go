package ftptest

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	ftpserver "goftp.io/server/v2"
)

// TLS modes for Options.TLS.
const (
	TLSExplicit = "explicit" // AUTH TLS on a plain control connection
	TLSImplicit = "implicit" // TLS from the first byte
)

// Options configure the in-process server. The zero value serves the root
// read-write to user "user" with password "secret", without TLS.
type Options struct {
	// User and Password are the account's credentials; default "user" and
	// "secret".
	User, Password string
	// Anonymous also admits user "anonymous" with any password.
	Anonymous bool
	// Disable lists FTP verbs (e.g. "EPSV", "PASV", "EPRT", "PORT", "MLSD",
	// "MFMT") that are answered "502 Command not implemented".
	Disable []string
	// TLS is "", TLSExplicit or TLSImplicit. With TLS a self-signed
	// certificate for 127.0.0.1 is generated at start; Server.CertPool
	// trusts it.
	TLS string
	// Logger receives the server's session logs at debug level; nil
	// discards them.
	Logger *slog.Logger
}

func (o *Options) applyDefaults() {
	if o.User == "" {
		o.User = "user"
	}
	if o.Password == "" {
		o.Password = "secret"
	}
}

// Server is a running FTP server on 127.0.0.1.
type Server struct {
	Addr     string // "127.0.0.1:port"
	Host     string // "127.0.0.1"
	Port     int
	Root     string // the served directory, absolute
	User     string
	Password string
	// LoginDir is the directory a session starts in, as the server names
	// it (PWD): "/" on a chrooted server, Root's absolute path on one that
	// is not (vsftpd with VsftpdOptions.Debian).
	LoginDir string
	// CertPool trusts the server's certificate when it uses TLS; nil
	// otherwise.
	CertPool *x509.CertPool

	closeOnce sync.Once
	closeErr  error
	stop      func() error
}

// Close stops the server and closes its client connections. It is safe to
// call more than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.stop() })
	return s.closeErr
}

// Serve starts an in-process FTP server for root on 127.0.0.1 and returns
// once it accepts connections. The caller must Close it.
func Serve(root string, o Options) (*Server, error) {
	o.applyDefaults()
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("ftptest: root: %w", err)
	}
	if fi, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("ftptest: root: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("ftptest: root %s is not a directory", abs)
	}

	var tlsConf *tls.Config
	var pool *x509.CertPool
	switch o.TLS {
	case "":
	case TLSExplicit, TLSImplicit:
		c, err := newCert()
		if err != nil {
			return nil, err
		}
		tlsConf = &tls.Config{Certificates: []tls.Certificate{c.tls}, MinVersion: tls.VersionTLS12}
		pool = c.pool
	default:
		return nil, fmt.Errorf("ftptest: unknown TLS mode %q", o.TLS)
	}

	driver := &fsDriver{root: abs}
	commands, err := commandTable(o, driver, tlsConf)
	if err != nil {
		return nil, err
	}
	srv, err := ftpserver.NewServer(&ftpserver.Options{
		Commands:     commands,
		Driver:       driver,
		Auth:         &auth{user: o.User, password: o.Password, anonymous: o.Anonymous},
		Perm:         ftpserver.NewSimplePerm("ftp", "ftp"),
		Name:         "ftptest",
		Hostname:     "127.0.0.1",
		PublicIP:     "127.0.0.1",
		TLS:          tlsConf != nil,
		ExplicitFTPS: o.TLS == TLSExplicit,
		Logger:       logAdapter{o.Logger},
	})
	if err != nil {
		return nil, fmt.Errorf("ftptest: %w", err)
	}
	if tlsConf != nil {
		if err := setTLSConfig(srv, tlsConf); err != nil {
			return nil, err
		}
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("ftptest: listen: %w", err)
	}
	tl := &trackingListener{Listener: ln, conns: map[net.Conn]struct{}{}}
	var served net.Listener = tl
	if o.TLS == TLSImplicit {
		served = tls.NewListener(tl, tlsConf)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(served) // returns when the listener is closed
	}()

	addr := ln.Addr().(*net.TCPAddr)
	s := &Server{
		Addr:     addr.String(),
		Host:     addr.IP.String(),
		Port:     addr.Port,
		Root:     abs,
		User:     o.User,
		Password: o.Password,
		CertPool: pool,
		LoginDir: "/",
	}
	s.stop = func() error {
		// Closing our own listener (rather than srv.Shutdown, which races
		// with Serve on goftp's fields) makes Serve return.
		err := tl.Close()
		<-done
		tl.closeConns()
		if errors.Is(err, net.ErrClosed) {
			err = nil
		}
		return err
	}
	return s, nil
}

// Start is Serve for tests: it fails the test on error and closes the
// server in t.Cleanup.
func Start(t testing.TB, root string, o Options) *Server {
	t.Helper()
	s, err := Serve(root, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// trackingListener remembers accepted connections so Close can end the
// sessions that goftp would otherwise leave running.
type trackingListener struct {
	net.Listener
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
}

func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		c.Close()
		return nil, net.ErrClosed
	}
	l.conns[c] = struct{}{}
	return &trackedConn{Conn: c, l: l}, nil
}

func (l *trackingListener) forget(c net.Conn) {
	l.mu.Lock()
	delete(l.conns, c)
	l.mu.Unlock()
}

func (l *trackingListener) closeConns() {
	l.mu.Lock()
	l.closed = true
	conns := l.conns
	l.conns = map[net.Conn]struct{}{}
	l.mu.Unlock()
	for c := range conns {
		c.Close()
	}
}

type trackedConn struct {
	net.Conn
	l    *trackingListener
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() { c.l.forget(c.Conn) })
	return c.Conn.Close()
}

// auth checks logins against the configured account.
type auth struct {
	user, password string
	anonymous      bool
}

func (a *auth) CheckPasswd(_ *ftpserver.Context, user, pass string) (bool, error) {
	if a.anonymous && strings.EqualFold(user, "anonymous") {
		return true, nil
	}
	return user == a.user && pass == a.password, nil
}

// logAdapter sends goftp's logs to a slog.Logger, or nowhere.
type logAdapter struct{ l *slog.Logger }

func (a logAdapter) Print(id string, msg any) {
	if a.l != nil {
		a.l.Debug(fmt.Sprint(msg), "session", id)
	}
}

func (a logAdapter) Printf(id string, format string, v ...any) {
	if a.l != nil {
		a.l.Debug(fmt.Sprintf(format, v...), "session", id)
	}
}

func (a logAdapter) PrintCommand(id string, command string, params string) {
	if a.l == nil {
		return
	}
	if strings.EqualFold(command, "PASS") {
		params = "****"
	}
	a.l.Debug("ftp command", "session", id, "command", command, "params", params)
}

func (a logAdapter) PrintResponse(id string, code int, message string) {
	if a.l != nil {
		a.l.Debug("ftp reply", "session", id, "code", code, "message", message)
	}
}
