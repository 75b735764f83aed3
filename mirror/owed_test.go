package mirror

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// chainScript serves a login offering MDTM, then one download (a) whose
// transfer the client sends the next one's MDTM, EPSV and RETR (b) during.
// finish writes what follows a's data; it returns b's data port or nil.
func chainScript(t *testing.T, finish func(s *script, epsvB string) bool) (*Conn, *Dialer) {
	t.Helper()
	s := newScript(t)
	s.serve(func(s *script) {
		s.login(" MDTM")
		if l := s.line(); l != "MDTM /a" {
			t.Errorf("got %q, want MDTM /a", l)
			return
		}
		s.say("213 20240101000000")
		if l := s.line(); l != "EPSV" {
			t.Errorf("got %q, want EPSV", l)
			return
		}
		lnA, epsvA := s.dataPort()
		s.say(epsvA)
		if l := s.line(); l != "RETR /a" {
			t.Errorf("got %q, want RETR /a", l)
			return
		}
		s.say("150 a coming")
		sendData(lnA, "aaaa")
		if got := s.lines(3); got[0] != "MDTM /b" || got[1] != "EPSV" || got[2] != "RETR /b" {
			t.Errorf("sent ahead %q, want MDTM /b, EPSV, RETR /b", got)
			return
		}
		lnB, epsvB := s.dataPort()
		if finish(s, epsvB) {
			sendData(lnB, "bbbbbb")
			s.say("226 b done")
		} else {
			lnB.Close()
		}
		s.line()
	})
	d := NewDialer(s.srv, Options{IdleTimeout: 5 * time.Second, Preferred: MethodEPSV})
	d.book.record(Attempt{Method: MethodEPSV, Stage: StageOK}) // a method known to work
	c, err := d.Dial(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, d
}

// The replies of a's end and of b's commands come in one write: each goes
// to its owner (the library gets 226 for a and 150/226 for b, the transport
// the MDTM time and the passive port), and b needs no further round trip.
func TestInterleavedRepliesEachGoToTheirOwner(t *testing.T) {
	c, d := chainScript(t, func(s *script, epsvB string) bool {
		s.say("226 a done", "213 20230506070809", epsvB, "150 b coming")
		return true
	})
	ctx := context.Background()
	var a, b bytes.Buffer
	_, mtA, okA, err := c.retrNext(ctx, retrSpec{path: "/a", mtime: true}, 0, &a, &retrSpec{path: "/b", mtime: true})
	if err != nil || a.String() != "aaaa" || !okA || mtA.Year() != 2024 {
		t.Fatalf("a: %q, %v (%v), %v", a.String(), mtA, okA, err)
	}
	_, mtB, okB, err := c.retrNext(ctx, retrSpec{path: "/b", mtime: true}, 0, &b, nil)
	if err != nil || b.String() != "bbbbbb" || !okB || !mtB.Equal(time.Date(2023, 5, 6, 7, 8, 9, 0, time.UTC)) {
		t.Fatalf("b: %q, %v (%v), %v", b.String(), mtB, okB, err)
	}
	if !c.reusable() || !d.SendsAhead() {
		t.Fatalf("reusable %v, sends ahead %v", c.reusable(), d.SendsAhead())
	}
}

// A server that cuts a's transfer when b's commands arrive, and answers
// them without ever ending a (as pyftpdlib does): the reply in a's place
// cannot be a's, so the operation fails at once with ErrSendAhead, the
// Dialer stops sending ahead, and the data method is not blamed.
func TestRepliesOutOfStepAfterSendingAheadAreTold(t *testing.T) {
	c, d := chainScript(t, func(s *script, epsvB string) bool {
		s.say("213 20230506070809", epsvB)
		return false
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var a bytes.Buffer
	_, _, _, err := c.retrNext(ctx, retrSpec{path: "/a", mtime: true}, 0, &a, &retrSpec{path: "/b", mtime: true})
	if !errors.Is(err, ErrSendAhead) || !IsTransient(err) {
		t.Fatalf("err = %v, want a transient ErrSendAhead", err)
	}
	if !c.Broken() || d.SendsAhead() {
		t.Fatalf("broken %v, sends ahead %v: want the connection dropped and sending ahead off", c.Broken(), d.SendsAhead())
	}
	if d.Method() != MethodEPSV {
		t.Fatalf("method %q after a send-ahead failure, want EPSV kept", d.Method())
	}
	for _, at := range d.Attempts() {
		if at.Stage != StageOK {
			t.Fatalf("a data channel failure was recorded: %+v", at)
		}
	}
}

// fits tells which replies can answer which command.
func TestOwedReplyFits(t *testing.T) {
	for _, c := range []struct {
		verb string
		data bool
		pre  bool // the transfer is under way (its 1xx came)
		code int
		want bool
	}{
		{"RETR", true, false, 150, true}, {"RETR", true, false, 226, true}, {"RETR", true, false, 451, true},
		{"RETR", true, false, 213, false}, {"RETR", true, false, 229, false},
		{"RETR", true, false, 550, true}, {"RETR", true, false, 500, true},
		// Under way, only the transfer's outcome may come: a syntax error is
		// the reply to commands the server threw away during it (pure-ftpd).
		{"RETR", true, true, 226, true}, {"RETR", true, true, 426, true}, {"RETR", true, true, 451, true},
		{"RETR", true, true, 552, true}, {"RETR", true, true, 500, false}, {"RETR", true, true, 502, false},
		{"MDTM", false, false, 213, true}, {"MDTM", false, false, 229, false}, {"MDTM", false, false, 550, true},
		{"EPSV", false, false, 229, true}, {"EPSV", false, false, 150, false},
		{"PRET", false, false, 200, true}, {"PRET", false, false, 226, false}, {"PRET", false, false, 550, true},
		{"STAT", false, false, 213, true}, {"CWD", false, false, 250, true},
	} {
		e := &owed{verb: c.verb, data: c.data, preliminary: c.pre}
		if got := e.fits(c.code); got != c.want {
			t.Errorf("%s (under way %v) fits %d = %v, want %v", c.verb, c.pre, c.code, got, c.want)
		}
	}
}

// In active mode, a server that accepts EPRT and then neither connects nor
// answers the data command: the wait ends after the data timeout, and the
// error says what was waited for.
func TestActiveWaitEndsNamingWhatItWaitedFor(t *testing.T) {
	s := newScript(t)
	s.serve(func(s *script) {
		s.login()
		if l := s.line(); !strings.HasPrefix(l, "EPRT") {
			t.Errorf("got %q, want EPRT", l)
			return
		}
		s.say("200 EPRT ok")
		s.line() // RETR: never answered, never connected
		s.line()
	})
	c, err := NewDialer(s.srv, Options{Mode: ModeActive, DataTimeout: 200 * time.Millisecond}).Dial(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err = c.Retr(ctx, "/x", 0, &bytes.Buffer{})
	if ctx.Err() != nil || err == nil || !strings.Contains(err.Error(), "waited for the server's active data connection") || !IsTransient(err) {
		t.Fatalf("err = %v (context %v), want a transient error naming the active data connection", err, ctx.Err())
	}
}

// A reply that never comes ends the wait after the idle timeout, and the
// error names the command it waited for.
func TestReplyThatNeverComesNamesTheCommand(t *testing.T) {
	s := newScript(t)
	s.serve(func(s *script) {
		s.login()
		s.line() // SIZE: never answered
		s.line()
	})
	c, err := NewDialer(s.srv, Options{IdleTimeout: 200 * time.Millisecond}).Dial(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err = c.Size(ctx, "/x")
	if ctx.Err() != nil || !errors.Is(err, os.ErrDeadlineExceeded) || !strings.Contains(err.Error(), "reply to SIZE") || !IsTransient(err) {
		t.Fatalf("err = %v, want a transient timeout naming SIZE", err)
	}
}
