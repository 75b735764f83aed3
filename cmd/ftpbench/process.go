package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// measurement is what one process run cost.
type measurement struct {
	wall  time.Duration
	rssKB int64  // peak resident set size, from wait4's rusage
	err   string // "" when the process exited 0; else why, with its output's tail
}

// timeBinary is GNU time (Debian package "time"). When it is installed,
// tools run under it and their peak RSS is the one it reports: the rusage
// that wait4 gives ftpbench itself would start from ftpbench's own RSS,
// because Go starts children with vfork, so the child's high-water mark
// before exec is the parent's.
const timeBinary = "/usr/bin/time"

// measure runs bin with args and env in its own process group, waits for
// it, and returns its wall time and peak RSS. After timeout (or when ctx
// ends) the whole group is killed. rssFile, if not empty, is a scratch file
// for GNU time's report.
func measure(ctx context.Context, bin string, args, env []string, timeout time.Duration, rssFile string) measurement {
	cmd := exec.Command(bin, args...)
	if rssFile != "" {
		cmd = exec.Command(timeBinary, append([]string{"-f", "%M", "-o", rssFile, bin}, args...)...)
	}
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out := &tailBuffer{max: 4 << 10}
	cmd.Stdout, cmd.Stderr = out, out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return measurement{err: err.Error()}
	}
	pid := cmd.Process.Pid
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var err error
	var why string
	select {
	case err = <-done:
	case <-timer.C:
		why = fmt.Sprintf("killed after %s", timeout)
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		err = <-done
	case <-ctx.Done():
		why = "interrupted"
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		err = <-done
	}
	m := measurement{wall: time.Since(start)}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.rssKB = ru.Maxrss // kilobytes on Linux; an upper bound, see timeBinary
	}
	if rssFile != "" {
		m.rssKB = readTimeRSS(rssFile)
	}
	if err != nil || why != "" {
		var ee *exec.ExitError
		if why == "" && errors.As(err, &ee) {
			why = ee.String()
		} else if why == "" {
			why = err.Error()
		}
		if tail := strings.TrimSpace(out.String()); tail != "" {
			why += ": " + tail
		}
		m.err = why
	}
	return m
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return string(t.b) }

// useTime reports whether GNU time is there to measure peak RSS.
func useTime() bool {
	_, err := os.Stat(timeBinary)
	return err == nil
}

// readTimeRSS reads the "%M" line GNU time wrote (after a "Command exited
// with non-zero status" line when the tool failed); 0 when there is none.
func readTimeRSS(name string) int64 {
	b, err := os.ReadFile(name)
	if err != nil {
		return 0
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	kb, err := strconv.ParseInt(strings.TrimSpace(lines[len(lines)-1]), 10, 64)
	if err != nil {
		return 0
	}
	return kb
}
