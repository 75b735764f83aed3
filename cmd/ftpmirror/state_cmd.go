package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/ftpmirror/ftpmirror/state"
)

func (a *app) stateCommand() *cobra.Command {
	var configFile string
	cmd := &cobra.Command{
		Use:   "state",
		Short: "See and reset what jobs remember",
		Long: `Each mirror keeps a state file: what it synced, when it last ran, and the data
channel that worked. State files live under $XDG_STATE_HOME/ftpmirror/
(~/.local/state/ftpmirror/), one per remote URL and local directory, unless a
job or --state names another.

A state file in use by a running job is locked: list shows it as "in use",
and forget refuses it (exit 4).`,
		Example: `  ftpmirror state list
  ftpmirror state show site
  ftpmirror state show --files site
  ftpmirror state forget site`,
		Args: argsExactly(0, "state needs a subcommand: list, show or forget"),
		RunE: a.runE(func(cmd *cobra.Command, _ []string) error { return cmd.Help() }),
	}
	registerConfigFlag(cmd.PersistentFlags(), &configFile)
	var files bool
	show := &cobra.Command{
		Use:   "show [--files] JOB|FILE",
		Short: "Print what a job's state remembers",
		Example: `  ftpmirror state show site
  ftpmirror state show --files site | grep '\.pdf$'
  ftpmirror state show ~/.local/state/ftpmirror/ftp.example.org_pub-0123456789ab.db`,
		Args:              argsExactly(1, "state show needs a job name or a state file"),
		ValidArgsFunction: a.completeJobs(&configFile),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			return a.showState(cmd.Context(), configFile, args[0], files)
		}),
	}
	show.Flags().BoolVar(&files, "files", false, "also print every record: kind, size, remote time, path")
	cmd.AddCommand(&cobra.Command{
		Use:     "list",
		Short:   "List the state files, with their job, remote, local directory and last run",
		Example: "  ftpmirror state list",
		Args:    argsExactly(0, "state list takes no arguments"),
		RunE: a.runE(func(cmd *cobra.Command, _ []string) error {
			return a.listStates(cmd.Context(), configFile)
		}),
	}, show, &cobra.Command{
		Use:   "forget JOB|FILE",
		Short: "Delete a job's state, so that its next run starts afresh",
		Long: `Forget deletes the state file. The next run lists both sides again and adopts
the files that are already identical instead of transferring them; nothing in
the mirrored trees is touched. A state in use by a running job is refused
(exit 4).`,
		Example:           "  ftpmirror state forget site",
		Args:              argsExactly(1, "state forget needs a job name or a state file"),
		ValidArgsFunction: a.completeJobs(&configFile),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			return a.forgetState(cmd.Context(), configFile, args[0])
		}),
	})
	return cmd
}

// stateDir is where state files live by default.
func stateDir() (string, error) {
	p, err := state.DefaultPath("ftp://host/", "/")
	if err != nil {
		return "", usageErr(err.Error(), "set XDG_STATE_HOME or HOME")
	}
	return filepath.Dir(p), nil
}

// jobStates maps the state file of each valid job in the config file to the
// job's name; nil when there is no config file.
func (a *app) jobStates(ctx context.Context, c *config) map[string]string {
	out := map[string]string{}
	if c == nil {
		return out
	}
	for _, j := range c.jobs {
		if len(j.problems) > 0 {
			continue
		}
		if p, err := a.execJob(ctx, j, nil, true); err == nil && p != "" {
			out[p] = j.name
		}
	}
	return out
}

// optionalConfig loads the config file; a missing one is no config, and a
// broken one is reported as a warning.
func (a *app) optionalConfig(configFile string) *config {
	c, err := a.loadJobs(configFile)
	if err != nil {
		if !strings.HasPrefix(err.Error(), "no config file") {
			_, msg, _ := describe(context.Background(), err)
			fmt.Fprintf(a.stderr, "ftpmirror: warning: %s\n", msg)
		}
		return nil
	}
	return c
}

// resolveState finds the state file named by arg: a job's, or a file given
// by path or by its name in the state directory. trusted says the file is a
// job's or in the state directory, where forget may delete a broken file.
func (a *app) resolveState(ctx context.Context, configFile, arg string) (path, jobName string, trusted bool, err error) {
	c, cerr := a.loadJobs(configFile)
	if cerr == nil {
		if j := c.job(arg); j != nil {
			if len(j.problems) > 0 {
				return "", "", false, j.problems[0].usage()
			}
			p, err := a.execJob(ctx, j, nil, true)
			if err != nil {
				return "", "", false, c.locate(j, err).usage()
			}
			return p, j.name, true, nil
		}
	}
	dir, err := stateDir()
	if err != nil {
		return "", "", false, err
	}
	for _, p := range []string{arg, filepath.Join(dir, arg), filepath.Join(dir, arg+".db")} {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			abs, _ := filepath.Abs(p)
			name := a.jobStates(ctx, c)[abs]
			return abs, name, name != "" || filepath.Dir(abs) == dir, nil
		}
	}
	if cerr != nil && !strings.HasPrefix(cerr.Error(), "no config file") {
		return "", "", false, cerr
	}
	return "", "", false, usageErr(fmt.Sprintf("no job or state file named %q", arg), "'ftpmirror state list' shows the state files and their jobs")
}

// stateInfo is what list and show tell of one state file.
type stateInfo struct {
	meta   state.Meta
	files  int
	status string // complete, incomplete, never run, in use, unreadable
	err    error
}

func readState(path string) stateInfo {
	st, err := state.Open(path, state.Options{ReadOnly: true})
	switch {
	case errors.Is(err, state.ErrLocked):
		return stateInfo{status: "in use", err: err}
	case errors.Is(err, fs.ErrNotExist):
		return stateInfo{status: "never run", err: err}
	case err != nil:
		return stateInfo{status: "unreadable", err: err}
	}
	defer st.Close()
	var info stateInfo
	if info.meta, err = st.Meta(); err == nil {
		info.files, err = st.Len()
	}
	switch {
	case err != nil:
		info.status, info.err = "unreadable", err
	case info.meta.LastRun.IsZero():
		info.status = "never run"
	case info.meta.LastComplete:
		info.status = "complete"
	default:
		info.status = "incomplete"
	}
	return info
}

func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (a *app) listStates(ctx context.Context, configFile string) error {
	dir, err := stateDir()
	if err != nil {
		return err
	}
	jobs := a.jobStates(ctx, a.optionalConfig(configFile))
	paths, _ := filepath.Glob(filepath.Join(dir, "*.db"))
	for p := range jobs {
		if _, err := os.Stat(p); err == nil && !contains(paths, p) {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	if len(paths) == 0 {
		fmt.Fprintf(a.stderr, "ftpmirror: note: no state files under %s: no mirror has run yet\n", dir)
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "JOB\tFILES\tLAST RUN\tSTATUS\tREMOTE\tLOCAL\tSTATE")
	for _, p := range paths {
		info := readState(p)
		files := "-"
		if info.status != "in use" && info.status != "unreadable" {
			files = fmt.Sprint(info.files)
		}
		shown := p
		if rel, err := filepath.Rel(dir, p); err == nil && !strings.HasPrefix(rel, "..") {
			shown = rel
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", orDash(jobs[p]), files, when(info.meta.LastRun), info.status,
			orDash(info.meta.Remote), orDash(info.meta.Local), shown)
	}
	return tw.Flush()
}

func (a *app) showState(ctx context.Context, configFile, arg string, files bool) error {
	path, jobName, _, err := a.resolveState(ctx, configFile, arg)
	if err != nil {
		return err
	}
	info := readState(path)
	switch info.status {
	case "in use":
		return lockedErr(path)
	case "unreadable":
		return info.err
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	m := info.meta
	fmt.Fprintf(tw, "state:\t%s\n", path)
	fmt.Fprintf(tw, "job:\t%s\n", orDash(jobName))
	if errors.Is(info.err, fs.ErrNotExist) {
		fmt.Fprintf(tw, "status:\tnever run (no state file yet)\n")
		return tw.Flush()
	}
	fmt.Fprintf(tw, "remote:\t%s\n", orDash(m.Remote))
	fmt.Fprintf(tw, "local:\t%s\n", orDash(m.Local))
	fmt.Fprintf(tw, "last run:\t%s\n", when(m.LastRun))
	fmt.Fprintf(tw, "status:\t%s\n", info.status)
	fmt.Fprintf(tw, "data method:\t%s\n", orDash(m.DataMethod))
	fmt.Fprintf(tw, "server clock:\t%s\n", serverClockText(m))
	if m.Checksum != "" { // the last run's --checksum: the digest, or "size"
		fmt.Fprintf(tw, "checksum:\t%s\n", m.Checksum)
	}
	fmt.Fprintf(tw, "files:\t%d\n", info.files)
	if err := tw.Flush(); err != nil || !files {
		return err
	}
	return a.printRecords(path)
}

// printRecords prints every record of the state at path, sorted by path.
func (a *app) printRecords(path string) error {
	st, err := state.Open(path, state.Options{ReadOnly: true})
	if errors.Is(err, state.ErrLocked) {
		return lockedErr(path)
	} else if err != nil {
		return err
	}
	defer st.Close()
	snap, err := st.Snapshot()
	if err != nil {
		return err
	}
	keys := make([]string, 0, len(snap))
	for k := range snap {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nKIND\tSIZE\tREMOTE TIME\tPATH")
	for _, k := range keys {
		r := snap[k]
		mtime := "-"
		if !r.RemoteModTime.IsZero() {
			mtime = r.RemoteModTime.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", r.Kind, r.RemoteSize, mtime, r.Path)
	}
	return tw.Flush()
}

func lockedErr(path string) error {
	return &exitError{code: exitLocked, msg: "another run holds the lock on " + path,
		hint: "try again when that run is done"}
}

func (a *app) forgetState(ctx context.Context, configFile, arg string) (err error) {
	path, jobName, trusted, err := a.resolveState(ctx, configFile, arg)
	if err != nil {
		return err
	}
	what := path
	if jobName != "" {
		what = "job " + jobName + " (" + path + ")"
	}
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(a.stderr, "ftpmirror: note: nothing to forget: %s has no state yet\n", what)
		return nil
	} else if err != nil {
		return err
	}
	// Hold the lock while deleting, so that no run is using the file.
	var st *state.Store
	if fi.Size() > 0 {
		st, err = state.Open(path, state.Options{})
	}
	switch {
	case errors.Is(err, state.ErrLocked):
		return lockedErr(path)
	case err != nil || fi.Size() == 0:
		if !trusted {
			return usageErr(fmt.Sprintf("%s is not a usable state file; leaving it alone", path),
				"name a job, or a file under the state directory ('ftpmirror state list')")
		}
	}
	if st != nil {
		defer func() {
			if cerr := st.Close(); cerr != nil && err == nil {
				err = cerr
			}
		}()
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("forget: %w", err)
	}
	_, err = fmt.Fprintf(a.stdout, "forgot %s\n", what)
	return err
}
