package main

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/ftpmirror/ftpmirror/mirror"
)

// app is one invocation of ftpmirror: its streams and environment, and what
// it learns while parsing the command line.
type app struct {
	stdin  io.Reader
	stdout io.Writer // redacting; see out()
	stderr io.Writer // redacting
	// rawStderr is the stderr given to run, used to tell whether it is a
	// terminal.
	rawStderr io.Writer
	getenv    func(string) string

	// entered is set once a command's RunE starts: errors before that are
	// cobra's usage errors.
	entered bool
	// mask hides the password where a server echoes it (redact.go).
	mask serverMask

	// job names the config file's job this invocation runs ("" for a plain
	// command line); see run_job.go.
	job string
	// validateOnly makes a mirror command check its flags and arguments,
	// record the state file it would use in validatedState, and return
	// without connecting.
	validateOnly   bool
	validatedState string
}

func newApp(stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) *app {
	a := &app{stdin: stdin, rawStderr: stderr, getenv: getenv}
	a.stdout = &redactWriter{w: stdout, a: a}
	a.stderr = &redactWriter{w: stderr, a: a}
	return a
}

const rootLong = `ftpmirror mirrors directory trees over FTP and FTPS: pull (server to local),
push (local to server) and sync (both ways, conflicts keep both versions).

It remembers what it synced in a state file, so a second run transfers only
what changed. It finds a data channel that works (EPSV, PASV,
EPRT, PORT) by itself and explains what is wrong when none does.

Credentials: the password comes from --password-file (a file only its owner
may read), the URL (visible to other users: avoid it), FTPMIRROR_PASSWORD or
~/.netrc (only its owner may read it), in that order. A URL
without a user logs in anonymously.

Exit codes:
  0  done
  1  some items failed (the rest was done), or the run was interrupted
  2  usage: a bad flag, argument or value
  3  the connection, login or data channel failed, or the remote directory of
     a pull does not exist
  4  another run holds the lock on the state file
  5  refused by a safety guard (e.g. --max-delete); --force overrides it
  6  stopped by --max-duration: what was done is kept; run again to go on`

const rootExample = `  # see it work against a local test server
  ftpmirror demo

  # mirror a public tree, anonymously
  ftpmirror pull ftp://ftp.example.org/pub/docs ./docs

  # show what would change, then mirror with deletions
  FTPMIRROR_PASSWORD=... ftpmirror pull -n --delete ftp://alice@files.example.com/site ./site
  FTPMIRROR_PASSWORD=... ftpmirror pull --delete ftp://alice@files.example.com/site ./site

  # publish a local build; keep a folder in step both ways
  FTPMIRROR_PASSWORD=... ftpmirror push ./public ftp://alice@www.example.com/htdocs
  FTPMIRROR_PASSWORD=... ftpmirror sync ./notes ftp://alice@files.example.com/notes

  # find out which data channel mode works through your firewall
  ftpmirror probe ftp://ftp.example.org/

  # named jobs in a config file: write one, check it, run every job quietly (for cron)
  mkdir -p ~/.config/ftpmirror
  ftpmirror config example --job docs --source ftp://ftp.example.org/pub/docs --target ~/docs > ~/.config/ftpmirror/config.toml
  ftpmirror config check
  ftpmirror run --all --quiet`

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "ftpmirror",
		Short:         "Mirror directory trees over FTP",
		Long:          rootLong,
		Example:       rootExample,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.AddCommand(a.pullCommand(), a.pushCommand(), a.syncCommand(), a.probeCommand(), a.checkCommand(), a.demoCommand(), a.versionCommand())
	root.AddCommand(a.runCommand(), a.configCommand(), a.stateCommand())
	return root
}

// runE marks the command as entered before running fn, so that run can tell
// usage errors found by cobra from errors of the command itself.
func (a *app) runE(fn func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		a.entered = true
		return fn(cmd, args)
	}
}

// addSecret makes the server mask cover pw.
func (a *app) addSecret(pw mirror.Secret) { a.mask.add(pw) }

// redact masks the password in the server replies s holds.
func (a *app) redact(s string) string { return a.mask.apply(s) }
