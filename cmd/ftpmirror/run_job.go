package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

const runExample = `  # run the job named site from the config file
  ftpmirror run site

  # every job, one after another; silent unless something fails (for cron)
  ftpmirror run --all --quiet --log-file ~/.local/state/ftpmirror/cron.log

  # every job, with each job's figures for Prometheus (node_exporter's textfile collector)
  ftpmirror run --all --quiet --metrics-file /var/lib/node_exporter/textfile_collector/ftpmirror.prom

  # wait up to 10 minutes if the previous run still holds the lock
  ftpmirror run --wait 10m site

  # show what the job would do, change nothing
  ftpmirror run -n site

  # a config file of its own
  ftpmirror run --config /etc/ftpmirror/jobs.toml --all`

// runFlags are the flags of the run command. The output flags, --wait and
// --dry-run are handed to each job's command, overriding the job's own.
type runFlags struct {
	configFile string
	all        bool
	wait       time.Duration
	dryRun     bool
	metrics    string
	out        outputFlags
}

func (a *app) runCommand() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run [flags] JOB... | --all",
		Short: "Run jobs from the config file",
		Long: `Run runs jobs named in the config file (see 'ftpmirror config path'), one
after another. A job is a pull, push or sync command line written as TOML
(see 'ftpmirror config example'): running it does what that command line
does, with the same state file and the same lock.

Every job to run is checked before any connects: an unknown job, a missing
key, a bad glob or value stops the run with exit 2. With --all a job that
fails does not stop the next one; the exit code is that of the first failure.

For cron: a second run of a job while one runs is refused at once with exit
4 (--wait waits for the lock instead); --quiet prints nothing unless something
fails; without a terminal nothing draws a progress bar or writes '\r';
--log-file and --log-format json keep a log with one summary record per run
(files, bytes, deleted, failed, duration, method).`,
		Example:           runExample,
		ValidArgsFunction: a.completeJobs(&f.configFile),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			return a.runJobs(cmd.Context(), cmd.Flags(), &f, args)
		}),
	}
	fs := cmd.Flags()
	fs.SortFlags = false
	registerConfigFlag(fs, &f.configFile)
	fs.BoolVar(&f.all, "all", false, "run every job in the config file")
	fs.DurationVar(&f.wait, "wait", 0, "wait this long for another run to release a job's state lock")
	fs.BoolVarP(&f.dryRun, "dry-run", "n", false, "show what each job would do, change nothing")
	fs.StringVar(&f.metrics, "metrics-file", "", "write each job's figures to `FILE` in the Prometheus text format (overrides the jobs' metrics_file)")
	f.out.register(fs, true)
	return cmd
}

func registerConfigFlag(fs *pflag.FlagSet, p *string) {
	fs.StringVar(p, "config", "", "read jobs from `FILE` (default $XDG_CONFIG_HOME/ftpmirror/"+configName+")")
}

// configPath is --config, or the default.
func (a *app) configPath(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	return defaultConfigPath(a.getenv)
}

// loadJobs loads the config file named by --config, or the default one.
func (a *app) loadJobs(configFlag string) (*config, error) {
	path, err := a.configPath(configFlag)
	if err != nil {
		return nil, err
	}
	return loadConfig(path, directionFlags(a.getenv), a.getenv)
}

// jobDirections are the commands that jobs may run: each validates through
// pullFlags.validate, which stops at errValidated for a job being checked.
func jobDirections() []string { return []string{"pull", "push", "sync"} }

// errValidated is returned by pullFlags.validate in an app with
// validateOnly: the command line is valid and nothing more is to be done.
var errValidated = errors.New("validated")

// directionFlags returns the flags of this build's direction commands, from
// a scratch app that never runs; nil for a direction jobs cannot run.
func directionFlags(getenv func(string) string) flagSets {
	return func(direction string) *pflag.FlagSet {
		if !contains(jobDirections(), direction) {
			return nil
		}
		scratch := newApp(strings.NewReader(""), io.Discard, io.Discard, getenv)
		cmd, _, err := scratch.rootCommand().Find([]string{direction})
		if err != nil || cmd.Name() != direction {
			return nil
		}
		return cmd.Flags()
	}
}

func (a *app) runJobs(ctx context.Context, fs *pflag.FlagSet, f *runFlags, names []string) error {
	if err := f.out.validate(); err != nil {
		return err
	}
	switch {
	case f.all && len(names) > 0:
		return usageErr("give job names or --all, not both", "")
	case !f.all && len(names) == 0:
		return usageErr("run needs a job name, or --all", "'ftpmirror config check' lists the jobs")
	case f.wait < 0:
		return usageErr("--wait must not be negative", "e.g. --wait 5m")
	}
	c, err := a.loadJobs(f.configFile)
	if err != nil {
		return err
	}
	jobs, err := c.selectJobs(names, f.all)
	if err != nil {
		return err
	}
	// Everything is checked before anything connects.
	var problems []*configError
	for _, j := range jobs {
		problems = append(problems, j.problems...)
		if j.passwordEnv != "" && a.getenv(j.passwordEnv) == "" {
			problems = append(problems, &configError{path: c.path, line: j.settingLine("password_env"),
				msg:  fmt.Sprintf("job %q: password_env names %s, which is not set", j.name, j.passwordEnv),
				hint: "export " + j.passwordEnv + " where the job runs (for cron, in the crontab or a wrapper script)"})
		}
	}
	if len(problems) == 0 {
		for _, j := range jobs {
			if _, err := a.execJob(ctx, j, nil, true); err != nil {
				problems = append(problems, c.locate(j, err))
			}
		}
	}
	if err := a.reportProblems(problems); err != nil {
		return err
	}

	extra := passThrough(fs)
	var failed []string
	var first *exitError
	for _, j := range jobs {
		if len(jobs) > 1 && !f.out.quiet && !f.out.json {
			fmt.Fprintf(a.stderr, "ftpmirror: job %s: %s %s -> %s\n", j.name, j.direction, j.source, j.target)
		}
		_, err := a.execJob(ctx, j, extra, false)
		if err == nil {
			continue
		}
		err = jobError(ctx, j.name, err)
		if len(jobs) == 1 || ctx.Err() != nil {
			return err
		}
		code, msg, hint := describe(ctx, err)
		a.printError(msg, hint)
		failed = append(failed, j.name)
		if first == nil {
			first = &exitError{code: code}
		}
	}
	if first != nil {
		first.msg = fmt.Sprintf("%d of %d jobs failed: %s", len(failed), len(jobs), strings.Join(failed, ", "))
		return first
	}
	return nil
}

// selectJobs returns the named jobs, or all of them.
func (c *config) selectJobs(names []string, all bool) ([]*job, error) {
	if all {
		if len(c.jobs) == 0 {
			return nil, usageErr("no jobs in "+c.path, "add one; 'ftpmirror config example' shows how")
		}
		return c.jobs, nil
	}
	var out []*job
	for _, name := range names {
		j := c.job(name)
		if j == nil {
			hint := "the config file has no jobs yet; 'ftpmirror config example' shows how to write one"
			if len(c.jobs) > 0 {
				hint = "jobs in " + c.path + ": " + strings.Join(c.names(), ", ")
			}
			return nil, usageErr(fmt.Sprintf("no job named %q in %s", name, c.path), hint)
		}
		out = append(out, j)
	}
	return out, nil
}

// passThrough returns the run command's flags that its jobs' commands take
// too, as given: the output flags, --wait, --dry-run and --metrics-file.
func passThrough(fs *pflag.FlagSet) []string {
	var out []string
	fs.Visit(func(fl *pflag.Flag) {
		if isRunLevelFlag(fl.Name) || fl.Name == "wait" || fl.Name == "metrics-file" {
			out = append(out, "--"+fl.Name+"="+fl.Value.String())
		}
	})
	return out
}

// execJob runs the job's command line in an app of its own, whose
// environment maps password_env to FTPMIRROR_PASSWORD. With validateOnly the
// command checks everything, connects nowhere, and returns the state file it
// would use.
func (a *app) execJob(ctx context.Context, j *job, extra []string, validateOnly bool) (statePath string, err error) {
	sub := newApp(a.stdin, a.stdout, a.stderr, j.env(a.getenv))
	sub.rawStderr = a.rawStderr
	sub.job = j.name
	sub.validateOnly = validateOnly
	root := sub.rootCommand()
	root.SetArgs(j.argv(extra))
	if validateOnly {
		// Should a command not stop at errValidated, it still connects nowhere.
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		ctx = cancelled
	}
	_, err = root.ExecuteContextC(ctx)
	a.mask.merge(&sub.mask)
	var ee *exitError
	switch {
	case validateOnly && errors.Is(err, errValidated):
		return sub.validatedState, nil
	case validateOnly && err == nil:
		return "", fmt.Errorf("%s did not check the job's command line", j.direction)
	case err != nil && !sub.entered && !errors.As(err, &ee):
		err = usageErr(err.Error(), "")
	}
	return sub.validatedState, err
}

// jobError names the job in err's message, keeping its exit code and hint.
func jobError(ctx context.Context, name string, err error) error {
	code, msg, hint := describe(ctx, err)
	return &exitError{code: code, msg: "job " + name + ": " + msg, hint: hint}
}

// locate turns an error found by validating j's command line into a mistake
// at the line of the key it names (a --flag), or of the job.
func (c *config) locate(j *job, err error) *configError {
	_, msg, hint := describe(context.Background(), err)
	line := j.line
	for _, s := range j.settings {
		if namesFlag(msg, s.flag) {
			line = s.line
			break
		}
	}
	return &configError{path: c.path, line: line, msg: fmt.Sprintf("job %q: %s", j.name, msg), hint: hint}
}

// settingLine is the line of the job's key, or of the job.
func (j *job) settingLine(key string) int {
	if l, ok := j.keyLine[key]; ok {
		return l
	}
	return j.line
}

// reportProblems prints every problem but the last and returns that one.
func (a *app) reportProblems(problems []*configError) error {
	if len(problems) == 0 {
		return nil
	}
	for _, p := range problems[:len(problems)-1] {
		a.printError(p.Error(), p.hint)
	}
	return problems[len(problems)-1].usage()
}

// printError prints an error and its hint the way run does.
func (a *app) printError(msg, hint string) {
	fmt.Fprintf(a.stderr, "ftpmirror: error: %s\n", msg)
	if hint != "" {
		fmt.Fprintf(a.stderr, "ftpmirror: hint: %s\n", hint)
	}
}

// completeJobs completes job names from the config file.
func (a *app) completeJobs(configFlag *string) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		c, err := a.loadJobs(*configFlag)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []cobra.Completion
		for _, name := range c.names() {
			if strings.HasPrefix(name, toComplete) && !contains(args, name) {
				out = append(out, name)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// namesFlag reports whether msg names --flag itself, not a longer flag that
// starts with it (--exclude in "--exclude-from").
func namesFlag(msg, flag string) bool {
	for rest := msg; ; {
		i := strings.Index(rest, "--"+flag)
		if i < 0 {
			return false
		}
		rest = rest[i+2+len(flag):]
		if rest == "" || !isBareKeyChar(rest[0]) {
			return true
		}
	}
}
