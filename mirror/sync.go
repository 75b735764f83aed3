package mirror

import (
	"context"
	"path/filepath"
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
// directory must exist. Files alike by size and mtime on both sides but
// changed on both (or new on both) are compared by content first, with the
// server's digest where it offers one, else by downloading the remote file
// (sync_compare.go; a large one is kept for the conflict's download); those that cannot be compared are left alone and
// reported as failed. A local directory that cannot be read is reported as
// failed too, and nothing is planned under it on either side. Conflicts
// lose no version: with keep-both, one
// version keeps the name on both sides and the other is kept beside it as a
// conflict copy, on both sides too.
func Sync(ctx context.Context, o SyncOptions) (*Report, error) {
	now := time.Now().UTC()
	// Remote files the comparison downloaded and kept for the conflict.
	kept := &prefetchSet{}
	keepFrom := int64(0)
	if !o.DryRun && o.Store != nil {
		keepFrom = resumeMin // smaller files are fetched again, in chains
	}
	syncInput := func(t trees) plan.SyncInput {
		return plan.SyncInput{
			Local: t.local, LocalFailed: t.localFailed, Remote: t.listing, Base: t.base,
			Policy: o.Conflict, Filter: t.filter, Now: now,
		}
	}
	report, err := run(ctx, o.RunOptions, direction{
		localMustExist:    true,
		entryRulesOn:      judgeBoth,
		backupSide:        backupNone,
		skipLocalSymlinks: true,
		createRoot:        createFirstRun,
		scanPastFailures:  true,
		inPlace:           o.InPlace,
		plan: func(t trees) plan.Plan {
			return plan.Sync(syncInput(t))
		},
		settle: func(ctx context.Context, env settleEnv, p plan.Plan) (plan.Plan, []FileError, error) {
			if len(p.Compares()) == 0 {
				return p, nil, nil
			}
			c := &comparer{pool: env.pool, o: env.o, localRoot: env.localRoot, keepFrom: keepFrom, kept: kept}
			content, failed, err := c.compareAll(ctx, p)
			if err != nil {
				return p, nil, err
			}
			in := syncInput(env.trees)
			in.Content = content
			// What could not be compared is left as it is, to the next run.
			return plan.Sync(in).WithoutCompares(), failed, nil
		},
		guard: func(p plan.Plan, t trees, lim plan.Limit) error {
			return plan.CheckSyncDeletes(p, plan.DeleteBase(t.base, t.local), lim)
		},
		prefetched: kept,
	})
	if root, aerr := filepath.Abs(o.LocalDir); aerr == nil {
		kept.removeUnused(root)
	}
	return report, err
}
