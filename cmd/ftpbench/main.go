// Command ftpbench measures ftpmirror against rclone and lftp on the same
// generated trees, in the same run, and prints a table of times, ratios,
// peak memory and whether each result is byte-identical to the source.
//
// It serves the trees with vsftpd (or the in-process test server) on
// 127.0.0.1 and puts internal/ftpproxy in front of it to emulate a link
// with a round-trip delay and a per-connection bandwidth cap, on the
// control connection and on every data connection. Every tool runs as a
// process (ftpmirror is built from this module with go build), so all three
// are measured the same way: wall time from start to exit, and the peak RSS
// the kernel reports for the process.
//
// Scenarios (see scenarios.go): (a) many small files at a round-trip delay,
// fresh; (b) the same, nothing changed; (c) one big file at a delay with a
// bandwidth cap; (d) loopback without delay, many small files and a few big
// ones; (m) time and peak memory of a pull of a very large tree; (f)
// ftpmirror's first run behind a firewall that drops passive data
// connections.
//
// It runs only on 127.0.0.1, bounds every tool run with a timeout, and
// removes its temporary directories. It never changes anything outside
// them, except that vsftpd needs root and a system user (see
// internal/ftptest).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// config is a validated command line.
type config struct {
	scenarios     []string // ids, in run order
	server        string   // "vsftpd" or "goftp"
	tools         []string // tool names, in run order
	rtt           time.Duration
	bandwidth     int64 // bytes per second per connection in (c)
	files         int   // (a), (b)
	dirs          int   // (a), (b)
	maxSize       int   // largest small file
	big           int64 // the big file of (c) and each of (d)
	bigCount      int   // big files in (d)
	smallFiles    int   // small files in (d)
	memFiles      int   // files in (m)
	firewallFiles int   // files in (f)
	parallel      int
	reps          int
	timeout       time.Duration // per tool run
	ftpmirror     string        // prebuilt binary; "" builds one
	tmp           string        // parent of the temporary directory
	serve         string        // a scenario id: only serve its tree, for profiling by hand
}

// defaultConfig is the full run; quickConfig scales it down for a smoke run.
func defaultConfig() config {
	return config{
		scenarios: []string{"a", "b", "c", "d", "m", "f"},
		server:    "vsftpd",
		tools:     []string{toolFtpmirror, toolRclone, toolLftp},
		rtt:       40 * time.Millisecond, bandwidth: 20_000_000,
		files: 1000, dirs: 90, maxSize: 16 << 10,
		big: 200 << 20, bigCount: 4, smallFiles: 5000, memFiles: 100_000, firewallFiles: 200,
		parallel: 16, reps: 1, timeout: 10 * time.Minute,
	}
}

func applyQuick(c *config) {
	c.files, c.dirs = 200, 20
	c.big = 20 << 20
	c.smallFiles = 500
	c.memFiles = 10_000
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "ftpbench: error: %v\n", err)
		return 2
	}
	b, err := newBench(ctx, cfg, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "ftpbench: error: %v\n", err)
		return 1
	}
	defer b.close()
	if cfg.serve != "" {
		if err := b.serveScenario(ctx, cfg.serve, stdout); err != nil {
			fmt.Fprintf(stderr, "ftpbench: error: %v\n", err)
			return 1
		}
		return 0
	}
	results, err := b.run(ctx)
	fmt.Fprintln(stdout)
	writeReport(stdout, cfg, b.toolsRun(), results)
	if err != nil {
		fmt.Fprintf(stderr, "ftpbench: error: %v\n", err)
		return 1
	}
	return 0
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	cfg := defaultConfig()
	fs := flag.NewFlagSet("ftpbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: go run ./cmd/ftpbench [flags]\n\n"+
			"Benchmarks ftpmirror against rclone and lftp on generated trees served on 127.0.0.1\n"+
			"through a link emulator. Scenarios: a (small files, fresh), b (nothing changed),\n"+
			"c (one big file, capped bandwidth), d (loopback: small files, big files),\n"+
			"m (time and peak memory of a very large tree: 100 000 files, 10 000 with -quick),\n"+
			"f (ftpmirror's first run behind a firewall that drops passive data connections).\n\n")
		fs.PrintDefaults()
	}
	scen := fs.String("scenarios", strings.Join(cfg.scenarios, ","), "comma-separated scenarios to run: a,b,c,d,m,f")
	tools := fs.String("tools", strings.Join(cfg.tools, ","), "comma-separated tools: ftpmirror,rclone,lftp")
	fs.StringVar(&cfg.server, "server", cfg.server, "FTP server: vsftpd (needs root) or goftp (in-process)")
	fs.DurationVar(&cfg.rtt, "rtt", cfg.rtt, "round-trip time emulated in a, b and c")
	bw := fs.String("bandwidth", "20MB", "per-connection bandwidth cap in c, bytes per second (e.g. 20MB, 5MiB)")
	fs.IntVar(&cfg.files, "files", cfg.files, "files in the tree of a and b")
	fs.IntVar(&cfg.dirs, "dirs", cfg.dirs, "directories in the tree of a and b")
	maxSize := fs.String("max-size", "16KiB", "largest small file")
	big := fs.String("big", "200MiB", "size of the big file of c and of each big file of d")
	fs.IntVar(&cfg.bigCount, "big-count", cfg.bigCount, "big files in d")
	fs.IntVar(&cfg.smallFiles, "small-files", cfg.smallFiles, "small files in d")
	fs.IntVar(&cfg.memFiles, "mem-files", cfg.memFiles, "files in the tree of m")
	fs.IntVar(&cfg.parallel, "parallel", cfg.parallel, "connections each tool may use")
	fs.IntVar(&cfg.reps, "reps", cfg.reps, "runs of each tool per scenario; the table shows the median time")
	fs.DurationVar(&cfg.timeout, "timeout", cfg.timeout, "longest a single tool run may take")
	fs.StringVar(&cfg.ftpmirror, "ftpmirror", "", "ftpmirror binary to measure (default: go build ./cmd/ftpmirror)")
	fs.StringVar(&cfg.tmp, "tmp", os.TempDir(), "where to put the temporary trees")
	fs.StringVar(&cfg.serve, "serve", "", "only serve the tree of scenario `ID` (a, c, d-small, ...) through its link emulator until interrupted, to run a tool by hand")
	quick := fs.Bool("quick", false, "scaled down for a smoke run (200 files, 20MiB big files, ...); explicit flags still win")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *quick {
		q := cfg
		applyQuick(&q)
		for name, apply := range map[string]func(){
			"files": func() { cfg.files = q.files }, "dirs": func() { cfg.dirs = q.dirs },
			"big": func() { cfg.big = q.big }, "small-files": func() { cfg.smallFiles = q.smallFiles },
			"mem-files": func() { cfg.memFiles = q.memFiles },
		} {
			if !set[name] {
				apply()
			}
		}
	}
	var err error
	if cfg.bandwidth, err = parseSize(*bw); err != nil {
		return cfg, fmt.Errorf("-bandwidth: %w", err)
	}
	if set["big"] || !*quick {
		if cfg.big, err = parseSize(*big); err != nil {
			return cfg, fmt.Errorf("-big: %w", err)
		}
	}
	ms, err := parseSize(*maxSize)
	if err != nil {
		return cfg, fmt.Errorf("-max-size: %w", err)
	}
	cfg.maxSize = int(ms)
	if cfg.scenarios, err = parseList(*scen, scenarioIDs()); err != nil {
		return cfg, fmt.Errorf("-scenarios: %w", err)
	}
	if cfg.tools, err = parseList(*tools, []string{toolFtpmirror, toolRclone, toolLftp}); err != nil {
		return cfg, fmt.Errorf("-tools: %w", err)
	}
	if cfg.serve != "" {
		cfg.scenarios = scenarioIDs()
	}
	switch {
	case cfg.server != "vsftpd" && cfg.server != "goftp":
		return cfg, fmt.Errorf("-server %q: use vsftpd or goftp", cfg.server)
	case cfg.reps < 1 || cfg.parallel < 1 || cfg.files < 1 || cfg.dirs < 0 || cfg.smallFiles < 1 ||
		cfg.memFiles < 1 || cfg.bigCount < 1 || cfg.big < 1 || cfg.maxSize < 0:
		return cfg, errors.New("counts and sizes must be positive")
	case cfg.rtt < 0 || cfg.bandwidth < 0 || cfg.timeout <= 0:
		return cfg, errors.New("-rtt, -bandwidth and -timeout must not be negative")
	}
	return cfg, nil
}

// parseList splits a comma-separated list and checks every item is known;
// the result keeps the order of known.
func parseList(s string, known []string) ([]string, error) {
	want := map[string]bool{}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		ok := false
		for _, k := range known {
			ok = ok || k == item
		}
		if !ok {
			return nil, fmt.Errorf("unknown %q (known: %s)", item, strings.Join(known, ","))
		}
		want[item] = true
	}
	var out []string
	for _, k := range known {
		if want[k] {
			out = append(out, k)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("empty list")
	}
	return out, nil
}

// parseSize reads "200MiB", "20MB", "16KiB", "4096" (bytes).
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"kB", 1e3}, {"B", 1}}
	t := strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseFloat(t, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("invalid size %q (e.g. 200MiB, 20MB)", s)
	}
	return int64(n * float64(mult)), nil
}
