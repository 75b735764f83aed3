package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

func TestProbeTellsTheServerClock(t *testing.T) {
	f := newFixture(t, sampleTree, ftptest.Options{})
	if r := runCLI(t, "probe", f.url); r.code != exitOK || !strings.Contains(r.stdout, "this server reports times in UTC") {
		t.Fatalf("probe of a UTC server: %v", r)
	}
	if _, err := os.Stat(filepath.Join(f.remote, ".ftpmirror-clock.ftpmirror-up")); !os.IsNotExist(err) {
		t.Fatalf("probe left its clock file: %v", err)
	}
}

// localTimeVsftpd serves a tree of n (at most 5) files of the last two
// hours with vsftpd reporting local time in the POSIX zone tz, and returns
// the fixture pointing at it and a function that serves it again in another
// zone. No file is dated on the hour, so that none is listed at 00:00 (a
// LIST time of midnight may be a date alone, not compared to the minute).
func localTimeVsftpd(t *testing.T, n int, writable bool, tz string) (*fixture, func(string)) {
	t.Helper()
	isolate(t)
	remote := t.TempDir()
	base := time.Now().Truncate(time.Hour).Add(-time.Hour + 7*time.Minute)
	for i := range n {
		name := fmt.Sprintf("f%02d.txt", i)
		ftptest.WriteTree(t, remote, map[string]string{name: "0123456789"})
		ftptest.SetMtime(t, filepath.Join(remote, name), base.Add(time.Duration(i)*11*time.Minute))
	}
	f := &fixture{remote: remote, local: filepath.Join(t.TempDir(), "mirror"), state: filepath.Join(t.TempDir(), "state.db")}
	var srv *ftptest.Server
	serve := func(tz string) {
		if srv != nil {
			_ = srv.Close()
		}
		srv = ftptest.StartVsftpd(t, remote, ftptest.VsftpdOptions{LocalTime: true, Writable: writable, Env: []string{"TZ=" + tz}})
		t.Setenv("FTPMIRROR_PASSWORD", srv.Password)
		f.srv, f.url = srv, "ftp://"+srv.User+"@"+srv.Addr+"/"
	}
	serve(tz)
	return f, serve
}

func TestProbeTellsALocalTimeServerAhead(t *testing.T) {
	f, _ := localTimeVsftpd(t, 1, true, "UTC-9")
	r := runCLI(t, "probe", f.url)
	if r.code != exitOK || !strings.Contains(r.stdout, "this server reports times 9 hours ahead of UTC") {
		t.Fatalf("probe of a server 9h ahead: %v", r)
	}
	ro, _ := localTimeVsftpd(t, 1, false, "UTC-9")
	r = runCLI(t, "probe", ro.url)
	if r.code != exitOK || !strings.Contains(r.stdout, "cannot tell this server's clock (it lets us create no file); if it reports local time, give --server-timezone") {
		t.Fatalf("probe of a read-only server: %v", r)
	}
}

// A read-only server nine hours ahead: the pull warns that it would have
// dated files in the future and hints at --server-timezone, which then
// gives the files their own times.
func TestPullServerTimezoneForAReadOnlyServer(t *testing.T) {
	f, _ := localTimeVsftpd(t, 4, false, "UTC-9")
	r := f.pull(t)
	if r.code != exitOK || !strings.Contains(r.stderr, "ftpmirror: warning: the server dated 4 files up to +") ||
		!strings.Contains(r.stderr, "ftpmirror: hint: if the server reports local time, give its zone with --server-timezone") {
		t.Fatalf("pull from a server 9h ahead, its zone unknown: %v", r)
	}
	f.local, f.state = filepath.Join(t.TempDir(), "mirror"), filepath.Join(t.TempDir(), "state.db")
	r = f.pull(t, "--server-timezone", "+09:00", "--tls", "off") // off: no clear-password warning
	if r.code != exitOK || strings.Contains(r.stderr, "warning") {
		t.Fatalf("pull --server-timezone +09:00: %v", r)
	}
	ftptest.TreeEqual(t, f.remote, f.local)
}

func TestPullSaysOnceThatTheServerClockMoved(t *testing.T) {
	f, serve := localTimeVsftpd(t, 5, true, "UTC-1")
	if r := f.pull(t); r.code != exitOK {
		t.Fatalf("first pull: %v", r)
	}
	serve("UTC-2")
	r := f.pull(t)
	const note = "ftpmirror: note: the server's times moved by +1h for 5 of 5 files; treated as a clock change"
	if r.code != exitOK || strings.Count(r.stderr, note) != 1 {
		t.Fatalf("pull after the zone moved should say once %q: %v", note, r)
	}
	serve("UTC-3")
	r = f.pull(t, "--no-clock-shift")
	if r.code != exitOK || strings.Contains(r.stderr, "clock change") || !strings.Contains(r.stderr, "pulled 5 files") {
		t.Fatalf("pull --no-clock-shift after the zone moved should download all 5: %v", r)
	}

	// The learnt offset (+2h, kept by --no-clock-shift) follows the next
	// move; --json and 'state show' tell it.
	serve("UTC-4")
	r = f.pull(t, "--json")
	var doc jsonReport
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != exitOK {
		t.Fatalf("pull --json (%v): %v", err, r)
	}
	if want := (jsonClock{Zone: "+03:00", Shift: "+1h", ShiftFiles: 5}); doc.Clock != want || doc.Summary.Downloads != 0 {
		t.Fatalf("pull --json: clock %+v, %d downloads; want %+v and none", doc.Clock, doc.Summary.Downloads, want)
	}
	if r := runCLI(t, "state", "show", f.state); r.code != exitOK || !strings.Contains(r.stdout, "server clock:  +03:00 (learnt)") {
		t.Fatalf("state show: %v", r)
	}
}

func TestServerTimezoneFlagIsChecked(t *testing.T) {
	f := newFixture(t, sampleTree, ftptest.Options{})
	for _, bad := range []string{"UTC+9", "GMT-2", "+25:00", "+9:5", "Mars/Olympus"} {
		r := f.pull(t, "--server-timezone", bad)
		if r.code != exitUsage || !strings.Contains(r.stderr, "invalid --server-timezone") || !strings.Contains(r.stderr, "ftpmirror: hint:") {
			t.Errorf("--server-timezone %s: %v", bad, r)
		}
	}
}
