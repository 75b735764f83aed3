package mirror

import (
	"context"
	"path"

	"github.com/ftpmirror/ftpmirror/plan"
)

// applyRename moves a file aside on one side, to keep a conflicting version
// as a conflict copy (sync). The transfers that follow write the records of
// both names; until then the old record of the path stays, which makes a
// later run copy the surviving version again rather than delete anything.
func (e *executor) applyRename(ctx context.Context, a plan.Action) error {
	if a.Op == plan.OpRenameRemote {
		from, to := path.Join(e.remoteRoot, a.Path), path.Join(e.remoteRoot, a.To)
		return retry(ctx, e.retries, e.log, "rename "+from, func() error {
			return e.pool.Do(ctx, func(c *Conn) error { return c.Rename(ctx, from, to) })
		})
	}
	return renameLocal(e.localRoot, a.Path, a.To)
}
