package mirror

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

func equalTrees(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d files %v, want %v", what, len(got), got, want)
		return
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %s = %q, want %q", what, k, got[k], v)
		}
	}
}

func TestPullBackupDirKeepsWhatItDeletesOrOverwritesWithASuffixWhenTaken(t *testing.T) {
	f := newPullFixture(t, map[string]string{"a.txt": "a v1\n", "b.txt": "b\n", "d/x.txt": "x\n", "same.txt": "same\n"}, ftptest.Options{})
	f.mustPull(nil)
	backup := filepath.Join(filepath.Dir(f.local), "backup")
	ftptest.WriteTree(t, backup, map[string]string{"a.txt": "an older backup\n"})

	ftptest.WriteTree(t, f.remote, map[string]string{"a.txt": "a v2, longer\n"})
	for _, rel := range []string{"b.txt", "d/x.txt", "d"} {
		if err := os.Remove(filepath.Join(f.remote, rel)); err != nil {
			t.Fatal(err)
		}
	}
	r := f.mustPull(func(o *PullOptions) { o.Delete = true; o.BackupDir = backup })
	if r.BackedUp != 3 {
		t.Errorf("BackedUp = %d, want 3", r.BackedUp)
	}
	ftptest.TreeEqual(t, f.remote, f.local)
	equalTrees(t, "backup", ftptest.ReadTree(t, backup), map[string]string{
		"a.txt": "an older backup\n", "a.txt.~1~": "a v1\n", "b.txt": "b\n", "d/x.txt": "x\n",
	})
}

func TestPullBackupDirOnAnotherFilesystemIsRefusedBeforeAnythingMoves(t *testing.T) {
	if _, err := os.Stat("/dev/shm"); err != nil {
		t.Skip("no /dev/shm: no second filesystem to try")
	}
	other, err := os.MkdirTemp("/dev/shm", "ftpmirror-backup-")
	if err != nil {
		t.Skip(err)
	}
	t.Cleanup(func() { os.RemoveAll(other) })
	f := newPullFixture(t, map[string]string{"a.txt": "a\n"}, ftptest.Options{})
	f.mustPull(nil)
	if err := sameFilesystem(f.local, other); err == nil {
		t.Skip("/dev/shm is on the test's filesystem")
	}
	if err := os.Remove(filepath.Join(f.remote, "a.txt")); err != nil {
		t.Fatal(err)
	}
	_, err = f.pull(func(o *PullOptions) { o.Delete = true; o.Force = true; o.BackupDir = other })
	if err == nil || !errors.Is(err, ErrBackupOtherFilesystem) {
		t.Fatalf("pull with a backup dir elsewhere: %v", err)
	}
	if _, err := os.Stat(filepath.Join(f.local, "a.txt")); err != nil {
		t.Errorf("a.txt should still be there: %v", err)
	}
}

func TestPushBackupDirMovesRemoteFilesWithRNFR(t *testing.T) {
	servers := map[string]serveRemote{
		"in-process": inProcess(ftptest.Options{}),
		"vsftpd": func(t *testing.T, remote string) Server {
			return serverFor(ftptest.StartVsftpd(t, remote, ftptest.VsftpdOptions{Writable: true}))
		},
	}
	for name, start := range servers {
		t.Run(name, func(t *testing.T) {
			top := t.TempDir() // served: the mirror is top/site, the backups top/old
			remote := filepath.Join(top, "site")
			ftptest.WriteTree(t, remote, map[string]string{"keep.txt": "keep\n", "edit.txt": "server's\n", "gone/g.txt": "g\n"})
			ftptest.WriteTree(t, filepath.Join(top, "old"), map[string]string{"edit.txt": "an older backup\n"})
			local := t.TempDir()
			ftptest.WriteTree(t, local, map[string]string{"keep.txt": "keep\n", "edit.txt": "mine\n", "new.txt": "new\n"})
			same := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC) // keep.txt is alike on both sides: adopted
			for _, p := range []string{filepath.Join(remote, "keep.txt"), filepath.Join(local, "keep.txt")} {
				if err := os.Chtimes(p, same, same); err != nil {
					t.Fatal(err)
				}
			}
			f := &pullFixture{t: t, remote: remote, local: local, state: filepath.Join(t.TempDir(), "s.db"), srv: start(t, top)}
			r := f.mustPush(func(o *PushOptions) {
				o.RemoteDir, o.Delete, o.BackupDir = "/site", true, "/old"
			})
			if r.BackedUp != 2 { // edit.txt overwritten, gone/g.txt deleted
				t.Errorf("BackedUp = %d, want 2", r.BackedUp)
			}
			equalTrees(t, "remote", ftptest.ReadTree(t, remote), map[string]string{"keep.txt": "keep\n", "edit.txt": "mine\n", "new.txt": "new\n"})
			equalTrees(t, "backup", ftptest.ReadTree(t, filepath.Join(top, "old")), map[string]string{"edit.txt": "an older backup\n", "edit.txt.~1~": "server's\n", "gone/g.txt": "g\n"})
		})
	}
}
