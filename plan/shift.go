package plan

import (
	"fmt"
	"time"
)

// The shift rule. A server that reports local time moves all its times at
// once when its zone moves (a DST change) or its clock is reset: every file
// of the listing then differs from its record by the same offset, while its
// size stays. FindShift tells such a move apart from changes, so that it
// costs no transfer.
const (
	// ShiftMinFiles is the fewest files that must agree on one offset.
	ShiftMinFiles = 3
	// ShiftGrain is what a shift is a whole number of: time zones differ
	// from UTC by whole quarter hours.
	ShiftGrain = 15 * time.Minute
	// ShiftMax is the largest shift seen as one.
	ShiftMax = 24 * time.Hour
)

// Shift is the outcome of FindShift: the listing's times moved by Offset for
// Files of the Compared files. A zero Offset means no shift was seen.
type Shift struct {
	Offset time.Duration
	// Files is how many files moved by exactly Offset (within their
	// precision) with their size unchanged.
	Files int
	// Compared is how many files had a record of the same size and times
	// fine enough to see a shift: precisions above zero and under
	// ShiftGrain.
	Compared int
	// Records are the records of the files that moved by Offset, their
	// remote time set to the listed one (Files of them, and the files with
	// a coarse time, a date alone, that agree with Offset). Write them to
	// the state so that the next run compares against them.
	Records []Record
}

// Seen reports whether a shift was seen.
func (s Shift) Seen() bool { return s.Offset != 0 }

// String says what was seen, for a person.
func (s Shift) String() string {
	if !s.Seen() {
		return "the server's times did not move"
	}
	return fmt.Sprintf("the server's times moved by %s for %d of %d files; treated as a clock change",
		FormatOffset(s.Offset), s.Files, s.Compared)
}

// FindShift looks for a shift of the remote times in remote against base.
//
// Only files are looked at, and only those whose record is of a file of the
// same size. A file votes for an offset when its listed time differs from
// its record's remote time by a whole number of ShiftGrain, not zero and at
// most ShiftMax, within the coarser of the two precisions; a file whose
// times are equal within that precision votes for none. Files whose time is
// unknown or coarser than ShiftGrain (a LIST line showing a date alone) do
// not vote and are not Compared.
//
// The offset with the most votes (the smallest one on a tie) is a shift when
// at least ShiftMinFiles files voted for it and they are more than half of
// the Compared files: a zone that moves moves every file, while files
// rewritten meanwhile are few and do not agree to the quarter hour. Files
// that moved by another amount, or whose size changed, are not in Records:
// the planners see them as changed, as before.
func FindShift(remote []Entry, base Snapshot) Shift {
	if len(base) == 0 {
		return Shift{}
	}
	votes := map[time.Duration]int{}
	compared := 0
	for _, r := range remote {
		b, ok := sameFile(r, base)
		if !ok {
			continue
		}
		prec := max(r.Precision, b.RemotePrecision)
		if prec >= ShiftGrain {
			continue
		}
		compared++
		d := r.ModTime.Sub(b.RemoteModTime)
		off := d.Round(ShiftGrain)
		if off == 0 || off > ShiftMax || off < -ShiftMax || !withinDuration(d, off, prec) {
			continue
		}
		votes[off]++
	}
	var s Shift
	for off, n := range votes {
		if n > s.Files || n == s.Files && abs(off) < abs(s.Offset) {
			s.Offset, s.Files = off, n
		}
	}
	s.Compared = compared
	if s.Files < ShiftMinFiles || 2*s.Files <= compared {
		return Shift{Compared: compared}
	}
	for _, r := range remote {
		b, ok := sameFile(r, base)
		if !ok {
			continue
		}
		prec := max(r.Precision, b.RemotePrecision)
		if remoteChanged(r, b) && withinDuration(r.ModTime.Sub(b.RemoteModTime), s.Offset, prec) {
			b.RemoteModTime, b.RemotePrecision = r.ModTime, r.Precision
			s.Records = append(s.Records, b)
		}
	}
	return s
}

// sameFile returns the record of the remote file r when it is a file of the
// same size, both times known.
func sameFile(r Entry, base Snapshot) (Record, bool) {
	if r.Kind != KindFile || r.Precision <= 0 {
		return Record{}, false
	}
	b, ok := base[r.Path]
	if !ok || b.Kind != KindFile || b.RemoteSize != r.Size || b.RemotePrecision <= 0 {
		return Record{}, false
	}
	return b, true
}

// Apply writes the shift's records into base, so that a planner given base
// sees the shifted files as unchanged.
func (s Shift) Apply(base Snapshot) {
	for _, r := range s.Records {
		base[r.Path] = r
	}
}

// FormatOffset writes an offset from UTC or a shift as people read it:
// "+1h", "-30m", "+5h45m", "0".
func FormatOffset(d time.Duration) string {
	if d == 0 {
		return "0"
	}
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	h, m := d/time.Hour, (d%time.Hour)/time.Minute
	switch {
	case m == 0:
		return fmt.Sprintf("%s%dh", sign, h)
	case h == 0:
		return fmt.Sprintf("%s%dm", sign, m)
	}
	return fmt.Sprintf("%s%dh%dm", sign, h, m)
}

// withinDuration reports whether a and b are less than prec apart.
func withinDuration(a, b, prec time.Duration) bool {
	d := a - b
	return d > -prec && d < prec
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
