package mirror

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/ftpproxy"
	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

// Interop tests against vsftpd, which .ci/run installs. vsftpd has no MLSD:
// listings are LIST lines with minute or day precision, so these tests also
// cover exact mtimes through MDTM, symlinks shown by LIST, and TLS data
// connections that must resume the control connection's session.

func vsftpdFixture(t *testing.T, files map[string]string, o ftptest.VsftpdOptions) (*pullFixture, *ftptest.Server) {
	t.Helper()
	remote := t.TempDir()
	ftptest.WriteTree(t, remote, files)
	s := ftptest.StartVsftpd(t, remote, o)
	f := &pullFixture{t: t, remote: remote, local: filepath.Join(t.TempDir(), "mirror"),
		state: filepath.Join(t.TempDir(), "state.db"), srv: serverFor(s)}
	return f, s
}

func no() *bool { b := false; return &b }

func TestVsftpdPullIsByteIdenticalWithMtimesAndThenIdle(t *testing.T) {
	f, _ := vsftpdFixture(t, sampleTree, ftptest.VsftpdOptions{})
	if err := os.Symlink("one.txt", filepath.Join(f.remote, "a/link")); err != nil {
		t.Fatal(err)
	}
	r := f.mustPull(nil)
	ftptest.TreeEqual(t, f.remote, f.local)
	if r.Done.Symlinks != 1 {
		t.Errorf("symlinks = %d, want 1", r.Done.Symlinks)
	}
	r = f.mustPull(nil)
	if len(r.Plan.Actions) != 0 {
		t.Fatalf("second pull from vsftpd plans %+v", r.Plan.Actions)
	}
}

func TestVsftpdSymlinkOutOfTreeIsSkipped(t *testing.T) {
	f, _ := vsftpdFixture(t, map[string]string{"a.txt": "a"}, ftptest.VsftpdOptions{})
	if err := os.Symlink("/etc/passwd", filepath.Join(f.remote, "out")); err != nil {
		t.Fatal(err)
	}
	r := f.mustPull(nil)
	if len(r.Skipped) != 1 || r.Skipped[0].Path != "out" {
		t.Fatalf("skipped = %v, want the outside link", r.Skipped)
	}
	if _, err := os.Lstat(filepath.Join(f.local, "out")); !os.IsNotExist(err) {
		t.Fatalf("outside link was created: %v", err)
	}
}

func TestVsftpdPassiveDisabledFallsBackToActive(t *testing.T) {
	f, _ := vsftpdFixture(t, sampleTree, ftptest.VsftpdOptions{PasvEnable: no()})
	r := f.mustPull(nil)
	ftptest.TreeEqual(t, f.remote, f.local)
	if r.Method != MethodEPRT {
		t.Fatalf("method = %q, want EPRT", r.Method)
	}
}

func TestVsftpdActiveDisabledKeepsPassive(t *testing.T) {
	f, _ := vsftpdFixture(t, sampleTree, ftptest.VsftpdOptions{PortEnable: no()})
	r := f.mustPull(nil)
	ftptest.TreeEqual(t, f.remote, f.local)
	if r.Method != MethodEPSV {
		t.Fatalf("method = %q, want EPSV", r.Method)
	}
	_, err := f.pull(func(o *PullOptions) { o.Conn.Mode = ModeActive; o.LocalDir = t.TempDir() })
	if err == nil || !strings.Contains(err.Error(), "--mode passive") {
		t.Fatalf("active-only against port_enable=NO: err = %v, want a hint naming passive mode", err)
	}
}

func TestVsftpdTLSDefaultsInBothDataModes(t *testing.T) {
	for _, implicit := range []bool{false, true} {
		for _, mode := range []DataMode{ModePassive, ModeActive} {
			name := "explicit"
			if implicit {
				name = "implicit"
			}
			t.Run(name+"/"+string(mode), func(t *testing.T) {
				f, s := vsftpdFixture(t, sampleTree, ftptest.VsftpdOptions{TLS: true, ImplicitTLS: implicit})
				f.srv.TLS = TLSExplicit
				if implicit {
					f.srv.TLS = TLSImplicit
				}
				f.srv.TLSConfig = tlsConfigFor(s)
				f.mustPull(func(o *PullOptions) { o.Conn.Mode = mode })
				ftptest.TreeEqual(t, f.remote, f.local)
			})
		}
	}
}

func TestVsftpdLargeFileIntact(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<18) // 4 MiB
	f, _ := vsftpdFixture(t, map[string]string{"big.bin": string(big)}, ftptest.VsftpdOptions{})
	f.mustPull(nil)
	ftptest.TreeEqual(t, f.remote, f.local)
}

// vsftpd's STAT lists a directory on the control connection; once it matched
// LIST on the first directory, no other directory costs a data connection.
func TestVsftpdListsWithSTATAfterVerifyingIt(t *testing.T) {
	f, _ := vsftpdFixture(t, sampleTree, ftptest.VsftpdOptions{})
	p := proxied(t, f, ftpproxy.Options{})
	f.mustPull(nil)
	ftptest.TreeEqual(t, f.remote, f.local)
	const files, dirs = 6, 6
	// The account is read-only: the clock probe's STOR (clock.go) opens a
	// data connection, once per state, before it is refused.
	const clockProbe = 1
	if got := p.Stats().DataConns; got != files+1+clockProbe {
		t.Fatalf("data connections = %d, want %d: one per file, one LIST to verify STAT (of %d directories) and the clock probe", got, files+1+clockProbe, dirs)
	}
}

// A server whose STAT does not list (the in-process one, without MLSD) is
// listed over data connections.
func TestListingFallsBackToLISTWhenSTATCannotList(t *testing.T) {
	f := newPullFixture(t, sampleTree, ftptest.Options{Disable: []string{"MLSD"}})
	f.mustPull(nil)
	ftptest.TreeEqual(t, f.remote, f.local)
}
