package ftpproxy_test

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net"
	"net/textproto"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jlaffaye/ftp"

	"github.com/ftpmirror/ftpmirror/internal/ftpproxy"
	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

// bigSize is large enough to be cut (CutMaxBytes defaults to 64 KiB) and to
// span many relay chunks.
const bigSize = 300 << 10

// fixture is a real FTP server over a small tree.
type fixture struct {
	srv   *ftptest.Server
	small []byte // content of small.txt
	big   []byte // content of big.bin
}

// startServer starts the server. Its cleanup, which runs after those of
// every proxy started later in the test, also checks that no goroutine of
// any proxy outlived Close (so tests using it must not run in parallel).
func startServer(t *testing.T, o ftptest.Options) *fixture {
	t.Helper()
	t.Cleanup(func() { assertNoProxyGoroutines(t) })
	root := t.TempDir()
	f := &fixture{small: []byte("hello through the proxy\n"), big: make([]byte, bigSize)}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range f.big {
		f.big[i] = byte(r.Uint32())
	}
	for name, b := range map[string][]byte{"small.txt": f.small, "big.bin": f.big} {
		if err := os.WriteFile(filepath.Join(root, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f.srv = ftptest.Start(t, root, o)
	return f
}

// startProxy starts a proxy in front of f and closes it at cleanup.
func startProxy(t *testing.T, f *fixture, o ftpproxy.Options) *ftpproxy.Proxy {
	t.Helper()
	o.Upstream = f.srv.Addr
	p, err := ftpproxy.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return p
}

// assertNoProxyGoroutines fails if a goroutine started by a proxy is still
// running. Every such goroutine runs through (*Proxy).spawn.
func assertNoProxyGoroutines(t *testing.T) {
	t.Helper()
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "ftpproxy.(*Proxy).spawn") {
			t.Errorf("goroutine left after Close:\n%s", g)
		}
	}
}

// login dials addr with jlaffaye/ftp and logs in; the connection is closed
// at cleanup.
func login(t *testing.T, f *fixture, addr string, opts ...ftp.DialOption) *ftp.ServerConn {
	t.Helper()
	opts = append([]ftp.DialOption{ftp.DialWithTimeout(10 * time.Second)}, opts...)
	c, err := ftp.Dial(addr, opts...)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { _ = c.Quit() })
	if err := c.Login(f.srv.User, f.srv.Password); err != nil {
		t.Fatalf("login: %v", err)
	}
	return c
}

func retr(c *ftp.ServerConn, name string) ([]byte, error) {
	r, err := c.Retr(name)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(r)
	if cerr := r.Close(); err == nil {
		err = cerr
	}
	return b, err
}

// rawClient speaks FTP by hand, for what jlaffaye/ftp cannot do (active
// mode) or hides (the exact passive reply).
type rawClient struct {
	t *testing.T
	c *textproto.Conn
}

func dialRaw(t *testing.T, f *fixture, addr string) *rawClient {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_ = nc.SetDeadline(time.Now().Add(30 * time.Second))
	r := &rawClient{t: t, c: textproto.NewConn(nc)}
	t.Cleanup(func() { _ = r.c.Close() })
	if _, _, err := r.c.ReadResponse(220); err != nil {
		t.Fatalf("greeting: %v", err)
	}
	r.cmd(331, "USER %s", f.srv.User)
	r.cmd(230, "PASS %s", f.srv.Password)
	r.cmd(200, "TYPE I")
	return r
}

// cmd sends a command and fails the test unless the reply has code want
// (a single digit means the class, as in textproto).
func (r *rawClient) cmd(want int, format string, args ...any) string {
	r.t.Helper()
	code, msg := r.try(format, args...)
	if !codeMatches(code, want) {
		r.t.Fatalf("%s: got %d %s, want %d", strings.Fields(format)[0], code, msg, want)
	}
	return msg
}

// try sends a command and returns the reply, whatever it is.
func (r *rawClient) try(format string, args ...any) (int, string) {
	r.t.Helper()
	if _, err := r.c.Cmd(format, args...); err != nil {
		r.t.Fatal(err)
	}
	code, msg, err := r.c.ReadResponse(0)
	if err != nil && code == 0 {
		r.t.Fatal(err)
	}
	return code, msg
}

func (r *rawClient) readReply(want int) string {
	r.t.Helper()
	code, msg, err := r.c.ReadResponse(0)
	if err != nil && code == 0 {
		r.t.Fatal(err)
	}
	if !codeMatches(code, want) {
		r.t.Fatalf("got %d %s, want %d", code, msg, want)
	}
	return msg
}

func codeMatches(code, want int) bool {
	switch {
	case want < 10:
		return code/100 == want
	default:
		return code == want
	}
}

// retrActive retrieves name over an active data connection accepted on ln,
// after the caller's EPRT or PORT.
func (r *rawClient) retrActive(ln net.Listener, name string) []byte {
	r.t.Helper()
	if _, err := r.c.Cmd("RETR %s", name); err != nil {
		r.t.Fatal(err)
	}
	r.readReply(1)
	_ = ln.(interface{ SetDeadline(time.Time) error }).SetDeadline(time.Now().Add(10 * time.Second))
	dc, err := ln.Accept()
	if err != nil {
		r.t.Fatalf("accept active data connection: %v", err)
	}
	defer dc.Close()
	var got bytes.Buffer
	if _, err := io.Copy(&got, dc); err != nil {
		r.t.Fatalf("read active data: %v", err)
	}
	r.readReply(226)
	return got.Bytes()
}
