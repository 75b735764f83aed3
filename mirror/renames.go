package mirror

import (
	"context"
	"errors"

	"github.com/ftpmirror/ftpmirror/plan"
)

// progressOp names an action for Progress and in failures: "move" for a
// rename of a moved file (not a conflict copy), else its Op.
func progressOp(a plan.Action) string {
	if a.Reason == plan.ReasonMoved {
		return "move"
	}
	return string(a.Op)
}

// errMoveIncomplete is a move action without its entries: a planner bug.
var errMoveIncomplete = errors.New("a move without its entries")

// applyMove carries out a rename of a file that moved on the source side
// (plan.TrackRenames, --track-renames): the target file at a.Path is renamed
// to a.To (locally for a pull, RNFR/RNTO for a push), and its record moves
// with it: the new source entry, and the target entry that kept its size
// and time.
func (e *executor) applyMove(ctx context.Context, a plan.Action) error {
	if a.Source == nil || a.Moved == nil {
		return &PathError{Op: "move", Path: a.Path, Err: errMoveIncomplete}
	}
	if err := e.renameAction(ctx, a); err != nil { // execute_sync.go
		return err
	}
	if a.Op == plan.OpRenameRemote {
		moved := *a.Moved
		moved.Path = a.To
		if err := e.record(moved, *a.Source); err != nil {
			return err
		}
	} else {
		local, err := lstatEntry(e.localRoot, a.To)
		if err != nil {
			return err
		}
		if err := e.record(*a.Source, local); err != nil {
			return err
		}
	}
	return e.forget(a.Path)
}
