package plan

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Limit bounds how many files a run may delete. If Percent is above 0 the
// limit is that percentage of the tree (see CheckDeletes); otherwise it is
// Count. The zero Limit allows no deletion at all; "100%" allows any.
type Limit struct {
	Count   int
	Percent float64
}

// ParseLimit parses a deletion limit: a count such as "100", or a
// percentage such as "50%" or "2.5%". Negative numbers and percentages above
// 100 are refused.
func ParseLimit(s string) (Limit, error) {
	t := strings.TrimSpace(s)
	if num, ok := strings.CutSuffix(t, "%"); ok {
		p, err := strconv.ParseFloat(num, 64)
		if err != nil || !(p >= 0 && p <= 100) || strings.ContainsAny(num, "xXpP_") {
			return Limit{}, fmt.Errorf("invalid deletion limit %q: want a percentage from 0%% to 100%%", s)
		}
		return Limit{Percent: p}, nil
	}
	n, err := strconv.Atoi(t)
	if err != nil || n < 0 {
		return Limit{}, fmt.Errorf("invalid deletion limit %q: want a count such as 100 or a percentage such as 50%%", s)
	}
	return Limit{Count: n}, nil
}

// String returns the limit as ParseLimit reads it.
func (l Limit) String() string {
	if l.Percent > 0 {
		return strconv.FormatFloat(l.Percent, 'f', -1, 64) + "%"
	}
	return strconv.Itoa(l.Count)
}

// allowed returns how many deletions the limit allows in a tree of base files.
func (l Limit) allowed(base int) int {
	if l.Percent > 0 {
		return int(math.Floor(float64(base) * l.Percent / 100))
	}
	return l.Count
}

// GuardError is the refusal of a plan whose deletions look unsafe. Its
// message names --force, which the caller offers to proceed anyway.
type GuardError struct {
	// Deletes is the number of files and symlinks the plan deletes.
	Deletes int
	// Allowed is how many the limit allows, out of Base.
	Allowed int
	Base    int
	Limit   Limit
	// Incomplete lists the directories whose listing failed; when it is not
	// empty the plan is refused whatever the limit.
	Incomplete []string
}

func (e *GuardError) Error() string {
	if len(e.Incomplete) > 0 {
		const show = 3
		names := make([]string, 0, show+1)
		for i, p := range e.Incomplete {
			if i == show {
				names = append(names, "...")
				break
			}
			names = append(names, displayPath(p))
		}
		what := "directories"
		if len(e.Incomplete) == 1 {
			what = "directory"
		}
		return fmt.Sprintf("refusing to delete: the listing of %d %s failed (%s): use --force to proceed",
			len(e.Incomplete), what, strings.Join(names, ", "))
	}
	return fmt.Sprintf("refusing to delete %d of %d files (limit %s, at most %d): use --force to proceed",
		e.Deletes, e.Base, e.Limit, e.Allowed)
}

// CheckDeletes refuses a plan that deletes too much or deletes while part of
// the tree could not be listed, with a *GuardError. It counts the deletions
// of files and symlinks (local and remote), not of directories. baseFiles is
// the size of the tree a percentage is taken of; DeleteBase computes it. A
// plan without deletions always passes.
func CheckDeletes(p Plan, baseFiles int, lim Limit) error {
	deletes := 0
	for _, a := range p.Actions {
		if (a.Op == OpDeleteLocal || a.Op == OpDeleteRemote) && a.Kind != KindDir {
			deletes++
		}
	}
	if deletes == 0 {
		return nil
	}
	e := &GuardError{Deletes: deletes, Allowed: lim.allowed(baseFiles), Base: baseFiles, Limit: lim}
	if len(p.Incomplete) > 0 {
		e.Incomplete = p.Incomplete
		return e
	}
	if deletes > e.Allowed {
		return e
	}
	return nil
}

// DeleteBase returns the number of files a deletion percentage is taken of:
// the files and symlinks the state records, or, when it records none (a first
// run), the local files and symlinks. So a first run pointed at the wrong
// local directory is refused as well as a run after the remote tree emptied.
func DeleteBase(base Snapshot, local []Entry) int {
	n := 0
	for _, r := range base {
		if r.Kind != KindDir {
			n++
		}
	}
	if n > 0 {
		return n
	}
	for _, e := range local {
		if e.Kind != KindDir {
			n++
		}
	}
	return n
}

// CheckSyncDeletes is CheckDeletes for a sync, which deletes on both sides:
// it checks the local deletions and the remote deletions against the limit
// each on their own, the local side first, and wraps the *GuardError of the
// side it refuses with the side's name. baseFiles is as for CheckDeletes.
func CheckSyncDeletes(p Plan, baseFiles int, lim Limit) error {
	for _, side := range []struct {
		name string
		op   Op
	}{{"local", OpDeleteLocal}, {"remote", OpDeleteRemote}} {
		one := Plan{Incomplete: p.Incomplete}
		for _, a := range p.Actions {
			if a.Op == side.op {
				one.Actions = append(one.Actions, a)
			}
		}
		if err := CheckDeletes(one, baseFiles, lim); err != nil {
			return fmt.Errorf("%s side: %w", side.name, err)
		}
	}
	return nil
}
