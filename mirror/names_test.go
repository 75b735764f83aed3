package mirror

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
	"github.com/ftpmirror/ftpmirror/internal/hostileftp"
	"github.com/ftpmirror/ftpmirror/plan"
)

// awkwardNames are names every local file system holds and FTP carries:
// a tab, other control bytes, a backslash, bytes that are not UTF-8.
var awkwardNames = map[string]string{
	"tab\tname.txt":        "tab",
	"dir/esc\x1b[1mbold":   "esc",
	`back\slash`:           "bs",
	"latin1 caf\xe9.txt":   "latin1",
	"gbk \xc4\xe3\xba\xc3": "gbk",
}

// Regression: a name with a tab was refused as a "control character" on
// every server, and with it the whole directory.
func TestPullMirrorsTabAndNonUTF8NamesAsTheirBytes(t *testing.T) {
	for _, srv := range []struct {
		name  string
		start func(t *testing.T) *pullFixture
	}{
		{"inprocess", func(t *testing.T) *pullFixture { return newPullFixture(t, awkwardNames, ftptest.Options{}) }},
		{"vsftpd", func(t *testing.T) *pullFixture {
			f, _ := vsftpdFixture(t, awkwardNames, ftptest.VsftpdOptions{})
			return f
		}},
	} {
		t.Run(srv.name, func(t *testing.T) {
			f := srv.start(t)
			r := f.mustPull(func(o *PullOptions) { o.Delete = true })
			ftptest.TreeEqual(t, f.remote, f.local)
			if len(r.Skipped) != 0 {
				t.Errorf("skipped %v, want nothing", r.Skipped)
			}
			if r = f.mustPull(nil); len(r.Plan.Actions) != 0 {
				t.Errorf("second pull plans %v", r.Plan.Actions)
			}
		})
	}
}

// Regression: one name FTP cannot carry (a line break) or the local file
// system cannot hold (longer than 255 bytes) failed its directory, so
// nothing under it was deleted and every run exited 1. Now it is skipped,
// told once and remembered; the rest of the directory mirrors, deletions
// included, and the local file of that name is never deleted.
func TestPullSkipsUnmirrorableNamesOnceAndDeletesTheRest(t *testing.T) {
	long := strings.Repeat("L", 256)
	for _, lf := range listFormats {
		t.Run(lf.name, func(t *testing.T) {
			h := newHostile(t, hostileftp.Options{
				MLST: lf.mlst,
				Listings: map[string][]string{
					"/":  {lf.dir("d"), lf.file("2", "ok.txt")},
					"/d": {lf.file("4", "cr\rname"), lf.file("1", long), lf.file("3", "tab\tname")},
				},
				Files: files(map[string]string{"/ok.txt": "ok", "/d/tab\tname": "tab", "/d/cr\rname": "EVIL", "/d/" + long: "E"}),
			})
			if err := os.MkdirAll(filepath.Join(h.local, "d"), 0o755); err != nil {
				t.Fatal(err)
			}
			for name, data := range map[string]string{"d/cr\rname": "mine", "d/gone.txt": "old"} {
				if err := os.WriteFile(filepath.Join(h.local, name), []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for run := 1; run <= 2; run++ {
				r, err := h.pull(context.Background(), func(o *PullOptions) { o.Delete, o.Force = true, true })
				if err != nil {
					t.Fatal(err)
				}
				if len(r.Failed) != 0 {
					t.Fatalf("run %d failed: %v", run, r.Failed)
				}
				told, before := r.Skipped, r.SkippedBefore
				if run == 2 {
					told, before = before, told
				}
				if len(before) != 0 || len(told) != 2 || told[0].Path != "d/"+long || told[1].Path != "d/cr\rname" {
					t.Errorf("run %d: skipped %v, before %v; want both names told on run 1 only", run, r.Skipped, r.SkippedBefore)
				}
				for _, s := range told {
					if s.Op != OpRemoteName || !errors.Is(s.Err, plan.ErrUnmirrorable) {
						t.Errorf("run %d: %v is not an unmirrorable remote name", run, s)
					}
				}
				h.checkOutside()
				h.wantTree(map[string]string{"ok.txt": "ok", "d/": "", "d/tab\tname": "tab", "d/cr\rname": "mine"})
			}
			for _, p := range h.srv.Stats().Args("RETR") {
				if strings.ContainsAny(p, "\r\n") || len(p) > 255 {
					t.Errorf("fetched %q", p)
				}
			}
		})
	}
}

// A local name with a line break cannot be sent in an FTP command: a push
// skips it with a warning (the line break would otherwise end the command
// early and send the rest as another one), and uploads the rest, awkward
// names included.
func TestPushSkipsALocalNameWithALineBreak(t *testing.T) {
	tree := map[string]string{"lf\nname": "x", "dir/DELE evil": "y"}
	for name, data := range awkwardNames {
		tree[name] = data
	}
	f := newPushFixture(t, tree, inProcess(ftptest.Options{}))
	r := f.mustPush(func(o *PushOptions) { o.Delete = true })
	if len(r.Skipped) != 1 || r.Skipped[0].Path != "lf\nname" || r.Skipped[0].Op != OpLocalName {
		t.Fatalf("skipped = %v, want the local name with a line break", r.Skipped)
	}
	if _, err := os.Lstat(filepath.Join(f.remote, "lf\nname")); !os.IsNotExist(err) {
		t.Errorf("the name was uploaded: %v", err)
	}
	if err := os.Remove(filepath.Join(f.local, "lf\nname")); err != nil {
		t.Fatal(err)
	}
	ftptest.TreeEqual(t, f.local, f.remote)
}
