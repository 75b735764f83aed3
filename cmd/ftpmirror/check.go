package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ftpmirror/ftpmirror/mirror"
	"github.com/ftpmirror/ftpmirror/plan"
)

const checkExample = `  # do the server and the mirror hold the same files, of the same sizes?
  ftpmirror check ftp://ftp.example.org/pub/docs ./docs

  # and the same content, by the server's hash (proftpd's mod_digest, ...)
  ftpmirror check --checksum ftp://alice@files.example.com/site ./site

  # by the bytes, where the server has no hash; a JSON report for scripts
  ftpmirror check --download --json ftp://alice@files.example.com/site ./site`

// checkFlags are the flags of the check command.
type checkFlags struct {
	conn     connFlags
	out      outputFlags
	parallel int
	include  []string
	exclude  []string
	checksum bool
	download bool
}

func (a *app) checkCommand() *cobra.Command {
	var f checkFlags
	cmd := &cobra.Command{
		Use:   "check [flags] ftp://[user@]host[:port]/remote/path LOCAL_DIR",
		Short: "Compare a remote tree with a local one, changing nothing",
		Long: `Check lists both trees and compares their files, as rclone check does: the
files only on the server ('+', a pull would download them), only here ('-'),
and those that differ ('~'). By default files are compared by size; with
--checksum also by the server's hash (HASH, XSHA256, XSHA1, XMD5 or XCRC);
with --download by their bytes, for servers without a hash. Nothing is
changed on either side, and no state is read or written.

It exits 0 when the trees match, 1 when they differ or a comparison failed.`,
		Example: checkExample,
		Args:    argsExactly(2, "check needs a remote URL and a local directory"),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			return a.runCheck(cmd.Context(), &f, args[0], args[1])
		}),
	}
	fs := cmd.Flags()
	fs.SortFlags = false
	fs.BoolVar(&f.checksum, "checksum", false, "compare files of the same size by the server's hash too")
	fs.BoolVar(&f.download, "download", false, "compare files of the same size by their bytes, downloaded")
	fs.IntVar(&f.parallel, "parallel", 4, "number of connections at once")
	fs.StringArrayVar(&f.include, "include", nil, "check only paths matching `GLOB` (repeatable)")
	fs.StringArrayVar(&f.exclude, "exclude", nil, "leave out paths matching `GLOB` (repeatable)")
	f.conn.register(fs)
	f.out.register(fs, false)
	return cmd
}

// jsonCheck is the document check prints with --json.
type jsonCheck struct {
	Match      bool               `json:"match"`
	Method     string             `json:"method"`
	Matched    int                `json:"matched"`
	OnlyRemote []string           `json:"only_remote"`
	OnlyLocal  []string           `json:"only_local"`
	Differ     []mirror.CheckDiff `json:"differ"`
	Failed     []jsonFailure      `json:"failed"`
}

func (a *app) runCheck(ctx context.Context, f *checkFlags, rawURL, localDir string) error {
	if err := f.out.validate(); err != nil {
		return err
	}
	if f.checksum && f.download {
		return usageErr("--checksum and --download are two ways of comparing content", "use one of them")
	}
	if f.parallel < 1 || f.parallel > 64 {
		return usageErr(fmt.Sprintf("--parallel %d is out of range", f.parallel), "use 1 to 64")
	}
	filter, err := plan.NewFilter(f.include, f.exclude)
	if err != nil {
		return usageErr(err.Error(), "patterns are globs such as '*.tmp', 'cache/' or 'docs/**/*.pdf'")
	}
	abs, err := filepath.Abs(localDir)
	if err != nil {
		return usageErr("bad local directory: "+err.Error(), "")
	}
	if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
		return usageErr(fmt.Sprintf("%s is not a directory", localDir), "give the local directory to compare")
	}
	c, err := f.conn.build(a, rawURL)
	if err != nil {
		return err
	}
	con := newConsole(a, &f.out)
	defer con.Finish()
	logger, closeLog, err := f.out.logger(con)
	if err != nil {
		return err
	}
	defer closeLog()
	mode := mirror.CheckSize
	switch {
	case f.checksum:
		mode = mirror.CheckHash
	case f.download:
		mode = mirror.CheckDownload
	}
	rep, err := mirror.Check(ctx, mirror.CheckOptions{Mode: mode, RunOptions: mirror.RunOptions{
		Server: c.server, Conn: c.options, RemoteDir: c.remote.Path, LocalDir: abs,
		Filter: filter, Parallel: f.parallel, Logger: logger,
	}})
	if errors.Is(err, mirror.ErrNoHash) {
		return &exitError{code: exitFailed, msg: "--checksum: " + err.Error(), hint: "compare the bytes with --download instead"}
	}
	if err != nil {
		return err
	}
	if f.out.json {
		err = renderCheckJSON(a.stdout, rep)
	} else if !f.out.quiet {
		renderCheckText(a.stdout, rep)
	}
	if err != nil {
		return err
	}
	if !rep.Match() {
		return &exitError{code: exitFailed}
	}
	return nil
}

func renderCheckJSON(w io.Writer, r *mirror.CheckReport) error {
	doc := jsonCheck{Match: r.Match(), Method: r.Method, Matched: r.Matched,
		OnlyRemote: r.OnlyRemote, OnlyLocal: r.OnlyLocal, Differ: r.Differ, Failed: []jsonFailure{}}
	if doc.OnlyRemote == nil {
		doc.OnlyRemote = []string{}
	}
	if doc.OnlyLocal == nil {
		doc.OnlyLocal = []string{}
	}
	if doc.Differ == nil {
		doc.Differ = []mirror.CheckDiff{}
	}
	for _, fe := range r.Failed {
		doc.Failed = append(doc.Failed, jsonFailure{Path: fe.Path, Op: fe.Op, Error: fe.Err.Error()})
	}
	return writeJSON(w, doc)
}

// renderCheckText prints one line per difference, as a dry run does, then
// a summary: "+ a.txt" only on the server, "- b.txt" only here, "~ c.txt
// (why)" different, "! d.txt: error" not compared.
func renderCheckText(w io.Writer, r *mirror.CheckReport) {
	var b strings.Builder
	for _, p := range r.OnlyRemote {
		fmt.Fprintf(&b, "+ %s (only on the server)\n", p)
	}
	for _, p := range r.OnlyLocal {
		fmt.Fprintf(&b, "- %s (only here)\n", p)
	}
	for _, d := range r.Differ {
		fmt.Fprintf(&b, "~ %s (%s)\n", d.Path, d.Why)
	}
	for _, fe := range r.Failed {
		fmt.Fprintf(&b, "! %s: %v\n", fe.Path, fe.Err)
	}
	by := "by size"
	switch r.Method {
	case "size":
	case "download":
		by = "by their bytes"
	default:
		by = "by " + r.Method
	}
	if r.Match() {
		fmt.Fprintf(&b, "the trees match: %s alike %s\n", plural(r.Matched, "file", "files"), by)
	} else {
		fmt.Fprintf(&b, "the trees differ: %d only on the server, %d only here, %d different, %d not compared; %s alike %s\n",
			len(r.OnlyRemote), len(r.OnlyLocal), len(r.Differ), len(r.Failed), plural(r.Matched, "file", "files"), by)
	}
	_, _ = io.WriteString(w, b.String())
}
