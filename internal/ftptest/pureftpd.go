package ftptest

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"
)

// PureFtpdDir holds Debian's pure-ftpd package unpacked (usr/sbin/pure-ftpd,
// usr/bin/pure-pw).
var PureFtpdDir = filepath.Join(ServersDir, "pure-ftpd")

// PureFtpdOptions configure StartPureFtpd. The zero value is pure-ftpd as
// it is usually run: a virtual user (puredb) chrooted in its home, the
// root; MLSD with symlinks as "type=OS.unix=slink:"; dot files in MLSD and
// "LIST -a"; uploads, renames and deletions allowed.
type PureFtpdOptions struct {
	// Args are added to pure-ftpd's command line (e.g. "-D" to list dot
	// files to a plain LIST).
	Args []string
}

// StartPureFtpd runs pure-ftpd on 127.0.0.1 serving root (the session sees
// it as "/"), logged in as VsftpdUser/VsftpdPassword, and stops it and its
// sessions in t.Cleanup.
func StartPureFtpd(t testing.TB, root string, o PureFtpdOptions) *Server {
	t.Helper()
	binary := filepath.Join(PureFtpdDir, "usr/sbin/pure-ftpd")
	d := prepareDaemon(t, "pure-ftpd", binary, root)
	// A home ending in "/./" chroots the virtual user, as pure-pw -d does.
	passwd := d.writeFile(t, "pureftpd.passwd",
		fmt.Sprintf("%s:%s:%d:%d::%s/./::::::::::::\n", VsftpdUser, daemonPasswordHash, d.uid, d.gid, d.root))
	pdb := filepath.Join(d.dir, "pureftpd.pdb")
	mkdb := exec.Command(filepath.Join(PureFtpdDir, "usr/bin/pure-pw"), "mkdb", pdb, "-f", passwd)
	if out, err := mkdb.CombinedOutput(); err != nil {
		t.Fatalf("ftptest: pure-pw mkdb: %v: %s", err, out)
	}
	return startDaemon(t, "pure-ftpd", &d, func(port int) *exec.Cmd {
		args := []string{
			"-S", fmt.Sprintf("127.0.0.1,%d", port),
			"-4",                  // IPv4 only
			"-l", "puredb:" + pdb, // virtual users only
			"-E",      // no anonymous logins (Debian's NoAnonymous)
			"-H",      // no reverse DNS
			"-u", "1", // the FTP user is a system account (Debian's MinUID is 1000)
			"-p", fmt.Sprintf("%d:%d", d.pasvLow, d.pasvHigh),
			"-f", "none", // no syslog
			"-g", filepath.Join(d.dir, "pure-ftpd.pid"),
		}
		return exec.Command(binary, append(args, o.Args...)...)
	})
}
