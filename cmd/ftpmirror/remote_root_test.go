package main

import (
	"net/url"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
	"github.com/ftpmirror/ftpmirror/plan"
	"github.com/ftpmirror/ftpmirror/state"
)

// rootServer is a server the URL path and remote root tests run against.
type rootServer struct {
	name  string
	start func(t *testing.T, root string) *ftptest.Server
}

// rootServers are the in-process server and vsftpd chrooted into the served
// tree (both with "/" as the login directory), and vsftpd and proftpd as
// Debian configures them: not chrooted, the session starts in the tree's
// absolute path and "/" is the machine's root. All of them may be written
// to.
var rootServers = []rootServer{
	{"in-process", func(t *testing.T, root string) *ftptest.Server {
		return ftptest.Start(t, root, ftptest.Options{})
	}},
	{"vsftpd-chroot", func(t *testing.T, root string) *ftptest.Server {
		return ftptest.StartVsftpd(t, root, ftptest.VsftpdOptions{Writable: true})
	}},
	{"vsftpd-debian", func(t *testing.T, root string) *ftptest.Server {
		return ftptest.StartVsftpd(t, root, ftptest.VsftpdOptions{Writable: true, Debian: true})
	}},
	{"proftpd-debian", func(t *testing.T, root string) *ftptest.Server {
		return ftptest.StartProftpd(t, root, ftptest.ProftpdOptions{})
	}},
}

// serve starts the server on a tree of files and returns it with the tree,
// the password in the environment.
func (rs rootServer) serve(t *testing.T, files map[string]string) (*ftptest.Server, string) {
	t.Helper()
	isolate(t)
	tree := t.TempDir()
	ftptest.WriteTree(t, tree, files)
	srv := rs.start(t, tree)
	t.Setenv("FTPMIRROR_PASSWORD", srv.Password)
	return srv, tree
}

// urlOf returns the URL of srv with the (already escaped) path after the
// host's "/".
func urlOf(srv *ftptest.Server, escapedPath string) string {
	return "ftp://" + srv.User + "@" + srv.Addr + "/" + escapedPath
}

// absPath returns the absolute server path of rel, URL-escaped without its
// leading "/".
func absPath(srv *ftptest.Server, rel string) string {
	return strings.TrimPrefix((&url.URL{Path: path.Join(srv.LoginDir, rel)}).EscapedPath(), "/")
}

var siteTree = map[string]string{
	"top.txt":         "top\n",
	"site/index.html": "<h1>site</h1>\n",
	"site/css/a.css":  "body {}\n",
}

// TestURLPathIsRelativeToTheLoginDirectory checks each form of a URL path as
// RFC 1738 reads it, on servers whose login directory is "/" and on one
// whose login directory is not: on that one (vsftpd as Debian ships it)
// ftp://host/site used to mean /site of the machine, listed empty and
// "already up to date".
func TestURLPathIsRelativeToTheLoginDirectory(t *testing.T) {
	for _, rs := range rootServers {
		t.Run(rs.name, func(t *testing.T) {
			srv, tree := rs.serve(t, siteTree)
			forms := []struct{ name, path, want string }{
				{"login directory", "", tree},
				{"relative", "site", filepath.Join(tree, "site")},
				{"relative with a trailing slash", "site/", filepath.Join(tree, "site")},
				{"absolute %2F", "%2F" + absPath(srv, "site"), filepath.Join(tree, "site")},
				{"absolute //", "/" + absPath(srv, "site"), filepath.Join(tree, "site")},
			}
			for _, form := range forms {
				local := filepath.Join(t.TempDir(), "mirror")
				r := runCLI(t, "pull", "--state", filepath.Join(t.TempDir(), "state.db"), urlOf(srv, form.path), local)
				if r.code != exitOK {
					t.Errorf("%s (%s): %v", form.name, urlOf(srv, form.path), r)
					continue
				}
				ftptest.TreeEqual(t, local, form.want)
			}
		})
	}
}

// TestURLPathFormsNameDifferentStates checks that the state file is named by
// the path as written: the relative and the absolute form are two mirrors,
// and ftp://host/pub keeps the name it had when every path was absolute.
func TestURLPathFormsNameDifferentStates(t *testing.T) {
	isolate(t)
	local := t.TempDir()
	name := func(raw string) string {
		t.Helper()
		r, err := parseRemote(raw)
		if err != nil {
			t.Fatal(err)
		}
		p, err := state.DefaultPath(r.display(r.User, r.tls()), local)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	relative, absolute := name("ftp://host/pub"), name("ftp://host/%2Fpub")
	if relative == absolute {
		t.Errorf("ftp://host/pub and ftp://host/%%2Fpub share the state %s", relative)
	}
	if old, _ := state.DefaultPath("ftp://host:21/pub", local); relative != old {
		t.Errorf("ftp://host/pub has the state %s, it used to have %s", relative, old)
	}
	if name("ftp://host//pub") != absolute || name("ftp://host/%2fpub/") != absolute {
		t.Error("the spellings of one absolute path name different states")
	}
	if name("ftp://host") != name("ftp://host/") {
		t.Error("ftp://host and ftp://host/ name different states")
	}
}

// stateContents returns what a state file holds, to tell whether a run touched
// it.
func stateContents(t *testing.T, file string) (state.Meta, plan.Snapshot) {
	t.Helper()
	s, err := state.Open(file, state.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	meta, err := s.Meta()
	if err != nil {
		t.Fatal(err)
	}
	snap, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	return meta, snap
}

// TestPullOfAMissingRemoteDirectoryFails checks that a remote root that
// does not exist (vsftpd lists it as empty) is an error, exit 3, never "up
// to date" and never a reason to delete: nothing local changes, the state is
// not touched, and a first run leaves no state file.
func TestPullOfAMissingRemoteDirectoryFails(t *testing.T) {
	for _, rs := range rootServers {
		t.Run(rs.name, func(t *testing.T) {
			srv, tree := rs.serve(t, siteTree)
			stateFile := filepath.Join(t.TempDir(), "state.db")
			local := filepath.Join(t.TempDir(), "mirror")
			site := urlOf(srv, "site")
			if r := runCLI(t, "pull", "--state", stateFile, site, local); r.code != exitOK {
				t.Fatalf("first pull: %v", r)
			}
			metaBefore, snapBefore := stateContents(t, stateFile)

			// The directory goes away on the server.
			if err := os.RemoveAll(filepath.Join(tree, "site")); err != nil {
				t.Fatal(err)
			}
			want := "ftpmirror: error: remote directory " + path.Join(srv.LoginDir, "site") + " does not exist"
			for _, dry := range []bool{true, false} {
				args := []string{"pull", "--state", stateFile, "--delete", "--force"}
				if dry {
					args = append(args, "-n")
				}
				r := runCLI(t, append(args, site, local)...)
				if r.code != exitConnect || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "550") {
					t.Errorf("pull (dry run %v) of a missing directory: want exit 3, %q and the server's 550 reply; got %v", dry, want, r)
				}
				if r.stdout != "" {
					t.Errorf("pull (dry run %v) printed a plan: %q", dry, r.stdout)
				}
			}
			if srv.LoginDir != "/" {
				r := runCLI(t, "pull", "--state", stateFile, site, local)
				if !strings.Contains(r.stderr, "relative to the login directory ("+srv.LoginDir+")") {
					t.Errorf("the hint does not tell the login directory:\n%s", r.stderr)
				}
			}
			if _, err := os.Stat(filepath.Join(local, "index.html")); err != nil {
				t.Errorf("the local mirror was changed: %v", err)
			}
			metaAfter, snapAfter := stateContents(t, stateFile)
			if !reflect.DeepEqual(metaBefore, metaAfter) || !reflect.DeepEqual(snapBefore, snapAfter) {
				t.Errorf("the state changed:\n%+v\n%+v", metaBefore, metaAfter)
			}

			// A first pull of a missing directory creates nothing at all.
			fresh := filepath.Join(t.TempDir(), "fresh")
			r := runCLI(t, "pull", urlOf(srv, "no/such/dir"), fresh)
			if r.code != exitConnect || !strings.Contains(r.stderr, "remote directory "+path.Join(srv.LoginDir, "no/such/dir")+" does not exist") {
				t.Errorf("first pull of a missing directory: %v", r)
			}
			if _, err := os.Stat(fresh); !os.IsNotExist(err) {
				t.Errorf("the local directory was created: %v", err)
			}
			states, _ := filepath.Glob(filepath.Join(os.Getenv("XDG_STATE_HOME"), "ftpmirror", "*"))
			if len(states) != 0 {
				t.Errorf("a state file was left behind: %v", states)
			}
		})
	}
}

// TestRemoteRootThatIsAFileIsRefused checks the choice made for a root that
// is a file: a clear error (exit 3) for pull and push alike, the file left
// as it was. The MLSD servers (proftpd, pyftpdlib, pure-ftpd) tell it with
// MLST, the others with SIZE.
func TestRemoteRootThatIsAFileIsRefused(t *testing.T) {
	servers := append(rootServers[:len(rootServers):len(rootServers)],
		rootServer{"pyftpdlib", func(t *testing.T, root string) *ftptest.Server {
			return ftptest.StartPyftpdlib(t, root, ftptest.PyftpdlibOptions{Writable: true})
		}},
		rootServer{"pure-ftpd", func(t *testing.T, root string) *ftptest.Server {
			return ftptest.StartPureFtpd(t, root, ftptest.PureFtpdOptions{})
		}})
	for _, rs := range servers {
		t.Run(rs.name, func(t *testing.T) {
			srv, tree := rs.serve(t, siteTree)
			want := "remote path " + path.Join(srv.LoginDir, "top.txt") + " is a file, not a directory"
			r := runCLI(t, "pull", urlOf(srv, "top.txt"), filepath.Join(t.TempDir(), "m"))
			if r.code != exitConnect || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "ftpmirror: hint: ftpmirror mirrors directories") {
				t.Errorf("pull of a file: want exit 3 and %q; got %v", want, r)
			}
			local := t.TempDir()
			ftptest.WriteTree(t, local, map[string]string{"x.txt": "x\n"})
			r = runCLI(t, "push", local, urlOf(srv, "top.txt"))
			if r.code != exitConnect || !strings.Contains(r.stderr, want) {
				t.Errorf("push onto a file: want exit 3 and %q; got %v", want, r)
			}
			if b, err := os.ReadFile(filepath.Join(tree, "top.txt")); err != nil || string(b) != "top\n" {
				t.Errorf("the remote file changed: %q, %v", b, err)
			}
		})
	}
}

// TestPushAndSyncCreateAMissingRemoteDirectory checks that push and sync
// create their remote root with its parents (a push to a new directory used
// to fail on every file with 550), and that a dry run only says it would.
func TestPushAndSyncCreateAMissingRemoteDirectory(t *testing.T) {
	for _, rs := range rootServers {
		t.Run(rs.name, func(t *testing.T) {
			srv, tree := rs.serve(t, nil)
			for _, direction := range []string{"push", "sync"} {
				local := t.TempDir()
				ftptest.WriteTree(t, local, sampleTree)
				target := urlOf(srv, direction+"/new/deep")
				remote := filepath.Join(tree, direction, "new", "deep")

				r := runCLI(t, direction, "-n", local, target)
				note := "the remote directory " + path.Join(srv.LoginDir, direction, "new/deep") + " does not exist; " + direction + " creates it"
				if r.code != exitOK || !strings.Contains(r.stderr, note) || !strings.Contains(r.stdout, "docs/guide.txt") {
					t.Errorf("%s -n to a missing directory: want exit 0, %q and the plan; got %v", direction, note, r)
				}
				if _, err := os.Stat(filepath.Join(tree, direction)); !os.IsNotExist(err) {
					t.Errorf("%s -n created something on the server: %v", direction, err)
				}

				r = runCLI(t, direction, local, target)
				if r.code != exitOK || !strings.Contains(r.stderr, "created the remote directory") {
					t.Fatalf("%s to a missing directory: %v", direction, r)
				}
				ftptest.TreeEqual(t, local, remote)

				r = runCLI(t, direction, local, target)
				if r.code != exitOK || strings.Contains(r.stderr, "created the remote directory") {
					t.Errorf("second %s: %v", direction, r)
				}
				if direction != "sync" {
					continue
				}
				// Once synced, a remote root that goes away is not "every
				// file deleted on the server": sync refuses, locally nothing changes.
				if err := os.RemoveAll(remote); err != nil {
					t.Fatal(err)
				}
				r = runCLI(t, direction, local, target)
				if r.code != exitConnect || !strings.Contains(r.stderr, "does not exist") || !strings.Contains(r.stderr, "state forget") {
					t.Errorf("sync after the remote directory went away: want exit 3 and a hint to forget the state; got %v", r)
				}
				if _, err := os.Stat(remote); !os.IsNotExist(err) {
					t.Errorf("sync recreated the remote directory it had synced: %v", err)
				}
				for name, content := range sampleTree {
					if b, err := os.ReadFile(filepath.Join(local, name)); err != nil || string(b) != content {
						t.Errorf("sync changed the local %s: %q, %v", name, b, err)
					}
				}
			}
		})
	}
}

// TestJobURLsFollowTheSamePathRules checks that the URL of a job in the
// config file is read as on the command line, on vsftpd as Debian ships it
// (login directory != "/"): relative and %2F forms mirror the same
// directory, into two states; a missing directory fails the job with exit 3.
func TestJobURLsFollowTheSamePathRules(t *testing.T) {
	srv, tree := rootServers[2].serve(t, siteTree)
	t.Setenv("SITE_PW", srv.Password)
	t.Setenv("FTPMIRROR_PASSWORD", "")
	rel, abs := t.TempDir(), t.TempDir()
	writeConfig(t, `
[jobs.rel]
direction = "pull"
source = "`+urlOf(srv, "site")+`"
target = "`+rel+`"
password_env = "SITE_PW"

[jobs.abs]
direction = "pull"
source = "`+urlOf(srv, "%2F"+absPath(srv, "site"))+`"
target = "`+abs+`"
password_env = "SITE_PW"

[jobs.missing]
direction = "pull"
source = "`+urlOf(srv, "nowhere")+`"
target = "`+t.TempDir()+`"
password_env = "SITE_PW"
`)
	if r := runCLI(t, "run", "rel", "abs"); r.code != exitOK {
		t.Fatalf("run rel abs: %v", r)
	}
	ftptest.TreeEqual(t, rel, filepath.Join(tree, "site"))
	ftptest.TreeEqual(t, abs, filepath.Join(tree, "site"))
	r := runCLI(t, "run", "missing")
	if r.code != exitConnect || !strings.Contains(r.stderr, "remote directory "+path.Join(srv.LoginDir, "nowhere")+" does not exist") {
		t.Errorf("run missing: %v", r)
	}
	states, _ := filepath.Glob(filepath.Join(os.Getenv("XDG_STATE_HOME"), "ftpmirror", "*.db"))
	if len(states) != 2 {
		t.Errorf("want the states of rel and abs only, got %v", states)
	}
}

// TestPushBackupDirInsideARelativeRootIsRefused checks that --backup-dir is
// still refused inside the mirrored directory when the URL gives it
// relative to the login directory, which only the run can resolve.
func TestPushBackupDirInsideARelativeRootIsRefused(t *testing.T) {
	srv, tree := rootServers[0].serve(t, map[string]string{"site/a.txt": "a\n"})
	local := t.TempDir()
	ftptest.WriteTree(t, local, map[string]string{"a.txt": "b\n"})
	r := runCLI(t, "push", "--backup-dir", "/site/old", local, urlOf(srv, "site"))
	if r.code == exitOK || !strings.Contains(r.stderr, "the backup directory /site/old is inside the mirrored directory /site") {
		t.Errorf("push: %v", r)
	}
	if b, err := os.ReadFile(filepath.Join(tree, "site/a.txt")); err != nil || string(b) != "a\n" {
		t.Errorf("the remote file changed: %q, %v", b, err)
	}
}
