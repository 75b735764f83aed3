package mirror

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
	"github.com/ftpmirror/ftpmirror/plan"
)

// sizeAgeTree is served for the size and age tests: two files that take
// part, one too large and one too old.
func sizeAgeTree(t *testing.T, root string) {
	t.Helper()
	ftptest.WriteTree(t, root, map[string]string{
		"small.txt":   "small\n",
		"dir/new.txt": "new\n",
		"big.bin":     strings.Repeat("b", 200<<10),
		"old.txt":     "old remote\n",
	})
	old := time.Now().AddDate(0, 0, -60)
	if err := os.Chtimes(filepath.Join(root, "old.txt"), old, old); err != nil {
		t.Fatal(err)
	}
}

func TestPullLeavesFilesOutOfSizeAndAgeAloneNeverDeleted(t *testing.T) {
	servers := map[string]func(t *testing.T, root string) Server{
		"in-process": func(t *testing.T, root string) Server { return serverFor(ftptest.Start(t, root, ftptest.Options{})) },
		"vsftpd": func(t *testing.T, root string) Server {
			return serverFor(ftptest.StartVsftpd(t, root, ftptest.VsftpdOptions{}))
		},
	}
	for name, start := range servers {
		t.Run(name, func(t *testing.T) {
			remote := t.TempDir()
			sizeAgeTree(t, remote)
			f := &pullFixture{t: t, remote: remote, local: t.TempDir(), state: filepath.Join(t.TempDir(), "state.db"), srv: start(t, remote)}
			// The local copies of the held files are the user's own, and a
			// stray file shows that --delete still works.
			ftptest.WriteTree(t, f.local, map[string]string{"big.bin": "local big\n", "old.txt": "local old\n", "stray.txt": "x"})
			rules := plan.EntryRules{MaxSize: 100 << 10, NewerThan: time.Now().AddDate(0, 0, -30)}
			filter := (*plan.Filter)(nil).WithEntryRules(rules)
			r := f.mustPull(func(o *PullOptions) { o.Filter = filter; o.Delete = true })
			if r.Done.Downloads != 2 || r.Done.Deletes != 1 {
				t.Errorf("downloads %d, deletes %d; want 2 and 1: %+v", r.Done.Downloads, r.Done.Deletes, r.Plan.Actions)
			}
			for rel, want := range map[string]string{"small.txt": "small\n", "dir/new.txt": "new\n", "big.bin": "local big\n", "old.txt": "local old\n"} {
				if got, err := os.ReadFile(filepath.Join(f.local, rel)); err != nil || string(got) != want {
					t.Errorf("%s = %q, %v; want %q", rel, got, err, want)
				}
			}
			if _, err := os.Stat(filepath.Join(f.local, "stray.txt")); !os.IsNotExist(err) {
				t.Errorf("stray.txt should be deleted: %v", err)
			}
			// Without the rules, the next run takes them all.
			r = f.mustPull(func(o *PullOptions) { o.Delete = true })
			if r.Done.Downloads != 2 {
				t.Errorf("without the rules: downloads %d, want 2", r.Done.Downloads)
			}
			ftptest.TreeEqual(t, f.remote, f.local)
		})
	}
}
