package ftptest

import (
	"bufio"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The pyftpdlib launcher needs Debian's python3-pyftpdlib, run by
// /usr/bin/python3 (a python3 earlier on PATH, as pyenv's, may lack it).
// Without it StartPyftpdlib skips the test, or fails it when CI is set.
const (
	pyftpdlibPython = "/usr/bin/python3"
	pyftpdlibModule = "/usr/lib/python3/dist-packages/pyftpdlib/__init__.py"
	pyftpdlibUser   = "user"
	pyftpdlibPass   = "secret"
)

//go:embed pyftpdlib_server.py
var pyftpdlibScript string

// PyftpdlibOptions configure StartPyftpdlib. The zero value serves the
// root read-only to "user"/"secret" with pyftpdlib's defaults: MLSD and
// MLST, GMT times, passive ports from a range of 64 starting at a port
// that was free at start (pyftpdlib takes a kernel-chosen port when the
// whole range is busy).
type PyftpdlibOptions struct {
	// Writable grants every write permission ("elradfmwMT"); read-only
	// is "elr".
	Writable bool
	// PassivePorts is the inclusive range of passive ports; zero picks one.
	PassivePorts [2]int
	// Logger receives pyftpdlib's log lines at debug level, with every
	// command and reply of every session; nil discards them.
	Logger *slog.Logger
}

// StartPyftpdlib runs pyftpdlib on 127.0.0.1 serving root (the session
// sees it as "/") and stops that process in t.Cleanup.
func StartPyftpdlib(t testing.TB, root string, o PyftpdlibOptions) *Server {
	t.Helper()
	if _, err := os.Stat(pyftpdlibModule); err != nil {
		skipOrFail(t, "pyftpdlib", "python3-pyftpdlib is not installed (apt-get install python3-pyftpdlib)")
	}
	s, err := startPyftpdlib(root, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// skipOrFail skips a test whose server is missing, or fails it when the
// CI environment variable says the server must be there.
func skipOrFail(t testing.TB, server, reason string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("ftptest: %s interop test cannot run in CI: %s", server, reason)
	}
	t.Skipf("ftptest: skipping %s interop test: %s", server, reason)
}

func startPyftpdlib(root string, o PyftpdlibOptions) (*Server, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("ftptest: root: %w", err)
	}
	low, high := o.PassivePorts[0], o.PassivePorts[1]
	if low == 0 {
		if low, err = freePort(); err != nil {
			return nil, err
		}
		high = min(low+passivePortsN-1, 65535)
	}
	perm, debug := "elr", "0"
	if o.Writable {
		perm = "elradfmwMT"
	}
	if o.Logger != nil {
		debug = "1"
	}
	cmd := exec.Command(pyftpdlibPython, "-c", pyftpdlibScript,
		abs, pyftpdlibUser, pyftpdlibPass, perm, strconv.Itoa(low), strconv.Itoa(high), debug)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1", "PYTHONUNBUFFERED=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("ftptest: %w", err)
	}
	var errOut lockedBuffer
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, fmt.Errorf("ftptest: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("ftptest: start pyftpdlib: %w", err)
	}
	logged := make(chan struct{})
	go func() {
		defer close(logged)
		forwardLog(stderr, &errOut, o.Logger, "pyftpdlib")
	}()
	exited := make(chan struct{})
	var waitErr error
	go func() {
		<-logged
		waitErr = cmd.Wait()
		close(exited)
	}()
	stop := func() error {
		_ = cmd.Process.Kill()
		<-exited
		return nil
	}
	port, err := readPort(stdout, exited, &waitErr)
	if err != nil {
		_ = stop()
		return nil, fmt.Errorf("ftptest: pyftpdlib did not start: %w; its output: %q", err, strings.TrimSpace(errOut.String()))
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return &Server{
		Addr:     net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		Host:     "127.0.0.1",
		Port:     port,
		Root:     abs,
		User:     pyftpdlibUser,
		Password: pyftpdlibPass,
		LoginDir: "/",
		stop:     stop,
	}, nil
}

// readPort reads the "port N" line a launched server prints when it
// listens, within vsftpdStartMax.
// waitErr is read only once exited is closed.
func readPort(r io.Reader, exited <-chan struct{}, waitErr *error) (int, error) {
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		lines <- line
	}()
	select {
	case line := <-lines:
		var port int
		if _, err := fmt.Sscanf(line, "port %d", &port); err != nil {
			return 0, fmt.Errorf("first line %q: %w", line, err)
		}
		return port, nil
	case <-exited:
		return 0, fmt.Errorf("exited: %v", *waitErr)
	case <-time.After(vsftpdStartMax):
		return 0, errors.New("no port announced within " + vsftpdStartMax.String())
	}
}

// forwardLog copies a server's output lines to keep (its first 64 KiB, for
// error messages) and, at debug level, to l.
func forwardLog(r io.Reader, keep *lockedBuffer, l *slog.Logger, server string) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if keep.Len() < 64<<10 {
			fmt.Fprintln(keep, line)
		}
		if l != nil {
			l.Debug(line, "server", server)
		}
	}
	_, _ = io.Copy(io.Discard, r)
}
