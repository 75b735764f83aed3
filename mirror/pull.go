package mirror

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/ftpmirror/ftpmirror/plan"
	"github.com/ftpmirror/ftpmirror/state"
)

// Pull mirrors the remote tree at o.RemoteDir into o.LocalDir:
// list -> diff -> execute -> commit. It returns the report also when some
// actions failed (Report.Failed) and, with DryRun, the plan alone. Fatal
// failures (login, no data channel, a full disk, the deletion guard) are
// returned as errors, with the report of what was planned and done so far.
func Pull(ctx context.Context, o PullOptions) (*Report, error) {
	o = o.withDefaults()
	start := time.Now()
	localRoot, err := filepath.Abs(o.LocalDir)
	if err != nil {
		return nil, err
	}
	base, meta, err := loadState(o.Store)
	if err != nil {
		return nil, err
	}
	if o.Conn.Preferred == "" {
		o.Conn.Preferred = Method(meta.DataMethod)
	}
	pool := NewPool(NewDialer(o.Server, o.Conn), o.Parallel)
	defer pool.Close()
	// One connection first, so that a refused login is told as such rather
	// than as a listing that failed everywhere.
	if err := retry(ctx, o.Retries, o.Logger, "connect", func() error {
		return pool.Do(ctx, func(*Conn) error { return nil })
	}); err != nil {
		return nil, err
	}

	lister := &Lister{Pool: pool, Root: o.RemoteDir, Retries: o.Retries, Logger: o.Logger}
	listing, err := plan.Walk(ctx, lister, plan.WalkOptions{Parallel: o.Parallel, Filter: o.Filter})
	if err != nil {
		return nil, err
	}
	report := &Report{}
	for _, f := range listing.Failed {
		if Classify(f.Err) == KindFatal {
			return nil, f.Err
		}
		report.Failed = append(report.Failed, FileError{Path: f.Path, Op: "list", Err: f.Err})
	}
	skip := func(rel string, kind plan.Kind) bool { return !o.Filter.Match(rel, kind) }
	local, err := ScanLocal(ctx, localRoot, skip)
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", localRoot, err)
	}
	report.Plan = plan.Pull(plan.PullInput{Remote: listing, Local: local, Base: base, Delete: o.Delete, Filter: o.Filter})
	report.Duration = time.Since(start)
	if o.Delete && !o.Force {
		if err := plan.CheckDeletes(report.Plan, plan.DeleteBase(base, local), o.MaxDelete); err != nil {
			return report, err
		}
	}
	if o.DryRun {
		return report, nil
	}
	err = execute(ctx, o, pool, localRoot, report)
	report.Method = pool.Dialer().Method()
	report.Duration = time.Since(start)
	if o.Store != nil {
		meta.Remote, meta.Local, meta.LastRun = o.Server.String()+o.RemoteDir, localRoot, time.Now().UTC()
		meta.LastComplete = err == nil && len(report.Failed) == 0
		if report.Method != "" {
			meta.DataMethod = string(report.Method)
		}
		if serr := o.Store.SetMeta(meta); serr != nil && err == nil {
			err = fmt.Errorf("state: %w", serr)
		}
	}
	return report, err
}

// execute runs the plan and flushes the state, whatever happens.
func execute(ctx context.Context, o PullOptions, pool *Pool, localRoot string, report *Report) error {
	e := &executor{
		pool: pool, remoteRoot: o.RemoteDir, localRoot: localRoot, store: o.Store,
		retries: o.Retries, log: o.Logger, progress: o.Progress, now: func() time.Time { return time.Now().UTC() },
	}
	if o.Store != nil {
		e.batch = o.Store.NewBatch(state.BatchOptions{})
		resumable := map[string]bool{}
		if parts, err := o.Store.Partials(); err == nil {
			for _, p := range parts {
				resumable[p.Path] = true
			}
		}
		if err := cleanStaleParts(localRoot, func(rel string) bool { return resumable[rel] }); err != nil {
			o.Logger.Warn("cannot clean stale temporary files", "err", err)
		}
	}
	err := e.run(ctx, report.Plan)
	if e.batch != nil {
		if ferr := e.batch.Flush(); ferr != nil {
			err = errors.Join(err, fmt.Errorf("state: %w", ferr))
		}
	}
	report.Done, report.Bytes = e.done, e.bytes
	report.Failed = append(report.Failed, e.failed...)
	report.Skipped = e.skipped
	return err
}

func loadState(s *state.Store) (plan.Snapshot, state.Meta, error) {
	if s == nil {
		return plan.Snapshot{}, state.Meta{}, nil
	}
	base, err := s.Snapshot()
	if err != nil {
		return nil, state.Meta{}, err
	}
	meta, err := s.Meta()
	return base, meta, err
}
