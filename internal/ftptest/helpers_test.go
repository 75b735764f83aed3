package ftptest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jlaffaye/ftp"
)

var mtime = time.Date(2023, 5, 6, 7, 8, 9, 0, time.UTC)

func sampleTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	WriteTree(t, root, map[string]string{
		"a.txt":           "hello",
		"sub/b.txt":       "0123456789",
		"sub/deeper/c":    "c",
		".hidden":         "h",
		"empty/":          "",
		"with space.txt":  "spaced",
		"sub/deeper/d.md": "# d",
	})
	for _, p := range []string{"a.txt", "sub/b.txt", "sub/deeper/c", ".hidden", "with space.txt", "sub/deeper/d.md"} {
		SetMtime(t, filepath.Join(root, p), mtime)
	}
	if err := os.Symlink("a.txt", filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	return root
}

func dial(t *testing.T, s *Server, opts ...ftp.DialOption) *ftp.ServerConn {
	t.Helper()
	opts = append([]ftp.DialOption{ftp.DialWithTimeout(10 * time.Second)}, opts...)
	c, err := ftp.Dial(s.Addr, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Quit() })
	if err := c.Login(s.User, s.Password); err != nil {
		t.Fatal(err)
	}
	return c
}

func retr(t *testing.T, c *ftp.ServerConn, p string, offset uint64) string {
	t.Helper()
	r, err := c.RetrFrom(p, offset)
	if err != nil {
		t.Fatalf("RETR %s: %v", p, err)
	}
	b, err := io.ReadAll(r)
	if cerr := r.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("RETR %s: %v", p, err)
	}
	return string(b)
}

func names(es []*ftp.Entry) string {
	var n []string
	for _, e := range es {
		n = append(n, e.Name)
	}
	return strings.Join(n, ", ")
}

// listByName lists dir and indexes the entries by name, failing the test
// unless each of want is there.
func listByName(t *testing.T, c *ftp.ServerConn, dir string, want ...string) map[string]*ftp.Entry {
	t.Helper()
	entries, err := c.List(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*ftp.Entry{}
	for _, e := range entries {
		got[e.Name] = e
	}
	for _, name := range want {
		if got[name] == nil {
			t.Errorf("listing of %s lacks %q; got %s", dir, name, names(entries))
		}
	}
	return got
}

// rawLogin opens a logged-in textproto connection for protocol-level checks.
func rawLogin(t *testing.T, s *Server) *textproto.Conn {
	t.Helper()
	conn, err := net.DialTimeout("tcp", s.Addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	tp := textproto.NewConn(conn)
	t.Cleanup(func() { tp.Close() })
	if _, _, err := tp.ReadResponse(220); err != nil {
		t.Fatal(err)
	}
	if code, msg := rawCmd(t, tp, "USER %s", s.User); code != 331 {
		t.Fatalf("USER: %d %s", code, msg)
	}
	if code, msg := rawCmd(t, tp, "PASS %s", s.Password); code != 230 {
		t.Fatalf("PASS: %d %s", code, msg)
	}
	return tp
}

func rawCmd(t *testing.T, tp *textproto.Conn, format string, args ...any) (int, string) {
	t.Helper()
	if _, err := tp.Cmd(format, args...); err != nil {
		t.Fatal(err)
	}
	code, msg, err := tp.ReadResponse(0)
	if err != nil && code == 0 {
		t.Fatal(err)
	}
	return code, msg
}

// rawDataCommand runs a listing command over EPSV and returns its data.
func rawDataCommand(t *testing.T, s *Server, command string) string {
	t.Helper()
	tp := rawLogin(t, s)
	code, msg := rawCmd(t, tp, "EPSV")
	if code != 229 {
		t.Fatalf("EPSV: %d %s", code, msg)
	}
	var port int
	if i := strings.Index(msg, "(|||"); i < 0 {
		t.Fatalf("EPSV reply %q", msg)
	} else if _, err := fmt.Sscanf(msg[i:], "(|||%d|)", &port); err != nil {
		t.Fatalf("EPSV reply %q: %v", msg, err)
	}
	data, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer data.Close()
	_ = data.SetDeadline(time.Now().Add(10 * time.Second))
	if code, msg := rawCmd(t, tp, "%s", command); code != 150 {
		t.Fatalf("%s: %d %s", command, code, msg)
	}
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, bufio.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	// proftpd answers 226 only once the client closes its end (or after
	// TimeoutLinger, 10 s), as a client does at the end of the data.
	data.Close()
	if code, msg, err := tp.ReadResponse(226); err != nil {
		t.Fatalf("%s end: %d %s %v", command, code, msg, err)
	}
	return buf.String()
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
