package mirror

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

// Downloads sent ahead arrive whole and in order, with their exact times,
// on vsftpd (LIST, so MDTM rides along) and on the in-process server.
func TestDownloadsSentAheadArriveWholeWithTimes(t *testing.T) {
	files := map[string]string{"a.txt": "alpha", "b/b.txt": "bravo bravo", "c.bin": string(bytes.Repeat([]byte("c"), 300000)), "empty": ""}
	order := []string{"/a.txt", "/b/b.txt", "/c.bin", "/empty"}
	servers := map[string]func(t *testing.T, root string) *ftptest.Server{
		"vsftpd": func(t *testing.T, root string) *ftptest.Server {
			return ftptest.StartVsftpd(t, root, ftptest.VsftpdOptions{})
		},
		"goftp": func(t *testing.T, root string) *ftptest.Server { return ftptest.Start(t, root, ftptest.Options{}) },
	}
	for name, start := range servers {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			ftptest.WriteTree(t, root, files)
			when := time.Date(2024, 7, 8, 9, 10, 11, 0, time.UTC)
			for _, p := range order {
				ftptest.SetMtime(t, filepath.Join(root, p), when)
			}
			s := start(t, root)
			ctx := context.Background()
			c, err := NewDialer(serverFor(s), Options{}).Dial(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			// A first transfer settles the method, so that the rest may be
			// sent ahead.
			if _, err := c.List(ctx, "/"); err != nil {
				t.Fatal(err)
			}
			for i, p := range order {
				var next *retrSpec
				if i+1 < len(order) {
					next = &retrSpec{path: order[i+1], mtime: true}
				}
				var buf bytes.Buffer
				_, mt, ok, err := c.retrNext(ctx, retrSpec{path: p, mtime: true}, 0, &buf, next)
				if err != nil {
					t.Fatalf("%s: %v", p, err)
				}
				if want := files[p[1:]]; buf.String() != want {
					t.Fatalf("%s: got %d bytes, want %d", p, buf.Len(), len(want))
				}
				if !ok || !mt.Equal(when) {
					t.Errorf("%s: time %v (%v), want %v", p, mt, ok, when)
				}
				if i+1 < len(order) && c.t.ahead.sent == nil {
					t.Errorf("%s: nothing was sent ahead", p)
				}
			}
			if !c.reusable() {
				t.Fatal("the connection is not reusable after the chain")
			}
			if _, err := c.List(ctx, "/b"); err != nil {
				t.Fatalf("a listing after the chain: %v", err)
			}
		})
	}
}

// Asking for another file than the one sent ahead cannot go on over that
// connection: it is dropped rather than read out of step.
func TestDownloadSentAheadMustBeTheNext(t *testing.T) {
	s, _ := startServer(t, ftptest.Options{})
	ctx := context.Background()
	c, err := NewDialer(serverFor(s), Options{}).Dial(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.List(ctx, "/"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, _, _, err := c.retrNext(ctx, retrSpec{path: "/a.txt"}, 0, &buf, &retrSpec{path: "/sub/b.bin"}); err != nil {
		t.Fatal(err)
	}
	_, _, _, err = c.retrNext(ctx, retrSpec{path: "/with space.md"}, 0, &buf, nil)
	if !errors.Is(err, errAheadMismatch) || c.reusable() {
		t.Fatalf("err = %v, reusable = %v: want a mismatch and a dropped connection", err, c.reusable())
	}
}
