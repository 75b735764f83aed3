package mirror

import (
	"bufio"
	"context"
	"errors"
	"net"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// fullServer answers every connection as a full server does: "421" to the
// greeting, or (atUser) "220" then "421" to USER. It counts connections.
func fullServer(t *testing.T, atUser bool) (Server, *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var n atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				if !atUser {
					c.Write([]byte("421 Too many users, try later\r\n"))
					return
				}
				c.Write([]byte("220 hello\r\n"))
				bufio.NewReader(c).ReadString('\n')
				c.Write([]byte("421 Too many connections from your address\r\n"))
			}()
		}
	}()
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	srv := Server{Host: host, User: "u", Password: NewSecret("p")}
	srv.Port, _ = strconv.Atoi(port)
	return srv, &n
}

// A 421 greeting or a 421 answer to USER is a full server: transient, so
// the run retries with backoff, then fails with *ServerFullError (never a
// login refusal).
func TestServerFullIsRetriedThenTold(t *testing.T) {
	for _, atUser := range []bool{false, true} {
		name := "greeting"
		if atUser {
			name = "user"
		}
		t.Run(name, func(t *testing.T) {
			srv, conns := fullServer(t, atUser)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			_, err := Pull(ctx, PullOptions{Server: srv, LocalDir: t.TempDir(), Retries: 2})
			var full *ServerFullError
			if !errors.As(err, &full) || !errors.Is(err, ErrServerFull) || errors.Is(err, ErrLogin) {
				t.Fatalf("err = %v, want *ServerFullError and no login refusal", err)
			}
			if full.Reply.Code != 421 || !IsTransient(err) {
				t.Fatalf("reply %d, transient %v", full.Reply.Code, IsTransient(err))
			}
			if got := conns.Load(); got != 3 {
				t.Fatalf("connections = %d, want 3 (two retries)", got)
			}
		})
	}
}
