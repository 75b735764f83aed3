package mirror

import (
	"bufio"
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A server that answers nothing until it has read USER, PASS, FEAT and
// TYPE I: only a client that sends them together can log in.
func TestLoginIsSentInOneRoundTrip(t *testing.T) {
	lines, err := loginAgainstWaitingServer(t, Options{IdleTimeout: 3 * time.Second})
	if err != nil {
		t.Fatalf("login against a server that waits for the pipelined commands: %v", err)
	}
	want := []string{"USER u", "PASS p", "FEAT", "TYPE I"}
	if strings.Join(lines, "|") != strings.Join(want, "|") {
		t.Fatalf("commands before any reply = %q, want %q", lines, want)
	}
}

// With NoPipeline the client waits for each reply: against the same server
// it sends USER alone, and the login times out.
func TestNoPipelineSendsOneCommandAtATime(t *testing.T) {
	lines, err := loginAgainstWaitingServer(t, Options{IdleTimeout: 500 * time.Millisecond, NoPipeline: true})
	if err == nil {
		t.Fatal("logged in, so commands were sent ahead despite NoPipeline")
	}
	if strings.Join(lines, "|") != "USER u" {
		t.Fatalf("commands before any reply = %q, want USER alone", lines)
	}
}

// loginAgainstWaitingServer logs in to a server that answers nothing until
// it has read four commands (or two seconds passed), and returns the
// commands it read before answering.
func loginAgainstWaitingServer(t *testing.T, o Options) ([]string, error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan []string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		c.Write([]byte("220 hello\r\n"))
		var lines []string
		_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
		for range 4 {
			l, err := r.ReadString('\n')
			if err != nil {
				break
			}
			lines = append(lines, strings.TrimSpace(l))
		}
		got <- lines
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		c.Write([]byte("331 password please\r\n230 in\r\n211-Features:\r\n EPSV\r\n211 End\r\n200 binary\r\n"))
		if l, _ := r.ReadString('\n'); strings.HasPrefix(l, "QUIT") {
			c.Write([]byte("221 bye\r\n"))
		}
	}()
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	srv := Server{Host: host, User: "u", Password: NewSecret("p")}
	srv.Port, _ = strconv.Atoi(port)
	c, err := NewDialer(srv, o).Dial(context.Background())
	if err == nil {
		c.Close()
	}
	return <-got, err
}
