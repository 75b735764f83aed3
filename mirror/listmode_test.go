package mirror

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

func TestParseModeLine(t *testing.T) {
	for _, tt := range []struct {
		line string
		name string
		perm fs.FileMode
		ok   bool
	}{
		{"Type=file;Size=3;Modify=20240101000000;UNIX.mode=0600; a b.txt", "a b.txt", 0o600, true},
		{"type=dir;unix.mode=4755;modify=20240101000000; d", "d", 0o755, true}, // setuid dropped
		{"type=file;size=3;modify=20240101000000; nomode", "", 0, false},
		{"-rw-------    1 ftp      ftp                3 Jan  2 15:04 secret.txt", "secret.txt", 0o600, true},
		{"-rw-r-----    1 1000     1000               3 Jan 02  2023 old file", "old file", 0o640, true},
		{"drwx--x--x    2 ftp      ftp             4096 Dec 31 23:59 dir", "dir", 0o711, true},
		{"lrwxrwxrwx    1 ftp      ftp                7 Jan  2 15:04 link -> one.txt", "link", 0o777, true},
		{"-rwsr-xr-t    1 root     root               3 Jan  2 15:04 suid", "suid", 0o755, true}, // s and t: x kept, bits dropped
		{"-rwSr--r-T    1 root     root               3 Jan  2 15:04 suid2", "suid2", 0o644, true},
		{"-rw-r--r-- 1 owner 3 Jan  2 15:04 nogroup", "nogroup", 0o644, true},
		{"total 12", "", 0, false},
		{"01-02-24  03:04PM                    3 dos.txt", "", 0, false},
	} {
		name, perm, ok := parseModeLine(tt.line)
		if name != tt.name || perm != tt.perm || ok != tt.ok {
			t.Errorf("parseModeLine(%q) = %q, %04o, %v; want %q, %04o, %v", tt.line, name, perm, ok, tt.name, tt.perm, tt.ok)
		}
	}
}

// modeTree is served with modes other than the defaults (0644, 0755), each
// one others may read, as a server running as another user needs.
var modeTree = map[string]string{"private.txt": "p", "tool": "#!/bin/sh\n", "dir/in.txt": "i", "plain.txt": "x"}

func chmodTree(t *testing.T, root string) {
	t.Helper()
	for name, mode := range map[string]fs.FileMode{"private.txt": 0o604, "tool": 0o705, "dir": 0o705} {
		if err := os.Chmod(filepath.Join(root, name), mode); err != nil {
			t.Fatal(err)
		}
	}
}

// wantModes checks the modes pulled: the listed ones less the umask, or,
// with noPerms, the defaults.
func wantModes(t *testing.T, local string, noPerms bool) {
	t.Helper()
	want := map[string]fs.FileMode{"private.txt": 0o604, "tool": 0o705, "dir": 0o705, "dir/in.txt": 0o644, "plain.txt": 0o644}
	if noPerms {
		want = map[string]fs.FileMode{"private.txt": 0o644, "tool": 0o644, "dir": 0o755, "dir/in.txt": 0o644, "plain.txt": 0o644}
	}
	for name, mode := range want {
		fi, err := os.Lstat(filepath.Join(local, name))
		if err != nil {
			t.Fatal(err)
		}
		if got, w := fi.Mode().Perm(), mode&^umask(); got != w {
			t.Errorf("%s: mode %04o, want %04o", name, got, w)
		}
	}
}

func TestPullKeepsListedModes(t *testing.T) {
	for _, o := range []ftptest.Options{{}, {Disable: []string{"MLSD"}}} {
		f := newPullFixture(t, modeTree, o)
		chmodTree(t, f.remote)
		f.mustPull(nil)
		wantModes(t, f.local, false)
	}
}

func TestPullNoPermsGivesDefaultModes(t *testing.T) {
	f := newPullFixture(t, modeTree, ftptest.Options{})
	chmodTree(t, f.remote)
	f.mustPull(func(o *PullOptions) { o.Conn.NoPerms = true })
	wantModes(t, f.local, true)
}

func TestVsftpdPullKeepsListedModes(t *testing.T) {
	f, _ := vsftpdFixture(t, modeTree, ftptest.VsftpdOptions{})
	chmodTree(t, f.remote)
	f.mustPull(nil)
	wantModes(t, f.local, false)
}

// pushModes pushes files of modes 0604 and 0705 and returns the modes the
// server's files have.
func pushModes(t *testing.T, start serveRemote, noPerms bool) map[string]fs.FileMode {
	t.Helper()
	f := newPushFixture(t, map[string]string{"shared.txt": "s", "tool": "t", "dir/in.txt": "i"}, start)
	for name, mode := range map[string]fs.FileMode{"shared.txt": 0o604, "tool": 0o705, "dir": 0o705} {
		if err := os.Chmod(filepath.Join(f.local, name), mode); err != nil {
			t.Fatal(err)
		}
	}
	f.mustPush(func(o *PushOptions) { o.Conn.NoPerms = noPerms })
	got := map[string]fs.FileMode{}
	for _, name := range []string{"shared.txt", "tool", "dir"} {
		fi, err := os.Stat(filepath.Join(f.remote, name))
		if err != nil {
			t.Fatal(err)
		}
		got[name] = fi.Mode().Perm()
	}
	return got
}

// vsftpd (chmod_enable=YES, local_umask=077) gives uploads 0600 and new
// directories 0700 unless SITE CHMOD sets the local modes.
func TestVsftpdPushSetsModesWithSiteChmod(t *testing.T) {
	if got := pushModes(t, vsftpdWritable, false); got["shared.txt"] != 0o604 || got["tool"] != 0o705 || got["dir"] != 0o705 {
		t.Errorf("remote modes %v, want shared.txt -rw----r--, tool and dir -rwx---r-x", got)
	}
	if got := pushModes(t, vsftpdWritable, true); got["shared.txt"] == 0o604 || got["tool"] == 0o705 || got["dir"] == 0o705 {
		t.Errorf("with NoPerms the remote modes are %v: SITE CHMOD was sent", got)
	}
}

// A server without SITE CHMOD (the in-process one) takes the upload all
// the same.
func TestPushToServerWithoutSiteChmodStillUploads(t *testing.T) {
	pushModes(t, inProcess(ftptest.Options{}), false)
}
