package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

// The interop suite mirrors the awkward tree (interop_tree_test.go) by
// pull, push and sync through the CLI against FTP servers configured as
// people run them, and compares the result byte for byte (links as links).
// A server that is not installed skips its cases, or fails them under CI
// (see internal/ftptest).

// interopServer starts one server, serving root, writable.
type interopServer struct {
	name  string
	start func(t *testing.T, root string) *ftptest.Server
	// hides are the tree's paths the server neither lists nor stores, so
	// no client can mirror them there: a mirror must do without them, and
	// must not leave a mangled copy on the server.
	hides []string
}

// expect writes, in a new directory, the tree a mirror through srv must
// hold: the parts of the awkward tree, without what srv hides.
func (srv interopServer) expect(t *testing.T, parts treeParts) string {
	t.Helper()
	dir := expectAwkward(t, parts)
	for _, p := range srv.hides {
		if err := os.RemoveAll(filepath.Join(dir, filepath.FromSlash(p))); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

var (
	vsftpdDebian = interopServer{name: "vsftpd-debian", start: func(t *testing.T, root string) *ftptest.Server {
		return ftptest.StartVsftpd(t, root, ftptest.VsftpdOptions{Debian: true, Writable: true})
	}}
	vsftpdChroot = interopServer{name: "vsftpd-chroot", start: func(t *testing.T, root string) *ftptest.Server {
		return ftptest.StartVsftpd(t, root, ftptest.VsftpdOptions{Writable: true})
	}}
	// pure-ftpd leaves names with a control character (or a backslash)
	// out of every listing (src/ftpd.c checknamesanity), and its command
	// parser turns control characters into '_' (src/ftp_parser.c), so
	// "tab\tname.txt" can be neither seen nor created there.
	pureFtpd = interopServer{name: "pure-ftpd", start: func(t *testing.T, root string) *ftptest.Server {
		return ftptest.StartPureFtpd(t, root, ftptest.PureFtpdOptions{})
	}, hides: []string{"tab\tname.txt"}}
	proftpd = interopServer{name: "proftpd", start: func(t *testing.T, root string) *ftptest.Server {
		return ftptest.StartProftpd(t, root, ftptest.ProftpdOptions{})
	}}
	pyftpdlib = interopServer{name: "pyftpdlib", start: func(t *testing.T, root string) *ftptest.Server {
		return ftptest.StartPyftpdlib(t, root, ftptest.PyftpdlibOptions{Writable: true})
	}}
)

// interopSite is a served root with the mirrored directory "site" in it,
// named in the URL relative to the login directory, as a user would.
type interopSite struct {
	dir   string // root/site on this machine
	url   string // ftp://user@host:port/site
	state string
}

// serveSite starts srv on a new root whose "site" directory fill has
// written (fill may be nil: an empty site).
func serveSite(t *testing.T, srv interopServer, fill func(site string)) interopSite {
	t.Helper()
	isolate(t)
	root := t.TempDir()
	site := filepath.Join(root, "site")
	if err := os.Mkdir(site, 0o755); err != nil {
		t.Fatal(err)
	}
	if fill != nil {
		fill(site)
	}
	s := srv.start(t, root)
	t.Setenv("FTPMIRROR_PASSWORD", s.Password)
	return interopSite{dir: site, url: "ftp://" + s.User + "@" + s.Addr + "/site", state: filepath.Join(t.TempDir(), "state.db")}
}

// runTwice runs args, which must succeed, then again, which must find
// nothing to do.
func runTwice(t *testing.T, args ...string) {
	t.Helper()
	if r := runCLI(t, args...); r.code != exitOK {
		t.Fatalf("%s: %v", strings.Join(args, " "), r)
	}
	if r := runCLI(t, args...); r.code != exitOK || !strings.Contains(r.stderr, "(up to date)") {
		t.Errorf("second %s should find nothing to do: %v", args[0], r)
	}
}

// interopPull pulls the awkward tree: files, directories and the links
// inside the tree arrive as they are; the links leaving it are skipped.
func interopPull(t *testing.T, srv interopServer) {
	site := serveSite(t, srv, func(dir string) { writeAwkward(t, dir, treeParts{links: true, outsideLinks: true}) })
	local := filepath.Join(t.TempDir(), "mirror")
	runTwice(t, "pull", "--state", site.state, site.url, local)
	ftptest.TreeEqual(t, local, srv.expect(t, treeParts{links: true}))
}

// interopPush pushes the awkward tree into an empty site: everything but
// the symlinks, which FTP cannot create.
func interopPush(t *testing.T, srv interopServer) {
	site := serveSite(t, srv, nil)
	local := filepath.Join(t.TempDir(), "src")
	writeAwkward(t, local, treeParts{links: true, outsideLinks: true})
	runTwice(t, "push", "--state", site.state, local, site.url)
	ftptest.TreeEqual(t, site.dir, srv.expect(t, treeParts{}))
}

// interopSync syncs the awkward tree on the server with a local directory
// that holds one file of its own: each side ends with both.
func interopSync(t *testing.T, srv interopServer) {
	own := map[string]string{"local only/new file.txt": "made locally\n"}
	addOwn := func(dir string) {
		ftptest.WriteTree(t, dir, own)
		ftptest.SetMtime(t, filepath.Join(dir, "local only", "new file.txt"), awkwardMtime)
	}
	site := serveSite(t, srv, func(dir string) { writeAwkward(t, dir, treeParts{links: true, outsideLinks: true}) })
	local := filepath.Join(t.TempDir(), "mirror")
	addOwn(local)
	runTwice(t, "sync", "--state", site.state, local, site.url)

	wantLocal := srv.expect(t, treeParts{links: true})
	addOwn(wantLocal)
	ftptest.TreeEqual(t, local, wantLocal)
	// What the server hides is still in its directory, as it was put there.
	wantRemote := expectAwkward(t, treeParts{links: true, outsideLinks: true})
	addOwn(wantRemote)
	ftptest.TreeEqual(t, site.dir, wantRemote)
}

// interopCase is one direction run against some servers.
type interopCase struct {
	direction string
	run       func(*testing.T, interopServer)
	servers   []interopServer
}

func runInteropCases(t *testing.T, cases []interopCase) {
	for _, c := range cases {
		for _, srv := range c.servers {
			t.Run(c.direction+"/"+srv.name, func(t *testing.T) { c.run(t, srv) })
		}
	}
}

// TestInteropAwkwardTree mirrors the awkward tree by pull, push and sync
// against each server, byte-identical, exit 0, and a second run with
// nothing to do.
func TestInteropAwkwardTree(t *testing.T) {
	runInteropCases(t, []interopCase{
		{"pull", interopPull, []interopServer{vsftpdDebian, vsftpdChroot, pureFtpd, proftpd, pyftpdlib}},
		{"push", interopPush, []interopServer{vsftpdDebian, vsftpdChroot, pureFtpd, proftpd, pyftpdlib}},
		{"sync", interopSync, []interopServer{vsftpdDebian, vsftpdChroot, pureFtpd, proftpd, pyftpdlib}},
	})
}
