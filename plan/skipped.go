package plan

import "slices"

// Skipped is an entry left out of the mirror on purpose, because its name
// cannot be mirrored (ErrUnmirrorable). Nothing at its path is created,
// changed, deleted or forgotten, on either side: a file the server lists
// with a line break in its name is not there for ftpmirror, and neither is
// a local file of that name.
type Skipped struct {
	Path string // relative to the mirror root, as Entry.Path
	Err  error
}

func (s Skipped) Error() string { return "skipped " + displayPath(s.Path) + ": " + s.Err.Error() }
func (s Skipped) Unwrap() error { return s.Err }

// leftAlone returns the paths a planner must not touch, nor anything under
// them: the directories whose listing failed and the skipped entries; and
// the failed directories alone, sorted by ComparePath, for Plan.Incomplete.
func leftAlone(failed []DirError, skipped []Skipped) (set map[string]bool, incomplete []string) {
	set = make(map[string]bool, len(failed)+len(skipped))
	for _, f := range failed {
		if !set[f.Path] {
			set[f.Path] = true
			incomplete = append(incomplete, f.Path)
		}
	}
	slices.SortFunc(incomplete, ComparePath)
	for _, s := range skipped {
		set[s.Path] = true
	}
	return set, incomplete
}
