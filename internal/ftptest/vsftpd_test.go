package ftptest

import (
	"crypto/tls"
	"strings"
	"testing"
	"time"

	"github.com/jlaffaye/ftp"
)

func TestVsftpdListAndRetrievePassive(t *testing.T) {
	root := sampleTree(t)
	s := StartVsftpd(t, root, VsftpdOptions{})
	c := dial(t, s)
	if c.IsTimePreciseInList() {
		t.Log("vsftpd advertises MLST (unexpected for vsftpd 3)")
	}
	got := listByName(t, c, "/", "a.txt", "sub", ".hidden", "empty", "with space.txt", "link")
	if e := got["link"]; e != nil && (e.Type != ftp.EntryTypeLink || e.Target != "a.txt") {
		t.Errorf("link = %+v", e)
	}
	if e := got["a.txt"]; e != nil && e.Size != 5 {
		t.Errorf("a.txt size %d", e.Size)
	}
	if got := retr(t, c, "/sub/b.txt", 0); got != "0123456789" {
		t.Errorf("RETR = %q", got)
	}
	if got := retr(t, c, "/sub/b.txt", 3); got != "3456789" {
		t.Errorf("REST 3 + RETR = %q", got)
	}
	if tm, err := c.GetTime("/a.txt"); err != nil || !tm.Equal(mtime) {
		t.Errorf("MDTM = %v, %v; want %v (UTC)", tm, err, mtime)
	}
	if err := c.Stor("/x", strings.NewReader("x")); err == nil {
		t.Error("STOR allowed on a read-only vsftpd")
	}
}

func TestVsftpdWritable(t *testing.T) {
	root := sampleTree(t)
	s := StartVsftpd(t, root, VsftpdOptions{Writable: true})
	c := dial(t, s, ftp.DialWithWritingMDTM(true))
	if err := c.MakeDir("/made"); err != nil {
		t.Fatal(err)
	}
	if err := c.Stor("/made/up.txt", strings.NewReader("up")); err != nil {
		t.Fatal(err)
	}
	set := time.Date(2020, 2, 3, 4, 5, 6, 0, time.UTC)
	if err := c.SetTime("/made/up.txt", set); err != nil {
		t.Fatal(err)
	}
	if err := c.Rename("/made/up.txt", "/made/up2.txt"); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete("/a.txt"); err != nil {
		t.Fatal(err)
	}
	want := t.TempDir()
	WriteTree(t, want, map[string]string{
		"sub/b.txt": "0123456789", "sub/deeper/c": "c", "sub/deeper/d.md": "# d",
		".hidden": "h", "empty/": "", "with space.txt": "spaced", "made/up2.txt": "up",
	})
	for _, p := range []string{"sub/b.txt", "sub/deeper/c", "sub/deeper/d.md", ".hidden", "with space.txt"} {
		SetMtime(t, want+"/"+p, mtime)
	}
	SetMtime(t, want+"/made/up2.txt", set)
	must(t, symlink("a.txt", want+"/link"))
	TreeEqual(t, root, want)
}

func TestVsftpdWithoutPASVRefusesIt(t *testing.T) {
	no := false
	s := StartVsftpd(t, sampleTree(t), VsftpdOptions{PasvEnable: &no})
	tp := rawLogin(t, s)
	for _, verb := range []string{"PASV", "EPSV"} {
		if code, msg := rawCmd(t, tp, "%s", verb); code < 500 || code > 599 {
			t.Errorf("%s with pasv_enable=NO: %d %s; want 5xx", verb, code, msg)
		}
	}
}

func TestVsftpdWithoutPORTRefusesIt(t *testing.T) {
	no := false
	s := StartVsftpd(t, sampleTree(t), VsftpdOptions{PortEnable: &no})
	tp := rawLogin(t, s)
	for _, cmd := range []string{"PORT 127,0,0,1,4,1", "EPRT |1|127.0.0.1|1025|"} {
		if code, msg := rawCmd(t, tp, "%s", cmd); code < 500 || code > 599 {
			t.Errorf("%s with port_enable=NO: %d %s; want 5xx", cmd, code, msg)
		}
	}
}

func TestVsftpdExplicitTLSLoginWithTLS12And13(t *testing.T) {
	s := StartVsftpd(t, sampleTree(t), VsftpdOptions{TLS: true})
	for _, version := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		conf := &tls.Config{RootCAs: s.CertPool, ServerName: "127.0.0.1", MinVersion: version, MaxVersion: version}
		c := dial(t, s, ftp.DialWithExplicitTLS(conf))
		dir, err := c.CurrentDir()
		if err != nil || dir != "/" {
			t.Errorf("%s: PWD over TLS = %q, %v", tls.VersionName(version), dir, err)
		}
		if n, err := c.FileSize("/sub/b.txt"); err != nil || n != 10 {
			t.Errorf("%s: SIZE over TLS = %d, %v", tls.VersionName(version), n, err)
		}
	}
}

func TestVsftpdCloseEndsSessions(t *testing.T) {
	s := StartVsftpd(t, sampleTree(t), VsftpdOptions{})
	c := dial(t, s)
	if err := c.NoOp(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.NoOp(); err == nil {
		t.Error("vsftpd session still answers after Close")
	}
}

func TestVsftpdRefusesPlainLoginWhenTLS(t *testing.T) {
	s := StartVsftpd(t, sampleTree(t), VsftpdOptions{TLS: true})
	c, err := ftp.Dial(s.Addr, ftp.DialWithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Quit()
	if err := c.Login(s.User, s.Password); err == nil {
		t.Error("plain login accepted by a TLS vsftpd")
	}
}

func TestVsftpdImplicitTLSLogin(t *testing.T) {
	s := StartVsftpd(t, sampleTree(t), VsftpdOptions{ImplicitTLS: true})
	conf := &tls.Config{RootCAs: s.CertPool, ServerName: "127.0.0.1"}
	c, err := ftp.Dial(s.Addr, ftp.DialWithTimeout(5*time.Second), ftp.DialWithTLS(conf))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Quit()
	// Login sends PBSZ/PROT after login, which vsftpd accepts.
	if err := c.Login(s.User, s.Password); err != nil {
		t.Fatal(err)
	}
	if dir, err := c.CurrentDir(); err != nil || dir != "/" {
		t.Errorf("PWD = %q, %v", dir, err)
	}
}
