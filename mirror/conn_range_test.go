package mirror

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

// randomBytes returns n bytes that differ everywhere, so that a byte put
// at the wrong offset shows.
func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed+1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// rangeServers starts the in-process server and vsftpd (when it can run)
// on a root holding big.bin and small.txt.
func rangeServers(t *testing.T, big []byte) map[string]Server {
	t.Helper()
	root := t.TempDir()
	ftptest.WriteTree(t, root, map[string]string{"big.bin": string(big), "small.txt": "small file"})
	servers := map[string]Server{"goftp": serverFor(ftptest.Start(t, root, ftptest.Options{}))}
	if os.Geteuid() == 0 {
		if _, err := os.Stat("/usr/sbin/vsftpd"); err == nil {
			servers["vsftpd"] = serverFor(ftptest.StartVsftpd(t, root, ftptest.VsftpdOptions{}))
		}
	}
	return servers
}

// A ranged RETR closed before the end of the file leaves the server a reply
// to give (vsftpd 426, goftp 551, or 226 when it had sent all already).
// If RetrRange did not read it, the SIZE after it would read that reply, and
// every later command the reply of the one before.
func TestRetrRangeClosedEarlyLeavesConnectionInStep(t *testing.T) {
	big := randomBytes(24<<20, 1)
	for name, srv := range rangeServers(t, big) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			c, err := NewDialer(srv, Options{}).Dial(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			ranges := []struct{ off, n int64 }{{0, 100 << 10}, {3<<20 + 7, 1 << 20}, {12 << 20, 1}, {20 << 20, 64 << 10}}
			for _, r := range ranges {
				var buf bytes.Buffer
				n, err := c.RetrRange(ctx, "/big.bin", r.off, r.n, &buf)
				if err != nil {
					t.Fatalf("range %d+%d: %v", r.off, r.n, err)
				}
				if n != r.n || !bytes.Equal(buf.Bytes(), big[r.off:r.off+r.n]) {
					t.Fatalf("range %d+%d: got %d bytes, not the file's", r.off, r.n, n)
				}
				size, err := c.Size(ctx, "/big.bin")
				if err != nil || size != int64(len(big)) {
					t.Fatalf("SIZE after range %d+%d = %d, %v: the connection is out of step", r.off, r.n, size, err)
				}
			}
			var buf bytes.Buffer
			if _, err := c.Retr(ctx, "/small.txt", 0, &buf); err != nil || buf.String() != "small file" {
				t.Fatalf("RETR after the ranges = %q, %v", buf.String(), err)
			}
			if c.Broken() {
				t.Fatal("the connection is broken")
			}
		})
	}
}

func TestRetrRangePastTheEndIsAChangedFile(t *testing.T) {
	big := randomBytes(1<<20, 2)
	for name, srv := range rangeServers(t, big) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			c, err := NewDialer(srv, Options{}).Dial(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			var buf bytes.Buffer
			n, err := c.RetrRange(ctx, "/big.bin", int64(len(big))-10, 100, &buf)
			if !errors.Is(err, errShortRange) || n != 10 || Classify(err) != KindPerFile {
				t.Fatalf("n, err = %d, %v; want 10 bytes and a per-file error saying the file changed", n, err)
			}
			if size, err := c.Size(ctx, "/big.bin"); err != nil || size != int64(len(big)) {
				t.Fatalf("SIZE after a short range = %d, %v", size, err)
			}
		})
	}
}

// replySwallower relays FTP control connections to a real server but, once
// the server has said 150 to a transfer, drops every later reply of that
// connection: the reply after the transfer never comes.
type replySwallower struct {
	ln       net.Listener
	upstream string
	accepted atomic.Int32
	wg       sync.WaitGroup
}

func startReplySwallower(t *testing.T, upstream string) *replySwallower {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &replySwallower{ln: ln, upstream: upstream}
	s.wg.Add(1)
	go s.serve()
	t.Cleanup(func() { ln.Close(); s.wg.Wait() })
	return s
}

func (s *replySwallower) serve() {
	defer s.wg.Done()
	for {
		a, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.accepted.Add(1)
		b, err := net.Dial("tcp", s.upstream)
		if err != nil {
			a.Close()
			continue
		}
		s.wg.Add(2)
		go func() { defer s.wg.Done(); _, _ = io.Copy(b, a); b.Close() }()
		go func() {
			defer s.wg.Done()
			defer a.Close()
			br := bufio.NewReader(b)
			swallow := false
			for {
				line, err := br.ReadString('\n')
				if err != nil {
					return
				}
				if !swallow {
					if _, err := io.WriteString(a, line); err != nil {
						return
					}
				}
				swallow = swallow || strings.HasPrefix(line, "150")
			}
		}()
	}
}

func TestRetrRangeWithoutReplyDropsTheConnection(t *testing.T) {
	big := randomBytes(8<<20, 3)
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "big.bin"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	up := ftptest.Start(t, root, ftptest.Options{})
	sw := startReplySwallower(t, up.Addr)
	srv := serverFor(up)
	srv.Port = sw.ln.Addr().(*net.TCPAddr).Port
	pool := NewPool(NewDialer(srv, Options{IdleTimeout: 300 * time.Millisecond}), 1)
	defer pool.Close()
	ctx := context.Background()

	var buf bytes.Buffer
	var n int64
	var broken bool
	err := pool.Do(ctx, func(c *Conn) error {
		var err error
		n, err = c.RetrRange(ctx, "/big.bin", 1<<20, 256<<10, &buf)
		broken = c.Broken()
		return err
	})
	if err == nil || !IsTransient(err) {
		t.Fatalf("err = %v, want a transient error saying no reply came", err)
	}
	if n != 256<<10 || !bytes.Equal(buf.Bytes(), big[1<<20:1<<20+256<<10]) {
		t.Fatalf("got %d bytes, not the range's", n)
	}
	if !broken {
		t.Fatal("the connection whose reply never came is not marked broken")
	}
	// The pool must not hand that connection out again: the next command
	// runs on a new one (which is logged in through the relay again).
	if err := pool.Do(ctx, func(c *Conn) error {
		_, err := c.Size(ctx, "/big.bin")
		return err
	}); err != nil {
		t.Fatalf("SIZE on the next connection: %v", err)
	}
	if got := sw.accepted.Load(); got != 2 {
		t.Fatalf("%d control connections, want 2: the broken one was reused", got)
	}
}
