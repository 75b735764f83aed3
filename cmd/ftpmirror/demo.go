package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ftpmirror/ftpmirror/internal/demoserver"
	"github.com/ftpmirror/ftpmirror/internal/ftpproxy"
)

const demoExample = `  # the whole story in about 15 seconds, into a new temporary directory
  ftpmirror demo

  # into ./demo-mirror, then leave the servers up to try commands by hand
  ftpmirror demo --keep ./demo-mirror

  # a bigger tree
  ftpmirror demo --files 2000 --dirs 100`

// demoKeep is how long --keep leaves the servers up.
const demoKeep = 5 * time.Minute

// demoFlags are the flags of the demo command.
type demoFlags struct {
	out     outputFlags
	files   int
	dirs    int
	maxSize int
	seed    uint64
	keep    bool
}

func (a *app) demoCommand() *cobra.Command {
	var f demoFlags
	cmd := &cobra.Command{
		Use:   "demo [flags] [DIR]",
		Short: "See ftpmirror find its way past a firewall, then mirror only what changed",
		Long: `Demo runs an FTP server on 127.0.0.1 with a generated tree, behind a
firewall (a proxy, also on 127.0.0.1) that silently drops connections to its
passive data ports, as many real firewalls do. Then it runs real ftpmirror
command lines, printing each before it runs, so that you can copy them:

  1. probe: which data channel methods work, and why the others do not
  2. pull: passive mode times out, ftpmirror falls back to active mode by
     itself, remembers it, and mirrors the tree with a progress bar
  3. a change on the server: a file edited, one added, one deleted
  4. pull -n: the dry run shows the difference (+ new, ~ changed, - deleted)
  5. pull: the next run moves only that change

The mirror goes into DIR (default: a new temporary directory). With --keep the
servers stay up for ` + demoKeep.String() + ` (Ctrl-C ends them) to try commands by hand.
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
	fs.Uint64Var(&f.seed, "seed", 1, "seed of the generated tree")
	fs.BoolVar(&f.keep, "keep", false, "leave the servers up for "+demoKeep.String()+" after the demo, to try commands by hand")
	f.out.register(fs, true)
	return cmd
}

// demo is one run of the demo: its servers, its paths and how it talks.
type demo struct {
	a        *app
	f        *demoFlags
	served   string // the served tree
	mirror   string // the local mirror
	state    string // the state file
	url      string // the firewalled server
	plainURL string // the same server without the firewall
	step     int
}

func (a *app) runDemo(ctx context.Context, f *demoFlags, dir string) (err error) {
	if err := f.out.validate(); err != nil {
		return err
	}
	if f.files < 1 || f.dirs < 0 || f.maxSize < 1 {
		return usageErr("--files and --max-size must be positive, --dirs not negative", "")
	}
	work, err := os.MkdirTemp("", "ftpmirror-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	d := &demo{a: a, f: f, served: filepath.Join(work, "served"), state: filepath.Join(work, "state.db")}
	if err := os.Mkdir(d.served, 0o755); err != nil {
		return err
	}
	tree := demoserver.Tree{Files: f.files, Dirs: f.dirs, MaxSize: f.maxSize, Seed: f.seed}
	if err := tree.Generate(d.served); err != nil {
		return err
	}
	if dir == "" {
		if dir, err = os.MkdirTemp("", "ftpmirror-demo-mirror-"); err != nil {
			return err
		}
	}
	if d.mirror, err = filepath.Abs(dir); err != nil {
		return err
	}

	srv, err := demoserver.Serve(d.served, demoserver.Options{Anonymous: true})
	if err != nil {
		return fmt.Errorf("start the demo server: %w", err)
	}
	defer srv.Close()
	fw, err := ftpproxy.Start(ftpproxy.Options{Upstream: srv.Addr, Passive: ftpproxy.PassiveBlackhole})
	if err != nil {
		return fmt.Errorf("start the demo firewall: %w", err)
	}
	defer fw.Close()
	d.url, d.plainURL = "ftp://"+fw.Addr+"/", "ftp://"+srv.Addr+"/"

	files, bytes := treeSize(d.served)
	d.say("An FTP server on %s serves %d files (%s) in %d directories.\n", srv.Addr, files, humanBytes(bytes), f.dirs)
	d.say("You reach it through a firewall at %s that silently drops connections to\n", fw.Addr)
	d.say("its passive data ports, as many real firewalls do: the login works, listings hang.\n")

	d.explain("Which data channel works from here? probe tries each method and says why the others fail:")
	if err := d.run(ctx, "probe", "--data-timeout", "2s", d.url); err != nil {
		return err
	}
	d.explain("Mirror it. Passive mode times out, so ftpmirror falls back to active mode by itself\n" +
		"and remembers it (--bwlimit slows it down enough to watch the progress bar):")
	if err := d.run(ctx, "pull", "--data-timeout", "2s", "--bwlimit", "4M", "--state", d.state, d.url, d.mirror); err != nil {
		return err
	}
	d.explain("Meanwhile, on the server:")
	change, err := changeServedTree(d.served)
	if err != nil {
		return err
	}
	d.say("  %s\n", change)
	d.explain("What would a run do now? A dry run shows the difference (+ new, ~ changed, - deleted)\n" +
		"and changes nothing, not even the state:")
	if err := d.run(ctx, "pull", "-n", "--delete", "--state", d.state, d.url, d.mirror); err != nil {
		return err
	}
	d.explain("The next run moves only that change, straight over the method it remembered:")
	if err := d.run(ctx, "pull", "--delete", "--state", d.state, d.url, d.mirror); err != nil {
		return err
	}
	d.say("\nThe mirror is in %s.\n", d.mirror)
	if !f.keep {
		d.say("Run 'ftpmirror demo --keep' to try commands by hand, 'ftpmirror pull --help' to mirror a real server.\n")
		return nil
	}
	return d.keepServing(ctx)
}

// keepServing leaves the servers up for demoKeep, or until Ctrl-C.
func (d *demo) keepServing(ctx context.Context) error {
	d.say("\nThe servers stay up for %s (Ctrl-C ends them earlier). Try, for instance:\n", demoKeep)
	for _, args := range [][]string{
		{"probe", d.plainURL},
		{"probe", "--mode", "passive", "--data-timeout", "2s", d.url},
		{"pull", "-n", "-v", "--state", d.state, d.url, d.mirror},
		{"pull", "--max-size", "10k", "--delete", "--state", d.state, d.url, d.mirror},
	} {
		d.say("  %s\n", commandLine(args))
	}
	d.say("and change files under %s to see the next run pick them up.\n", d.served)
	select {
	case <-ctx.Done():
	case <-time.After(demoKeep):
	}
	return nil
}

// say prints narration, unless the output is quiet or JSON.
func (d *demo) say(format string, args ...any) {
	if !d.f.out.quiet && !d.f.out.json {
		fmt.Fprintf(d.a.stdout, format, args...)
	}
}

// explain starts the next numbered step.
func (d *demo) explain(text string) {
	d.step++
	d.say("\n%d. %s\n", d.step, text)
}

// run prints a command line and runs it as ftpmirror would, with the demo's
// output flags; a failure stops the demo with the command's exit code.
func (d *demo) run(ctx context.Context, args ...string) error {
	args = append(args[:1], append(d.f.out.passOn(args[0] != "probe"), args[1:]...)...)
	d.say("$ %s\n", commandLine(args))
	code := run(ctx, args, d.a.stdin, d.a.stdout, d.a.rawStderr)
	if code != exitOK {
		return &exitError{code: code, msg: "the demo stopped at: " + commandLine(args)}
	}
	return nil
}

// passOn returns the output flags a demo gives each of its commands;
// --progress only to those that draw a bar.
func (f *outputFlags) passOn(withProgress bool) []string {
	var out []string
	if f.quiet {
		out = append(out, "-q")
	}
	if f.json {
		out = append(out, "--json")
	}
	if f.verbose > 0 {
		out = append(out, "-"+strings.Repeat("v", f.verbose))
	}
	if withProgress && f.progress != "" && f.progress != "auto" {
		out = append(out, "--progress", f.progress)
	}
	return out
}

// commandLine writes args as a shell command line, quoting what needs it.
func commandLine(args []string) string {
	parts := []string{"ftpmirror"}
	for _, s := range args {
		if s == "" || strings.ContainsFunc(s, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@%+=,", r))
		}) {
			s = "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// treeSize counts the files and bytes under root.
func treeSize(root string) (files int, bytes int64) {
	_ = filepath.WalkDir(root, func(_ string, e fs.DirEntry, err error) error {
		if err == nil && e.Type().IsRegular() {
			if fi, err := e.Info(); err == nil {
				files++
				bytes += fi.Size()
			}
		}
		return nil
	})
	return files, bytes
}

// changeServedTree edits the first file of the served tree, deletes the
// last one and adds one, and says so.
func changeServedTree(root string) (string, error) {
	var paths []string
	_ = filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err == nil && e.Type().IsRegular() {
			paths = append(paths, p)
		}
		return nil
	})
	if len(paths) < 2 {
		return "", fmt.Errorf("the demo tree is too small to change")
	}
	edited, deleted := paths[0], paths[len(paths)-1]
	f, err := os.OpenFile(edited, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return "", err
	}
	_, err = f.WriteString("\nedited by the demo\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	if err := os.Remove(deleted); err != nil {
		return "", err
	}
	added := filepath.Join(root, "NEWS.txt")
	if err := os.WriteFile(added, []byte("ftpmirror demo: a file added on the server\n"), 0o644); err != nil {
		return "", err
	}
	rel := func(p string) string { r, _ := filepath.Rel(root, p); return filepath.ToSlash(r) }
	return fmt.Sprintf("edited %s, added %s, deleted %s", rel(edited), rel(added), rel(deleted)), nil
}
