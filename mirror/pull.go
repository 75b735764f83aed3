package mirror

import (
	"context"

	"github.com/ftpmirror/ftpmirror/plan"
)

// Pull mirrors the remote tree at o.RemoteDir into o.LocalDir:
// list -> diff -> execute -> commit. It returns the report also when some
// actions failed (Report.Failed) and, with DryRun, the plan alone. Fatal
// failures (login, no data channel, a full disk, the deletion guard) are
// returned as errors, with the report of what was planned and done so far.
func Pull(ctx context.Context, o PullOptions) (*Report, error) {
	replan := func(t trees, refused map[plan.Move]bool) plan.Plan {
		p := plan.Pull(plan.PullInput{Remote: t.listing, Local: t.local, Base: t.base, Delete: o.Delete, Filter: t.filter})
		if o.TrackRenames {
			p = plan.TrackRenamesExcept(p, t.base, t.local, true, refused)
		}
		return p
	}
	d := direction{
		plan: func(t trees) plan.Plan { return replan(t, nil) },
		guard: func(p plan.Plan, t trees, lim plan.Limit) error {
			if !o.Delete {
				return nil
			}
			return plan.CheckDeletes(p, plan.DeleteBase(t.base, t.local), lim)
		},
	}
	if o.TrackRenames {
		d.settle = confirmMoves(true, replan) // renames_hash.go
	}
	return run(ctx, o, d)
}
