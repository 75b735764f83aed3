package mirror

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

// linkServers are the real servers of the symlink tests: MLSD servers
// that list a symlink as "type=OS.unix=slink:" (pure-ftpd) or
// "type=OS.unix=symlink" (proftpd) with the link's own size, or as what it
// points to (pyftpdlib), and vsftpd, whose LIST shows "name -> target".
var linkServers = []struct {
	name  string
	start func(t *testing.T, root string) (Server, string) // and the remote dir
}{
	{"pure-ftpd", func(t *testing.T, root string) (Server, string) {
		return serverFor(ftptest.StartPureFtpd(t, root, ftptest.PureFtpdOptions{})), "/"
	}},
	{"proftpd", func(t *testing.T, root string) (Server, string) {
		s := ftptest.StartProftpd(t, root, ftptest.ProftpdOptions{})
		return serverFor(s), s.LoginDir
	}},
	// pyftpdlib's MLSD follows links: a link shows as what it points to.
	{"pyftpdlib", func(t *testing.T, root string) (Server, string) {
		return serverFor(ftptest.StartPyftpdlib(t, root, ftptest.PyftpdlibOptions{})), "/"
	}},
	{"vsftpd", func(t *testing.T, root string) (Server, string) {
		return serverFor(ftptest.StartVsftpd(t, root, ftptest.VsftpdOptions{})), "/"
	}},
}

// linkTree writes a tree with symlinks: to a file with a space in its
// name, to a directory, out of the tree, and to nothing.
func linkTree(t *testing.T, root string) {
	t.Helper()
	ftptest.WriteTree(t, root, map[string]string{
		"space name.txt":  strings.Repeat("x", 1950),
		"sub/inner.txt":   "inner",
		"space dir/a.txt": "a",
	})
	for link, target := range map[string]string{
		"link":                "space name.txt",
		"space dir/link here": "../space name.txt",
		"dirlink":             "sub",
		"outside":             "/etc/passwd",
		"dangling":            "nothere",
	} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
}

// Regression: on MLSD servers a symlink was downloaded as a file, and the
// server sent the target's 1950 bytes where the listing said 14, failing
// on every run. Now the links inside the tree are made again locally, as
// for LIST servers; the one leaving the tree is a warning, once.
func TestPullRecreatesSymlinksOnMLSDServers(t *testing.T) {
	for _, ls := range linkServers {
		t.Run(ls.name, func(t *testing.T) {
			remote := t.TempDir()
			linkTree(t, remote)
			srv, dir := ls.start(t, remote)
			f := &pullFixture{t: t, remote: remote, local: filepath.Join(t.TempDir(), "mirror"),
				state: filepath.Join(t.TempDir(), "state.db"), srv: srv}
			r := f.mustPull(func(o *PullOptions) { o.RemoteDir = dir })
			for link, target := range map[string]string{
				"link": "space name.txt", "space dir/link here": "../space name.txt", "dirlink": "sub", "dangling": "nothere",
			} {
				if got, err := os.Readlink(filepath.Join(f.local, link)); err != nil || got != target {
					t.Errorf("%s -> %q, %v; want -> %q", link, got, err, target)
				}
			}
			if len(r.Skipped) != 1 || r.Skipped[0].Path != "outside" || !errors.Is(r.Skipped[0].Err, ErrLinkOutside) {
				t.Errorf("skipped = %v, want the link out of the tree", r.Skipped)
			}
			if b, err := os.ReadFile(filepath.Join(f.local, "space name.txt")); err != nil || len(b) != 1950 {
				t.Errorf("space name.txt: %d bytes, %v", len(b), err)
			}
			r = f.mustPull(func(o *PullOptions) { o.RemoteDir = dir })
			if len(r.Plan.Actions) != 0 || len(r.Skipped) != 0 || len(r.SkippedBefore) != 1 {
				t.Errorf("second pull: actions %v, skipped %v, before %v; want nothing new", r.Plan.Actions, r.Skipped, r.SkippedBefore)
			}
		})
	}
}

// With CopyLinks (--copy-links) what a link points to is mirrored in its
// place: a file's bytes, a directory's contents. A link to a directory
// holding it, and one to nothing, are warnings, not failures.
func TestPullCopyLinksMirrorsWhatLinksPointTo(t *testing.T) {
	for _, ls := range linkServers {
		t.Run(ls.name, func(t *testing.T) {
			remote := t.TempDir()
			ftptest.WriteTree(t, remote, map[string]string{"space name.txt": strings.Repeat("x", 1950), "sub/inner.txt": "inner"})
			for link, target := range map[string]string{"link": "space name.txt", "dirlink": "sub", "sub/up": "..", "dangling": "nothere"} {
				if err := os.Symlink(target, filepath.Join(remote, link)); err != nil {
					t.Fatal(err)
				}
			}
			srv, dir := ls.start(t, remote)
			f := &pullFixture{t: t, remote: remote, local: filepath.Join(t.TempDir(), "mirror"),
				state: filepath.Join(t.TempDir(), "state.db"), srv: srv}
			opts := func(o *PullOptions) { o.RemoteDir, o.CopyLinks = dir, true }
			r := f.mustPull(opts)
			for p, want := range map[string]int{"link": 1950, "dirlink/inner.txt": 5, "sub/inner.txt": 5} {
				fi, err := os.Lstat(filepath.Join(f.local, p))
				if err != nil || !fi.Mode().IsRegular() || fi.Size() != int64(want) {
					t.Errorf("%s: %v, %v; want a file of %d bytes", p, fi, err, want)
				}
			}
			skipped := map[string]error{}
			for _, s := range r.Skipped {
				skipped[s.Path] = s.Err
			}
			loops := 0
			for _, p := range []string{"sub/up", "dirlink/up"} {
				if errors.Is(skipped[p], ErrLinkLoop) {
					loops++
				}
			}
			for p, err := range skipped {
				// A loop whose target the server hides (proftpd) ends
				// at the bound of links followed on one path.
				if errors.Is(err, ErrLinkLoop) && strings.Count(p, "/") >= maxLinkHops {
					loops++
				}
			}
			if loops == 0 || len(r.Failed) != 0 {
				t.Errorf("skipped %v, failed %v: want the loop through sub/up skipped, nothing failed", r.Skipped, r.Failed)
			}
			if err, ok := skipped["dangling"]; ok && !errors.Is(err, ErrLinkDangling) || !ok && ls.name != "proftpd" {
				t.Errorf("dangling: skipped for %v, want a dangling link", err)
			}
			if r = f.mustPull(opts); len(r.Plan.Actions) != 0 || len(r.Skipped) != 0 {
				t.Errorf("second pull: actions %v, skipped %v; want nothing", r.Plan.Actions, r.Skipped)
			}
		})
	}
}
