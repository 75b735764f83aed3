package ftptest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// ProftpdDir holds Debian's proftpd-core package unpacked, with the
// libraries it needs that are not installed (libhashkit2, libhiredis0.14,
// libmemcached11, libmemcachedutil2, libpcre2-posix3) unpacked beside it.
var ProftpdDir = filepath.Join(ServersDir, "proftpd")

// ProftpdOptions configure StartProftpd. The zero value is proftpd as
// Debian's /etc/proftpd/proftpd.conf configures it, plus mod_digest: not
// chrooted, so the session starts in root (Server.LoginDir is root's
// absolute path) and "/" is the machine's; MLSD with symlinks as
// "type=OS.unix=symlink"; HASH, XSHA256, XSHA1, XMD5 and XCRC; ShowSymlinks
// on, ListOptions "-l"; uploads, renames and deletions allowed.
type ProftpdOptions struct {
	// Chroot confines the session to root (DefaultRoot ~), which it then
	// sees as "/".
	Chroot bool
	// ReadOnly denies every write command (<Limit WRITE> DenyAll).
	ReadOnly bool
	// Config lines are appended to the generated proftpd.conf.
	Config []string
}

// StartProftpd runs proftpd on 127.0.0.1 serving root, logged in as
// VsftpdUser/VsftpdPassword, and stops it and its sessions in t.Cleanup.
func StartProftpd(t testing.TB, root string, o ProftpdOptions) *Server {
	t.Helper()
	binary := filepath.Join(ProftpdDir, "usr/sbin/proftpd")
	d := prepareDaemon(t, "proftpd", binary, root)
	d.writeFile(t, "passwd", fmt.Sprintf("%s:%s:%d:%d::%s:/usr/sbin/nologin\n", VsftpdUser, daemonPasswordHash, d.uid, d.gid, d.root))
	d.writeFile(t, "group", fmt.Sprintf("%s:x:%d:\n", VsftpdUser, d.gid))
	s := startDaemon(t, "proftpd", &d, func(port int) *exec.Cmd {
		logFile := filepath.Join(d.dir, fmt.Sprintf("proftpd-%d.log", port))
		conf := d.writeFile(t, fmt.Sprintf("proftpd-%d.conf", port), proftpdConfig(d, logFile, o))
		cmd := exec.Command(binary, "--nodaemon", "--quiet", "--config", conf)
		cmd.Env = append(os.Environ(), "LD_LIBRARY_PATH="+filepath.Join(ProftpdDir, "usr/lib/x86_64-linux-gnu"))
		return cmd
	})
	if !o.Chroot {
		s.LoginDir = d.root
	}
	return s
}

func proftpdConfig(d daemonSetup, logFile string, o ProftpdOptions) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	// As Debian's proftpd.conf, except for paths, the address, the user
	// database and IPv6.
	w(`ServerName "Debian"`)
	w(`ServerIdent on "ProFTPD Server (Debian) %s"`, banner(d.port))
	w("ServerType standalone")
	w("DefaultServer on")
	w("UseIPv6 off")
	w("DefaultAddress 127.0.0.1")
	w("SocketBindTight on")
	w("Port %d", d.port)
	w("PassivePorts %d %d", d.pasvLow, d.pasvHigh)
	w("ModulePath %s", filepath.Join(ProftpdDir, "usr/lib/proftpd"))
	w("LoadModule mod_digest.c")
	w("DigestEngine on")
	w("PidFile %s", filepath.Join(d.dir, fmt.Sprintf("proftpd-%d.pid", d.port)))
	w("ScoreboardFile %s", filepath.Join(d.dir, fmt.Sprintf("proftpd-%d.scoreboard", d.port)))
	w("DelayTable %s", filepath.Join(d.dir, fmt.Sprintf("proftpd-%d.delay", d.port)))
	w("SystemLog %s", logFile)
	w("TransferLog none")
	w("WtmpLog off")
	w("User nobody")
	w("Group nogroup")
	w("AuthOrder mod_auth_file.c")
	w("AuthUserFile %s", filepath.Join(d.dir, "passwd"))
	w("AuthGroupFile %s", filepath.Join(d.dir, "group"))
	w("RequireValidShell off")
	w("UseReverseDNS off")
	w("ShowSymlinks on")
	w("ListOptions \"-l\"")
	w(`DenyFilter \*.*/`)
	w("Umask 022 022")
	w("AllowOverwrite on")
	w("MaxInstances 30")
	if o.Chroot {
		w("DefaultRoot ~")
	}
	if o.ReadOnly {
		w("<Limit WRITE>\n  DenyAll\n</Limit>")
	}
	for _, line := range o.Config {
		w("%s", line)
	}
	return b.String()
}
