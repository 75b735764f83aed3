package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func (a *app) configCommand() *cobra.Command {
	var configFile string
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Show, write and check the config file of jobs",
		Long: `The config file holds named jobs for 'ftpmirror run'. It is read from
$XDG_CONFIG_HOME/ftpmirror/` + configName + ` (~/.config/ftpmirror/` + configName + ` when
XDG_CONFIG_HOME is unset), or from the file given with --config.`,
		Example: `  ftpmirror config path
  mkdir -p ~/.config/ftpmirror && ftpmirror config example > ~/.config/ftpmirror/config.toml
  ftpmirror config example --job docs --source ftp://ftp.example.org/pub/docs --target ~/docs
  ftpmirror config check`,
		Args: argsExactly(0, "config needs a subcommand: path, example or check"),
		RunE: a.runE(func(cmd *cobra.Command, _ []string) error { return cmd.Help() }),
	}
	registerConfigFlag(cmd.PersistentFlags(), &configFile)
	cmd.AddCommand(a.configPathCommand(&configFile), a.configExampleCommand(), a.configCheckCommand(&configFile))
	return cmd
}

func (a *app) configPathCommand(configFile *string) *cobra.Command {
	return &cobra.Command{
		Use:     "path",
		Short:   "Print where the config file is read from",
		Example: "  ftpmirror config path\n  $EDITOR \"$(ftpmirror config path)\"",
		Args:    argsExactly(0, "config path takes no arguments"),
		RunE: a.runE(func(cmd *cobra.Command, _ []string) error {
			path, err := a.configPath(*configFile)
			if err != nil {
				return err
			}
			if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
				fmt.Fprintf(a.stderr, "ftpmirror: note: %s does not exist yet; 'ftpmirror config example' writes a start\n", path)
			}
			_, err = fmt.Fprintln(a.stdout, path)
			return err
		}),
	}
}

// exampleJob is what config example writes: a job of its flags, or a sample.
type exampleJob struct {
	name, direction, source, target string
}

func (a *app) configExampleCommand() *cobra.Command {
	var e exampleJob
	cmd := &cobra.Command{
		Use:   "example [--job NAME --source URL --target DIR]",
		Short: "Print a commented example config file",
		Long: `Example prints a config file with one job and every setting, commented out
at its default. With --job, --source and --target it prints a ready config
holding that job. Check what you write with 'ftpmirror config check'.`,
		Example: `  # start a config file
  mkdir -p ~/.config/ftpmirror
  ftpmirror config example > ~/.config/ftpmirror/config.toml

  # a ready job named docs
  ftpmirror config example --job docs --source ftp://ftp.example.org/pub/docs --target ~/docs

  # add a job to an existing file
  ftpmirror config example --job site --source ftp://alice@host/site --target /srv/site \
    | sed -n '/^\[jobs/,$p' >> "$(ftpmirror config path)"`,
		Args: argsExactly(0, "config example takes no arguments"),
		RunE: a.runE(func(cmd *cobra.Command, _ []string) error {
			text, err := e.render(a.getenv)
			if err != nil {
				return err
			}
			_, err = fmt.Fprint(a.stdout, text)
			return err
		}),
	}
	fs := cmd.Flags()
	fs.SortFlags = false
	fs.StringVar(&e.name, "job", "", "name of the job")
	fs.StringVar(&e.direction, "direction", "pull", "the job's command: pull, push or sync")
	fs.StringVar(&e.source, "source", "", "what the job mirrors: a URL for pull and sync, a `DIR` for push")
	fs.StringVar(&e.target, "target", "", "where it mirrors to: a `DIR` for pull and sync, a URL for push")
	return cmd
}

// exampleValue is a sample value for a setting whose default says little.
func exampleValue(name string) (string, bool) {
	switch name {
	case "include":
		return `["*.pdf", "docs/**"]`, true
	case "exclude":
		return `["*.tmp", "cache/"]`, true
	case "exclude-from":
		return `["excludes.txt"]`, true
	case "password-file":
		return `"~/.config/ftpmirror/docs.password"`, true
	case "active-addr":
		return `"203.0.113.7"`, true
	case "active-ports":
		return `"50000-50100"`, true
	case "tls":
		return `"explicit"`, true
	case "ca-file":
		return `"ca.pem"`, true
	case "state":
		return `"~/.local/state/ftpmirror/docs.db"`, true
	case "wait":
		return `"10m"`, true
	case "backup-dir":
		return `"/srv/mirror/docs.old"`, true
	case "min-size":
		return `"1k"`, true
	case "max-size":
		return `"100M"`, true
	case "newer-than":
		return `"30d"`, true
	case "older-than":
		return `"1h"`, true
	case "bwlimit":
		return `"08:00,1M 19:00,off"`, true
	case "metrics-file":
		return `"/var/lib/node_exporter/textfile_collector/ftpmirror.prom"`, true
	}
	return "", false
}

const exampleHeader = `# ftpmirror jobs: run one with 'ftpmirror run NAME', all with 'ftpmirror run --all'.
# This file is read from $XDG_CONFIG_HOME/ftpmirror/` + configName + ` ('ftpmirror config path'
# prints where); 'ftpmirror config check' checks it.
#
# Each [jobs.NAME] table is a command line: direction is the command (pull,
# push or sync), source and target are its arguments (the URL is the source of
# a pull or sync and the target of a push), and every other key is one of its
# flags with '_' for '-'. Relative paths are relative to this file; ~/ is your
# home directory. A URL's path is read as on the command line: relative to the
# login directory (ftp://host/site), absolute with %2F (ftp://host/%2Fsrv/site).
#
# Passwords are never written here: set password_env to the name of an
# environment variable holding it, or password_file to a file whose first
# line is the password, or put the host in ~/.netrc.
`

// render writes the example config.
func (e exampleJob) render(getenv func(string) string) (string, error) {
	sample := e.name == "" && e.source == "" && e.target == ""
	if sample {
		e = exampleJob{name: "docs", direction: "pull", source: "ftp://ftp.example.org/pub/docs", target: "/srv/mirror/docs"}
	}
	if e.name == "" || e.source == "" || e.target == "" {
		return "", usageErr("--job, --source and --target go together", "give all three, or none for a sample")
	}
	if !contains(directions(), e.direction) {
		return "", usageErr(fmt.Sprintf("unknown --direction %q", e.direction), "use pull, push or sync")
	}
	flags := directionFlags(getenv)(e.direction)
	if flags == nil {
		return "", usageErr(e.direction+" jobs are not available in this build", "")
	}
	urlSide, localSide := &e.source, &e.target
	if e.direction == "push" {
		urlSide, localSide = localSide, urlSide
	}
	if r, err := parseRemote(*urlSide); err != nil {
		return "", err
	} else if r.HasPassword {
		return "", usageErr("the URL holds a password, which must not be written in a config file",
			"remove it from the URL; the example shows password_env and password_file")
	}
	if !sample {
		abs, err := filepath.Abs(expandPath(*localSide, ".", getenv))
		if err != nil {
			return "", usageErr("bad local directory: "+err.Error(), "")
		}
		*localSide = abs
	}

	var b strings.Builder
	b.WriteString(exampleHeader)
	fmt.Fprintf(&b, "\n[jobs.%s]\n", tomlKey(e.name))
	fmt.Fprintf(&b, "direction = %s\n", tomlString(e.direction))
	fmt.Fprintf(&b, "source = %s\n", tomlString(e.source))
	fmt.Fprintf(&b, "target = %s\n", tomlString(e.target))
	fmt.Fprintf(&b, "\n# the environment variable that holds the password\n# password_env = %s\n",
		tomlString(strings.ToUpper(strings.Map(envChar, e.name))+"_PASSWORD"))
	flags.VisitAll(func(fl *pflag.Flag) {
		if isRunLevelFlag(fl.Name) || fl.Hidden {
			return
		}
		_, usage := pflag.UnquoteUsage(fl)
		value, ok := exampleValue(fl.Name)
		if !ok {
			value = tomlDefault(fl)
		}
		fmt.Fprintf(&b, "\n# %s\n# %s = %s\n", usage, strings.ReplaceAll(fl.Name, "-", "_"), value)
	})
	return b.String(), nil
}

func envChar(r rune) rune {
	if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
		return r
	}
	return '_'
}

// tomlDefault renders a flag's default as a TOML value.
func tomlDefault(fl *pflag.Flag) string {
	switch fl.Value.Type() {
	case "bool", "int", "count":
		return fl.DefValue
	case "stringArray", "stringSlice":
		return "[]"
	}
	return tomlString(fl.DefValue)
}

// tomlString quotes s as a TOML basic string.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// tomlKey writes name as a bare key when it can be one.
func tomlKey(name string) string {
	for i := 0; i < len(name); i++ {
		if !isBareKeyChar(name[i]) {
			return tomlString(name)
		}
	}
	return name
}

func (a *app) configCheckCommand(configFile *string) *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "Check the config file, pointing at the line of each mistake",
		Long: `Check reads the config file and checks every job as 'ftpmirror run' would
before connecting: keys, values, globs, URLs, password files. It connects
nowhere. Each mistake is printed as FILE:LINE: message, and the exit code is
2 when there is any.`,
		Example: "  ftpmirror config check\n  ftpmirror config check --config /etc/ftpmirror/jobs.toml",
		Args:    argsExactly(0, "config check takes no arguments"),
		RunE: a.runE(func(cmd *cobra.Command, _ []string) error {
			return a.checkConfig(cmd.Context(), *configFile)
		}),
	}
}

func (a *app) checkConfig(ctx context.Context, configFile string) error {
	c, err := a.loadJobs(configFile)
	if err != nil {
		return err
	}
	var problems []*configError
	for _, j := range c.jobs {
		if len(j.problems) > 0 {
			problems = append(problems, j.problems...)
			continue
		}
		if _, err := a.execJob(ctx, j, nil, true); err != nil {
			problems = append(problems, c.locate(j, err))
		}
		if j.passwordEnv != "" && a.getenv(j.passwordEnv) == "" {
			fmt.Fprintf(a.stderr, "ftpmirror: warning: %s:%d: job %q: %s is not set here; the job needs it where it runs\n",
				c.path, j.settingLine("password_env"), j.name, j.passwordEnv)
		}
	}
	if len(problems) > 0 {
		for _, p := range problems {
			a.printError(p.Error(), p.hint)
		}
		return &exitError{code: exitUsage, msg: fmt.Sprintf("%s in %s", plural(len(problems), "mistake", "mistakes"), c.path)}
	}
	_, err = fmt.Fprintf(a.stdout, "%s: %s, no mistakes (%s)\n", c.path,
		plural(len(c.jobs), "job", "jobs"), strings.Join(c.names(), ", "))
	return err
}
