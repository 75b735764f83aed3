package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

func TestPullBackupDirCountedInTheSummaryAndAJobKey(t *testing.T) {
	f := newFixture(t, map[string]string{"a.txt": "a\n", "b.txt": "b\n"}, ftptest.Options{})
	if r := f.pull(t); r.code != exitOK {
		t.Fatalf("pull: %v", r)
	}
	if err := os.Remove(filepath.Join(f.remote, "b.txt")); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "old")
	f.siteJob(t, `delete = true`, `backup_dir = "`+backup+`"`, `state = "`+f.state+`"`)
	r := runCLI(t, "run", "site")
	if r.code != exitOK || !strings.Contains(r.stderr, "deleted 1, backed up 1") {
		t.Fatalf("run: %v", r)
	}
	if b, err := os.ReadFile(filepath.Join(backup, "b.txt")); err != nil || string(b) != "b\n" {
		t.Errorf("backup of b.txt: %q, %v", b, err)
	}
}

func TestBackupDirRefusedWhereItCannotWork(t *testing.T) {
	isolate(t)
	local := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"pull", "--backup-dir", filepath.Join(local, "old"), "ftp://127.0.0.1:1/site", local}, "inside the mirror"},
		{[]string{"push", "--backup-dir", "old", local, "ftp://127.0.0.1:1/site"}, "must be absolute"},
		{[]string{"push", "--backup-dir", "/site/old", local, "ftp://127.0.0.1:1/%2Fsite"}, "inside the mirrored directory"},
		{[]string{"sync", "--backup-dir", "/old", local, "ftp://127.0.0.1:1/site"}, "for pull and push, not sync"},
	} {
		r := runCLI(t, c.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: %v", c.args, r)
		}
	}
}
