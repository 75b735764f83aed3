package ftpcore

import (
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"testing"
)

// echoServer answers EPSV/PASV/EPRT/PORT, REST, PWD and CWD/CDUP (in a
// tree of /a/b) through the core, RETR
// with a transfer that writes the REST offset, and anything else with
// "200 VERB".
func echoServer(t *testing.T, o Options) *Server {
	t.Helper()
	s, err := Listen(o, func(ss *Session) {
		if !ss.Reply("220 ready") {
			return
		}
		for {
			cmd, ok := ss.Read()
			if !ok {
				return
			}
			var alive bool
			switch cmd.Verb {
			case "EPSV", "PASV":
				alive = ss.Passive(cmd.Verb)
			case "EPRT", "PORT":
				alive = ss.Active(cmd.Verb, cmd.Arg)
			case "REST":
				alive = ss.Rest(cmd.Arg)
			case "PWD":
				alive = ss.Pwd()
			case "CWD", "CDUP":
				alive = ss.Chdir(cmd.Verb, cmd.Arg, func(dir string) bool {
					return dir == "/" || dir == "/a" || dir == "/a/b"
				})
			case "RETR":
				rest := ss.TakeRest()
				alive = ss.Transfer(func(dc net.Conn) string {
					if _, err := fmt.Fprintf(dc, "offset=%d", rest); err != nil {
						return "426 Transfer aborted"
					}
					return "226 Transfer complete"
				})
			default:
				alive = ss.Reply("200 %s", cmd.Verb)
			}
			if !alive {
				return
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func dial(t *testing.T, s *Server) *textproto.Conn {
	t.Helper()
	c, err := textproto.Dial("tcp", s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// cmd sends a command and returns its reply line.
func cmd(t *testing.T, c *textproto.Conn, format string, args ...any) string {
	t.Helper()
	if err := c.PrintfLine(format, args...); err != nil {
		t.Fatal(err)
	}
	line, err := c.ReadLine()
	if err != nil {
		t.Fatal(err)
	}
	return line
}

func greeted(t *testing.T, s *Server) *textproto.Conn {
	t.Helper()
	c := dial(t, s)
	if line, err := c.ReadLine(); err != nil || line != "220 ready" {
		t.Fatalf("greeting %q, %v", line, err)
	}
	return c
}

func TestConnectionsBeyondMaxConnsGet421(t *testing.T) {
	s := echoServer(t, Options{MaxConns: 1})
	first := greeted(t, s)
	if got := cmd(t, first, "noop"); got != "200 NOOP" {
		t.Fatalf("NOOP: %q", got)
	}
	second := dial(t, s)
	if line, err := second.ReadLine(); err != nil || line != "421 Too many connections" {
		t.Fatalf("second connection: %q, %v", line, err)
	}
	if _, err := second.ReadLine(); err != io.EOF {
		t.Fatalf("second connection not closed after 421: %v", err)
	}
}

func TestCommandLineTooLongEndsTheSession(t *testing.T) {
	s := echoServer(t, Options{})
	c := greeted(t, s)
	// Exactly the bound and no line end: the server reads all of it, so it
	// closes cleanly rather than with a reset.
	long := "NOOP " + strings.Repeat("x", maxCommandLen-len("NOOP "))
	if _, err := c.W.WriteString(long); err != nil {
		t.Fatal(err)
	}
	if err := c.W.Flush(); err != nil {
		t.Fatal(err)
	}
	if line, err := c.ReadLine(); err != nil || line != "500 Command line too long" {
		t.Fatalf("long line: %q, %v", line, err)
	}
	if line, err := c.ReadLine(); err != io.EOF {
		t.Fatalf("session not ended: %q, %v", line, err)
	}
}

func TestActiveModeOnlyToTheClientsLoopbackAddress(t *testing.T) {
	s := echoServer(t, Options{})
	c := greeted(t, s)
	for _, tc := range []struct{ command, want string }{
		{"EPRT |1|10.0.0.1|2000|", "504 "},
		{"PORT 10,0,0,1,7,208", "504 "},
		{"EPRT |2|::1|2000|", "501 "},
		{"PORT 127,0,0,1,7", "501 "},
		{"EPRT |1|127.0.0.1|2000|", "200 "},
		{"PORT 127,0,0,1,7,208", "200 "},
	} {
		if got := cmd(t, c, "%s", tc.command); !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s: %q, want %q...", tc.command, got, tc.want)
		}
	}
}

// retr runs a passive RETR and returns what the data connection carried.
func retr(t *testing.T, c *textproto.Conn, host string) string {
	t.Helper()
	reply := cmd(t, c, "EPSV")
	_, rest, ok := strings.Cut(reply, "(|||")
	port, err := strconv.Atoi(strings.TrimSuffix(rest, "|)"))
	if !ok || err != nil || !strings.HasPrefix(reply, "229 ") {
		t.Fatalf("EPSV: %q", reply)
	}
	if got := cmd(t, c, "RETR x"); !strings.HasPrefix(got, "150 ") {
		t.Fatalf("RETR: %q", got)
	}
	dc, err := net.Dial("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(dc)
	dc.Close()
	if err != nil {
		t.Fatal(err)
	}
	if line, err := c.ReadLine(); err != nil || line != "226 Transfer complete" {
		t.Fatalf("after the transfer: %q, %v", line, err)
	}
	return string(data)
}

func TestRestOffsetHoldsForTheNextTransferOnly(t *testing.T) {
	s := echoServer(t, Options{})
	c := greeted(t, s)
	if got := cmd(t, c, "REST -1"); got != "501 Bad offset" {
		t.Fatalf("REST -1: %q", got)
	}
	if got := cmd(t, c, "REST 5"); got != "350 Restarting at 5" {
		t.Fatalf("REST 5: %q", got)
	}
	if got := retr(t, c, s.Host); got != "offset=5" {
		t.Fatalf("first transfer: %q", got)
	}
	if got := retr(t, c, s.Host); got != "offset=0" {
		t.Fatalf("second transfer: %q", got)
	}
	if got := cmd(t, c, "RETR x"); !strings.HasPrefix(got, "425 ") {
		t.Fatalf("RETR without EPSV: %q", got)
	}
}

func TestCloseEndsOpenSessions(t *testing.T) {
	s := echoServer(t, Options{})
	c := greeted(t, s)
	if got := cmd(t, c, "PASV"); !strings.HasPrefix(got, "227 ") {
		t.Fatalf("PASV: %q", got)
	}
	s.Close() // returns once the session's goroutine has ended
	if _, err := c.ReadLine(); err == nil {
		t.Fatal("the control connection is still open after Close")
	}
	s.Close() // a second Close does nothing
}

func TestWorkingDirectoryMovesOnlyIntoDirectoriesThatExist(t *testing.T) {
	s := echoServer(t, Options{})
	c := greeted(t, s)
	for _, tc := range []struct{ command, want string }{
		{"PWD", `257 "/" is the current directory`},
		{"CWD a", "250 Directory changed to /a"},
		{"CWD b", "250 Directory changed to /a/b"},
		{"CDUP", "250 Directory changed to /a"},
		{"CWD /nope", "550 No such directory"},
		{"PWD", `257 "/a" is the current directory`},
		{"CWD ../a/./b/", "250 Directory changed to /a/b"},
		{"CWD /", "250 Directory changed to /"},
		{"CDUP", "250 Directory changed to /"},
	} {
		if got := cmd(t, c, "%s", tc.command); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.command, got, tc.want)
		}
	}
}
