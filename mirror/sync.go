package mirror

import (
	"context"
	"time"

	"github.com/ftpmirror/ftpmirror/plan"
)

// SyncOptions configure one two-way sync. Delete is not needed: in a sync,
// deletions on either side since the last sync travel to the other, under
// the same deletion guard as pull (MaxDelete, on each side; Force).
type SyncOptions struct {
	RunOptions
	// InPlace uploads straight to the final names, as for Push.
	InPlace bool
	// Conflict resolves files changed on both sides; "" is keep-both.
	Conflict plan.ConflictPolicy
}

// Sync carries changes both ways between o.LocalDir and o.RemoteDir, with
// the state as the common base (see plan.Sync for the rules). The local
// directory must exist. Conflicts lose no version: with keep-both, one
// version keeps the name on both sides and the other is kept beside it as a
// conflict copy, on both sides too.
func Sync(ctx context.Context, o SyncOptions) (*Report, error) {
	now := time.Now().UTC()
	return run(ctx, o.RunOptions, direction{
		localMustExist:    true,
		skipLocalSymlinks: true,
		inPlace:           o.InPlace,
		plan: func(t trees) plan.Plan {
			return plan.Sync(plan.SyncInput{Local: t.local, Remote: t.listing, Base: t.base, Policy: o.Conflict, Filter: o.Filter, Now: now})
		},
		guard: func(p plan.Plan, t trees, lim plan.Limit) error {
			return plan.CheckSyncDeletes(p, plan.DeleteBase(t.base, t.local), lim)
		},
	})
}
