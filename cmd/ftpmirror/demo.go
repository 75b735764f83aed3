package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
	"github.com/ftpmirror/ftpmirror/mirror"
	"github.com/ftpmirror/ftpmirror/state"
)

const demoExample = `  # mirror a generated tree from a local test server into a new temp dir
  ftpmirror demo

  # into ./demo-mirror, with a bigger tree
  ftpmirror demo --files 1000 --dirs 50 ./demo-mirror`

// demoFlags are the flags of the demo command.
type demoFlags struct {
	out     outputFlags
	files   int
	dirs    int
	maxSize int
	seed    int64
}

func (a *app) demoCommand() *cobra.Command {
	var f demoFlags
	cmd := &cobra.Command{
		Use:   "demo [flags] [DIR]",
		Short: "Mirror a generated tree from a local test server, to see ftpmirror work",
		Long: `Demo generates a random tree in a temporary directory, serves it with an FTP
server on 127.0.0.1, shows the plan of a dry run, then pulls the tree into DIR
(default: a new temporary directory) with progress, and stops the server.
It needs no network and no FTP server of your own.`,
		Example: demoExample,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageErr("demo takes at most one directory", "see 'ftpmirror demo --help'")
			}
			return nil
		},
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			dir := ""
			if len(args) == 1 {
				dir = args[0]
			}
			return a.runDemo(cmd.Context(), &f, dir)
		}),
	}
	fs := cmd.Flags()
	fs.IntVar(&f.files, "files", 200, "number of files to generate")
	fs.IntVar(&f.dirs, "dirs", 20, "number of directories to generate")
	fs.IntVar(&f.maxSize, "max-size", 64<<10, "largest generated file, in bytes")
	fs.Int64Var(&f.seed, "seed", 1, "seed of the generated tree")
	f.out.register(fs, true)
	return cmd
}

func (a *app) runDemo(ctx context.Context, f *demoFlags, dir string) (err error) {
	if err := f.out.validate(); err != nil {
		return err
	}
	if f.files < 0 || f.dirs < 0 || f.maxSize < 0 {
		return usageErr("--files, --dirs and --max-size must not be negative", "")
	}
	con := newConsole(a, &f.out)
	defer con.Finish()
	logger, closeLog, err := f.out.logger(con)
	if err != nil {
		return err
	}
	defer closeLog()

	work, err := os.MkdirTemp("", "ftpmirror-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	src := filepath.Join(work, "served")
	if err := os.Mkdir(src, 0o755); err != nil {
		return err
	}
	if err := ftptest.RandomTree(src, f.seed, f.files, f.dirs, f.maxSize); err != nil {
		return fmt.Errorf("generate the demo tree: %w", err)
	}
	if dir == "" {
		if dir, err = os.MkdirTemp("", "ftpmirror-demo-mirror-"); err != nil {
			return err
		}
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return err
	}

	srv, err := ftptest.Serve(src, ftptest.Options{})
	if err != nil {
		return fmt.Errorf("start the demo server: %w", err)
	}
	defer srv.Close()
	pw := mirror.NewSecret(srv.Password)
	a.addSecret(pw)
	server := mirror.Server{Host: srv.Host, Port: srv.Port, User: srv.User, Password: pw}
	remote := remoteURL{Scheme: "ftp", Host: srv.Host, Port: srv.Port}.display(srv.User, mirror.TLSOff)
	say := func(format string, args ...any) {
		if !f.out.quiet && !f.out.json {
			fmt.Fprintf(a.stdout, format, args...)
		}
	}
	say("serving a generated tree of %d files in %d directories on %s\n", f.files, f.dirs, remote)
	say("mirroring into %s\n\n", dir)

	// The demo's state lives with the served tree and goes away with it.
	store, err := state.Open(filepath.Join(work, "state.db"), state.Options{})
	if err != nil {
		return err
	}
	defer func() {
		if cerr := store.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	opts := mirror.PullOptions{Server: server, LocalDir: dir, Store: store, Logger: logger}

	say("$ ftpmirror pull --dry-run %s %s\n", remote, dir)
	dry := opts
	dry.DryRun = true
	report, err := mirror.Pull(ctx, dry)
	if err != nil {
		return err
	}
	if !f.out.quiet && !f.out.json {
		renderPlanText(a.stdout, report.Plan, f.out.verbose, 10)
	}

	say("\n$ ftpmirror pull %s %s\n", remote, dir)
	opts.Progress = con
	report, err = mirror.Pull(ctx, opts)
	con.Finish()
	if err != nil {
		return err
	}
	if err := a.finishRun(con, &f.out, report); err != nil {
		return err
	}
	say("\nthe mirror is in %s; run 'ftpmirror pull --help' to mirror a real server\n", dir)
	return nil
}
