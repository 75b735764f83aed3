package mirror

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ftpmirror/ftpmirror/plan"
	"github.com/ftpmirror/ftpmirror/state"
)

// trees is what a run sees before it plans: both trees and the state.
type trees struct {
	local []plan.Entry
	// localFailed are the local directories that could not be read, when
	// the direction scans past them.
	localFailed []plan.DirError
	listing     plan.Listing
	base        plan.Snapshot
	// filter is the run's Filter with the files its size and age rules
	// hold back (judged on the side entryRulesOn names) excluded by path.
	filter *plan.Filter
}

// The trees whose files the size and age rules judge (--min-size ...): the
// source of a one-way mirror, both trees of a sync.
const (
	judgeRemote = iota
	judgeLocal
	judgeBoth
)

// Where a run's backup directory is (backup.go).
const (
	backupLocal = iota
	backupRemote
	backupNone
)

// direction is what tells pull, push and sync apart; the rest of a run is
// the same pipeline (run).
type direction struct {
	// localMustExist refuses a missing local directory, which would look
	// like an empty tree and let --delete empty the server.
	localMustExist bool
	plan           func(trees) plan.Plan
	// guard refuses an unsafe plan; it is skipped with --force.
	guard func(plan.Plan, trees, plan.Limit) error
	// inPlace uploads straight to the final names (push, sync).
	inPlace bool
	// skipLocalSymlinks reports local symlinks as skipped: FTP cannot
	// create them.
	skipLocalSymlinks bool
	// entryRulesOn is judgeRemote (pull), judgeLocal (push) or judgeBoth.
	entryRulesOn int
	// backupSide is where RunOptions.BackupDir is: backupLocal (pull),
	// backupRemote (push) or backupNone (sync: refused).
	backupSide int
	// settle, when set, finds out with the server what the plan left open
	// (a sync's content comparisons) and returns the plan to carry out,
	// with the paths it could not settle. It runs before the guard, in a
	// dry run too, and must change nothing on either side.
	settle func(ctx context.Context, s settleEnv, p plan.Plan) (plan.Plan, []FileError, error)
	// createRoot says when a missing remote root is created with its
	// parents rather than refused (see rootCreation).
	createRoot rootCreation
	// scanPastFailures goes on past local subdirectories that cannot be
	// read, reporting them as failed, instead of stopping the run.
	scanPastFailures bool
	// prefetched holds the remote files settle downloaded and kept, which
	// the executor takes instead of downloading them again.
	prefetched *prefetchSet
}

// settleEnv is what direction.settle may use.
type settleEnv struct {
	pool      *Pool
	o         RunOptions
	localRoot string
	trees     trees
}

// run is list -> diff -> execute -> commit, for any direction.
func run(ctx context.Context, o RunOptions, d direction) (*Report, error) {
	o = o.withDefaults()
	start := time.Now()
	localRoot, err := filepath.Abs(o.LocalDir)
	if err != nil {
		return nil, err
	}
	if d.localMustExist {
		if fi, err := os.Stat(localRoot); err != nil {
			return nil, fmt.Errorf("local directory: %w", err)
		} else if !fi.IsDir() {
			return nil, fmt.Errorf("local directory %s is not a directory", localRoot)
		}
	}
	base, meta, err := loadState(o.Store)
	if err != nil {
		return nil, err
	}
	if o.Conn.Preferred == "" {
		o.Conn.Preferred = Method(meta.DataMethod)
	}
	o.Conn.NoSendAhead = o.Conn.NoSendAhead || meta.NoSendAhead
	pool := NewPool(NewDialer(o.Server, o.Conn), o.Parallel)
	defer pool.Close()
	// One connection first, so that a refused login is told as such rather
	// than as a listing that failed everywhere.
	if err := retry(ctx, o.Retries, o.Logger, "connect", func() error {
		return pool.Do(ctx, func(*Conn) error { return nil })
	}); err != nil {
		return nil, err
	}
	// The root is checked before the other connections log in: a missing
	// one ends the run, having changed nothing.
	root, err := openRemoteRoot(ctx, o, pool, rootCheck{dir: o.RemoteDir, create: d.createRoot.allowed(base),
		synced: d.createRoot == createFirstRun && len(base) > 0, dryRun: o.DryRun})
	if err != nil {
		return nil, err
	}
	o.RemoteDir = root.path // what the rest of the run works in, absolute
	pool.Warm(ctx, o.Parallel)
	o.Logger.Debug("logged in", "root", root.path, "elapsed", time.Since(start))

	remote := &Lister{Pool: pool, Root: root.path, Retries: o.Retries, Logger: o.Logger}
	links := newLinkLister(remote, o)
	lister := &tempSkipper{l: root.lister(links)}
	listing, err := plan.Walk(ctx, lister, walkOptions(o))
	if err == nil && !remote.Verified(ctx) {
		o.Logger.Info("the server's STAT listing differs from LIST; listing again over data connections")
		links = newLinkLister(remote, o)
		lister = &tempSkipper{l: root.lister(links)}
		listing, err = plan.Walk(ctx, lister, walkOptions(o))
	}
	if err != nil {
		return nil, err
	}
	o.Logger.Debug("listed", "entries", len(listing.Entries), "failed_dirs", len(listing.Failed), "elapsed", time.Since(start))
	report := &Report{Bandwidth: o.Conn.Bandwidth.Schedule(),
		RemoteDir: root.path, RemoteDirMissing: root.missing, RemoteDirCreated: root.created}
	zone, err := serverZone(ctx, o, &meta, pool, &report.Clock)
	if err != nil {
		return nil, err
	}
	for _, f := range listing.Failed {
		if Classify(f.Err) == KindFatal {
			return nil, f.Err
		}
		report.Failed = append(report.Failed, FileError{Path: f.Path, Op: "list", Err: f.Err})
	}
	// A state file given inside the mirror (--state) is not part of it: it
	// is neither uploaded nor, with --delete, deleted.
	stateRel := ""
	if o.Store != nil {
		if rel, err := filepath.Rel(localRoot, o.Store.Path()); err == nil && filepath.IsLocal(rel) {
			stateRel = filepath.ToSlash(rel)
		}
	}
	skip := func(rel string, kind plan.Kind) bool {
		return !o.Filter.Match(rel, kind) || (stateRel != "" && (rel == stateRel || rel == stateRel+".lock"))
	}
	var names localNames
	scan := func(leaveOut func(rel string) bool) ([]plan.Entry, error) {
		names = localNames{server: serverNameRule(pool.Dialer().Greeting())}
		return ScanLocal(ctx, localRoot, names.wrap(func(rel string, kind plan.Kind) bool {
			return leaveOut(rel) || skip(rel, kind)
		}))
	}
	var local []plan.Entry
	var localFailed []plan.DirError
	if d.scanPastFailures {
		local, localFailed, err = scanPastFailures(scan)
	} else {
		local, err = scan(func(string) bool { return false })
	}
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", localRoot, err)
	}
	for _, f := range localFailed {
		report.Failed = append(report.Failed, FileError{Path: f.Path, Op: "scan", Err: f.Err})
	}
	skippedNames(&listing, names.skipped, links.skipped, report)
	if d.skipLocalSymlinks {
		for _, e := range local {
			if e.Kind == plan.KindSymlink {
				report.Skipped = append(report.Skipped, FileError{Path: e.Path, Op: plan.OpUpload, Err: ErrSymlinkNotPushed})
			}
		}
	}
	// The server's clock: its times read as UTC, a move of them absorbed.
	if err := absorbShift(o, &meta, &zone, listing, base, &report.Clock); err != nil {
		return nil, err
	}
	in := trees{local: local, localFailed: localFailed, listing: listing, base: base}
	in.filter = holdByEntryRules(o, d, in)
	report.Plan = d.plan(in)
	if d.settle != nil {
		p, failed, err := d.settle(ctx, settleEnv{pool: pool, o: o, localRoot: localRoot, trees: in}, report.Plan)
		if err != nil {
			return nil, err
		}
		report.Plan = p
		report.Failed = append(report.Failed, failed...)
	}
	o.Logger.Debug("planned", "local_entries", len(local), "actions", len(report.Plan.Actions), "elapsed", time.Since(start))
	report.Duration = time.Since(start)
	if !o.Force {
		if err := d.guard(report.Plan, in, o.MaxDelete); err != nil {
			return report, err
		}
	}
	if o.DryRun {
		tellOnce(o.Store, true, listing.Failed, report, o.Logger)
		return report, nil
	}
	times := &localTimes{zone: zone, now: func() time.Time { return time.Now().UTC() }}
	err = execute(ctx, o, d, pool, localRoot, report, lister.temps, times)
	report.Method = pool.Dialer().Method()
	tellOnce(o.Store, false, listing.Failed, report, o.Logger)
	report.Duration = time.Since(start)
	if o.Store != nil {
		meta.Remote, meta.Local, meta.LastRun = o.Server.String()+o.RemoteDir, localRoot, time.Now().UTC()
		meta.LastComplete = err == nil && len(report.Failed) == 0
		if report.Method != "" {
			meta.DataMethod = string(report.Method)
		}
		if o.Checksum {
			meta.Checksum = string(report.Checksum)
			if meta.Checksum == "" {
				meta.Checksum = "size"
			}
		}
		meta.NoSendAhead = meta.NoSendAhead || !pool.Dialer().SendsAhead() && !o.Conn.NoPipeline
		if serr := o.Store.SetMeta(meta); serr != nil && err == nil {
			err = fmt.Errorf("state: %w", serr)
		}
	}
	return report, err
}

// execute runs the plan and flushes the state, whatever happens. Temporary
// files that no partial record can resume are removed first, on both sides.
func execute(ctx context.Context, o RunOptions, d direction, pool *Pool, localRoot string, report *Report, remoteTemps []string, times *localTimes) error {
	e := &executor{times: times,
		pool: pool, remoteRoot: o.RemoteDir, localRoot: localRoot, store: o.Store,
		retries: o.Retries, log: o.Logger, progress: o.Progress, now: func() time.Time { return time.Now().UTC() },
		push: pushSettings{inPlace: d.inPlace}, segmentMin: o.SegmentMin, prefetched: d.prefetched,
		umask: umask(),
	}
	if o.Store != nil {
		// Files are flushed to disk once per batch, before it records them.
		e.durable = newBatchSync(localRoot, o.observeSync)
		e.batch = o.Store.NewBatch(state.BatchOptions{BeforeWrite: e.durable.sync})
		resumable := map[string]bool{}
		if parts, err := o.Store.Partials(); err == nil {
			for _, p := range parts {
				resumable[p.Path] = true
			}
		}
		if err := cleanStaleParts(localRoot, func(rel string) bool { return resumable[rel] || d.prefetched.has(rel) }); err != nil {
			o.Logger.Warn("cannot clean stale temporary files", "err", err)
		}
	}
	bk, err := newBackups(o, d, localRoot)
	if err != nil {
		return err
	}
	e.backup = bk
	if o.Checksum {
		e.checksum = &checksums{log: o.Logger}
	}
	e.cleanRemoteTemps(ctx, remoteTemps, report.Plan)
	err = e.run(ctx, report.Plan)
	report.BackedUp = bk.count()
	report.Checksum, report.Verified = e.checksum.algorithm(), e.checksum.count()
	if e.batch != nil {
		if ferr := e.batch.Flush(); ferr != nil {
			err = errors.Join(err, fmt.Errorf("state: %w", ferr))
		}
	}
	report.Done, report.Bytes = e.summary(), e.bytes
	report.Clock.Future, report.Clock.Ahead = times.future, times.ahead
	report.Failed = append(report.Failed, e.failed...)
	report.Skipped = append(report.Skipped, e.skipped...)
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

// holdByEntryRules returns the run's filter with the files that the size and
// age rules leave out excluded by path, judged on the side d names.
func holdByEntryRules(o RunOptions, d direction, t trees) *plan.Filter {
	var judged [][]plan.Entry
	switch d.entryRulesOn {
	case judgeRemote:
		judged = [][]plan.Entry{t.listing.Entries}
	case judgeLocal:
		judged = [][]plan.Entry{t.local}
	default:
		judged = [][]plan.Entry{t.listing.Entries, t.local}
	}
	f, n := o.Filter.Hold(judged...)
	if n > 0 {
		o.Logger.Info("files left alone by size or age", "files", n)
	}
	return f
}
