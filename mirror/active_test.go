package mirror

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

// strangerHandler is a slog handler that, when the transport says where it
// listens for an active data connection, connects there first from another
// loopback address, as an attacker racing the server would.
type strangerHandler struct {
	slog.Handler
	mu      sync.Mutex
	results []error // what the stranger's read got: it must be shut out
}

func (h *strangerHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *strangerHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "listening for the active data connection" {
		return nil
	}
	var addr string
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "listen" {
			addr = a.Value.String()
		}
		return true
	})
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}, Timeout: time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		h.record(err)
		return nil
	}
	go func() {
		defer c.Close()
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err := c.Read(make([]byte, 1))
		h.record(err)
	}()
	return nil
}

func (h *strangerHandler) record(err error) {
	h.mu.Lock()
	h.results = append(h.results, err)
	h.mu.Unlock()
}

func TestActiveModeRefusesStrangerAndCompletesTransfer(t *testing.T) {
	s, root := startServer(t, ftptest.Options{})
	h := &strangerHandler{}
	d := NewDialer(serverFor(s), Options{Mode: ModeActive, Logger: slog.New(h)})
	_, data, err := listAndFetch(t, d)
	if err != nil {
		t.Fatalf("active transfer with a stranger first in line: %v", err)
	}
	want, _ := os.ReadFile(filepath.Join(root, "sub/b.bin"))
	if !bytes.Equal(data, want) {
		t.Fatal("active transfer corrupted")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		h.mu.Lock()
		n := len(h.results)
		res := append([]error(nil), h.results...)
		h.mu.Unlock()
		if n >= 2 || time.Now().After(deadline) {
			if n < 2 {
				t.Fatalf("the stranger connected %d times, want 2 (list and fetch)", n)
			}
			for _, err := range res {
				if err == nil {
					t.Fatal("the stranger read data from the active port")
				}
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					t.Fatal("the stranger's connection was left open instead of refused")
				}
			}
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// goftp.io/server does not put TLS on its active data connections, so active
// mode with PROT P is tested against vsftpd (interop_test.go).
func TestTLSPassiveDataChannels(t *testing.T) {
	for _, tlsMode := range []string{ftptest.TLSExplicit, ftptest.TLSImplicit} {
		for _, mode := range []DataMode{ModePassive} {
			t.Run(tlsMode+"/"+string(mode), func(t *testing.T) {
				s, root := startServer(t, ftptest.Options{TLS: tlsMode})
				srv := serverFor(s)
				srv.TLS = TLSMode(tlsMode)
				srv.TLSConfig = tlsConfigFor(s)
				d := NewDialer(srv, Options{Mode: mode})
				_, data, err := listAndFetch(t, d)
				if err != nil {
					t.Fatalf("TLS %s %s: %v", tlsMode, mode, err)
				}
				want, _ := os.ReadFile(filepath.Join(root, "sub/b.bin"))
				if !bytes.Equal(data, want) {
					t.Fatal("TLS transfer corrupted")
				}
			})
		}
	}
}

func TestTLSUnknownCertificateIsRefused(t *testing.T) {
	s, _ := startServer(t, ftptest.Options{TLS: ftptest.TLSExplicit})
	srv := serverFor(s)
	srv.TLS = TLSExplicit
	_, err := NewDialer(srv, Options{}).Dial(context.Background())
	if err == nil || Classify(err) != KindFatal {
		t.Fatalf("err = %v, want a fatal certificate error", err)
	}
}
