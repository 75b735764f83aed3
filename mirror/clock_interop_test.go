package mirror

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
	"github.com/ftpmirror/ftpmirror/state"
)

// Tests of a server that reports local time (vsftpd use_localtime=YES) in
// zones given by TZ. A POSIX TZ counts hours west of UTC: "UTC-2" is two
// hours ahead of it.

// clockTree writes n files of 10 bytes into root, dated from base on, to
// the second, 7 minutes apart (never on the hour: see fiveHoursAgo).
func clockTree(t *testing.T, root string, n int, base time.Time) {
	t.Helper()
	for i := range n {
		name := fmt.Sprintf("f%02d.txt", i)
		ftptest.WriteTree(t, root, map[string]string{name: fmt.Sprintf("content %02d", i)})
		ftptest.SetMtime(t, filepath.Join(root, name), base.Add(time.Duration(i)*7*time.Minute+time.Duration(i)*time.Second))
	}
}

// localTimeServer serves f.remote with vsftpd reporting local time in tz,
// and points f at it; it returns a function that serves it again in
// another zone, as a server's zone moves.
func localTimeServer(t *testing.T, f *pullFixture, writable bool, tz string) func(tz string) {
	t.Helper()
	var s *ftptest.Server
	serve := func(tz string) {
		if s != nil {
			_ = s.Close()
		}
		s = ftptest.StartVsftpd(t, f.remote, ftptest.VsftpdOptions{LocalTime: true, Writable: writable, Env: []string{"TZ=" + tz}})
		f.srv = serverFor(s)
	}
	serve(tz)
	return serve
}

// fiveHoursAgo is a time for clockTree's files to start from: 7 minutes
// past an hour, so that no file is listed at 00:00 in any zone of the tests
// (a LIST time of midnight may be a date alone, and is not compared to
// the minute).
func fiveHoursAgo() time.Time {
	return time.Now().Add(-5 * time.Hour).Truncate(time.Hour).Add(7 * time.Minute)
}

func clockFixture(t *testing.T, n int) *pullFixture {
	t.Helper()
	remote := t.TempDir()
	clockTree(t, remote, n, fiveHoursAgo())
	return &pullFixture{t: t, remote: remote, local: filepath.Join(t.TempDir(), "mirror"),
		state: filepath.Join(t.TempDir(), "state.db")}
}

func (f *pullFixture) meta() state.Meta {
	f.t.Helper()
	st, err := state.Open(f.state, state.Options{ReadOnly: true})
	if err != nil {
		f.t.Fatal(err)
	}
	defer st.Close()
	m, err := st.Meta()
	if err != nil {
		f.t.Fatal(err)
	}
	return m
}

// On a server we may write to, the offset is learnt on the first pull, so
// the local mtimes are the files' own; when the server's zone moves by an
// hour (daylight saving), the next pull transfers nothing but a file that
// really changed meanwhile, and the offset follows the zone.
func TestVsftpdLocalTimeZoneMoveIsNoChange(t *testing.T) {
	const n = 20
	f := clockFixture(t, n)
	serve := localTimeServer(t, f, true, "UTC-1")

	r := f.mustPull(nil)
	if !r.Clock.Learnt || r.Clock.Zone.Offset != time.Hour {
		t.Fatalf("first pull learnt %+v, want the offset +1h", r.Clock)
	}
	if r.Done.Downloads != n {
		t.Fatalf("first pull downloaded %d files, want %d", r.Done.Downloads, n)
	}
	ftptest.TreeEqual(t, f.remote, f.local) // mtimes included
	if _, err := os.Stat(filepath.Join(f.remote, clockProbeName)); !os.IsNotExist(err) {
		t.Fatalf("the clock probe's file remains on the server: %v", err)
	}

	// The zone moves; one file is rewritten meanwhile, at the same size
	// and three minutes later.
	serve("UTC-2")
	changed := filepath.Join(f.remote, "f05.txt")
	fi, err := os.Stat(changed)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(changed, []byte("CONTENT 05"), 0o644); err != nil {
		t.Fatal(err)
	}
	ftptest.SetMtime(t, changed, fi.ModTime().Add(3*time.Minute))

	r = f.mustPull(nil)
	if s := r.Clock.Shift; s.Offset != time.Hour || s.Files != n-1 || s.Compared != n {
		t.Fatalf("shift seen: %s, want +1h for %d of %d files", s, n-1, n)
	}
	if got := r.Plan.Summary().Downloads; got != 1 || r.Done.Downloads != 1 {
		t.Fatalf("pull after the zone moved planned %d downloads and did %d, want only the changed file: %+v", got, r.Done.Downloads, r.Plan.Actions)
	}
	ftptest.TreeEqual(t, f.remote, f.local)
	if m := f.meta(); !m.ServerOffsetKnown || m.ServerOffset != 2*time.Hour {
		t.Fatalf("state's offset after the move: %v (known %v), want +2h", m.ServerOffset, m.ServerOffsetKnown)
	}
	if r := f.mustPull(nil); len(r.Plan.Actions) != 0 || r.Clock.Shift.Seen() {
		t.Fatalf("third pull plans %+v, shift %s; want nothing", r.Plan.Actions, r.Clock.Shift)
	}
}

// Without a way to learn the offset (a read-only account), a zone move is
// still absorbed, by the records taking the listed times; --no-clock-shift
// turns that off and every file is downloaded again.
func TestVsftpdLocalTimeReadOnlyZoneMove(t *testing.T) {
	const n = 12
	f := clockFixture(t, n)
	serve := localTimeServer(t, f, false, "UTC-1")
	r := f.mustPull(nil)
	if r.Clock.Learnt || r.Done.Downloads != n {
		t.Fatalf("first pull: clock %+v, %d downloads; want nothing learnt and %d downloads", r.Clock, r.Done.Downloads, n)
	}
	if m := f.meta(); m.ServerOffsetKnown || !m.ServerOffsetTried {
		t.Fatalf("state after a refused clock probe: %+v, want tried and unknown", m)
	}

	serve("UTC-2")
	r = f.mustPull(nil)
	if r.Clock.Shift.Offset != time.Hour || r.Done.Downloads != 0 || len(r.Plan.Actions) != 0 {
		t.Fatalf("pull after the zone moved: shift %s, plan %+v; want +1h absorbed and nothing to do", r.Clock.Shift, r.Plan.Actions)
	}
	if r := f.mustPull(nil); len(r.Plan.Actions) != 0 || r.Clock.Shift.Seen() {
		t.Fatalf("the shifted records were not kept: next pull plans %+v, shift %s", r.Plan.Actions, r.Clock.Shift)
	}

	serve("UTC-3")
	r = f.mustPull(func(o *PullOptions) { o.NoClockShift = true })
	if r.Clock.Shift.Seen() || r.Done.Downloads != n {
		t.Fatalf("with NoClockShift: shift %s, %d downloads; want none seen and %d downloads", r.Clock.Shift, r.Done.Downloads, n)
	}
}

// A read-only server nine hours ahead of UTC: without its zone, no local
// mtime is set in the future (they are clamped, and the report says so);
// with --server-timezone, as an offset or a zone name, they are the files'
// own.
func TestVsftpdLocalTimeAheadServerTimezone(t *testing.T) {
	const n = 5
	f := clockFixture(t, n)
	localTimeServer(t, f, false, "UTC-9")
	// The newest file, a minute old, would be 9h in the future.
	newest := filepath.Join(f.remote, fmt.Sprintf("f%02d.txt", n-1))
	ftptest.SetMtime(t, newest, time.Now().Add(-time.Minute).Truncate(time.Second))

	r := f.mustPull(nil)
	if r.Clock.Future == 0 || r.Clock.Ahead < 8*time.Hour {
		t.Fatalf("clock report %+v, want files dated about 9h in the future", r.Clock)
	}
	limit := time.Now().Add(MaxClockSkew)
	err := filepath.Walk(f.local, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.ModTime().After(limit) {
			t.Errorf("%s has mtime %v, in the future", p, fi.ModTime())
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Logf("no zone data for Asia/Tokyo (%v): the offset alone is tested", err)
	}
	for _, c := range []struct {
		name       string
		z          ServerZone
		segmentMin int64
	}{
		{"offset", ServerZone{Offset: 9 * time.Hour}, 0},
		{"zone name", ServerZone{Location: tokyo}, 0},
		{"segmented downloads", ServerZone{Offset: 9 * time.Hour}, 8}, // segment.go: each file over 3 connections
	} {
		z := c.z
		if z.Location == nil && z.Offset == 0 {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			g := *f
			g.t, g.local, g.state = t, filepath.Join(t.TempDir(), "mirror"), filepath.Join(t.TempDir(), "state.db")
			r := g.mustPull(func(o *PullOptions) { o.ServerZone, o.SegmentMin = &z, c.segmentMin })
			if r.Clock.Future != 0 || r.Done.Downloads != n {
				t.Fatalf("with the zone given: %+v, %d downloads", r.Clock, r.Done.Downloads)
			}
			ftptest.TreeEqual(t, g.remote, g.local)
			if r := g.mustPull(func(o *PullOptions) { o.ServerZone = &z }); len(r.Plan.Actions) != 0 {
				t.Fatalf("second pull plans %+v", r.Plan.Actions)
			}
		})
	}
}

// Push to a server reporting local time: the times it is sent (MDTM with a
// time) are its local ones, so the remote files carry the local mtimes, and
// after its zone moves the next push uploads nothing.
func TestVsftpdLocalTimePushKeepsMtimesAcrossAZoneMove(t *testing.T) {
	const n = 6
	f := clockFixture(t, 0)
	if err := os.MkdirAll(f.local, 0o755); err != nil {
		t.Fatal(err)
	}
	clockTree(t, f.local, n, fiveHoursAgo())
	serve := localTimeServer(t, f, true, "UTC-3")
	r := f.mustPush(nil)
	if r.Done.Uploads != n || r.Clock.Zone.Offset != 3*time.Hour {
		t.Fatalf("first push: %d uploads, zone %v; want %d and +3h", r.Done.Uploads, r.Clock.Zone, n)
	}
	ftptest.TreeEqual(t, f.local, f.remote)
	if r := f.mustPush(nil); len(r.Plan.Actions) != 0 {
		t.Fatalf("second push plans %+v", r.Plan.Actions)
	}
	serve("UTC-4")
	r = f.mustPush(nil)
	if len(r.Plan.Actions) != 0 || r.Clock.Shift.Offset != time.Hour {
		t.Fatalf("push after the zone moved: shift %s, plan %+v; want +1h absorbed and nothing to do", r.Clock.Shift, r.Plan.Actions)
	}
	ftptest.TreeEqual(t, f.local, f.remote)
}

// Sync compares local times with the listed ones through the same zone: a
// tree already on both sides is adopted, not transferred, and after the
// server's zone moves a sync transfers only what really changed.
func TestVsftpdLocalTimeSyncAdoptsAndAbsorbsAZoneMove(t *testing.T) {
	const n = 8
	f := clockFixture(t, 0)
	if err := os.MkdirAll(f.local, 0o755); err != nil {
		t.Fatal(err)
	}
	base := fiveHoursAgo()
	clockTree(t, f.remote, n, base)
	clockTree(t, f.local, n, base) // the same files, at the same times
	serve := localTimeServer(t, f, true, "UTC-2")
	r := f.mustSync(nil)
	if s := r.Done; s.Adopted != n || s.Uploads != 0 || s.Downloads != 0 || s.Conflicts != 0 {
		t.Fatalf("first sync of equal trees = %+v, want %d adopted and nothing transferred", s, n)
	}
	serve("UTC-3")
	writeAt(t, f.local, "f03.txt", "CONTENT 03", time.Now().Add(-time.Minute).Truncate(time.Second))
	r = f.mustSync(nil)
	if s := r.Done; r.Clock.Shift.Offset != time.Hour || s.Uploads != 1 || s.Downloads != 0 || s.Conflicts != 0 {
		t.Fatalf("sync after the zone moved: shift %s, done %+v; want +1h absorbed and only the local edit uploaded", r.Clock.Shift, s)
	}
	ftptest.TreeEqual(t, f.local, f.remote)
}

// A server that lets us create a file but not delete it (an upload drop)
// still tells its clock: the offset is learnt, and the file, of a temporary
// name, is left out of the listing.
func TestVsftpdLocalTimeLearntWhereDeleteIsRefused(t *testing.T) {
	const n = 3
	f := clockFixture(t, n)
	s := ftptest.StartVsftpd(t, f.remote, ftptest.VsftpdOptions{LocalTime: true, Writable: true,
		Env: []string{"TZ=UTC-5"}, Config: []string{"cmds_denied=DELE"}})
	f.srv = serverFor(s)
	r := f.mustPull(nil)
	if r.Clock.Zone.Offset != 5*time.Hour || !r.Clock.Learnt || r.Done.Downloads != n {
		t.Fatalf("pull: clock %+v, %d downloads; want +5h learnt and %d downloads", r.Clock, r.Done.Downloads, n)
	}
	if _, err := os.Stat(filepath.Join(f.remote, clockProbeName)); err != nil {
		t.Fatalf("DELE is denied, yet the clock file is gone: %v", err)
	}
	if err := os.Remove(filepath.Join(f.remote, clockProbeName)); err != nil {
		t.Fatal(err)
	}
	ftptest.TreeEqual(t, f.remote, f.local)
}
