package mirror

import (
	"log/slog"

	"github.com/ftpmirror/ftpmirror/plan"
)

// ListProgress is implemented by a Progress that also shows the walk of
// the remote tree, before the plan is known: the directories and entries
// listed so far. Listed is called once per directory, one call at a time.
type ListProgress interface {
	Listed(dirs, entries int)
}

// walkOptions are the options of the remote walk of a run: its
// parallelism and filter, and a report of each directory listed, to the
// Progress if it is a ListProgress and to the debug log, so that a long
// (or endless) listing is never silent.
func walkOptions(o RunOptions) plan.WalkOptions {
	lp, _ := o.Progress.(ListProgress)
	log := o.Logger
	return plan.WalkOptions{
		Parallel: o.Parallel,
		Filter:   o.Filter,
		Listed: func(dir string, dirs, entries int) {
			log.Debug("listed a directory", slog.String("dir", dir), slog.Int("dirs", dirs), slog.Int("entries", entries))
			if lp != nil {
				lp.Listed(dirs, entries)
			}
		},
	}
}
