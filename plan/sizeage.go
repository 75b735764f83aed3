package plan

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"strconv"
	"strings"
	"time"
)

// EntryRules leave files out of a run by size and modification time, as
// --min-size, --max-size, --newer-than and --older-than. The zero value
// leaves nothing out. Directories and symlinks are never left out by them.
type EntryRules struct {
	// MinSize leaves out files smaller than it.
	MinSize int64
	// MaxSize leaves out files larger than it; 0 means no limit.
	MaxSize int64
	// NewerThan leaves out files modified before it; zero means no limit.
	NewerThan time.Time
	// OlderThan leaves out files modified after it; zero means no limit.
	OlderThan time.Time
}

// IsZero reports whether the rules leave nothing out.
func (r EntryRules) IsZero() bool { return r == EntryRules{} }

// Keep reports whether the rules let the entry take part.
func (r EntryRules) Keep(e Entry) bool {
	if e.Kind != KindFile {
		return true
	}
	switch {
	case e.Size < r.MinSize:
		return false
	case r.MaxSize > 0 && e.Size > r.MaxSize:
		return false
	case !r.NewerThan.IsZero() && e.ModTime.Before(r.NewerThan):
		return false
	case !r.OlderThan.IsZero() && e.ModTime.After(r.OlderThan):
		return false
	}
	return true
}

// WithEntryRules returns a copy of f (nil: a filter of no patterns) that
// also applies r once Hold is given a tree.
func (f *Filter) WithEntryRules(r EntryRules) *Filter {
	out := &Filter{rules: r}
	if f != nil {
		out.include, out.exclude, out.held = f.include, f.exclude, f.held
	}
	return out
}

// HasEntryRules reports whether f leaves files out by size or age.
func (f *Filter) HasEntryRules() bool { return f != nil && !f.rules.IsZero() }

// Hold returns a copy of f that also excludes, by path, the files of trees
// that the entry rules leave out: a pull gives the remote listing, a push
// the local tree, a sync both. Those paths are then left alone on both
// sides, like paths an exclude pattern matches: not transferred, not
// deleted, their records kept. Without entry rules Hold returns f and the
// number 0.
func (f *Filter) Hold(trees ...[]Entry) (*Filter, int) {
	if !f.HasEntryRules() {
		return f, 0
	}
	held := maps.Clone(f.held)
	if held == nil {
		held = map[string]bool{}
	}
	n := 0
	for _, tree := range trees {
		for _, e := range tree {
			if !f.rules.Keep(e) && !held[e.Path] {
				held[e.Path] = true
				n++
			}
		}
	}
	out := *f
	out.held = held
	return &out, n
}

// ParseSize reads a size as --min-size and --max-size take it: bytes, with
// an optional binary suffix K, M, G or T (KiB ...), in either case, with an
// optional B ("500k", "10M", "1.5GiB").
func ParseSize(s string) (int64, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	u = strings.TrimSuffix(u, "B")
	u = strings.TrimSuffix(u, "I")
	mult := 1.0
	if n := len(u); n > 0 {
		if i := strings.IndexByte("KMGT", u[n-1]); i >= 0 {
			mult = math.Pow(1024, float64(i+1))
			u = u[:n-1]
		}
	}
	v, err := strconv.ParseFloat(u, 64)
	if err != nil || v < 0 || math.IsNaN(v) || v*mult > math.MaxInt64/2 {
		return 0, fmt.Errorf("invalid size %q: give bytes such as 4096, 500k, 10M or 1.5G", s)
	}
	return int64(v * mult), nil
}

// ParseAge reads a point in time as --newer-than and --older-than take it:
// an age before now ("36h", "7d", "2w", "90m"; d is 24h, w 7d) or a date
// ("2026-01-31", local midnight) or a time ("2026-01-31T12:00:00Z",
// RFC 3339).
func ParseAge(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, now.Location()); err == nil {
		return t.UTC(), nil
	}
	d, err := parseAgeDuration(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid age or date %q: give an age such as 36h, 7d or 2w, or a date such as 2026-01-31", s)
	}
	return now.Add(-d).UTC(), nil
}

// parseAgeDuration is time.ParseDuration with d (days) and w (weeks), and
// without negative ages.
func parseAgeDuration(s string) (time.Duration, error) {
	unit := time.Duration(0)
	switch {
	case strings.HasSuffix(s, "d"):
		unit = 24 * time.Hour
	case strings.HasSuffix(s, "w"):
		unit = 7 * 24 * time.Hour
	}
	if unit != 0 {
		v, err := strconv.ParseFloat(strings.TrimSuffix(s, s[len(s)-1:]), 64)
		if err != nil || v < 0 || math.IsNaN(v) || v > 1e5 {
			return 0, errors.New("bad age")
		}
		return time.Duration(v * float64(unit)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, errors.New("bad age")
	}
	return d, nil
}
