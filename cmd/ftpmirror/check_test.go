package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

// diverge makes the local mirror differ from the server in every way check
// tells apart: one file only on the server, one only here, one of another
// size, one of the same size with other bytes.
func diverge(t *testing.T, remote, local string) {
	t.Helper()
	ftptest.WriteTree(t, remote, map[string]string{"new-on-server.txt": "n\n"})
	ftptest.WriteTree(t, local, map[string]string{"only-here.txt": "o\n", "docs/size.txt": "longer than before\n", "docs/same.txt": "SAME\n"})
}

func TestCheckBySizeHashAndBytesExitsOneWhenTheTreesDiffer(t *testing.T) {
	files := map[string]string{"docs/size.txt": "short\n", "docs/same.txt": "same\n", "keep.txt": "k\n"}
	f := newFixture(t, files, ftptest.Options{})
	if r := f.pull(t); r.code != exitOK {
		t.Fatalf("pull: %v", r)
	}
	r := runCLI(t, "check", f.url, f.local)
	if r.code != exitOK || r.stdout != "the trees match: 3 files alike by size\n" {
		t.Fatalf("check of a fresh mirror: %v", r)
	}
	diverge(t, f.remote, f.local)
	r = runCLI(t, "check", f.url, f.local)
	want := "+ new-on-server.txt (only on the server)\n- only-here.txt (only here)\n~ docs/size.txt (size 6 on the server, 19 here)\n" +
		"the trees differ: 1 only on the server, 1 only here, 1 different, 0 not compared; 2 files alike by size\n"
	if r.code != exitFailed || r.stdout != want {
		t.Errorf("check by size: %v\nwant stdout:\n%s", r, want)
	}
	r = runCLI(t, "check", "--download", f.url, f.local)
	if r.code != exitFailed || !strings.Contains(r.stdout, "~ docs/same.txt (the bytes differ)\n") || !strings.Contains(r.stdout, "1 file alike by their bytes") {
		t.Errorf("check --download: %v", r)
	}
	r = runCLI(t, "check", "--checksum", f.url, f.local)
	if r.code != exitFailed || !strings.Contains(r.stderr, "offers no content hash") || !strings.Contains(r.stderr, "hint: compare the bytes with --download") {
		t.Errorf("check --checksum on a server without hashes: %v", r)
	}
}

func TestCheckChecksumWithProftpdAndJSON(t *testing.T) {
	isolate(t)
	remote := t.TempDir()
	files := map[string]string{"site/docs/size.txt": "short\n", "site/docs/same.txt": "same\n", "site/keep.txt": "k\n"}
	ftptest.WriteTree(t, remote, files)
	local := t.TempDir()
	ftptest.WriteTree(t, local, map[string]string{"docs/size.txt": "short\n", "docs/same.txt": "same\n", "keep.txt": "k\n"})
	s := ftptest.StartProftpd(t, remote, ftptest.ProftpdOptions{Chroot: true, ReadOnly: true})
	t.Setenv("FTPMIRROR_PASSWORD", s.Password)
	url := "ftp://" + s.User + "@" + s.Addr + "/site"
	if r := runCLI(t, "check", "--checksum", url, local); r.code != exitOK || !strings.Contains(r.stdout, "3 files alike by ") {
		t.Fatalf("check --checksum of alike trees: %v", r)
	}
	diverge(t, filepath.Join(remote, "site"), local)
	r := runCLI(t, "check", "--checksum", "--json", url, local)
	var doc struct {
		Match      bool     `json:"match"`
		Method     string   `json:"method"`
		Matched    int      `json:"matched"`
		OnlyRemote []string `json:"only_remote"`
		OnlyLocal  []string `json:"only_local"`
		Differ     []struct{ Path, Why string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); r.code != exitFailed || err != nil {
		t.Fatalf("check --checksum --json: %v (%v)", r, err)
	}
	if doc.Match || doc.Matched != 1 || len(doc.OnlyRemote) != 1 || len(doc.OnlyLocal) != 1 || len(doc.Differ) != 2 ||
		doc.Differ[0].Path != "docs/same.txt" || !strings.HasSuffix(doc.Differ[0].Why, " differs") || doc.Method == "size" {
		t.Errorf("report: %+v", doc)
	}
	if _, err := os.Stat(filepath.Join(remote, "site", "only-here.txt")); !os.IsNotExist(err) {
		t.Errorf("check changed the server: %v", err)
	}
}
