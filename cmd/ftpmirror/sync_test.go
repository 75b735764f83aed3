package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

func TestSyncEndToEndShowsSidesAndConflictsThenSyncs(t *testing.T) {
	f := newFixture(t, map[string]string{"shared.txt": "base", "from-remote.txt": "r"}, ftptest.Options{})
	if err := os.MkdirAll(f.local, 0o755); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, "sync", "--state", f.state, f.local, f.url); r.code != exitOK {
		t.Fatalf("first sync: %v", r)
	}
	ftptest.TreeEqual(t, f.remote, f.local)

	t1 := time.Date(2025, 5, 5, 5, 5, 5, 0, time.UTC)
	ftptest.WriteTree(t, f.local, map[string]string{"shared.txt": "local edit", "from-local.txt": "l"})
	ftptest.SetMtime(t, filepath.Join(f.local, "shared.txt"), t1)
	ftptest.WriteTree(t, f.remote, map[string]string{"shared.txt": "remote edit"})
	ftptest.SetMtime(t, filepath.Join(f.remote, "shared.txt"), t1.Add(time.Minute))

	dry := runCLI(t, "sync", "-n", "--state", f.state, f.local, f.url)
	if dry.code != exitOK {
		t.Fatalf("dry run: %v", dry)
	}
	for _, want := range []string{"+ remote: from-local.txt", "R local: shared.txt -> shared.conflict-local-", "(conflict)", "1 conflict resolved"} {
		if !strings.Contains(dry.stdout, want) {
			t.Errorf("dry run lacks %q:\n%s", want, dry.stdout)
		}
	}
	js := runCLI(t, "sync", "-n", "--json", "--state", f.state, f.local, f.url)
	var doc struct {
		Actions []struct{ Op, Path, To, Reason string }
	}
	if err := json.Unmarshal([]byte(js.stdout), &doc); err != nil || len(doc.Actions) == 0 {
		t.Fatalf("JSON dry run: %v\n%s", err, js.stdout)
	}
	if _, err := os.Stat(filepath.Join(f.remote, "from-local.txt")); !os.IsNotExist(err) {
		t.Fatal("the dry run uploaded")
	}

	r := runCLI(t, "sync", "--state", f.state, f.local, f.url)
	if r.code != exitOK || !strings.Contains(r.stderr, "synced") {
		t.Fatalf("sync: %v", r)
	}
	ftptest.TreeEqual(t, f.remote, f.local)
	copies, _ := filepath.Glob(filepath.Join(f.local, "shared.conflict-local-*.txt"))
	if len(copies) != 1 {
		t.Fatalf("conflict copies = %v", copies)
	}

	if r := runCLI(t, "sync", "--conflict", "whichever", f.local, f.url); r.code != exitUsage {
		t.Fatalf("a bad --conflict must be a usage error: %v", r)
	}
}

// A sync job takes the local directory as its source, as on the command line.
func TestSyncJobRuns(t *testing.T) {
	isolate(t)
	local, served := t.TempDir(), t.TempDir()
	ftptest.WriteTree(t, local, map[string]string{"mine.txt": "local"})
	ftptest.WriteTree(t, served, map[string]string{"theirs.txt": "remote"})
	srv := ftptest.Start(t, served, ftptest.Options{})
	t.Setenv("SITE_PW", srv.Password)
	writeConfig(t, fmt.Sprintf("[jobs.notes]\ndirection = \"sync\"\nsource = %q\ntarget = \"ftp://%s@%s/\"\npassword_env = \"SITE_PW\"\n", local, srv.User, srv.Addr))
	if r := runCLI(t, "config", "check"); r.code != exitOK {
		t.Fatalf("config check: %v", r)
	}
	if r := runCLI(t, "run", "notes"); r.code != exitOK {
		t.Fatalf("run notes: %v", r)
	}
	ftptest.TreeEqual(t, served, local)
}
