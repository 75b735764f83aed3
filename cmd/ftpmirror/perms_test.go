package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

// A file listed -rw----r-- is pulled so, less the umask; --no-perms gives
// it the default mode.
func TestPullKeepsModesUnlessNoPerms(t *testing.T) {
	f := newFixture(t, sampleTree, ftptest.Options{})
	if err := os.Chmod(filepath.Join(f.remote, "README"), 0o604); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		flags []string
		want  os.FileMode
	}{{nil, 0o604}, {[]string{"--no-perms"}, 0o644}} {
		local := filepath.Join(t.TempDir(), "m")
		args := append([]string{"pull", "--state", filepath.Join(t.TempDir(), "s.db")}, tt.flags...)
		if r := runCLI(t, append(args, f.url, local)...); r.code != exitOK {
			t.Fatalf("pull %v: %v", tt.flags, r)
		}
		fi, err := os.Stat(filepath.Join(local, "README"))
		if err != nil {
			t.Fatal(err)
		}
		if want := tt.want &^ processUmask(t); fi.Mode().Perm() != want {
			t.Errorf("pull %v: README mode %04o, want %04o", tt.flags, fi.Mode().Perm(), want)
		}
	}
}

// processUmask is the umask, read back from a file made 0777.
func processUmask(t *testing.T) os.FileMode {
	t.Helper()
	p := filepath.Join(t.TempDir(), "u")
	if err := os.WriteFile(p, nil, 0o777); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return 0o777 &^ fi.Mode().Perm()
}
