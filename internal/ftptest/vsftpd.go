package ftptest

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The vsftpd launcher needs, on the machine running the tests:
//
//   - /usr/sbin/vsftpd (Debian/Ubuntu package "vsftpd"), and root, because
//     vsftpd logs local users in with setuid. Without them StartVsftpd skips
//     the test, or fails it when the CI environment variable is set.
//   - A system user VsftpdUser with password VsftpdPassword, created
//     idempotently (useradd --system, chpasswd) by StartVsftpd.
//   - The PAM service /etc/pam.d/ftpmirror-test (pam_unix only), written by
//     StartVsftpd, so that Debian's /etc/pam.d/vsftpd checks (/etc/ftpusers,
//     pam_shells: the user's shell is nologin) do not apply.
//
// The served root is chowned (recursively) to VsftpdUser at start, and
// vsftpd chroots the session into it (allow_writeable_chroot=YES), so "/" on
// the server is the root as with the in-process server. Files the test adds
// later as root are readable, but not writable, by the FTP user. vsftpd
// enters the root as that user before the chroot, so the root's ancestors
// get o+x (traverse only) where they lack it, as t.TempDir's 0700 parent.
//
// System setup is serialised between test processes with an flock on
// /run/ftpmirror-test.lock.
const (
	VsftpdUser     = "ftpmirror"
	VsftpdPassword = "ftpmirror-test-pw"

	vsftpdBinary   = "/usr/sbin/vsftpd"
	pamService     = "ftpmirror-test"
	pamFile        = "/etc/pam.d/" + pamService
	setupLockFile  = "/run/ftpmirror-test.lock"
	vsftpdStartMax = 30 * time.Second // for any launched server to answer, even on a loaded machine
)

const pamConfig = `# Written by ftpmirror's internal/ftptest for its vsftpd interop tests.
auth	required	pam_unix.so
account	required	pam_unix.so
session	required	pam_permit.so
`

// VsftpdOptions configure StartVsftpd. The zero value serves the root
// read-only over plain FTP with passive and active modes enabled.
type VsftpdOptions struct {
	PasvEnable, PortEnable *bool // nil means YES
	// TLS enables explicit FTPS (AUTH TLS) with vsftpd's defaults:
	// logins and data must use TLS, and data connections must resume the
	// control connection's TLS session (require_ssl_reuse=YES).
	TLS bool
	// ImplicitTLS makes the control connection TLS from the first byte
	// (implies TLS).
	ImplicitTLS bool
	// Writable allows uploads, renames, deletes and mkdir.
	Writable bool
	// Debian configures vsftpd as Debian's /etc/vsftpd.conf does: no
	// chroot (chroot_local_user=NO), so the session starts in root as it
	// would in a user's home directory, PWD answers root's absolute path
	// (Server.LoginDir) and "/" is the machine's root; use_localtime=YES;
	// dot files are listed only to "LIST -a" (force_dot_files=NO); owners
	// are shown by name (hide_ids=NO); directory messages are on.
	// Without Debian the session is chrooted into root, with UTC times,
	// dot files always listed and owners hidden.
	Debian bool
	// LocalTime sets use_localtime=YES (implied by Debian): LIST and MDTM
	// show times in vsftpd's local zone, which Env's TZ sets.
	LocalTime bool
	// Env is added to vsftpd's environment, e.g. "TZ=America/New_York".
	Env []string
	// Config lines ("key=value") are appended to the generated
	// configuration; vsftpd keeps the last value of a repeated key.
	Config []string
}

// StartVsftpd runs vsftpd on 127.0.0.1 serving root, logged in as
// VsftpdUser/VsftpdPassword, and stops it in t.Cleanup. The session starts
// in root: chrooted, as "/", or with o.Debian, as root's absolute path.
func StartVsftpd(t testing.TB, root string, o VsftpdOptions) *Server {
	t.Helper()
	if reason := vsftpdUnavailable(); reason != "" {
		skipOrFail(t, "vsftpd", reason)
	}
	dir := t.TempDir()
	var s *Server
	var err error
	for attempt := 0; attempt < 5; attempt++ { // the free port may be taken meanwhile
		s, err = startVsftpd(root, dir, o)
		if !errors.Is(err, errPortTaken) {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func vsftpdUnavailable() string {
	if _, err := os.Stat(vsftpdBinary); err != nil {
		return vsftpdBinary + " is not installed (apt-get install vsftpd)"
	}
	if os.Geteuid() != 0 {
		return "vsftpd logins need root (setuid to a local user)"
	}
	return ""
}

var errPortTaken = errors.New("ftptest: vsftpd could not bind its port")

func startVsftpd(root, dir string, o VsftpdOptions) (*Server, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("ftptest: root: %w", err)
	}
	uid, gid, err := setupSystem()
	if err != nil {
		return nil, err
	}
	if err := chownTree(abs, uid, gid); err != nil {
		return nil, err
	}
	if err := allowTraverse(filepath.Dir(abs)); err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &Server{
		Addr:     net.JoinHostPort("127.0.0.1", fmt.Sprint(port)),
		Host:     "127.0.0.1",
		Port:     port,
		Root:     abs,
		User:     VsftpdUser,
		Password: VsftpdPassword,
		LoginDir: "/",
	}
	if o.Debian {
		s.LoginDir = abs
	}
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("ftptest: %w", err)
	}
	conf := vsftpdConfig(abs, empty, port, o)
	if o.TLS || o.ImplicitTLS {
		c, err := newCert()
		if err != nil {
			return nil, err
		}
		certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
		if err := os.WriteFile(certFile, c.certPEM, 0o600); err != nil {
			return nil, fmt.Errorf("ftptest: %w", err)
		}
		if err := os.WriteFile(keyFile, c.keyPEM, 0o600); err != nil {
			return nil, fmt.Errorf("ftptest: %w", err)
		}
		conf += "rsa_cert_file=" + certFile + "\nrsa_private_key_file=" + keyFile + "\n"
		s.CertPool = c.pool
	}
	confFile := filepath.Join(dir, fmt.Sprintf("vsftpd-%d.conf", port))
	if err := os.WriteFile(confFile, []byte(conf), 0o600); err != nil {
		return nil, fmt.Errorf("ftptest: %w", err)
	}

	var out lockedBuffer
	cmd := exec.Command(vsftpdBinary, confFile)
	cmd.Env = append(os.Environ(), o.Env...)
	cmd.Stdout, cmd.Stderr = &out, &out
	c, err := startChild(cmd)
	if err != nil {
		return nil, fmt.Errorf("ftptest: start vsftpd: %w", err)
	}
	s.stop = c.stop
	var tlsConf *tls.Config
	if o.ImplicitTLS {
		tlsConf = &tls.Config{RootCAs: s.CertPool, ServerName: "127.0.0.1"}
	}
	if err := waitFor220(s.Addr, tlsConf, c, banner(port)); err != nil {
		_ = s.Close()
		text := strings.TrimSpace(out.String())
		if strings.Contains(text, "could not bind listening") {
			return nil, fmt.Errorf("%w: %s", errPortTaken, text)
		}
		if errors.Is(err, errPortTaken) {
			return nil, err
		}
		return nil, fmt.Errorf("ftptest: vsftpd did not start: %w; its output: %q; config %s:\n%s", err, text, confFile, conf)
	}
	return s, nil
}

func yesNo(b bool) string {
	if b {
		return "YES"
	}
	return "NO"
}

func vsftpdConfig(root, empty string, port int, o VsftpdOptions) string {
	pasv, portMode := true, true
	if o.PasvEnable != nil {
		pasv = *o.PasvEnable
	}
	if o.PortEnable != nil {
		portMode = *o.PortEnable
	}
	var b strings.Builder
	w := func(k, v string) { fmt.Fprintf(&b, "%s=%s\n", k, v) }
	w("listen", "YES")
	w("listen_ipv6", "NO")
	w("listen_address", "127.0.0.1")
	w("listen_port", fmt.Sprint(port))
	w("ftpd_banner", "vsFTPd "+banner(port))
	w("background", "NO")
	w("seccomp_sandbox", "NO")
	w("secure_chroot_dir", empty)
	w("anonymous_enable", "NO")
	w("local_enable", "YES")
	w("pam_service_name", pamService)
	w("userlist_enable", "NO")
	// Without a chroot, local_root stands in for the user's home: the
	// session starts there, as Debian's would in /home/<user>.
	w("local_root", root)
	w("chroot_local_user", yesNo(!o.Debian))
	w("allow_writeable_chroot", "YES")
	w("write_enable", yesNo(o.Writable))
	w("local_umask", "022")
	w("pasv_enable", yesNo(pasv))
	w("pasv_address", "127.0.0.1")
	w("port_enable", yesNo(portMode))
	// Unlike Debian's: active data connections come from any port, not
	// 20, and no transfer log is written to /var/log.
	w("connect_from_port_20", "NO")
	w("xferlog_enable", "NO")
	w("use_localtime", yesNo(o.LocalTime || o.Debian))
	w("mdtm_write", "YES")
	w("hide_ids", yesNo(!o.Debian))
	w("force_dot_files", yesNo(!o.Debian))
	w("dirmessage_enable", yesNo(o.Debian))
	w("max_clients", "0")
	w("max_per_ip", "0")
	if o.TLS || o.ImplicitTLS {
		w("ssl_enable", "YES")
		w("implicit_ssl", yesNo(o.ImplicitTLS))
		// vsftpd 3.0.3's default, DES-CBC3-SHA, is not offered by Go's
		// TLS 1.2 client (TLS 1.3 works either way).
		w("ssl_ciphers", "HIGH")
	}
	for _, line := range o.Config {
		b.WriteString(line + "\n")
	}
	return b.String()
}

// banner is the token a launched server puts in its greeting, so that the
// start-up check knows its own server from another process's that took
// the port meanwhile (freePort's port is free only until it returns).
func banner(port int) string { return fmt.Sprintf("ftptest-%d-%d", os.Getpid(), port) }

// waitFor220 waits until the server at addr greets with a 220 reply that
// holds token (over TLS from the first byte when tlsConf is set). A 220
// without it is another server on that port: errPortTaken.
func waitFor220(addr string, tlsConf *tls.Config, c *child, token string) error {
	deadline := time.Now().Add(vsftpdStartMax)
	for {
		select {
		case <-c.done:
			return fmt.Errorf("the server exited: %v", c.err)
		default:
		}
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			if tlsConf != nil {
				conn = tls.Client(conn, tlsConf)
			}
			_ = conn.SetDeadline(time.Now().Add(3 * time.Second))
			code, msg, rerr := textproto.NewReader(bufio.NewReader(conn)).ReadResponse(220)
			conn.Close()
			switch {
			case rerr == nil && strings.Contains(msg, token):
				return nil
			case rerr == nil:
				return fmt.Errorf("%w: another server answers on %s: %q", errPortTaken, addr, msg)
			case code != 0:
				return fmt.Errorf("banner %d %q", code, msg)
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no answer on %s within %s", addr, vsftpdStartMax)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("ftptest: free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// lockedBuffer collects a child's output written from exec's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// Len is the number of bytes written so far.
func (l *lockedBuffer) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Len()
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
