package mirror

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sync"
	"time"

	"github.com/ftpmirror/ftpmirror/plan"
	"github.com/ftpmirror/ftpmirror/state"
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
	o.RunOptions = o.withDefaults()
	start := time.Now()
	localRoot, err := filepath.Abs(o.LocalDir)
	if err != nil {
		return nil, err
	}
	// A missing source would look like an empty tree, and --delete would
	// empty the server.
	if fi, err := os.Stat(localRoot); err != nil {
		return nil, fmt.Errorf("local directory: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("local directory %s is not a directory", localRoot)
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
	if err := retry(ctx, o.Retries, o.Logger, "connect", func() error {
		return pool.Do(ctx, func(*Conn) error { return nil })
	}); err != nil {
		return nil, err
	}

	skip := func(rel string, kind plan.Kind) bool { return !o.Filter.Match(rel, kind) }
	local, err := ScanLocal(ctx, localRoot, skip)
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", localRoot, err)
	}
	lister := &tempSkipper{l: &Lister{Pool: pool, Root: o.RemoteDir, Retries: o.Retries, Logger: o.Logger}}
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
	for _, e := range local {
		if e.Kind == plan.KindSymlink {
			report.Skipped = append(report.Skipped, FileError{Path: e.Path, Op: plan.OpUpload, Err: ErrSymlinkNotPushed})
		}
	}
	report.Plan = plan.Push(plan.PushInput{Local: local, Remote: listing, Base: base, Delete: o.Delete, Filter: o.Filter})
	report.Duration = time.Since(start)
	if o.Delete && !o.Force {
		if err := plan.CheckDeletes(report.Plan, plan.DeleteBase(base, listing.Entries), o.MaxDelete); err != nil {
			return report, err
		}
	}
	if o.DryRun {
		return report, nil
	}
	err = executePush(ctx, o, pool, localRoot, report, lister.temps)
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

// executePush runs a push plan and flushes the state, whatever happens.
func executePush(ctx context.Context, o PushOptions, pool *Pool, localRoot string, report *Report, temps []string) error {
	e := &executor{
		pool: pool, remoteRoot: o.RemoteDir, localRoot: localRoot, store: o.Store,
		retries: o.Retries, log: o.Logger, progress: o.Progress, now: func() time.Time { return time.Now().UTC() },
		push: pushSettings{inPlace: o.InPlace},
	}
	if o.Store != nil {
		e.batch = o.Store.NewBatch(state.BatchOptions{})
	}
	e.cleanRemoteTemps(ctx, temps, report.Plan)
	err := e.run(ctx, report.Plan)
	if e.batch != nil {
		if ferr := e.batch.Flush(); ferr != nil {
			err = errors.Join(err, fmt.Errorf("state: %w", ferr))
		}
	}
	report.Done, report.Bytes = e.done, e.bytes
	report.Failed = append(report.Failed, e.failed...)
	report.Skipped = append(report.Skipped, e.skipped...)
	return err
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
