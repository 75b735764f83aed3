package main

import (
	"fmt"
	"time"
	// Zone names for --server-timezone, where the system has no tz database.
	_ "time/tzdata"

	"github.com/ftpmirror/ftpmirror/mirror"
	"github.com/ftpmirror/ftpmirror/plan"
	"github.com/ftpmirror/ftpmirror/state"
)

// zone validates --server-timezone; nil means the run learns the zone.
func (f *connFlags) zone() (*mirror.ServerZone, error) {
	if f.serverZone == "" {
		return nil, nil
	}
	z, err := mirror.ParseServerZone(f.serverZone)
	if err != nil {
		return nil, usageErr("invalid --server-timezone: "+err.Error(),
			"give the offset ahead of UTC the server's times show, such as +09:00, or a zone name such as Europe/Berlin")
	}
	return &z, nil
}

// clockNotes tells what a run saw of the server's clock: a move of its
// times taken as a clock change (not with --quiet), and local times that
// would have been in the future (always: it wants a fix).
func clockNotes(con *console, out *outputFlags, c mirror.ClockReport) {
	if c.Shift.Seen() && !out.quiet && !out.json {
		con.Println("ftpmirror: note: %s", c.Shift)
	}
	if c.Future > 0 {
		con.Println("ftpmirror: warning: the server dated %d files up to %s in the future; their local times were set to now",
			c.Future, plan.FormatOffset(c.Ahead.Round(time.Minute)))
		// The newest file tells the least the offset is; zones are mostly
		// whole hours.
		guess := (c.Ahead + time.Hour - 1).Truncate(time.Hour)
		con.Println("ftpmirror: hint: if the server reports local time, give its zone with --server-timezone, e.g. %s",
			mirror.ServerZone{Offset: guess})
	}
}

// clockLine is probe's line about the server's clock.
func clockLine(p mirror.ClockProbe, given *mirror.ServerZone) string {
	s := p.String()
	if given != nil {
		s += fmt.Sprintf(" (--server-timezone reads them as %s)", given)
	}
	return s
}

// jsonClock is what a run's JSON report tells of the server's clock.
type jsonClock struct {
	// Zone is the zone the server's times were read in: "UTC", "+09:00",
	// "Europe/Berlin".
	Zone   string `json:"server_zone"`
	Learnt bool   `json:"learnt,omitempty"`
	// Shift is the move of the server's times taken as a clock change
	// ("+1h"), for ShiftFiles files.
	Shift      string `json:"shift,omitempty"`
	ShiftFiles int    `json:"shift_files,omitempty"`
	// Future counts the local mtimes set to now, the server having dated
	// them in the future.
	Future int `json:"future_mtimes,omitempty"`
}

func clockJSON(c mirror.ClockReport) jsonClock {
	j := jsonClock{Zone: c.Zone.String(), Learnt: c.Learnt, Future: c.Future}
	if c.Shift.Seen() {
		j.Shift, j.ShiftFiles = plan.FormatOffset(c.Shift.Offset), c.Shift.Files
	}
	return j
}

// serverClockText is the state's server clock as 'state show' prints it.
func serverClockText(m state.Meta) string {
	switch {
	case m.ServerOffsetKnown:
		return mirror.ServerZone{Offset: m.ServerOffset}.String() + " (learnt)"
	case m.ServerOffsetTried:
		return "unknown (the server lets us create no file; read as UTC)"
	}
	return "-"
}
