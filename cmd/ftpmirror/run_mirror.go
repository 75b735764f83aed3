package main

import (
	"context"
	"errors"
	"time"

	"github.com/ftpmirror/ftpmirror/mirror"
	"github.com/ftpmirror/ftpmirror/plan"
)

// runMirror runs a validated pull, push or sync (direction says which; run
// calls the mirror): console and logs, the state, the options from the
// flags, the run, and its rendering and exit code.
func (a *app) runMirror(ctx context.Context, direction string, f *pullFlags, s *pullSetup,
	run func(context.Context, mirror.RunOptions) (*mirror.Report, error)) (err error) {
	con := newConsole(a, &f.out)
	defer con.Finish()
	logger, closeLog, err := f.out.logger(con)
	if err != nil {
		return err
	}
	defer closeLog()
	start := time.Now()
	var report *mirror.Report
	defer func() { a.recordMetrics(con, f, s, direction, start, report, err) }()
	if s.conn.creds.Source == "URL" {
		con.Println("ftpmirror: warning: password in URL is visible to other users; use FTPMIRROR_PASSWORD or --password-file")
	}
	logger.Info(direction, "remote", s.conn.display, "local", s.localDir, "state", s.statePath, "dry_run", f.dryRun)
	logger.Debug("settings", "server", s.conn.server.String(), "tls", s.conn.server.TLS, "mode", s.conn.options.Mode,
		"password_from", s.conn.creds.Source, "parallel", f.parallel, "retries", f.retries, "delete", f.delete,
		"max_delete", s.maxDelete.String(), "force", f.force)

	newState := guardNewState(s.statePath)
	store, err := openState(s.statePath, f.dryRun, f.wait, func() {
		if !f.out.quiet {
			con.Println("waiting up to %s for another run to release the lock on %s", f.wait, s.statePath)
		}
	})
	if err != nil {
		logOutcome(logger, direction, nil, err)
		return err
	}
	if store != nil {
		defer func() {
			newState.discard(store, err)
			if cerr := store.Close(); cerr != nil && err == nil {
				err = cerr
			}
		}()
	}
	s.conn.options.Bandwidth = s.bandwidth
	con.bandwidth = s.bandwidth
	retries := f.retries
	if retries == 0 {
		retries = -1 // RunOptions: 0 means the default, negative means none
	}
	opts := mirror.RunOptions{
		Server:       s.conn.server,
		Conn:         s.conn.options,
		RemoteDir:    s.conn.remote.Path,
		LocalDir:     s.localDir,
		Store:        store,
		Filter:       s.filter,
		Delete:       f.delete,
		MaxDelete:    s.maxDelete,
		Force:        f.force,
		DryRun:       f.dryRun,
		BackupDir:    f.backupDir,
		Checksum:     f.checksum,
		TrackRenames: f.renames,
		CopyLinks:    f.copyLinks,
		Parallel:     f.parallel,
		Retries:      retries,
		Logger:       logger,

		ServerZone:   s.conn.zone,
		NoClockShift: f.noShift,
	}
	if !f.dryRun {
		opts.Progress = con
	}
	runCtx, stopClock := f.limits.bound(ctx) // --max-duration, limits.go
	defer stopClock()
	report, err = run(runCtx, opts)
	err = f.limits.outcome(runCtx, report, err)
	con.Finish()
	rootNotes(con, direction, report, f.out.quiet || f.out.json)
	logOutcome(logger, direction, report, err)
	if report != nil {
		clockNotes(con, &f.out, report.Clock)
	}
	var guard *plan.GuardError
	if f.dryRun && errors.As(err, &guard) && report != nil {
		// Show what the refused run would do; the exit code still tells
		// that a real run would be refused.
		if rerr := a.renderDryRun(con, &f.out, report); rerr != nil {
			return rerr
		}
	}
	if err != nil {
		return err
	}
	if f.dryRun {
		if err := a.renderDryRun(con, &f.out, report); err != nil {
			return err
		}
		return dryRunOutcome(con, report)
	}
	if f.checksum && report.Checksum == "" && report.Done.Downloads+report.Done.Uploads > 0 {
		con.Println("ftpmirror: warning: the server offers no content hash (HASH, XSHA256, XSHA1, XMD5, XCRC): --checksum compared the files by size only")
	}
	if direction == "pull" {
		return a.finishRun(con, &f.out, report)
	}
	// finishRun with the summary line told in this direction's words.
	out := f.out
	out.quiet = true
	err = a.finishRun(con, &out, report)
	if !f.out.json && !f.out.quiet {
		con.Println("%s", reportTextFor(direction+"ed", report))
	}
	return err
}
