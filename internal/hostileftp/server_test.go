package hostileftp

import (
	"bufio"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// client is a bare FTP client: one line out, one reply line in.
type client struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

func dial(t *testing.T, s *Server) *client {
	t.Helper()
	c, err := net.Dial("tcp", s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &client{t: t, c: c, r: bufio.NewReader(c)}
}

// reply reads one reply; of a multi-line one, it returns the last line.
func (c *client) reply() string {
	c.t.Helper()
	end := ""
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			c.t.Fatalf("reading a reply: %v", err)
		}
		line = strings.TrimRight(line, "\r\n")
		switch {
		case end == "" && len(line) > 3 && line[3] == '-':
			end = line[:3] + " "
		case end == "" || strings.HasPrefix(line, end):
			return line
		}
	}
}

func (c *client) cmd(line string) string {
	c.t.Helper()
	if _, err := io.WriteString(c.c, line+"\r\n"); err != nil {
		c.t.Fatal(err)
	}
	return c.reply()
}

// epsv opens a data connection.
func (c *client) epsv() net.Conn {
	c.t.Helper()
	r := c.cmd("EPSV")
	i, j := strings.Index(r, "(|||"), strings.LastIndex(r, "|)")
	if !strings.HasPrefix(r, "229 ") || i < 0 || j < i {
		c.t.Fatalf("EPSV: %q", r)
	}
	port, _ := strconv.Atoi(r[i+4 : j])
	dc, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { dc.Close() })
	return dc
}

func TestListingLinesAreSentAsScripted(t *testing.T) {
	lines := []string{MLSDLine("file", "99999999999999999999", "../evil"), "x\x00y"}
	s := Start(t, Options{MLST: true, Listings: map[string][]string{"/d": lines}})
	c := dial(t, s)
	if r := c.reply(); !strings.HasPrefix(r, "220 ") {
		t.Fatalf("greeting %q", r)
	}
	if r := c.cmd("FEAT"); r != "211 End" {
		t.Fatalf("FEAT ends with %q", r)
	}
	if r := c.cmd("CWD /nowhere"); !strings.HasPrefix(r, "550 ") {
		t.Errorf("CWD to a missing directory: %q", r)
	}
	dc := c.epsv()
	if r := c.cmd("MLSD /d"); !strings.HasPrefix(r, "150 ") {
		t.Fatalf("MLSD: %q", r)
	}
	got, err := io.ReadAll(dc)
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Join(lines, "\r\n") + "\r\n"; string(got) != want {
		t.Errorf("listing %q, want %q", got, want)
	}
	if r := c.reply(); !strings.HasPrefix(r, "226 ") {
		t.Errorf("after the listing: %q", r)
	}
	if n := s.Stats().Count("MLSD"); n != 1 {
		t.Errorf("Stats counts %d MLSD", n)
	}
}

func TestRetrCloseAfterAndRest(t *testing.T) {
	s := Start(t, Options{Files: map[string]File{"/f": {Data: []byte("0123456789"), CloseAfter: 4}}})
	c := dial(t, s)
	c.reply()
	dc := c.epsv()
	if r := c.cmd("REST 3"); !strings.HasPrefix(r, "350 ") {
		t.Fatalf("REST: %q", r)
	}
	if r := c.cmd("RETR f"); !strings.HasPrefix(r, "150 ") {
		t.Fatalf("RETR: %q", r)
	}
	got, _ := io.ReadAll(dc)
	if string(got) != "3456" {
		t.Errorf("got %q, want the 4 bytes from offset 3", got)
	}
	if r := c.reply(); !strings.HasPrefix(r, "426 ") {
		t.Errorf("a cut transfer ends with %q", r)
	}
}

// A hung session holds its connection open without replying, and Close
// releases it: the client sees the connection end.
func TestHangNeverRepliesAndCloseReleases(t *testing.T) {
	noop := make(chan struct{}, 1)
	s, err := Serve(Options{Hang: []string{"USER"}, OnCommand: func(verb, _ string) {
		if verb == "NOOP" {
			noop <- struct{}{}
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := dial(t, s)
	c.reply()
	if _, err := io.WriteString(c.c, "USER u\r\nNOOP\r\n"); err != nil {
		t.Fatal(err)
	}
	// The liveness guard only stops a broken server from hanging the test.
	_ = c.c.SetReadDeadline(time.Now().Add(time.Minute))
	done := make(chan error, 1)
	go func() {
		_, err := c.r.ReadString('\n')
		done <- err
	}()
	<-noop // the server has read both commands
	s.Close()
	if err := <-done; err != io.EOF {
		t.Errorf("after Close the client read %v, want EOF and no reply", err)
	}
}
