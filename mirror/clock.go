package mirror

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ftpmirror/ftpmirror/plan"
)

// A server's clock. RFC 3659 says MDTM and MLSD give UTC, and a LIST line has
// no zone at all; many servers (vsftpd with use_localtime=YES, most Windows
// servers) give their local time in all three. A run reads every time the
// server gives through a ServerZone, and writes every time it sends (MFMT)
// through it too, so that the times the planners compare and the local
// mtimes it sets are UTC. The zone is --server-timezone when given, or the
// offset learnt once per state by creating a tiny file (learnServerOffset).

// ServerZone says how the times a server reports relate to UTC: they are
// its wall clock in Location when that is set, else UTC plus Offset. The
// zero value is UTC.
type ServerZone struct {
	// Offset is how far ahead of UTC the server's times are.
	Offset time.Duration
	// Location, when set, is the server's zone, daylight saving included;
	// Offset is then not used.
	Location *time.Location
}

// IsUTC reports whether the zone is UTC, so that times need no conversion.
func (z ServerZone) IsUTC() bool { return z.Location == nil && z.Offset == 0 }

// ToUTC converts t, the server's wall clock read as if it were UTC (as the
// FTP library parses it), to the instant it means.
func (z ServerZone) ToUTC(t time.Time) time.Time {
	if t.IsZero() || z.IsUTC() {
		return t
	}
	if z.Location != nil {
		y, mo, d := t.Date()
		h, mi, s := t.Clock()
		return time.Date(y, mo, d, h, mi, s, t.Nanosecond(), z.Location).UTC()
	}
	return t.Add(-z.Offset)
}

// FromUTC is the reverse of ToUTC: the server's wall clock at t, written as
// a UTC time, as a command that sets a time must send it.
func (z ServerZone) FromUTC(t time.Time) time.Time {
	if t.IsZero() || z.IsUTC() {
		return t
	}
	if z.Location != nil {
		w := t.In(z.Location)
		y, mo, d := w.Date()
		h, mi, s := w.Clock()
		return time.Date(y, mo, d, h, mi, s, w.Nanosecond(), time.UTC)
	}
	return t.Add(z.Offset)
}

// String names the zone as ParseServerZone reads it: "UTC", "+09:00",
// "Europe/Berlin".
func (z ServerZone) String() string {
	if z.Location != nil {
		return z.Location.String()
	}
	if z.Offset == 0 {
		return "UTC"
	}
	sign, d := "+", z.Offset
	if d < 0 {
		sign, d = "-", -d
	}
	return fmt.Sprintf("%s%02d:%02d", sign, d/time.Hour, d%time.Hour/time.Minute)
}

// maxZoneOffset bounds an offset: zones range from UTC-12 to UTC+14.
const maxZoneOffset = 14 * time.Hour

// ParseServerZone reads a zone as --server-timezone takes it: "UTC", an
// offset ahead of UTC as ISO 8601 writes it ("+09:00", "-0530", "+9"), or a
// zone name of the tz database ("Europe/Berlin"), which follows daylight
// saving. The sign is ISO 8601's, the opposite of a POSIX TZ value such as
// lftp's ftp:timezone takes ("GMT-9" is nine hours ahead): such values are
// refused rather than guessed.
func ParseServerZone(s string) (ServerZone, error) {
	s = strings.TrimSpace(s)
	switch strings.ToUpper(s) {
	case "UTC", "GMT", "Z", "0":
		return ServerZone{}, nil
	}
	if s != "" && (s[0] == '+' || s[0] == '-') {
		return parseOffset(s)
	}
	up := strings.ToUpper(s)
	if strings.HasPrefix(up, "UTC") || strings.HasPrefix(up, "GMT") {
		return ServerZone{}, fmt.Errorf("%q is ambiguous (a POSIX TZ value counts hours west of UTC): write the offset ahead of UTC, such as +09:00", s)
	}
	loc, err := time.LoadLocation(s)
	if err != nil || s == "" || strings.EqualFold(s, "Local") {
		return ServerZone{}, fmt.Errorf("%q is neither an offset such as +09:00 nor a zone name such as Europe/Berlin", s)
	}
	return ServerZone{Location: loc}, nil
}

// parseOffset reads "+09:00", "+0900", "+9" or "-05:30".
func parseOffset(s string) (ServerZone, error) {
	bad := fmt.Errorf("invalid offset %q: write it as +HH:MM, such as +09:00 or -05:30", s)
	sign := time.Duration(1)
	if s[0] == '-' {
		sign = -1
	}
	hh, mm, colon := strings.Cut(s[1:], ":")
	if !colon && len(hh) == 4 {
		hh, mm = hh[:2], hh[2:]
	}
	h, err := strconv.Atoi(hh)
	if err != nil || len(hh) > 2 || h < 0 {
		return ServerZone{}, bad
	}
	m := 0
	if mm != "" || colon {
		if m, err = strconv.Atoi(mm); err != nil || len(mm) != 2 || m < 0 || m > 59 {
			return ServerZone{}, bad
		}
	}
	off := sign * (time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
	if off > maxZoneOffset || off < -maxZoneOffset {
		return ServerZone{}, fmt.Errorf("offset %q is beyond the zones of the earth (-12:00 to +14:00)", s)
	}
	return ServerZone{Offset: off}, nil
}

// toUTC converts every time of a listing with z, in place.
func (z ServerZone) toUTC(l plan.Listing) {
	if z.IsUTC() {
		return
	}
	for i := range l.Entries {
		l.Entries[i].ModTime = z.ToUTC(l.Entries[i].ModTime)
	}
}

// clockProbeName is the file learnServerOffset creates in the remote root:
// a name of the mirror's temporary kind (IsTempName), so that listings
// leave it out and a run removes it should it ever remain.
const clockProbeName = ".ftpmirror-clock" + upSuffix

// ErrNoClock is returned by learnServerOffset when the server refuses to
// let us create a file or to tell its time: asking again will not help.
var ErrNoClock = errors.New("cannot learn the server's clock")

// errClockFileLeft is returned by learnServerOffset, with the offset, when
// the file could not be removed. Its name is a temporary one: listings leave
// it out, and a push or sync removes it.
var errClockFileLeft = errors.New("the clock probe's file could not be removed")

// learnServerOffset creates an empty file in dir, asks its time (MDTM) and
// removes it at once. The offset is that time less the local clock during
// the upload, rounded to a quarter hour (zones are whole quarter hours
// apart): what rounding drops is the two clocks' skew, which is returned
// too. A refusal is ErrNoClock; a failure of the connection is returned as
// it is, to try again another time.
func learnServerOffset(ctx context.Context, c *Conn, dir string, now func() time.Time) (offset, skew time.Duration, err error) {
	name := path.Join(dir, clockProbeName)
	refused := func(what string, err error) error {
		if c.Broken() || IsTransient(err) || ctx.Err() != nil {
			return fmt.Errorf("%s %s: %w", what, name, err)
		}
		return fmt.Errorf("%w: %s %s: %w", ErrNoClock, what, name, err)
	}
	before := now()
	if err := c.Stor(ctx, name, strings.NewReader(""), 0); err != nil {
		return 0, 0, refused("create", err)
	}
	t, err := c.ModTime(ctx, name)
	after := now()
	var left error
	if derr := c.Delete(ctx, name); derr != nil {
		left = fmt.Errorf("%w: %s: %w", errClockFileLeft, name, derr)
	}
	if err != nil {
		return 0, 0, errors.Join(refused("time of", err), left)
	}
	// MDTM gives whole seconds: the file was written in [before, after].
	mid := before.Add(after.Sub(before) / 2).Truncate(time.Second)
	d := t.Sub(mid)
	offset = d.Round(plan.ShiftGrain)
	if offset > maxZoneOffset || offset < -maxZoneOffset {
		return 0, 0, errors.Join(fmt.Errorf("%w: the server dates a new file %s from now", ErrNoClock, plan.FormatOffset(d.Round(time.Minute))), left)
	}
	return offset, d - offset, left
}

// MaxClockSkew is how far in the future a local mtime may be set: a little
// more than two clocks kept by NTP ever differ. A server time later than
// that (a server reporting local time ahead of UTC, its offset unknown) is
// set to the local clock instead, with a warning.
const MaxClockSkew = time.Minute

// notInFuture returns mtime, or now when mtime is more than MaxClockSkew
// after it.
func notInFuture(mtime, now time.Time) time.Time {
	if mtime.After(now.Add(MaxClockSkew)) {
		return now
	}
	return mtime
}

// ClockReport is what a run learnt and saw of the server's clock.
type ClockReport struct {
	// Zone is the zone the server's times were read in.
	Zone ServerZone
	// Learnt is set when this run learnt the zone (learnServerOffset).
	Learnt bool
	// Shift is the move of the server's times the run absorbed (a zero
	// Offset: none).
	Shift plan.Shift
	// Future counts the local mtimes set to the local clock because the
	// server dated them in the future; Ahead is the furthest of them.
	Future int
	Ahead  time.Duration
}

// localTimes converts the times a download gets from the server and keeps
// them out of the future. It is shared by an executor's workers.
type localTimes struct {
	zone ServerZone
	now  func() time.Time

	mu     sync.Mutex
	future int
	ahead  time.Duration
}

// fromServer converts a time the server sent (MDTM) to UTC.
func (lt *localTimes) fromServer(t time.Time) time.Time {
	if lt == nil {
		return t
	}
	return lt.zone.ToUTC(t)
}

// toServer converts a time to send to the server (MFMT).
func (lt *localTimes) toServer(t time.Time) time.Time {
	if lt == nil {
		return t
	}
	return lt.zone.FromUTC(t)
}

// local returns the mtime to give a local file whose remote time is t: t,
// or the local clock when t is in the future (counted for the report).
func (lt *localTimes) local(t time.Time) time.Time {
	if lt == nil || t.IsZero() {
		return t
	}
	now := lt.now()
	out := notInFuture(t, now)
	if !out.Equal(t) {
		lt.mu.Lock()
		lt.future++
		lt.ahead = max(lt.ahead, t.Sub(now))
		lt.mu.Unlock()
	}
	return out
}

// ClockProbe is what ProbeClock learnt of a server's clock.
type ClockProbe struct {
	// Known is set when the offset was learnt; Err says why not (or, with
	// Known, that the file made to learn it remains).
	Known bool
	// Offset is how far ahead of UTC the server reports times; Skew is
	// what is left of the difference between the two clocks.
	Offset, Skew time.Duration
	Err          error
}

// ProbeClock learns the server's clock as a run does (learnServerOffset):
// it creates an empty file in dir ("" or a relative path: the login
// directory, or under it) and removes it at once. A server that
// refuses the file is no error: the probe says it does not know. A refused
// login or an unreachable server is.
func ProbeClock(ctx context.Context, srv Server, o Options, dir string) (ClockProbe, error) {
	o = o.withDefaults()
	c, err := NewDialer(srv, o).Dial(ctx)
	if err != nil {
		return ClockProbe{}, err
	}
	defer c.Close()
	off, skew, err := learnServerOffset(ctx, c, dir, func() time.Time { return time.Now().UTC() })
	switch {
	case errors.Is(err, errClockFileLeft) && !errors.Is(err, ErrNoClock):
		return ClockProbe{Known: true, Offset: off, Skew: skew, Err: err}, nil
	case errors.Is(err, ErrNoClock):
		return ClockProbe{Err: err}, nil
	case err != nil:
		return ClockProbe{}, err
	}
	return ClockProbe{Known: true, Offset: off, Skew: skew}, nil
}

// String says what the probe found, for a person.
func (p ClockProbe) String() string {
	if !p.Known {
		return "cannot tell this server's clock (it lets us create no file); if it reports local time, give --server-timezone"
	}
	var s string
	switch {
	case p.Offset == 0:
		s = "this server reports times in UTC"
	case p.Offset > 0:
		s = "this server reports times " + hoursText(p.Offset) + " ahead of UTC"
	default:
		s = "this server reports times " + hoursText(-p.Offset) + " behind UTC"
	}
	if p.Skew > MaxClockSkew || p.Skew < -MaxClockSkew {
		s += fmt.Sprintf("; its clock is off by %s", p.Skew.Round(time.Second))
	}
	if errors.Is(p.Err, errClockFileLeft) {
		s += "; the file " + clockProbeName + " made to learn it could not be removed"
	}
	return s
}

// hoursText writes a positive offset as "9 hours", "1 hour" or "5h45m".
func hoursText(d time.Duration) string {
	switch {
	case d == time.Hour:
		return "1 hour"
	case d%time.Hour == 0:
		return fmt.Sprintf("%d hours", d/time.Hour)
	}
	return strings.TrimPrefix(plan.FormatOffset(d), "+")
}
