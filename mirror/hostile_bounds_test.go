package mirror

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/internal/hostileftp"
	"github.com/ftpmirror/ftpmirror/plan"
)

// A listing that never ends is cut at Options.MaxListingBytes with an error
// that says so, and the directory counts as incomplete: nothing under it is
// deleted, and the deletion guard refuses any other deletion.
func TestHostileListingNeverEnds(t *testing.T) {
	for _, lf := range listFormats {
		for _, where := range []string{"/", "/sub"} {
			t.Run(lf.name+where, func(t *testing.T) {
				listing := []string{lf.file("4", "keep.txt"), lf.dir("sub")}
				h := newHostile(t, hostileftp.Options{
					MLST:     lf.mlst,
					Listings: map[string][]string{"/": listing, "/sub": {lf.file("2", "s.txt")}},
					Files:    files(map[string]string{"/keep.txt": "kept", "/sub/s.txt": "ss"}),
				})
				if r, err := h.pull(context.Background(), nil); err != nil || len(r.Failed) > 0 {
					t.Fatalf("first run: %v, failed %v", err, r.Failed)
				}

				h.serve(hostileftp.Options{
					MLST:            lf.mlst,
					Listings:        map[string][]string{"/": {lf.dir("sub")}},
					InfiniteListing: where,
				})
				r, err := h.pull(context.Background(), func(o *PullOptions) { o.Delete, o.Retries = true, 3 })
				var ge *plan.GuardError
				if where == "/sub" {
					// keep.txt is gone from a complete root listing, but
					// the guard refuses to delete while a listing failed.
					if !errors.As(err, &ge) {
						t.Errorf("want the deletion guard to refuse, got %v", err)
					}
				} else if err != nil {
					t.Fatal(err)
				}
				if r == nil {
					t.Fatalf("no report: %v", err)
				}
				dir := strings.TrimPrefix(where, "/")
				errs := failedFor(r, dir, "list")
				if len(errs) != 1 || !errors.Is(errs[0], errListingTooLong) ||
					!strings.Contains(errs[0].Error(), "listing too long: more than 1048576 bytes") {
					t.Errorf("want one listing-too-long failure for %q, got %v", dir, r.Failed)
				}
				verb := "LIST"
				if lf.mlst {
					verb = "MLSD"
				}
				lists := 1 // the root, and the directory below it if it is the endless one
				if where != "/" {
					lists = 2
				}
				if n := h.srv.Stats().Count(verb); n != lists {
					t.Errorf("%d %s commands: a listing over its bound was retried", n, verb)
				}
				h.checkOutside()
				h.wantTree(map[string]string{"keep.txt": "kept", "sub/": "", "sub/s.txt": "ss"})
			})
		}
	}
}

// A reply that never comes is bounded by Options.IdleTimeout, wherever the
// server stops: the run ends with a timeout, nothing under a final name.
func TestHostileReplyNeverComes(t *testing.T) {
	for _, tc := range []struct {
		hang  string
		mlst  bool
		fatal bool // the run fails as a whole rather than per path
		path  string
		op    plan.Op
	}{
		{hang: hostileftp.Greeting, fatal: true},
		{hang: "USER", fatal: true},
		{hang: "PASS", fatal: true},
		{hang: "FEAT", fatal: true},
		{hang: "TYPE", fatal: true},
		{hang: "LIST", path: "", op: "list"},
		{hang: "MLSD", mlst: true, path: "", op: "list"},
		{hang: "EPSV", path: "", op: "list"},
		{hang: "RETR", path: "ok.txt", op: plan.OpDownload},
		{hang: "MDTM", path: "ok.txt", op: plan.OpDownload},
	} {
		t.Run(tc.hang, func(t *testing.T) {
			lf := listFormats[1]
			if tc.mlst {
				lf = listFormats[0]
			}
			h := newHostile(t, hostileftp.Options{
				MLST:     tc.mlst,
				Listings: map[string][]string{"/": {lf.file("2", "ok.txt")}},
				Files:    files(map[string]string{"/ok.txt": "ok"}),
				Hang:     []string{tc.hang},
			})
			r, err := h.pull(context.Background(), nil)
			h.checkOutside()
			h.wantTree(map[string]string{})
			if tc.fatal {
				if err == nil {
					t.Fatal("the run succeeded")
				}
				wantTimeout(t, err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			errs := failedFor(r, tc.path, tc.op)
			if len(errs) != 1 {
				t.Fatalf("want one failure of %s %q, got %v", tc.op, tc.path, r.Failed)
			}
			wantTimeout(t, errs[0])
		})
	}
}

// A file longer or shorter than its listing, or cut short, is not committed:
// nothing under its final name, no temporary file left, and the error says
// what went wrong. A file that never ends is cut at the listed size.
func TestHostileSizeDiffers(t *testing.T) {
	long := strings.Repeat("L", 1000)
	for _, tc := range []struct {
		name string
		file hostileftp.File
		want string
	}{
		{"longer", hostileftp.File{Data: []byte(long)}, "more than the 10 bytes the listing gave"},
		{"shorter", hostileftp.File{Data: []byte("short")}, "got 5 bytes, the listing said 10"},
		{"endless", hostileftp.File{Data: []byte(long), Endless: true}, "more than the 10 bytes the listing gave"},
		{"cut", hostileftp.File{Data: []byte("0123456789"), CloseAfter: 4}, "426"},
	} {
		for _, lf := range listFormats {
			t.Run(tc.name+"/"+lf.name, func(t *testing.T) {
				h := newHostile(t, hostileftp.Options{
					MLST:     lf.mlst,
					Listings: map[string][]string{"/": {lf.file("2", "ok.txt"), lf.file("10", "f.bin")}},
					Files:    map[string]hostileftp.File{"/ok.txt": {Data: []byte("ok")}, "/f.bin": tc.file},
				})
				r, err := h.pull(context.Background(), nil)
				if err != nil {
					t.Fatal(err)
				}
				h.checkOutside()
				h.wantTree(map[string]string{"ok.txt": "ok"})
				if tmp := h.tempNames(); len(tmp) > 0 {
					t.Errorf("temporary files left: %q", tmp)
				}
				errs := failedFor(r, "f.bin", plan.OpDownload)
				if len(errs) != 1 || !strings.Contains(errs[0].Error(), tc.want) {
					t.Errorf("want one failure saying %q, got %v", tc.want, r.Failed)
				}
			})
		}
	}
}

// Cancelling the context ends the run promptly, long before any timeout,
// with context.Canceled and nothing partial under a final name.
func TestHostileCancelMidRun(t *testing.T) {
	big := strings.Repeat("B", 2<<20)
	for _, tc := range []struct {
		name string
		hang []string
		on   string // cancel when this verb arrives, or at the stall if ""
	}{
		{name: "during login", hang: []string{"USER"}, on: "USER"},
		{name: "during a listing", hang: []string{"LIST"}, on: "LIST"},
		{name: "during a transfer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			h := newHostile(t, hostileftp.Options{
				Listings: map[string][]string{"/": {
					hostileftp.LISTLine("-rw-r--r--", strconv.Itoa(len(big)), "big.bin"),
				}},
				Files: map[string]hostileftp.File{"/big.bin": {Data: []byte(big), StallAfter: 1 << 20}},
				Hang:  tc.hang,
				OnCommand: func(verb, _ string) {
					if verb == tc.on {
						cancel()
					}
				},
				OnStall: func(string) { cancel() },
			})
			// Only the cancellation can end these runs before the guard.
			r, err := h.pull(ctx, func(o *PullOptions) { o.Conn.IdleTimeout = time.Hour; o.Retries = 3 })
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("want context.Canceled, got %v (report %+v)", err, r)
			}
			h.checkOutside()
			h.wantTree(map[string]string{})
			for _, tmp := range h.tempNames() {
				if tmp != ".big.bin.ftpmirror-part" {
					t.Errorf("unexpected temporary file %q", tmp)
				}
			}
		})
	}
}
