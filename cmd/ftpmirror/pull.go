package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ftpmirror/ftpmirror/mirror"
	"github.com/ftpmirror/ftpmirror/plan"
	"github.com/ftpmirror/ftpmirror/state"
)

const pullExample = `  # mirror a public tree anonymously
  ftpmirror pull ftp://ftp.example.org/pub/docs ./docs

  # log in as alice; the password comes from the environment; site is
  # under alice's login directory
  FTPMIRROR_PASSWORD=s3cret ftpmirror pull ftp://alice@files.example.com/site ./site

  # an absolute remote path, /srv/site, written with %2F
  ftpmirror pull ftp://alice@files.example.com/%2Fsrv/site ./site

  # alice's whole login directory
  ftpmirror pull ftp://alice@files.example.com/ ./alice

  # show what would change, without changing anything
  ftpmirror pull -n --delete ftp://alice@files.example.com/site ./site

  # delete local files that are gone on the server, even if that is many
  ftpmirror pull --delete --force ftp://alice@files.example.com/site ./site

  # only PDFs, no drafts, through a firewall that allows only active mode
  ftpmirror pull --include '*.pdf' --exclude 'drafts/' --mode active ftp://host/pub ./pub

  # from cron: record each run's figures for Prometheus (node_exporter's textfile collector)
  ftpmirror pull -q --metrics-file /var/lib/node_exporter/textfile_collector/ftpmirror.prom ftp://host/pub ./pub

  # keep what a run deletes or overwrites in ./site.old (same filesystem), under its path
  ftpmirror pull --delete --backup-dir ./site.old ftp://alice@files.example.com/site ./site

  # a reorganised tree: moved files are renamed here, not downloaded again
  ftpmirror pull --delete --track-renames ftp://alice@files.example.com/site ./site

  # only files up to 100 MiB changed in the last 30 days; the others are left alone, never deleted
  ftpmirror pull --delete --max-size 100M --newer-than 30d ftp://host/pub ./pub

  # compare every file with the server's hash after its transfer (proftpd's mod_digest, ...)
  ftpmirror pull --checksum ftp://alice@files.example.com/site ./site

  # at most 2 MiB/s in all; or 512 KiB/s in office hours only
  ftpmirror pull --bwlimit 2M ftp://host/pub ./pub
  ftpmirror pull --bwlimit "08:00,512k 19:00,off" ftp://host/pub ./pub

  # explicit TLS with a private CA, a JSON report for scripts
  ftpmirror pull --tls explicit --ca-file ca.pem --json ftp://bob@host/data ./data`

// pullFlags are the flags of the pull command.
type pullFlags struct {
	conn        connFlags
	out         outputFlags
	parallel    int
	include     []string
	exclude     []string
	excludeFrom []string
	delete      bool
	maxDelete   string
	force       bool
	dryRun      bool
	statePath   string
	retries     int
	wait        time.Duration
	metricsFile string
	bwlimit     string
	limits      limitFlags // limits.go
	noPerms     bool
	minSize     string
	maxSize     string
	newerThan   string
	olderThan   string
	backupDir   string
	checksum    bool
	noShift     bool
	copyLinks   bool // pull only (links.go)
	renames     bool
	// direction is the command these flags belong to: pull, push or sync.
	direction string
}

func (a *app) pullCommand() *cobra.Command {
	f := pullFlags{direction: "pull"}
	cmd := &cobra.Command{
		Use:   "pull [flags] ftp://[user@]host[:port]/remote/path LOCAL_DIR",
		Short: "Mirror a remote directory into a local directory",
		Long: `Pull mirrors the remote directory into LOCAL_DIR: it downloads new and changed
files, creates directories and symlinks, and with --delete removes local files
that are gone on the server. Local files edited since the last run are
overwritten (shown with '>' in a dry run).

What was synced is kept in a state file (default under $XDG_STATE_HOME or
~/.local/state/ftpmirror/), which also keeps two runs of the same mirror from
overlapping. Use ftps:// for implicit TLS, --tls explicit for AUTH TLS.

` + urlPathHelp,
		Example: pullExample,
		Args:    argsExactly(2, "pull needs a remote URL and a local directory"),
		RunE:    a.runE(func(cmd *cobra.Command, args []string) error { return a.runPull(cmd.Context(), &f, args[0], args[1]) }),
	}
	fs := cmd.Flags()
	fs.SortFlags = false
	f.register(fs)
	registerCopyLinks(fs, &f)
	f.out.register(fs, true)
	return cmd
}

// register adds the flags that say what to mirror and how. A job in the
// config file sets the same flags by their names (see config.go), so the
// command line and the config file share one conversion to options.
func (f *pullFlags) register(fs *pflag.FlagSet) {
	fs.IntVar(&f.parallel, "parallel", 4, "number of connections transferring at once")
	fs.StringArrayVar(&f.include, "include", nil, "mirror only paths matching `GLOB` (repeatable)")
	fs.StringArrayVar(&f.exclude, "exclude", nil, "leave alone paths matching `GLOB` (repeatable)")
	fs.StringArrayVar(&f.excludeFrom, "exclude-from", nil, "read exclude globs from `FILE`, one a line (repeatable)")
	fs.StringVar(&f.minSize, "min-size", "", "leave alone files smaller than `SIZE` (1k, 10M)")
	fs.StringVar(&f.maxSize, "max-size", "", "leave alone files larger than `SIZE` (100M, 2G)")
	fs.StringVar(&f.newerThan, "newer-than", "", "only files modified within `AGE` (7d) or since a date (2026-01-31); the rest are left alone")
	fs.StringVar(&f.olderThan, "older-than", "", "only files modified more than `AGE` ago (36h) or before a date; the rest are left alone")
	fs.BoolVar(&f.delete, "delete", false, "delete local files that are gone on the server")
	fs.StringVar(&f.maxDelete, "max-delete", "50%", "refuse to delete more than `N` files or P% of the mirror")
	fs.BoolVar(&f.force, "force", false, "proceed past the --max-delete guard")
	fs.BoolVar(&f.checksum, "checksum", false, "after each transfer, compare the file with the server's hash (HASH, XSHA256 ...); a mismatch is retried")
	fs.BoolVar(&f.renames, "track-renames", false, "with --delete, rename on the target the files moved on the source (same size and time, and hash where the server gives one) instead of sending them again")
	fs.StringVar(&f.backupDir, "backup-dir", "", "move files that would be deleted or overwritten into `DIR` first (pull: a local directory; push: one on the server)")
	fs.BoolVarP(&f.dryRun, "dry-run", "n", false, "show what would be done, change nothing")
	fs.StringVar(&f.statePath, "state", "", "state `FILE` (default: derived from the URL and LOCAL_DIR)")
	fs.StringVar(&f.bwlimit, "bwlimit", "", "limit all transfers together to `RATE` bytes/s (500k, 2M), or a timetable \"08:00,1M 19:00,off\"")
	fs.IntVar(&f.retries, "retries", 3, "attempts per file after the first failure")
	fs.DurationVar(&f.wait, "wait", 0, "wait this long for another run to release the state lock")
	fs.StringVar(&f.metricsFile, "metrics-file", "", "after each run, write its figures to `FILE` in the Prometheus text format (node_exporter textfile)")
	f.limits.register(fs)
	fs.BoolVar(&f.noShift, "no-clock-shift", false, "see files whose listed times all moved by one offset as changed, not as the server's clock moving")
	fs.BoolVar(&f.noPerms, "no-perms", false, "give downloads the default modes (0644, 0755, less the umask), not the permission bits listed; send no SITE CHMOD after uploads")
	f.conn.register(fs)
}

// argsExactly is cobra.ExactArgs with a message for people.
func argsExactly(n int, msg string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageErr(fmt.Sprintf("%s (got %d arguments)", msg, len(args)), "see '"+cmd.CommandPath()+" --help'")
		}
		return nil
	}
}

// pullSetup is everything pull needs, validated before connecting.
type pullSetup struct {
	conn      *conn
	localDir  string
	statePath string
	filter    *plan.Filter
	maxDelete plan.Limit
	bandwidth *mirror.Bandwidth // nil: unlimited
}

func (f *pullFlags) validate(a *app, rawURL, localDir string) (*pullSetup, error) {
	if err := f.out.validate(); err != nil {
		return nil, err
	}
	if f.parallel < 1 || f.parallel > 64 {
		return nil, usageErr(fmt.Sprintf("--parallel %d is out of range", f.parallel), "use 1 to 64")
	}
	if f.retries < 0 {
		return nil, usageErr("--retries must not be negative", "use --retries 0 to try each file once")
	}
	if f.wait < 0 {
		return nil, usageErr("--wait must not be negative", "e.g. --wait 5m")
	}
	limit, err := plan.ParseLimit(f.maxDelete)
	if err != nil {
		return nil, usageErr(fmt.Sprintf("invalid --max-delete %q: %v", f.maxDelete, err), "give a count such as 100 or a percentage such as 10%")
	}
	exclude := append([]string(nil), f.exclude...)
	for _, name := range f.excludeFrom {
		text, err := os.ReadFile(name)
		if err != nil {
			return nil, usageErr("cannot read --exclude-from: "+err.Error(), "")
		}
		exclude = append(exclude, plan.ParseExcludeFrom(string(text))...)
	}
	filter, err := plan.NewFilter(f.include, exclude)
	if err != nil {
		return nil, usageErr(err.Error(), "patterns are globs such as '*.tmp', 'cache/' or 'docs/**/*.pdf'")
	}
	if filter, err = f.withEntryRules(filter, time.Now()); err != nil {
		return nil, err
	}
	minRate, err := f.limits.validate()
	if err != nil {
		return nil, err
	}
	var bw *mirror.Bandwidth
	if f.bwlimit != "" {
		sched, err := mirror.ParseSchedule(f.bwlimit)
		if err != nil {
			return nil, usageErr("invalid --bwlimit: "+err.Error(), `e.g. --bwlimit 2M, or --bwlimit "08:00,512k 19:00,off"`)
		}
		bw = mirror.NewBandwidth(sched)
	}
	if localDir == "" {
		return nil, usageErr("the local directory is empty", "give a directory, e.g. . or ./mirror")
	}
	abs, err := filepath.Abs(localDir)
	if err != nil {
		return nil, usageErr("bad local directory: "+err.Error(), "")
	}
	if fi, err := os.Stat(abs); err == nil && !fi.IsDir() {
		return nil, usageErr(fmt.Sprintf("%s is not a directory", localDir), "give the directory to mirror into")
	}
	c, err := f.conn.build(a, rawURL)
	if err != nil {
		return nil, err
	}
	if err := f.checkBackupDir(c.remote.Path, abs); err != nil {
		return nil, err
	}
	c.options.MinRate = minRate
	c.options.NoPerms = f.noPerms
	statePath := f.statePath
	if statePath == "" {
		statePath, err = state.DefaultPath(c.display, abs)
		if err != nil {
			return nil, usageErr(err.Error(), "choose a state file with --state FILE")
		}
	}
	if a.validateOnly {
		// A job being checked (run_job.go): stop here, before connecting.
		a.validatedState = statePath
		return nil, errValidated
	}
	return &pullSetup{conn: c, localDir: abs, statePath: statePath, filter: filter, maxDelete: limit, bandwidth: bw}, nil
}

func (a *app) runPull(ctx context.Context, f *pullFlags, rawURL, localDir string) (err error) {
	s, err := f.validate(a, rawURL, localDir)
	if err != nil {
		return err
	}
	return a.pull(ctx, f, s)
}

// pull runs a validated pull.
func (a *app) pull(ctx context.Context, f *pullFlags, s *pullSetup) error {
	return a.runMirror(ctx, "pull", f, s, mirror.Pull)
}

func (a *app) renderDryRun(con *console, out *outputFlags, report *mirror.Report) error {
	planWarnings(con, report.Plan)
	skippedWarnings(con, out, report)
	if out.json {
		return renderPlanJSON(a.stdout, report.Plan)
	}
	renderPlanText(a.stdout, report.Plan, out.verbose, 0)
	return nil
}

// openState opens the state for a run; a dry run opens it read-only and
// gets nil when there is none yet. With wait, waiting is called once if
// another run holds the lock, before waiting for it.
func openState(path string, dryRun bool, wait time.Duration, waiting func()) (*state.Store, error) {
	store, err := state.Open(path, state.Options{ReadOnly: dryRun, Wait: wait, Waiting: waiting})
	switch {
	case err == nil:
		return store, nil
	case dryRun && errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case errors.Is(err, state.ErrLocked):
		return nil, &exitError{code: exitLocked,
			msg:  "another run holds the lock on " + path,
			hint: "wait for it to finish, or pass --wait 10m to wait for the lock"}
	}
	return nil, err
}

// finishRun prints what a run did and turns per-file failures into exit 1.
func (a *app) finishRun(con *console, out *outputFlags, r *mirror.Report) error {
	for _, fe := range r.Failed {
		if !con.reportedFailure(string(fe.Op), fe.Path) {
			con.Println("ftpmirror: error: %s %s: %v", fe.Op, fe.Path, fe.Err)
		}
	}
	planWarnings(con, r.Plan)
	skippedWarnings(con, out, r)
	if out.json {
		if err := renderReportJSON(a.stdout, r); err != nil {
			return err
		}
	} else if !out.quiet {
		con.Println("%s", reportText(r))
	}
	if n := len(r.Failed); n > 0 {
		return &exitError{code: exitFailed,
			msg:  fmt.Sprintf("%s failed; the rest is done", plural(n, "item", "items")),
			hint: "run the same command again to retry them"}
	}
	return nil
}
