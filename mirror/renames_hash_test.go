package mirror

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
	"github.com/ftpmirror/ftpmirror/plan"
)

// replaceKeepingSizeAndTime deletes from and writes other content of the
// same size at to, with from's time: a move by size and time, not by content.
func replaceKeepingSizeAndTime(t *testing.T, root, from, to string) {
	t.Helper()
	old := filepath.Join(root, from)
	fi, err := os.Stat(old)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(old)
	if err != nil {
		t.Fatal(err)
	}
	for i := range b {
		b[i] ^= 0x20
	}
	ftptest.WriteTree(t, root, map[string]string{to: string(b)})
	if err := os.Chtimes(filepath.Join(root, to), fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(old); err != nil {
		t.Fatal(err)
	}
}

// moves returns the moves of a plan, as "old -> new".
func moves(p plan.Plan) []string {
	var out []string
	for _, a := range p.Actions {
		if a.Reason == plan.ReasonMoved {
			out = append(out, a.Path+" -> "+a.To)
		}
	}
	return out
}

func TestTrackRenamesRenamesOnlyFilesWhoseHashMatches(t *testing.T) {
	tree := map[string]string{"old/a.bin": strings.Repeat("a", 300<<10), "old/c.txt": strings.Repeat("c", 1000), "stay.txt": "s\n"}
	// A true move of a.bin, and c.txt replaced by other bytes of its size and time.
	change := func(t *testing.T, source string) {
		move(t, source, "old/a.bin", "new/b.bin")
		replaceKeepingSizeAndTime(t, source, "old/c.txt", "new/d.txt")
	}
	check := func(t *testing.T, dry, r *Report, copies int) {
		t.Helper()
		if got := moves(dry.Plan); len(got) != 1 || got[0] != "old/a.bin -> new/b.bin" {
			t.Errorf("the dry run shows moves %q, want only old/a.bin -> new/b.bin", got)
		}
		if r.Done.Renames != 1 || copies != 1 || r.Done.Deletes == 0 {
			t.Errorf("renames %d, copies %d, deletes %d; want 1, 1 (new/d.txt), and old/c.txt deleted", r.Done.Renames, copies, r.Done.Deletes)
		}
		if r.Bytes != 1000 {
			t.Errorf("sent %d bytes, want 1000 (new/d.txt only)", r.Bytes)
		}
	}
	t.Run("pull", func(t *testing.T) {
		remote := t.TempDir()
		ftptest.WriteTree(t, remote, tree)
		s := ftptest.StartProftpd(t, remote, ftptest.ProftpdOptions{Chroot: true})
		f := &pullFixture{t: t, remote: remote, local: filepath.Join(t.TempDir(), "m"), state: filepath.Join(t.TempDir(), "s.db"), srv: serverFor(s)}
		f.mustPull(nil)
		change(t, remote)
		dry := f.mustPull(func(o *PullOptions) { o.Delete, o.TrackRenames, o.DryRun = true, true, true })
		r := f.mustPull(func(o *PullOptions) { o.Delete, o.TrackRenames = true, true })
		check(t, dry, r, r.Done.Downloads)
		ftptest.TreeEqual(t, remote, f.local)
	})
	t.Run("push", func(t *testing.T) {
		local := t.TempDir()
		ftptest.WriteTree(t, local, tree)
		remote := t.TempDir()
		s := ftptest.StartProftpd(t, remote, ftptest.ProftpdOptions{Chroot: true})
		f := &pullFixture{t: t, remote: remote, local: local, state: filepath.Join(t.TempDir(), "s.db"), srv: serverFor(s)}
		f.mustPush(nil)
		change(t, local)
		dry := f.mustPush(func(o *PushOptions) { o.Delete, o.TrackRenames, o.DryRun = true, true, true })
		r := f.mustPush(func(o *PushOptions) { o.Delete, o.TrackRenames = true, true })
		check(t, dry, r, r.Done.Uploads)
		ftptest.TreeEqual(t, local, remote)
	})
}
