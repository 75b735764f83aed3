package mirror

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

var movingTree = map[string]string{"old/a.bin": strings.Repeat("a", 300<<10), "stay.txt": "s\n"}

// move renames a file of a tree, keeping its time, as a person reorganising
// a tree does.
func move(t *testing.T, root, from, to string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(filepath.Join(root, to)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(root, from), filepath.Join(root, to)); err != nil {
		t.Fatal(err)
	}
}

func TestPullTrackRenamesRenamesAMovedFileAndItsRecord(t *testing.T) {
	f := newPullFixture(t, movingTree, ftptest.Options{})
	f.mustPull(nil)
	move(t, f.remote, "old/a.bin", "new/b.bin")
	r := f.mustPull(func(o *PullOptions) { o.Delete, o.TrackRenames = true, true })
	if r.Done.Downloads != 0 || r.Bytes != 0 || r.Done.Renames != 1 {
		t.Errorf("downloads %d, bytes %d, renames %d; want 0, 0, 1", r.Done.Downloads, r.Bytes, r.Done.Renames)
	}
	ftptest.TreeEqual(t, f.remote, f.local)
	if r = f.mustPull(func(o *PullOptions) { o.Delete, o.TrackRenames = true, true }); len(r.Plan.Actions) != 0 {
		t.Errorf("the run after the move should have nothing to do: %v", r.Plan.Actions)
	}
}

func TestPushTrackRenamesRenamesOnTheServer(t *testing.T) {
	servers := map[string]serveRemote{
		"in-process": inProcess(ftptest.Options{}),
		"vsftpd": func(t *testing.T, remote string) Server {
			return serverFor(ftptest.StartVsftpd(t, remote, ftptest.VsftpdOptions{Writable: true}))
		},
	}
	for name, start := range servers {
		t.Run(name, func(t *testing.T) {
			f := newPushFixture(t, movingTree, start)
			f.mustPush(nil)
			move(t, f.local, "old/a.bin", "new/b.bin")
			r := f.mustPush(func(o *PushOptions) { o.Delete, o.TrackRenames = true, true })
			if r.Done.Uploads != 0 || r.Bytes != 0 || r.Done.Renames != 1 {
				t.Errorf("uploads %d, bytes %d, renames %d; want 0, 0, 1", r.Done.Uploads, r.Bytes, r.Done.Renames)
			}
			ftptest.TreeEqual(t, f.local, f.remote)
			if r = f.mustPush(func(o *PushOptions) { o.Delete, o.TrackRenames = true, true }); len(r.Plan.Actions) != 0 {
				t.Errorf("the run after the move should have nothing to do: %v", r.Plan.Actions)
			}
		})
	}
}
