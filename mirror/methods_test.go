package mirror

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

// A method that worked is kept through isolated failures (a middlebox that
// drops one connection) and given up only after repeated ones.
func TestMethodThatWorkedSurvivesIsolatedFailures(t *testing.T) {
	b := newMethodBook(ModeAuto, "", 3)
	if got := b.candidates(); !slices.Equal(got, []Method{MethodEPSV, MethodPASV, MethodEPRT, MethodPORT}) {
		t.Fatalf("fresh candidates = %v", got)
	}
	b.record(Attempt{Method: MethodEPSV, Stage: StageOK})
	fail := Attempt{Method: MethodEPSV, Stage: StageData, Err: errors.New("reset")}
	b.record(fail)
	b.record(fail)
	if got := b.candidates(); !slices.Equal(got, []Method{MethodEPSV}) {
		t.Fatalf("after two failures candidates = %v, want EPSV kept", got)
	}
	b.record(Attempt{Method: MethodEPSV, Stage: StageOK}) // success resets the count
	b.record(fail)
	b.record(fail)
	if got := b.candidates(); !slices.Equal(got, []Method{MethodEPSV}) {
		t.Fatalf("failures were not reset by a success: %v", got)
	}
	b.record(fail)
	if got := b.candidates(); !slices.Equal(got, []Method{MethodPASV, MethodEPRT, MethodPORT}) {
		t.Fatalf("after three failures in a row candidates = %v", got)
	}
	// A method that never worked is ruled out at its first failure.
	b.record(Attempt{Method: MethodPASV, Stage: StageConnect, Err: errors.New("refused")})
	if got := b.candidates(); !slices.Equal(got, []Method{MethodEPRT, MethodPORT}) {
		t.Fatalf("candidates = %v", got)
	}
}

func TestPreferredMethodFromStateIsTriedFirst(t *testing.T) {
	b := newMethodBook(ModeAuto, MethodEPRT, 3)
	if got := b.candidates(); !slices.Equal(got, []Method{MethodEPRT, MethodEPSV, MethodPASV, MethodPORT}) {
		t.Fatalf("candidates = %v", got)
	}
	if got := newMethodBook(ModePassive, MethodEPRT, 3).candidates(); !slices.Equal(got, []Method{MethodEPSV, MethodPASV}) {
		t.Fatalf("a preferred method outside the mode was used: %v", got)
	}
}

// listenRecorder keeps the addresses the transport says it listens on and
// advertises for active mode.
type listenRecorder struct {
	slog.Handler
	listen, advertise []string
}

func (h *listenRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (h *listenRecorder) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "listen":
			h.listen = append(h.listen, a.Value.String())
		case "advertise":
			h.advertise = append(h.advertise, a.Value.String())
		}
		return true
	})
	return nil
}

func TestActivePortRangeAndAdvertisedAddress(t *testing.T) {
	s, _ := startServer(t, ftptest.Options{})
	h := &listenRecorder{}
	d := NewDialer(serverFor(s), Options{Mode: ModeActive, ActivePortLow: 42100, ActivePortHigh: 42110,
		ActiveAddr: net.ParseIP("127.0.0.1"), Logger: slog.New(h)})
	if _, _, err := listAndFetch(t, d); err != nil {
		t.Fatal(err)
	}
	if len(h.listen) == 0 {
		t.Fatal("no active listener was opened")
	}
	for _, a := range h.listen {
		_, p, _ := net.SplitHostPort(a)
		if n, _ := strconv.Atoi(p); n < 42100 || n > 42110 {
			t.Errorf("listened on %s, outside 42100-42110", a)
		}
	}
	if cmd := activeCommand(MethodEPRT, net.ParseIP("203.0.113.7"), 42101); cmd != "EPRT |1|203.0.113.7|42101|" {
		t.Errorf("EPRT = %q", cmd)
	}
	if cmd := activeCommand(MethodPORT, net.ParseIP("203.0.113.7"), 42101); cmd != "PORT 203,0,113,7,164,117" {
		t.Errorf("PORT = %q", cmd)
	}
	if cmd := activeCommand(MethodEPRT, net.ParseIP("2001:db8::1"), 42101); cmd != "EPRT |2|2001:db8::1|42101|" {
		t.Errorf("EPRT v6 = %q", cmd)
	}
}

func TestParsePassiveReplies(t *testing.T) {
	if p, err := parseEPSV("Entering Extended Passive Mode (|||6446|)"); err != nil || p != 6446 {
		t.Errorf("EPSV = %d, %v", p, err)
	}
	if p, err := parseEPSV("Entering Extended Passive Mode (!!!6446!)"); err != nil || p != 6446 {
		t.Errorf("EPSV with another delimiter = %d, %v", p, err)
	}
	for _, bad := range []string{"(|||0|)", "(|||70000|)", "(||6446|)", "no parens", "(|||x|)"} {
		if _, err := parseEPSV(bad); err == nil {
			t.Errorf("EPSV %q accepted", bad)
		}
	}
	ip, p, err := parsePASV("Entering Passive Mode (10,0,0,5,117,48)")
	if err != nil || !ip.Equal(net.ParseIP("10.0.0.5")) || p != 30000 {
		t.Errorf("PASV = %v %d %v", ip, p, err)
	}
	if _, _, err := parsePASV("Entering Passive Mode 10,0,0,5,117,48"); err != nil {
		t.Errorf("PASV without parentheses: %v", err)
	}
	for _, bad := range []string{"(1,2,3,4,5)", "(300,0,0,1,1,1)", "(1,2,3,4,0,0)"} {
		if _, _, err := parsePASV(bad); err == nil {
			t.Errorf("PASV %q accepted", bad)
		}
	}
}
