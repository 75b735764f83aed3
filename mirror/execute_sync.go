package mirror

import (
	"context"
	"path"

	"github.com/ftpmirror/ftpmirror/plan"
)

// applyRename moves an entry aside on one side, to keep a conflicting
// version as a conflict copy (sync), and forgets the record of its path:
// from then on the trees alone tell what is left to do (the copy is new on
// its side, the path new or changed on the other), so a run killed after
// the rename converges without naming the copy again. The transfers that
// follow write the records of both names.
func (e *executor) applyRename(ctx context.Context, a plan.Action) error {
	if a.Op == plan.OpRenameRemote {
		from, to := path.Join(e.remoteRoot, a.Path), path.Join(e.remoteRoot, a.To)
		err := retry(ctx, e.retries, e.log, "rename "+from, func() error {
			return e.pool.Do(ctx, func(c *Conn) error { return c.Rename(ctx, from, to) })
		})
		if err != nil {
			return err
		}
		return e.forget(a.Path)
	}
	if err := renameLocal(e.localRoot, a.Path, a.To); err != nil {
		return err
	}
	return e.forget(a.Path)
}
