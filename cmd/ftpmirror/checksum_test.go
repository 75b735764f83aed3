package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

func TestChecksumFlagVerifiesWithProftpdAndSaysWhenTheServerHasNoHash(t *testing.T) {
	isolate(t)
	remote := t.TempDir()
	ftptest.WriteTree(t, remote, map[string]string{"site/a.txt": "a\n", "site/b.txt": "b\n"})
	s := ftptest.StartProftpd(t, remote, ftptest.ProftpdOptions{Chroot: true, ReadOnly: true})
	t.Setenv("FTPMIRROR_PASSWORD", s.Password)
	local := filepath.Join(t.TempDir(), "m")
	stateFile := filepath.Join(t.TempDir(), "s.db")
	r := runCLI(t, "pull", "--checksum", "--state", stateFile, "ftp://"+s.User+"@"+s.Addr+"/site", local)
	if r.code != exitOK || !strings.Contains(r.stderr, "pulled 2 files") || !strings.Contains(r.stderr, ", 2 verified by ") {
		t.Fatalf("pull --checksum from proftpd: %v", r)
	}
	alg := r.stderr[strings.Index(r.stderr, "verified by ")+len("verified by "):]
	alg = strings.Fields(alg)[0]
	if r := runCLI(t, "state", "show", stateFile); r.code != exitOK || !regexp.MustCompile(`(?m)^checksum: +`+regexp.QuoteMeta(alg)+`$`).MatchString(r.stdout) {
		t.Errorf("state show should tell the digest checked (%s): %v", alg, r)
	}

	f := newFixture(t, map[string]string{"a.txt": "a\n"}, ftptest.Options{})
	r = f.pull(t, "--checksum")
	if r.code != exitOK || strings.Count(r.stderr, "offers no content hash") != 1 || strings.Contains(r.stderr, "verified") {
		t.Errorf("pull --checksum without server hashes: %v", r)
	}
}
