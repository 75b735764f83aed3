package mirror

import (
	"bytes"
	"context"
	"path"

	"github.com/ftpmirror/ftpmirror/plan"
)

// replanMoves makes a pull's or push's plan again, without the moves that
// were refused (plan.TrackRenamesExcept).
type replanMoves func(t trees, refused map[plan.Move]bool) plan.Plan

// confirmMoves is the settle step of --track-renames: where the server
// offers a content hash, each move the plan holds is confirmed by content
// before it is carried out or shown (a pull compares the server's hash of
// the new remote file with the old local file; a push the new local file
// with the server's hash of the old remote file). A move whose contents
// differ, or cannot be hashed, becomes the copy and the delete again. With
// no hash offered, size and time decide alone, as the plan made them. It
// changes nothing on either side.
func confirmMoves(toLocal bool, replan replanMoves) func(context.Context, settleEnv, plan.Plan) (plan.Plan, []FileError, error) {
	return func(ctx context.Context, env settleEnv, p plan.Plan) (plan.Plan, []FileError, error) {
		if !hasMoves(p) {
			return p, nil, nil
		}
		var hs HashSupport
		if err := retry(ctx, env.o.Retries, env.o.Logger, "FEAT", func() error {
			return env.pool.Do(ctx, func(c *Conn) error {
				var err error
				hs, err = c.HashSupport(ctx)
				return err
			})
		}); err != nil {
			return p, nil, err
		}
		m, ok := hs.Best()
		if !ok {
			env.o.Logger.Info("the server offers no content hash: moved files are matched by size and time alone")
			return p, nil, nil
		}
		refused, checked := map[plan.Move]bool{}, map[plan.Move]bool{}
		for {
			again := false
			for _, a := range p.Actions {
				mv := plan.Move{From: a.Path, To: a.To}
				if a.Reason != plan.ReasonMoved || checked[mv] {
					continue
				}
				checked[mv] = true
				same, err := sameMovedContent(ctx, env, m, mv, toLocal)
				if err != nil {
					env.o.Logger.Warn("cannot confirm a move by its hash; copying instead", "from", mv.From, "to", mv.To, "err", err)
				}
				if !same {
					env.o.Logger.Debug("not a move: the contents differ", "from", mv.From, "to", mv.To)
					refused[mv], again = true, true
				}
			}
			if !again {
				return p, nil, nil
			}
			// Another old file may now be taken for a refused one's new
			// path: that move is checked in the next round.
			p = replan(env.trees, refused)
		}
	}
}

func hasMoves(p plan.Plan) bool {
	for _, a := range p.Actions {
		if a.Reason == plan.ReasonMoved {
			return true
		}
	}
	return false
}

// sameMovedContent compares the server's hash of one side of a move with
// the hash of the local file on the other: the new remote file with the old
// local one for a pull (toLocal), the old remote file with the new local
// one for a push.
func sameMovedContent(ctx context.Context, env settleEnv, m HashMethod, mv plan.Move, toLocal bool) (bool, error) {
	remote, local := mv.To, mv.From
	if !toLocal {
		remote, local = mv.From, mv.To
	}
	var theirs []byte
	err := retry(ctx, env.o.Retries, env.o.Logger, "hash "+remote, func() error {
		return env.pool.Do(ctx, func(c *Conn) error {
			var err error
			theirs, err = c.HashWith(ctx, path.Join(env.o.RemoteDir, remote), m)
			return err
		})
	})
	if err != nil {
		return false, err
	}
	f, _, err := openLocal(env.localRoot, local)
	if err != nil {
		return false, err
	}
	defer f.Close()
	ours, err := HashReader(f, m.Alg)
	if err != nil {
		return false, err
	}
	return bytes.Equal(theirs, ours), nil
}
