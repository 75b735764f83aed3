package mirror

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
	"github.com/ftpmirror/ftpmirror/plan"
)

func serverFor(s *ftptest.Server) Server {
	return Server{Host: s.Host, Port: s.Port, User: s.User, Password: NewSecret(s.Password)}
}

func startServer(t *testing.T, o ftptest.Options) (*ftptest.Server, string) {
	t.Helper()
	root := t.TempDir()
	ftptest.WriteTree(t, root, map[string]string{
		"a.txt":         "hello",
		"sub/b.bin":     strings.Repeat("x", 100000),
		".hidden":       "h",
		"empty/":        "",
		"with space.md": "spaced",
	})
	return ftptest.Start(t, root, o), root
}

// listAndFetch lists the root and fetches sub/b.bin over a fresh Dialer.
func listAndFetch(t *testing.T, d *Dialer) ([]plan.Entry, []byte, error) {
	t.Helper()
	ctx := context.Background()
	c, err := d.Dial(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer c.Close()
	entries, err := c.List(ctx, "/")
	if err != nil {
		return nil, nil, err
	}
	var buf bytes.Buffer
	if _, err := c.Retr(ctx, "/sub/b.bin", 0, &buf); err != nil {
		return entries, nil, err
	}
	return entries, buf.Bytes(), nil
}

func TestDataChannelFallsBackThroughEveryMethod(t *testing.T) {
	cases := []struct {
		disable []string
		want    Method
	}{
		{nil, MethodEPSV},
		{[]string{"EPSV"}, MethodPASV},
		{[]string{"EPSV", "PASV"}, MethodEPRT},
		{[]string{"EPSV", "PASV", "EPRT"}, MethodPORT},
	}
	for _, tc := range cases {
		t.Run(string(tc.want), func(t *testing.T) {
			s, root := startServer(t, ftptest.Options{Disable: tc.disable})
			d := NewDialer(serverFor(s), Options{})
			entries, data, err := listAndFetch(t, d)
			if err != nil {
				t.Fatalf("list and fetch: %v", err)
			}
			want, _ := os.ReadFile(filepath.Join(root, "sub/b.bin"))
			if !bytes.Equal(data, want) {
				t.Fatalf("fetched %d bytes, want %d identical bytes", len(data), len(want))
			}
			names := map[string]bool{}
			for _, e := range entries {
				names[e.Path] = true
			}
			for _, n := range []string{"a.txt", "sub", ".hidden", "empty", "with space.md"} {
				if !names[n] {
					t.Errorf("listing lacks %q: %v", n, entries)
				}
			}
			if got := d.Method(); got != tc.want {
				t.Fatalf("method %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPassiveOnlyAgainstPassiveBlockedServerFailsNamingActiveMode(t *testing.T) {
	s, _ := startServer(t, ftptest.Options{Disable: []string{"EPSV", "PASV"}})
	d := NewDialer(serverFor(s), Options{Mode: ModePassive})
	_, _, err := listAndFetch(t, d)
	var dce *DataChannelError
	if !errors.As(err, &dce) {
		t.Fatalf("err = %v, want a DataChannelError", err)
	}
	if !strings.Contains(err.Error(), "--mode active") || !strings.Contains(err.Error(), "refuses EPSV") {
		t.Fatalf("message does not explain: %v", err)
	}
	if Classify(err) != KindFatal {
		t.Fatalf("a data channel failure must be fatal, got %v", Classify(err))
	}
}

func TestWrongPasswordIsLoginError(t *testing.T) {
	s, _ := startServer(t, ftptest.Options{})
	srv := serverFor(s)
	srv.Password = NewSecret("wrong-password-123")
	_, err := NewDialer(srv, Options{}).Dial(context.Background())
	if !errors.Is(err, ErrLogin) {
		t.Fatalf("err = %v, want ErrLogin", err)
	}
	if strings.Contains(err.Error(), "wrong-password-123") {
		t.Fatalf("error shows the password: %v", err)
	}
}

func TestCancelledContextAbortsTransfer(t *testing.T) {
	s, _ := startServer(t, ftptest.Options{})
	d := NewDialer(serverFor(s), Options{})
	c, err := d.Dial(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	w := writerFunc(func(p []byte) (int, error) { cancel(); return len(p), nil })
	_, err = c.Retr(ctx, "/sub/b.bin", 0, w)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if !c.Broken() {
		t.Fatal("a cancelled connection must be marked broken")
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

var _ = time.Second
