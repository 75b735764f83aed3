package mirror

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ftpmirror/ftpmirror/plan"
	"github.com/ftpmirror/ftpmirror/state"
)

// serverZone decides the zone a run reads the server's times in:
// o.ServerZone when given; else the offset the state knows; else, once per
// state and never in a dry run, the offset learnt by creating a tiny file
// in the remote root (learnServerOffset). A server that refuses the file is
// read as UTC, and meta remembers that it refused. meta is updated with
// what was learnt; rep tells it.
func serverZone(ctx context.Context, o RunOptions, meta *state.Meta, pool *Pool, rep *ClockReport) (ServerZone, error) {
	switch {
	case o.ServerZone != nil:
		rep.Zone = *o.ServerZone
		return rep.Zone, nil
	case meta.ServerOffsetKnown:
		rep.Zone = ServerZone{Offset: meta.ServerOffset}
		return rep.Zone, nil
	case meta.ServerOffsetTried || o.DryRun || o.Store == nil:
		return ServerZone{}, nil
	}
	var offset, skew time.Duration
	err := pool.Do(ctx, func(c *Conn) error {
		var err error
		offset, skew, err = learnServerOffset(ctx, c, o.RemoteDir, func() time.Time { return time.Now().UTC() })
		return err
	})
	switch {
	case errors.Is(err, ErrNoClock):
		o.Logger.Info("cannot learn the server's clock; reading its times as UTC", "err", err)
		meta.ServerOffsetTried = true
		return ServerZone{}, nil
	case errors.Is(err, errClockFileLeft):
		o.Logger.Warn("learnt the server's clock but could not remove the file made for it", "err", err)
	case ctx.Err() != nil:
		return ServerZone{}, ctx.Err()
	case err != nil:
		// The connection failed: read the times as UTC this time, and try
		// again on the next run.
		o.Logger.Info("cannot learn the server's clock this time; reading its times as UTC", "err", err)
		return ServerZone{}, nil
	}
	o.Logger.Info("learnt the server's clock", "offset", plan.FormatOffset(offset), "skew", skew)
	meta.ServerOffset, meta.ServerOffsetKnown, meta.ServerOffsetTried = offset, true, true
	rep.Zone, rep.Learnt = ServerZone{Offset: offset}, true
	return rep.Zone, nil
}

// absorbShift reads the listing's times in zone, then, unless
// o.NoClockShift, looks for a move of the server's times against the state
// (plan.FindShift) and absorbs it so that it costs no transfer:
//
//   - When the offset is the one the state learnt in an earlier run, the
//     server's zone moved
//     (daylight saving): the offset moves with it, in meta and in zone, and
//     the listing is read again in the new zone. The records stay right.
//   - Otherwise (the offset is given, unknown, or learnt by this run, the
//     records being older) the shifted records take
//     the listed times, in base and, unless a dry run, in the state.
//
// Files that moved by another amount, or whose size changed, stay changes.
func absorbShift(o RunOptions, meta *state.Meta, zone *ServerZone, listing plan.Listing, base plan.Snapshot, rep *ClockReport) error {
	zone.toUTC(listing)
	if o.NoClockShift {
		return nil
	}
	s := plan.FindShift(listing.Entries, base)
	if !s.Seen() {
		return nil
	}
	rep.Shift = s
	o.Logger.Info(s.String())
	if o.ServerZone == nil && meta.ServerOffsetKnown && !rep.Learnt {
		moved := ServerZone{Offset: s.Offset}
		moved.toUTC(listing)
		meta.ServerOffset += s.Offset
		zone.Offset = meta.ServerOffset
		rep.Zone = *zone
		return nil
	}
	s.Apply(base)
	if o.DryRun || o.Store == nil {
		return nil
	}
	b := o.Store.NewBatch(state.BatchOptions{})
	for _, r := range s.Records {
		if err := b.Put(r); err != nil {
			return fmt.Errorf("state: %w", err)
		}
	}
	if err := b.Flush(); err != nil {
		return fmt.Errorf("state: %w", err)
	}
	return nil
}
