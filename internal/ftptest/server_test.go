package ftptest

import (
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jlaffaye/ftp"
)

func TestServerListsWithMLSDInUTCIncludingHiddenAndSymlinks(t *testing.T) {
	s := Start(t, sampleTree(t), Options{})
	c := dial(t, s)
	if !c.IsTimePreciseInList() {
		t.Fatal("server does not advertise MLST: client will not use MLSD")
	}
	entries, err := c.List("/")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*ftp.Entry{}
	for _, e := range entries {
		got[e.Name] = e
	}
	for _, name := range []string{".", "..", "a.txt", "sub", ".hidden", "empty", "with space.txt", "link"} {
		if got[name] == nil {
			t.Errorf("MLSD / lacks %q; got %v", name, names(entries))
		}
	}
	if e := got["a.txt"]; e != nil {
		if e.Type != ftp.EntryTypeFile || e.Size != 5 || !e.Time.Equal(mtime) {
			t.Errorf("a.txt = type %v size %d time %v; want file 5 %v", e.Type, e.Size, e.Time, mtime)
		}
	}
	if e := got["sub"]; e != nil && e.Type != ftp.EntryTypeFolder {
		t.Errorf("sub has type %v", e.Type)
	}
	sub, err := c.List("/sub/deeper")
	if err != nil {
		t.Fatal(err)
	}
	if n := names(sub); n != "., .., c, d.md" {
		t.Errorf("MLSD /sub/deeper = %s", n)
	}
}

func TestServerLISTShowsSymlinkTargets(t *testing.T) {
	s := Start(t, sampleTree(t), Options{})
	c := dial(t, s, ftp.DialWithDisabledMLSD(true))
	entries, err := c.List("/")
	if err != nil {
		t.Fatal(err)
	}
	var link *ftp.Entry
	for _, e := range entries {
		if e.Name == "link" {
			link = e
		}
	}
	if link == nil || link.Type != ftp.EntryTypeLink || link.Target != "a.txt" {
		t.Fatalf("LIST: link entry = %+v; want symlink to a.txt (all: %s)", link, names(entries))
	}
}

func TestServerMLSDRawFacts(t *testing.T) {
	s := Start(t, sampleTree(t), Options{})
	lines := rawDataCommand(t, s, "MLSD /")
	for _, want := range []string{
		"Type=cdir;", "Type=pdir;",
		"Type=file;Size=5;Modify=20230506070809;UNIX.mode=0644; a.txt",
		"Type=OS.unix=slink:a.txt;",
		"; with space.txt",
	} {
		if !strings.Contains(lines, want) {
			t.Errorf("MLSD output lacks %q:\n%s", want, lines)
		}
	}
}

func TestServerTransfers(t *testing.T) {
	root := sampleTree(t)
	s := Start(t, root, Options{})
	c := dial(t, s)

	if got := retr(t, c, "/sub/b.txt", 0); got != "0123456789" {
		t.Errorf("RETR = %q", got)
	}
	if got := retr(t, c, "/sub/b.txt", 4); got != "456789" {
		t.Errorf("REST 4 + RETR = %q", got)
	}
	if got := retr(t, c, "with space.txt", 0); got != "spaced" {
		t.Errorf("RETR with space = %q", got)
	}
	if n, err := c.FileSize("/sub/b.txt"); err != nil || n != 10 {
		t.Errorf("SIZE = %d, %v", n, err)
	}
	if _, err := c.FileSize("/sub"); err == nil {
		t.Error("SIZE of a directory succeeded")
	}
	if tm, err := c.GetTime("/a.txt"); err != nil || !tm.Equal(mtime) {
		t.Errorf("MDTM = %v, %v; want %v", tm, err, mtime)
	}

	if err := c.Stor("/new.txt", strings.NewReader("new content")); err != nil {
		t.Fatal(err)
	}
	if err := c.Append("/new.txt", strings.NewReader("+more")); err != nil {
		t.Fatal(err)
	}
	if err := c.StorFrom("/sub/b.txt", strings.NewReader("AB"), 2); err != nil {
		t.Fatal(err)
	}
	set := time.Date(2020, 2, 3, 4, 5, 6, 0, time.UTC)
	if !c.IsSetTimeSupported() {
		t.Fatal("MFMT not advertised")
	}
	if err := c.SetTime("/new.txt", set); err != nil {
		t.Fatal(err)
	}
	if err := c.MakeDir("/made"); err != nil {
		t.Fatal(err)
	}
	if err := c.MakeDir("/no/parents"); err == nil {
		t.Error("MKD created missing parents")
	}
	if err := c.Rename("/new.txt", "/made/renamed.txt"); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete("/sub/deeper/d.md"); err != nil {
		t.Fatal(err)
	}
	if err := c.RemoveDir("/sub/deeper"); err == nil {
		t.Error("RMD removed a non-empty directory")
	}
	if err := c.RemoveDir("/empty"); err != nil {
		t.Fatal(err)
	}

	want := t.TempDir()
	WriteTree(t, want, map[string]string{
		"a.txt":            "hello",
		"sub/b.txt":        "01AB456789",
		"sub/deeper/c":     "c",
		".hidden":          "h",
		"with space.txt":   "spaced",
		"made/renamed.txt": "new content+more",
	})
	for _, p := range []string{"a.txt", "sub/deeper/c", ".hidden", "with space.txt"} {
		SetMtime(t, filepath.Join(want, p), mtime)
	}
	SetMtime(t, filepath.Join(want, "made/renamed.txt"), set)
	fi, err := os.Stat(filepath.Join(root, "sub/b.txt"))
	if err != nil {
		t.Fatal(err)
	}
	SetMtime(t, filepath.Join(want, "sub/b.txt"), fi.ModTime())
	if err := os.Symlink("a.txt", filepath.Join(want, "link")); err != nil {
		t.Fatal(err)
	}
	TreeEqual(t, root, want)
}

func TestServerMDTMWriteFormSetsTime(t *testing.T) {
	root := sampleTree(t)
	s := Start(t, root, Options{})
	c := dial(t, s, ftp.DialWithWritingMDTM(true), ftp.DialWithDisabledMLSD(true))
	set := time.Date(2021, 1, 2, 3, 4, 5, 0, time.UTC)
	// The client prefers MFMT; send the vsftpd form by hand.
	tp := rawLogin(t, s)
	code, msg := rawCmd(t, tp, "MDTM %s a.txt", set.Format("20060102150405"))
	if code != 213 {
		t.Fatalf("MDTM write: %d %s", code, msg)
	}
	if tm, err := c.GetTime("a.txt"); err != nil || !tm.Equal(set) {
		t.Errorf("MDTM after write = %v, %v; want %v", tm, err, set)
	}
}

func TestServerActiveModePORTAndEPRT(t *testing.T) {
	s := Start(t, sampleTree(t), Options{})
	tp := rawLogin(t, s)
	for _, verb := range []string{"PORT", "EPRT"} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		arg := fmt.Sprintf("|1|127.0.0.1|%d|", port)
		if verb == "PORT" {
			arg = fmt.Sprintf("127,0,0,1,%d,%d", port/256, port%256)
		}
		accepted := make(chan []byte, 1)
		go func() {
			defer ln.Close()
			conn, err := ln.Accept()
			if err != nil {
				accepted <- nil
				return
			}
			defer conn.Close()
			_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
			b, _ := io.ReadAll(conn)
			accepted <- b
		}()
		if code, msg := rawCmd(t, tp, "%s %s", verb, arg); code != 200 {
			t.Fatalf("%s: %d %s", verb, code, msg)
		}
		if code, msg := rawCmd(t, tp, "RETR sub/b.txt"); code != 150 {
			t.Fatalf("%s RETR: %d %s", verb, code, msg)
		}
		got := <-accepted
		if code, msg, err := tp.ReadResponse(226); err != nil {
			t.Fatalf("%s RETR end: %d %s %v", verb, code, msg, err)
		}
		if string(got) != "0123456789" {
			t.Errorf("%s RETR data = %q", verb, got)
		}
	}
}

func TestServerDisableAnswers502AndHidesFromFEAT(t *testing.T) {
	s := Start(t, sampleTree(t), Options{Disable: []string{"epsv", "MLSD", "MFMT", "PORT"}})
	tp := rawLogin(t, s)
	for _, verb := range []string{"EPSV", "MLSD", "MLST a.txt", "MFMT 20200101000000 a.txt", "PORT 127,0,0,1,1,1"} {
		if code, msg := rawCmd(t, tp, "%s", verb); code != 502 {
			t.Errorf("%s = %d %s; want 502", verb, code, msg)
		}
	}
	code, feat := rawCmd(t, tp, "FEAT")
	if code != 211 {
		t.Fatalf("FEAT = %d", code)
	}
	for _, gone := range []string{" MLST", " EPSV", " MFMT"} {
		if strings.Contains(feat, gone) {
			t.Errorf("FEAT still advertises %q:\n%s", gone, feat)
		}
	}
	// The client falls back from EPSV to PASV and from MLSD to LIST.
	c := dial(t, s)
	entries, err := c.List("/")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 {
		t.Error("LIST via PASV returned nothing")
	}
}

func TestServerWithoutPassiveModesRefusesDataOverPASV(t *testing.T) {
	s := Start(t, sampleTree(t), Options{Disable: []string{"EPSV", "PASV"}})
	c := dial(t, s)
	if _, err := c.List("/"); err == nil {
		t.Fatal("listing worked with EPSV and PASV disabled")
	}
}

func TestServerLogins(t *testing.T) {
	s := Start(t, sampleTree(t), Options{User: "u", Password: "p", Anonymous: true})
	for _, tc := range []struct {
		user, pass string
		ok         bool
	}{
		{"u", "p", true},
		{"u", "wrong", false},
		{"other", "p", false},
		{"anonymous", "me@example.com", true},
	} {
		c, err := ftp.Dial(s.Addr, ftp.DialWithTimeout(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		err = c.Login(tc.user, tc.pass)
		if (err == nil) != tc.ok {
			t.Errorf("login %s/%s: err = %v, want ok=%v", tc.user, tc.pass, err, tc.ok)
		}
		_ = c.Quit()
	}
	s2 := Start(t, t.TempDir(), Options{})
	c, err := ftp.Dial(s2.Addr, ftp.DialWithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Quit()
	if err := c.Login("anonymous", "x"); err == nil {
		t.Error("anonymous admitted without Options.Anonymous")
	}
	if err := c.Login("user", "secret"); err != nil {
		t.Errorf("default credentials refused: %v", err)
	}
}

func TestServerTLS(t *testing.T) {
	for _, mode := range []string{TLSExplicit, TLSImplicit} {
		t.Run(mode, func(t *testing.T) {
			s := Start(t, sampleTree(t), Options{TLS: mode})
			if s.CertPool == nil {
				t.Fatal("no CertPool")
			}
			conf := &tls.Config{RootCAs: s.CertPool, ServerName: "127.0.0.1"}
			opt := ftp.DialWithExplicitTLS(conf)
			if mode == TLSImplicit {
				opt = ftp.DialWithTLS(conf)
			}
			c := dial(t, s, opt)
			if got := retr(t, c, "/sub/b.txt", 0); got != "0123456789" {
				t.Errorf("RETR over TLS = %q", got)
			}
			if _, err := c.List("/"); err != nil {
				t.Errorf("MLSD over TLS: %v", err)
			}
			if err := c.Stor("/up.txt", strings.NewReader("up")); err != nil {
				t.Errorf("STOR over TLS: %v", err)
			}
		})
	}
}

func TestServerCloseEndsSessions(t *testing.T) {
	s, err := Serve(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := dial(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.NoOp(); err == nil {
		t.Error("session still answers after Close")
	}
	if _, err := net.DialTimeout("tcp", s.Addr, time.Second); err == nil {
		t.Error("still accepting after Close")
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestServerListensOnLoopbackOnly(t *testing.T) {
	s := Start(t, t.TempDir(), Options{})
	if s.Host != "127.0.0.1" || !strings.HasPrefix(s.Addr, "127.0.0.1:") || s.Port == 0 {
		t.Fatalf("server at %q (%s, %d)", s.Addr, s.Host, s.Port)
	}
	tp := rawLogin(t, s)
	code, msg := rawCmd(t, tp, "PASV")
	if code != 227 || !strings.Contains(msg, "(127,0,0,1,") {
		t.Errorf("PASV = %d %s; want 127.0.0.1", code, msg)
	}
}

func TestServerLogsToInjectedLoggerWithoutPasswords(t *testing.T) {
	var buf syncBuffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := Start(t, t.TempDir(), Options{Logger: logger, Password: "hunter2-secret"})
	c := dial(t, s)
	if err := c.NoOp(); err != nil {
		t.Fatal(err)
	}
	if err := c.Quit(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, "command=NOOP") {
		t.Errorf("log lacks the NOOP command:\n%s", out)
	}
	if strings.Contains(out, "hunter2-secret") {
		t.Errorf("log shows the password:\n%s", out)
	}
}
