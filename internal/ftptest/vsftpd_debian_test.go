package ftptest

import (
	"strings"
	"testing"
	"time"
)

func TestVsftpdDebianStartsInRootWithoutChroot(t *testing.T) {
	root := sampleTree(t)
	s := StartVsftpd(t, root, VsftpdOptions{Debian: true})
	if s.LoginDir != s.Root {
		t.Errorf("LoginDir = %q; want the root %q", s.LoginDir, s.Root)
	}
	c := dial(t, s)
	if dir, err := c.CurrentDir(); err != nil || dir != s.Root {
		t.Errorf("PWD = %q, %v; want %q", dir, err, s.Root)
	}
	// A relative path is under the login directory, an absolute one is
	// the machine's.
	if got := retr(t, c, "sub/b.txt", 0); got != "0123456789" {
		t.Errorf("RETR sub/b.txt = %q", got)
	}
	if got := retr(t, c, s.Root+"/a.txt", 0); got != "hello" {
		t.Errorf("RETR of the absolute path = %q", got)
	}
	if _, err := c.FileSize("/a.txt"); err == nil {
		t.Error("SIZE /a.txt succeeded: the session is chrooted")
	}
}

func TestVsftpdDebianHidesDotFilesFromPlainLIST(t *testing.T) {
	s := StartVsftpd(t, sampleTree(t), VsftpdOptions{Debian: true})
	if plain := rawDataCommand(t, s, "LIST"); strings.Contains(plain, ".hidden") || !strings.Contains(plain, "a.txt") {
		t.Errorf("LIST on Debian's vsftpd:\n%s\nwant a.txt without .hidden", plain)
	}
	if all := rawDataCommand(t, s, "LIST -a"); !strings.Contains(all, ".hidden") {
		t.Errorf("LIST -a on Debian's vsftpd lacks .hidden:\n%s", all)
	}
}

func TestVsftpdLocalTimeFollowsTZ(t *testing.T) {
	s := StartVsftpd(t, sampleTree(t), VsftpdOptions{LocalTime: true, Env: []string{"TZ=Asia/Tokyo"}})
	tp := rawLogin(t, s)
	code, msg := rawCmd(t, tp, "MDTM a.txt")
	want := mtime.In(time.FixedZone("JST", 9*3600)).Format("20060102150405")
	if code != 213 || msg != want {
		t.Errorf("MDTM with use_localtime and TZ=Asia/Tokyo: %d %s; want 213 %s", code, msg, want)
	}
}
