package mirror

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"sync"
	"time"

	"github.com/ftpmirror/ftpmirror/plan"
	"github.com/ftpmirror/ftpmirror/state"
)

// resumeMin is the smallest download worth recording for a resume: a
// smaller one simply starts again.
const resumeMin = 1 << 20

// executor carries out a pull plan: local changes, downloads over the pool,
// and state records as each action finishes.
type executor struct {
	pool       *Pool
	remoteRoot string
	localRoot  string
	store      *state.Store // nil: nothing is recorded
	batch      *state.Batch
	retries    int
	log        *slog.Logger
	progress   Progress
	now        func() time.Time
	push       pushSettings // uploads only; see execute_push.go
	segmentMin int64        // RunOptions.SegmentMin; see segment.go
	prefetched *prefetchSet // sync: remote files the comparison kept; see execute_sync.go
	backup     *backups     // RunOptions.BackupDir; nil: none (backup.go)
	checksum   *checksums   // RunOptions.Checksum; nil: off (checksum.go)
	times      *localTimes  // the server's zone; nil: UTC (see clock.go)
	durable    *batchSync   // flushes local files once per state batch; nil: per file (local_durable.go)
	umask      fs.FileMode  // the process's, read once (listmode.go)

	mu       sync.Mutex
	doneActs []plan.Action // the actions carried out
	failed   []FileError
	skipped  []FileError
	bytes    int64
	dirs     []plan.Entry // remote directories whose times are set last
}

// run executes p stage by stage. Per-file failures are collected; a fatal
// one stops the run and is returned.
func (e *executor) run(ctx context.Context, p plan.Plan) error {
	files, bytes := 0, int64(0)
	for _, a := range p.Actions {
		if a.Op == plan.OpDownload || a.Op == plan.OpUpload {
			files++
			bytes += a.Size
		}
	}
	e.progress.Start(files, bytes)
	var transfers []plan.Action
	for _, a := range p.Actions {
		if a.Stage == plan.StageTransfer {
			transfers = append(transfers, a)
			continue
		}
		if len(transfers) > 0 {
			if err := e.parallel(ctx, transfers); err != nil {
				return err
			}
			transfers = nil
		}
		if err := e.one(ctx, a); err != nil {
			return err
		}
	}
	if len(transfers) > 0 {
		if err := e.parallel(ctx, transfers); err != nil {
			return err
		}
	}
	if err := setDirTimes(e.localRoot, e.dirs); err != nil {
		e.log.Warn("cannot set directory times", "err", err)
	}
	return e.setRemoteDirModes(ctx) // perms_push.go
}

// one carries out one action and sorts out its failure: fatal errors are
// returned, per-file ones recorded.
func (e *executor) one(ctx context.Context, a plan.Action) error {
	err := e.apply(ctx, a)
	var le *LocalError
	if errors.As(err, &le) {
		err = le.Err
	}
	switch {
	case err == nil:
		e.count(a)
	case errors.Is(err, ErrLinkOutside):
		e.log.Warn("symlink skipped: its target is outside the mirror", "path", a.Path)
		e.mu.Lock()
		e.skipped = append(e.skipped, FileError{Path: a.Path, Op: a.Op, Err: err})
		e.mu.Unlock()
		e.progress.Done(a.Path, string(a.Op), nil)
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case Classify(err) == KindFatal:
		return err
	default:
		e.mu.Lock()
		e.failed = append(e.failed, FileError{Path: a.Path, Op: plan.Op(progressOp(a)), Err: err})
		e.mu.Unlock()
	}
	e.progress.Done(a.Path, progressOp(a), err)
	return nil
}

func (e *executor) count(a plan.Action) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.doneActs = append(e.doneActs, a)
}

// summary counts what was carried out, by the measure of plan.Summary.
func (e *executor) summary() plan.Summary {
	e.mu.Lock()
	defer e.mu.Unlock()
	return plan.Plan{Actions: e.doneActs}.Summary()
}

func (e *executor) apply(ctx context.Context, a plan.Action) error {
	switch a.Op {
	case plan.OpMkdirLocal:
		src := plan.Entry{Path: a.Path, Kind: plan.KindDir}
		if a.Source != nil {
			src = *a.Source
		}
		if err := makeDir(e.localRoot, a.Path, time.Time{}); err != nil {
			return err
		}
		dir := src
		dir.ModTime = e.times.local(dir.ModTime)
		e.mu.Lock()
		e.dirs = append(e.dirs, dir)
		e.mu.Unlock()
		return e.record(src, plan.Entry{Path: a.Path, Kind: plan.KindDir})
	case plan.OpDownload:
		if done, err := e.downloadPrefetched(*a.Source); done {
			return err
		}
		if done, err := e.downloadSegmented(ctx, *a.Source); done {
			return err
		}
		return retry(ctx, e.retries, e.log, "download "+a.Path, func() error {
			return e.pool.Do(ctx, func(c *Conn) error { return e.download(ctx, c, *a.Source, nil) })
		})
	case plan.OpSymlinkLocal:
		if err := makeSymlink(e.localRoot, a.Path, a.Source.Target); err != nil {
			return err
		}
		return e.record(*a.Source, plan.Entry{Path: a.Path, Kind: plan.KindSymlink, Target: a.Source.Target})
	case plan.OpAdopt:
		local, err := lstatEntry(e.localRoot, a.Path)
		if err != nil {
			return err
		}
		return e.record(*a.Source, local)
	case plan.OpDeleteLocal:
		if err := e.backup.keepLocalKind(a.Path, a.Kind); err != nil {
			return err
		}
		if err := removeLocal(e.localRoot, a.Path, a.Kind); err != nil {
			return err
		}
		return e.forget(a.Path)
	case plan.OpForget:
		return e.forget(a.Path)
	case plan.OpUpload, plan.OpMkdirRemote, plan.OpDeleteRemote:
		return e.applyRemote(ctx, a)
	case plan.OpRenameLocal, plan.OpRenameRemote:
		return e.applyRename(ctx, a)
	}
	return fmt.Errorf("pull cannot carry out %s", a.Op)
}

// download fetches one file into a temporary file beside its target and
// renames it into place, resuming a kept temporary file when the state says
// it holds the start of this very version of the file.
func (e *executor) download(ctx context.Context, c *Conn, src plan.Entry, next *plan.Entry) error {
	offset := e.resumeOffset(src)
	w, offset, err := createPart(e.localRoot, src.Path, offset)
	if err != nil {
		return &LocalError{Err: err}
	}
	w.keepModeWith(src.Mode, e.umask) // the listed permission bits (listmode.go)
	w.flushWith(e.durable)
	resumable := e.store != nil && src.Size >= resumeMin
	if resumable && offset == 0 {
		if err := e.store.PutPartial(state.Partial{Path: src.Path, Size: src.Size, ModTime: src.ModTime}); err != nil {
			_ = w.Abort()
			return &LocalError{Err: err}
		}
	}
	pw := &progressWriter{w: w, p: e.progress}
	lw := &sizeLimitWriter{w: pw, n: src.Size - offset, size: src.Size}
	// A LIST time is coarse: ask for the exact one with the transfer, so the
	// local copy has the remote file's time to the second. The next file of
	// a chain is sent ahead during the transfer (execute_chain.go).
	var nextSpec *retrSpec
	if next != nil {
		ns := e.retrSpecOf(*next)
		nextSpec = &ns
	}
	mtime := src.ModTime
	n, t, exact, err := c.retrNext(ctx, e.retrSpecOf(src), offset, lw, nextSpec)
	if exact {
		mtime = e.times.fromServer(t)
	}
	e.addBytes(n)
	if err == nil && offset+n != src.Size {
		err = fmt.Errorf("got %d bytes, the listing said %d: the file changed during the transfer", offset+n, src.Size)
	}
	if err != nil {
		var le *LocalError
		if resumable && !errors.As(err, &le) {
			_ = w.Keep()
		} else {
			_ = w.Abort()
		}
		if !IsTransient(err) {
			e.progress.Bytes(-pw.n)
		}
		return err
	}
	if err := e.checksum.verify(ctx, c, e.retrSpecOf(src).path, src.Path, w.openPart); err != nil {
		_ = w.Abort()
		e.progress.Bytes(-pw.n)
		return err
	}
	if err := e.backup.keepLocal(src.Path); err != nil {
		_ = w.Abort()
		return &LocalError{Err: err}
	}
	local, err := w.Commit(e.times.local(mtime))
	if err != nil {
		return &LocalError{Err: err}
	}
	if resumable {
		if err := e.store.DeletePartial(src.Path); err != nil {
			return &LocalError{Err: err}
		}
	}
	return e.record(src, local)
}

// resumeOffset returns how much of src a kept temporary file already holds.
func (e *executor) resumeOffset(src plan.Entry) int64 {
	if e.store == nil || src.Size < resumeMin {
		return 0
	}
	p, ok, err := e.store.Partial(src.Path)
	if err != nil || !ok || p.Size != src.Size || !p.ModTime.Equal(src.ModTime) {
		return 0
	}
	n, err := partSize(e.localRoot, src.Path)
	if err != nil || n > src.Size {
		return 0
	}
	return n
}

func (e *executor) record(remote, local plan.Entry) error {
	if e.batch == nil {
		return nil
	}
	err := e.batch.Put(plan.Record{
		Path: remote.Path, Kind: remote.Kind,
		RemoteSize: remote.Size, RemoteModTime: remote.ModTime, RemotePrecision: remote.Precision,
		LocalSize: local.Size, LocalModTime: local.ModTime, SyncedAt: e.now(),
	})
	if err != nil {
		return &LocalError{Err: fmt.Errorf("state: %w", err)}
	}
	return nil
}

func (e *executor) forget(p string) error {
	if e.batch == nil {
		return nil
	}
	if err := e.batch.Delete(p); err != nil {
		return &LocalError{Err: fmt.Errorf("state: %w", err)}
	}
	return nil
}

func (e *executor) addBytes(n int64) {
	e.mu.Lock()
	e.bytes += n
	e.mu.Unlock()
}

// progressWriter reports bytes as they are written.
type progressWriter struct {
	w io.Writer
	p Progress
	n int64
}

func (w *progressWriter) Write(b []byte) (int, error) {
	n, err := w.w.Write(b)
	w.n += int64(n)
	w.p.Bytes(int64(n))
	return n, err
}
