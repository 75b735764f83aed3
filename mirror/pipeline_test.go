package mirror

import (
	"bufio"
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// script is a scripted FTP server on 127.0.0.1 for one control connection:
// the test reads the client's lines and writes replies, in any grouping.
type script struct {
	t    *testing.T
	ln   net.Listener
	c    net.Conn
	r    *bufio.Reader
	srv  Server
	done chan struct{}
}

func newScript(t *testing.T) *script {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	s := &script{t: t, ln: ln, srv: Server{Host: host, User: "u", Password: NewSecret("p")}, done: make(chan struct{})}
	s.srv.Port, _ = strconv.Atoi(port)
	return s
}

// serve runs fn on the first connection, in its own goroutine.
func (s *script) serve(fn func(s *script)) {
	go func() {
		defer close(s.done)
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(20 * time.Second))
		s.c, s.r = c, bufio.NewReader(c)
		fn(s)
	}()
}

// line reads one command line; "" once the client is gone.
func (s *script) line() string {
	l, err := s.r.ReadString('\n')
	if err != nil {
		return ""
	}
	return strings.TrimRight(l, "\r\n")
}

func (s *script) lines(n int) []string {
	var out []string
	for range n {
		out = append(out, s.line())
	}
	return out
}

func (s *script) say(replies ...string) {
	_, _ = s.c.Write([]byte(strings.Join(replies, "\r\n") + "\r\n"))
}

// dataPort listens for one passive data connection and returns its EPSV reply.
func (s *script) dataPort() (net.Listener, string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.t.Error(err)
		return nil, "425 no"
	}
	return ln, "229 Entering Extended Passive Mode (|||" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port) + "|)"
}

// send accepts the data connection and writes data on it.
func sendData(ln net.Listener, data string) {
	c, err := ln.Accept()
	ln.Close()
	if err != nil {
		return
	}
	_, _ = c.Write([]byte(data))
	c.Close()
}

// login answers the login: USER, PASS, then FEAT with TYPE I.
func (s *script) login(feat ...string) []string {
	s.say("220 scripted")
	return s.loginAfterGreeting(feat...)
}

// loginAfterGreeting is login once the greeting is out.
func (s *script) loginAfterGreeting(feat ...string) []string {
	got := []string{s.line()}
	s.say("331 password please")
	got = append(got, s.line())
	s.say("230 in")
	got = append(got, s.lines(2)...)
	s.say(append(append([]string{"211-Features:"}, feat...), "211 End", "200 binary")...)
	return got
}

// The password goes only after the server asked for it, and FEAT and TYPE I
// go together.
func TestLoginSendsPassOnlyAfter331AndFeatWithType(t *testing.T) {
	s := newScript(t)
	got := make(chan []string, 1)
	s.serve(func(s *script) { got <- s.login(); s.line() })
	c, err := NewDialer(s.srv, Options{IdleTimeout: 5 * time.Second}).Dial(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	want := "USER u|PASS p|FEAT|TYPE I"
	if g := strings.Join(<-got, "|"); g != want {
		t.Fatalf("commands = %q, want %q", g, want)
	}
}

// A server that requires TLS refuses USER: the password is never sent, and
// the error says to use TLS.
func TestLoginToServerRequiringTLSNeverSendsPassword(t *testing.T) {
	s := newScript(t)
	got := make(chan []string, 1)
	s.serve(func(s *script) {
		s.say("220 scripted")
		l := []string{s.line()}
		s.say("530 Non-anonymous sessions must use encryption.")
		l = append(l, s.line())
		got <- l
	})
	_, err := NewDialer(s.srv, Options{IdleTimeout: 5 * time.Second}).Dial(context.Background())
	if !errors.Is(err, ErrTLSRequired) || !errors.Is(err, ErrLogin) || IsTransient(err) {
		t.Fatalf("err = %v, want a fatal ErrTLSRequired", err)
	}
	for _, l := range <-got {
		if strings.HasPrefix(l, "PASS") {
			t.Fatalf("the password was sent: %q", l)
		}
	}
}

// A reply to PASS may echo the password: it is never in the error.
func TestLoginRefusalDoesNotRepeatTheReplyToPass(t *testing.T) {
	s := newScript(t)
	s.serve(func(s *script) {
		s.say("220 scripted")
		s.line()
		s.say("331 password please")
		s.line()
		s.say("530 wrong password p for u")
		s.line()
	})
	_, err := NewDialer(s.srv, Options{IdleTimeout: 5 * time.Second}).Dial(context.Background())
	if !errors.Is(err, ErrLogin) || strings.Contains(err.Error(), "wrong password") {
		t.Fatalf("err = %v, want ErrLogin without the reply's text", err)
	}
}

// With NoPipeline the client waits for each reply: FEAT goes alone.
func TestNoPipelineSendsOneCommandAtATime(t *testing.T) {
	s := newScript(t)
	got := make(chan string, 1)
	s.serve(func(s *script) {
		s.say("220 scripted")
		s.line()
		s.say("230 in")
		got <- s.line()
		_ = s.c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		if l := s.line(); l != "" {
			got <- l
		}
		close(got)
	})
	_, _ = NewDialer(s.srv, Options{IdleTimeout: 2 * time.Second, NoPipeline: true}).Dial(context.Background())
	var lines []string
	for l := range got {
		lines = append(lines, l)
	}
	if strings.Join(lines, "|") != "FEAT" {
		t.Fatalf("commands before the FEAT reply = %q, want FEAT alone", lines)
	}
}
