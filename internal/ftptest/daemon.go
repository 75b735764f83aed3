package ftptest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The pure-ftpd and proftpd launchers run Debian's packages unpacked (with
// apt-get download and dpkg -x, as .ci/ftp-servers does) under ServersDir,
// because Debian's FTP server packages conflict with one another and with
// vsftpd. They log in the system user VsftpdUser (uid and gid from
// setupSystem) through a password file of their own, with the password
// VsftpdPassword, and need root as vsftpd does. Without them the test is
// skipped, or failed when the CI environment variable is set.
const (
	// ServersDir holds one directory per unpacked server package set.
	ServersDir = "/opt/ftpmirror-test"

	// daemonPasswordHash is VsftpdPassword as crypt(3) SHA-512:
	// openssl passwd -6 -salt ftpmirrortest ftpmirror-test-pw
	daemonPasswordHash = "$6$ftpmirrortest$BlEoco1yxmADCcP.IZoG7Ta.MBn7BRIIuJYmiU7BQTeTJ6Q3URlIBwrAw3TF/XkxYejEZFORbNvSvXieagZU11"
	// passivePortsN is the size of a launched server's passive port range.
	passivePortsN = 64
)

// unpackedUnavailable says why the unpacked server binary is missing, or "".
func unpackedUnavailable(binary string) string {
	if _, err := os.Stat(binary); err != nil {
		return binary + " is missing (run .ci/ftp-servers as root to unpack it)"
	}
	if os.Geteuid() != 0 {
		return "its logins need root (setuid to a local user)"
	}
	return ""
}

// daemonSetup is what a launched daemon is given: a configuration
// directory, the root prepared for the FTP user, a port and a passive
// port range that were free a moment ago.
type daemonSetup struct {
	dir, root     string
	uid, gid      int
	port, pasvLow int
	pasvHigh      int
}

// prepareDaemon skips the test (or fails it in CI) when the unpacked
// binary of the server name cannot run, and prepares root and ports for it.
func prepareDaemon(t testing.TB, name, binary, root string) daemonSetup {
	t.Helper()
	if reason := unpackedUnavailable(binary); reason != "" {
		skipOrFail(t, name, reason)
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		t.Fatalf("ftptest: root: %v", err)
	}
	uid, gid, err := setupSystem()
	if err != nil {
		t.Fatal(err)
	}
	if err := chownTree(abs, uid, gid); err != nil {
		t.Fatal(err)
	}
	if err := allowTraverse(filepath.Dir(abs)); err != nil {
		t.Fatal(err)
	}
	low, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	return daemonSetup{dir: t.TempDir(), root: abs, uid: uid, gid: gid,
		pasvLow: low, pasvHigh: min(low+passivePortsN-1, 65535)}
}

// writeFile writes a file only the daemon's owner may read in the
// configuration directory and returns its path.
func (d daemonSetup) writeFile(t testing.TB, name, text string) string {
	t.Helper()
	p := filepath.Join(d.dir, name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// startDaemon starts a foreground FTP daemon built by command for a free
// port, retrying when the port was taken meanwhile, and returns a Server
// whose Close ends the daemon and its session processes.
func startDaemon(t testing.TB, name string, d *daemonSetup, command func(port int) *exec.Cmd) *Server {
	t.Helper()
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		port, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		d.port = port
		s, err := runDaemon(name, command(port), port)
		if err == nil {
			s.Root = d.root
			t.Cleanup(func() { _ = s.Close() })
			return s
		}
		lastErr = err
		if !errors.Is(err, errPortTaken) {
			break
		}
	}
	t.Fatal(lastErr)
	return nil
}

func runDaemon(name string, cmd *exec.Cmd, port int) (*Server, error) {
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	c, err := startChild(cmd)
	if err != nil {
		return nil, fmt.Errorf("ftptest: start %s: %w", name, err)
	}
	s := &Server{
		Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		Host: "127.0.0.1",
		Port: port,
		User: VsftpdUser, Password: VsftpdPassword,
		LoginDir: "/",
	}
	s.stop = c.stop
	token := banner(port)
	if name == "pure-ftpd" {
		// Its greeting cannot be set; it names its port, after its name.
		token = fmt.Sprintf("Server port: %d.", port)
	}
	if err := waitFor220(s.Addr, nil, c, token); err != nil {
		_ = s.Close()
		text := strings.TrimSpace(out.String())
		if strings.Contains(text, "in use") {
			return nil, fmt.Errorf("%w: %s", errPortTaken, text)
		}
		if errors.Is(err, errPortTaken) {
			return nil, err
		}
		return nil, fmt.Errorf("ftptest: %s did not start: %w; its output: %q", name, err, text)
	}
	return s, nil
}

// child is a started server process, whose end may be awaited any number
// of times (by the start-up check, then by Close).
type child struct {
	pid  int
	done chan struct{} // closed once the process has exited
	err  error         // its Wait error; read only after done is closed
}

func startChild(cmd *exec.Cmd) (*child, error) {
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &child{pid: cmd.Process.Pid, done: make(chan struct{})}
	go func() {
		c.err = cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

// stop ends the process and its session processes, and waits for it.
func (c *child) stop() error {
	killTree(c.pid)
	<-c.done
	return nil
}
