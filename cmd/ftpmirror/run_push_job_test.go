package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

// A push job runs the push command; checking it pushes nothing.
func TestPushJobIsCheckedWithoutUploadingThenRuns(t *testing.T) {
	isolate(t)
	if directionFlags(os.Getenv)("push") == nil {
		t.Skip("this build has no push command")
	}
	local, served := t.TempDir(), t.TempDir()
	ftptest.WriteTree(t, local, sampleTree)
	srv := ftptest.Start(t, served, ftptest.Options{})
	t.Setenv("SITE_PW", srv.Password)
	writeConfig(t, fmt.Sprintf(`[jobs.publish]
direction = "push"
source = %q
target = "ftp://%s@%s/"
password_env = "SITE_PW"
exclude = ["src/"]
`, local, srv.User, srv.Addr))

	if r := runCLI(t, "config", "check"); r.code != exitOK {
		t.Fatalf("config check: %v", r)
	}
	if entries, err := os.ReadDir(served); err != nil || len(entries) != 0 {
		t.Fatalf("checking a push job uploaded something: %v %v", entries, err)
	}
	r := runCLI(t, "run", "publish")
	if r.code != exitOK {
		t.Fatalf("run publish: %v", r)
	}
	if _, err := os.Stat(filepath.Join(served, "src")); !os.IsNotExist(err) {
		t.Errorf("the job's exclude was not applied: %v", err)
	}
	got, err := os.ReadFile(filepath.Join(served, "docs/guide.txt"))
	if err != nil || string(got) != sampleTree["docs/guide.txt"] {
		t.Errorf("docs/guide.txt was not pushed: %v", err)
	}
	if strings.Contains(r.stdout+r.stderr, srv.Password) {
		t.Errorf("output holds the password")
	}
}
