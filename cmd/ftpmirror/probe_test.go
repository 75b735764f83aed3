package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

func TestProbeTableAndJSON(t *testing.T) {
	f := newFixture(t, sampleTree, ftptest.Options{Disable: []string{"EPSV"}})
	r := runCLI(t, "probe", f.url)
	if r.code != exitOK {
		t.Fatalf("probe: %v", r)
	}
	for _, want := range []string{"METHOD", "EPSV    failed", "PASV    ok", "EPRT    ok", "PORT    ok", "ftpmirror will use PASV"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("probe output lacks %q:\n%s", want, r.stdout)
		}
	}

	r = runCLI(t, "probe", "--json", f.url)
	var doc jsonProbe
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != exitOK {
		t.Fatalf("probe --json (%v): %v", err, r)
	}
	if len(doc.Results) != 4 || doc.Results[0].OK || !doc.Results[1].OK || doc.Chosen != "PASV" || doc.Diagnosis == "" {
		t.Errorf("probe --json = %+v", doc)
	}
}

func TestProbeExits3WhenNoMethodOfTheModeWorks(t *testing.T) {
	f := newFixture(t, sampleTree, ftptest.Options{Disable: []string{"EPSV", "PASV"}})
	r := runCLI(t, "probe", "--mode", "passive", f.url)
	if r.code != exitConnect || !strings.Contains(r.stderr, "ftpmirror: error: no data channel method") {
		t.Fatalf("want exit 3, got %v", r)
	}
	if !strings.Contains(r.stdout, "EPRT    ok") {
		t.Errorf("the table should still show what works:\n%s", r.stdout)
	}
	// The pull with the same flags fails as probe predicted, with the same
	// exit code and a hint at the mode.
	r = runCLI(t, "pull", "--mode", "passive", "--retries", "0", "--state", f.state, f.url, f.local)
	if r.code != exitConnect || !strings.Contains(r.stderr, "--mode active") {
		t.Fatalf("pull: want exit 3 naming --mode active, got %v", r)
	}
	// auto mode falls back to active by itself.
	if r := f.pull(t); r.code != exitOK || !strings.Contains(r.stderr, "via EPRT") {
		t.Fatalf("auto mode: %v", r)
	}
}

func TestUnverifiedCertificateHintsAtCAFile(t *testing.T) {
	f := newFixture(t, sampleTree, ftptest.Options{TLS: ftptest.TLSImplicit})
	url := "ftps://" + f.srv.User + "@" + f.srv.Addr + "/"
	r := runCLI(t, "probe", url)
	if r.code != exitConnect || !strings.Contains(r.stderr, "ftpmirror: hint: trust the server's CA with --ca-file") {
		t.Fatalf("want exit 3 with a --ca-file hint, got %v", r)
	}
	r = runCLI(t, "pull", "--tls-insecure", "--state", f.state, url, f.local)
	if r.code != exitOK {
		t.Fatalf("implicit TLS pull: %v", r)
	}
	ftptest.TreeEqual(t, f.remote, f.local)
}
