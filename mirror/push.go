package mirror

import (
	"context"
	"errors"
	"path"
	"sync"

	"github.com/ftpmirror/ftpmirror/plan"
)

// PushOptions configure one push run: the settings of a pull, with LocalDir
// as the source, plus the upload settings.
type PushOptions struct {
	RunOptions
	// InPlace uploads straight to the final names instead of a temporary
	// name renamed into place, for servers that refuse renames. A reader
	// may then see a file half uploaded, and an interrupted upload starts
	// again from the beginning.
	InPlace bool
}

// ErrSymlinkNotPushed is reported in Report.Skipped for each local symlink:
// FTP has no command to create one.
var ErrSymlinkNotPushed = errors.New("FTP cannot create symlinks")

// Push mirrors the local tree at o.LocalDir into the remote directory
// o.RemoteDir: scan and list -> diff -> execute -> commit, as Pull with the
// sides swapped. Each upload goes to a temporary name beside its target and
// is renamed into place (unless InPlace), its mtime set to the local one
// where the server allows it.
//
// Push lists the whole remote tree on every run, even when the state says
// nothing changed locally: that is how it notices files edited or deleted on
// the server. A run with nothing to do lists but transfers nothing.
//
// It returns the report also when some actions failed (Report.Failed) and,
// with DryRun, the plan alone. Fatal failures (login, no data channel, a
// missing local directory, the deletion guard) are returned as errors.
func Push(ctx context.Context, o PushOptions) (*Report, error) {
	replan := func(t trees, refused map[plan.Move]bool) plan.Plan {
		p := plan.Push(plan.PushInput{Local: t.local, Remote: t.listing, Base: t.base, Delete: o.Delete, Filter: t.filter})
		if o.TrackRenames {
			p = plan.TrackRenamesExcept(p, t.base, t.listing.Entries, false, refused)
		}
		return p
	}
	d := direction{
		entryRulesOn:      judgeLocal,
		backupSide:        backupRemote,
		localMustExist:    true,
		skipLocalSymlinks: true,
		createRoot:        createAlways,
		inPlace:           o.InPlace,
		plan:              func(t trees) plan.Plan { return replan(t, nil) },
		guard: func(p plan.Plan, t trees, lim plan.Limit) error {
			if !o.Delete {
				return nil
			}
			return plan.CheckDeletes(p, plan.DeleteBase(t.base, t.listing.Entries), lim)
		},
	}
	if o.TrackRenames {
		d.settle = confirmMoves(false, replan) // renames_hash.go
	}
	return run(ctx, o.RunOptions, d)
}

// tempSkipper leaves the mirror's temporary names (IsTempName) out of the
// listings of a plan.Lister, and keeps their paths (relative to the root) so
// that stale ones can be removed.
type tempSkipper struct {
	l plan.Lister

	mu    sync.Mutex
	temps []string
}

var _ plan.Lister = (*tempSkipper)(nil)

func (t *tempSkipper) List(ctx context.Context, dir string) ([]plan.Entry, error) {
	entries, err := t.l.List(ctx, dir)
	if err != nil {
		return nil, err
	}
	kept := entries[:0]
	for _, e := range entries {
		if e.Kind == plan.KindFile && IsTempName(path.Base(e.Path)) {
			t.mu.Lock()
			t.temps = append(t.temps, e.Path)
			t.mu.Unlock()
			continue
		}
		kept = append(kept, e)
	}
	return kept, nil
}
