package mirror

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/internal/hostileftp"
)

// tinyMinRate makes a trickle (a byte every 10ms, 100 bytes a second) fail
// within a window, and leaves the idle timeout, which the trickle resets with
// every byte, far out of the way.
func tinyMinRate(o *PullOptions) {
	o.Conn.MinRate = MinRate{Bytes: 1 << 10, Window: 50 * time.Millisecond}
	o.Conn.IdleTimeout = 10 * time.Second
}

// trickleCtx bounds a test's run: a run the rate bound does not end fails
// with the context's error instead of ErrTooSlow.
func trickleCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestTricklingListingIsEndedByTheRateBound(t *testing.T) {
	for _, lf := range listFormats {
		t.Run(lf.name, func(t *testing.T) {
			// A listing of some 60 KB, at 100 bytes a second: ten minutes.
			var sub []string
			for i := range 1000 {
				sub = append(sub, lf.file("1", fmt.Sprintf("f%04d", i)))
			}
			h := newHostile(t, hostileftp.Options{
				MLST:           lf.mlst,
				Listings:       map[string][]string{"/": {lf.dir("sub")}, "/sub": sub},
				TrickleListing: "/sub",
			})
			r, err := h.pull(trickleCtx(t), tinyMinRate)
			if err != nil {
				t.Fatalf("pull: %v", err)
			}
			errs := failedFor(r, "sub", "list")
			if len(errs) != 1 || !errors.Is(errs[0], ErrTooSlow) || !strings.Contains(errs[0].Error(), "fewer than 1024 bytes in 50ms") {
				t.Errorf("want one too-slow failure for sub, got %v", r.Failed)
			}
			h.checkOutside()
		})
	}
}

func TestTricklingDownloadIsEndedByTheRateBoundLeavingNothingPartial(t *testing.T) {
	lf := listFormats[0]
	data := strings.Repeat("x", 60<<10)
	h := newHostile(t, hostileftp.Options{
		MLST:     lf.mlst,
		Listings: map[string][]string{"/": {lf.file(fmt.Sprint(len(data)), "slow.bin")}},
		Files:    map[string]hostileftp.File{"/slow.bin": {Data: []byte(data), Trickle: true}},
	})
	r, err := h.pull(trickleCtx(t), tinyMinRate)
	if err != nil {
		t.Fatalf("pull: %v", err)
	}
	errs := failedFor(r, "slow.bin", "download")
	if len(errs) != 1 || !errors.Is(errs[0], ErrTooSlow) {
		t.Errorf("want one too-slow failure for slow.bin, got %v", r.Failed)
	}
	wantTree(t, h.local)
	h.checkOutside()
}

func TestParseMinRate(t *testing.T) {
	for in, want := range map[string]MinRate{
		"1K/60s": {Bytes: 1024, Window: time.Minute}, "10k/30s": {Bytes: 10240, Window: 30 * time.Second},
		"500/1m": {Bytes: 500, Window: time.Minute}, "off": {Bytes: -1},
	} {
		got, err := ParseMinRate(in)
		if err != nil || got != want {
			t.Errorf("ParseMinRate(%q) = %+v, %v; want %+v", in, got, err, want)
		}
		if back, err := ParseMinRate(got.String()); err != nil || back != got {
			t.Errorf("ParseMinRate(%q.String() = %q) = %+v, %v", in, got.String(), back, err)
		}
	}
	for _, in := range []string{"", "1K", "1K/", "/60s", "0/60s", "1K/0s", "1K/-1s", "x/60s", "1K/60"} {
		if got, err := ParseMinRate(in); err == nil {
			t.Errorf("ParseMinRate(%q) = %+v, want an error", in, got)
		}
	}
	if got := (MinRate{}).String(); got != "1K/1m0s" {
		t.Errorf("the zero MinRate is %q, want the default 1K/1m0s", got)
	}
}
