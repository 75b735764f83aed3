package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ftpmirror/ftpmirror/internal/ftpproxy"
	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

// result is one tool run in one scenario.
type result struct {
	scenario scenario
	tool     string
	rep      int
	measurement
	verdict   verdict
	verifyErr string
	// The proxy's counters, when the scenario runs through it.
	proxied      bool
	controlConns int
	dataConns    int
	verbs        map[string]int
}

// bench is one benchmark run: its temporary directory and tools.
type bench struct {
	cfg   config
	log   io.Writer // progress lines, one per tool run
	tmp   string
	tools []*tool
}

// newBench makes the temporary directory and finds (or builds) the tools.
func newBench(ctx context.Context, cfg config, log io.Writer) (*bench, error) {
	tmp, err := os.MkdirTemp(cfg.tmp, "ftpbench-")
	if err != nil {
		return nil, err
	}
	b := &bench{cfg: cfg, log: log, tmp: tmp}
	password := ftptest.VsftpdPassword
	if cfg.server == "goftp" {
		password = "bench-secret"
	}
	binDir := filepath.Join(tmp, "bin")
	if err := os.Mkdir(binDir, 0o755); err != nil {
		b.close()
		return nil, err
	}
	if cfg.serve != "" {
		return b, nil
	}
	fmt.Fprintln(log, "ftpbench: preparing tools")
	b.tools, err = findTools(ctx, cfg.tools, cfg.ftpmirror, binDir, password, func(msg string) {
		fmt.Fprintln(log, "ftpbench: warning: "+msg)
	})
	if err != nil {
		b.close()
		return nil, err
	}
	return b, nil
}

func (b *bench) close() { _ = os.RemoveAll(b.tmp) }

func (b *bench) toolsRun() []*tool { return b.tools }

// run measures every selected scenario with every tool, reps times, and
// returns all runs. It stops early, returning what it has, when ctx ends.
func (b *bench) run(ctx context.Context) ([]result, error) {
	var all []result
	for _, g := range groups(b.cfg) {
		rs, err := b.runGroup(ctx, g)
		all = append(all, rs...)
		if err != nil {
			return all, err
		}
	}
	return all, nil
}

// runGroup generates the group's tree, serves it, and runs its scenarios
// with each tool. Source and destinations are removed at the end.
func (b *bench) runGroup(ctx context.Context, g group) ([]result, error) {
	src := filepath.Join(b.tmp, "src-"+g.id)
	defer os.RemoveAll(src)
	start := time.Now()
	if err := writeTree(src, g.tree); err != nil {
		return nil, fmt.Errorf("generate %s tree: %w", g.id, err)
	}
	fmt.Fprintf(b.log, "ftpbench: %s tree generated in %.1fs\n", g.id, time.Since(start).Seconds())
	srv, stop, err := b.serve(src)
	if err != nil {
		return nil, err
	}
	defer stop()

	var out []result
	for rep := range b.cfg.reps {
		for _, t := range b.tools {
			work := filepath.Join(b.tmp, fmt.Sprintf("work-%s-%s-%d", g.id, t.name, rep))
			dst := filepath.Join(work, "dst")
			if err := os.MkdirAll(dst, 0o755); err != nil {
				return out, err
			}
			for _, s := range g.scenarios {
				if s.only != "" && s.only != t.name {
					continue
				}
				if ctx.Err() != nil {
					os.RemoveAll(work)
					return out, ctx.Err()
				}
				r := b.once(ctx, s, t, srv, src, runSpec{dst: dst, work: work, parallel: b.cfg.parallel, pget: s.pget})
				r.rep = rep
				b.logResult(r)
				out = append(out, r)
			}
			if err := os.RemoveAll(work); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

// serve starts the selected server on src.
func (b *bench) serve(src string) (*ftptest.Server, func(), error) {
	if b.cfg.server == "goftp" {
		s, err := ftptest.Serve(src, ftptest.Options{User: "bench", Password: "bench-secret"})
		if err != nil {
			return nil, nil, err
		}
		return s, func() { _ = s.Close() }, nil
	}
	s, stop, err := ftptest.RunVsftpd(src, ftptest.VsftpdOptions{})
	if err != nil {
		return nil, nil, fmt.Errorf("%w (hint: run as root with vsftpd installed, or use -server goftp)", err)
	}
	return s, stop, nil
}

// once runs tool t in scenario s, through a fresh proxy when the scenario
// emulates a link, and compares the destination with src.
func (b *bench) once(ctx context.Context, s scenario, t *tool, srv *ftptest.Server, src string, spec runSpec) result {
	r := result{scenario: s, tool: t.name}
	spec.ep = endpoint{host: srv.Host, port: srv.Port, user: srv.User, password: srv.Password}
	var px *ftpproxy.Proxy
	if s.proxied() {
		var err error
		px, err = ftpproxy.Start(ftpproxy.Options{Upstream: srv.Addr, Delay: s.delay, BytesPerSec: s.bytesPerSec, Passive: s.passive})
		if err != nil {
			r.err = err.Error()
			return r
		}
		defer px.Close()
		spec.ep.port = mustPort(px.Addr)
	}
	args, env := t.command(t, spec)
	rssFile := ""
	if useTime() {
		rssFile = filepath.Join(spec.work, "rss")
	}
	r.measurement = measure(ctx, t.bin, args, env, b.cfg.timeout, rssFile)
	if px != nil {
		st := px.Stats()
		r.proxied = true
		r.controlConns, r.dataConns = st.ControlConns, st.DataConns
		r.verbs = map[string]int{}
		for _, v := range px.Commands() {
			r.verbs[cleanVerb(v)]++
		}
	}
	v, err := compareTrees(src, spec.dst)
	r.verdict = v
	if err != nil {
		r.verifyErr = err.Error()
	}
	return r
}

func mustPort(addr string) int {
	_, p, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(p)
	return port
}

func (b *bench) logResult(r result) {
	status := "identical"
	switch {
	case r.verifyErr != "":
		status = "verify failed: " + r.verifyErr
	case !r.verdict.identical():
		status = "NOT identical: " + r.verdict.notes()
	}
	fmt.Fprintf(b.log, "ftpbench: %-8s %-9s rep %d: %6.2fs  %6.1f MB  %s\n",
		r.scenario.id, r.tool, r.rep+1, r.wall.Seconds(), float64(r.rssKB)/1024, status)
	if r.err != "" {
		fmt.Fprintf(b.log, "ftpbench:   %s failed: %s\n", r.tool, r.err)
	}
}

// cleanVerb drops what is not a letter from a recorded verb: lftp sends
// ABOR after Telnet IAC IP/Synch bytes.
func cleanVerb(v string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r
		}
		return -1
	}, v)
}
