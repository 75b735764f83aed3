package ftptest

import (
	"strings"
	"testing"
)

func TestPureFtpdChrootedWithMLSDSlinks(t *testing.T) {
	root := sampleTree(t)
	s := StartPureFtpd(t, root, PureFtpdOptions{})
	c := dial(t, s)
	if dir, err := c.CurrentDir(); err != nil || dir != "/" || s.LoginDir != "/" {
		t.Errorf("PWD = %q, %v, LoginDir %q; want / (chrooted)", dir, err, s.LoginDir)
	}
	listByName(t, c, "/", "a.txt", "sub", ".hidden", "empty", "with space.txt", "link")
	if mlsd := rawDataCommand(t, s, "MLSD"); !strings.Contains(mlsd, "type=OS.unix=slink:;") {
		t.Errorf("MLSD does not show the link as type=OS.unix=slink:\n%s", mlsd)
	}
	if err := c.Stor("/up.txt", strings.NewReader("up")); err != nil {
		t.Fatal(err)
	}
	if got := retr(t, c, "/up.txt", 0); got != "up" {
		t.Errorf("RETR after STOR = %q", got)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.NoOp(); err == nil {
		t.Error("pure-ftpd session still answers after Close")
	}
}

func TestProftpdAsDebianWithDigests(t *testing.T) {
	root := sampleTree(t)
	s := StartProftpd(t, root, ProftpdOptions{})
	if s.LoginDir != s.Root {
		t.Errorf("LoginDir = %q; want the root %q (not chrooted)", s.LoginDir, s.Root)
	}
	c := dial(t, s)
	if dir, err := c.CurrentDir(); err != nil || dir != s.Root {
		t.Errorf("PWD = %q, %v; want %q", dir, err, s.Root)
	}
	if mlsd := rawDataCommand(t, s, "MLSD"); !strings.Contains(mlsd, "type=OS.unix=symlink;") || !strings.Contains(mlsd, " .hidden\r\n") {
		t.Errorf("MLSD lacks the link as type=OS.unix=symlink or .hidden:\n%s", mlsd)
	}
	tp := rawLogin(t, s)
	// sha256("0123456789")
	const want = "84D89877F0D4041EFB6BF91A16F0248F2FD573E6AF05C19F96BEDB9F882F7882"
	if code, msg := rawCmd(t, tp, "XSHA256 sub/b.txt"); code != 250 || !strings.Contains(strings.ToUpper(msg), want) {
		t.Errorf("XSHA256: %d %s; want 250 %s", code, msg, want)
	}
	if code, msg := rawCmd(t, tp, "HASH sub/b.txt"); code != 213 {
		t.Errorf("HASH: %d %s; want 213", code, msg)
	}
	if err := c.Stor("up.txt", strings.NewReader("up")); err != nil {
		t.Fatal(err)
	}
	if got := retr(t, c, s.Root+"/up.txt", 0); got != "up" {
		t.Errorf("RETR after STOR = %q", got)
	}
}

func TestProftpdChrootedReadOnly(t *testing.T) {
	s := StartProftpd(t, sampleTree(t), ProftpdOptions{Chroot: true, ReadOnly: true})
	c := dial(t, s)
	if dir, err := c.CurrentDir(); err != nil || dir != "/" || s.LoginDir != "/" {
		t.Errorf("PWD = %q, %v, LoginDir %q; want /", dir, err, s.LoginDir)
	}
	if got := retr(t, c, "/sub/b.txt", 0); got != "0123456789" {
		t.Errorf("RETR = %q", got)
	}
	if err := c.Stor("/x", strings.NewReader("x")); err == nil {
		t.Error("STOR allowed on a read-only proftpd")
	}
}
