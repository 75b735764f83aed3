package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
	"github.com/ftpmirror/ftpmirror/state"
)

// writeConfig points XDG_CONFIG_HOME at a temporary directory and writes
// the config file there; it returns the file's path.
func writeConfig(t *testing.T, text string) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	path := filepath.Join(dir, "ftpmirror", "config.toml")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// siteJob is a config with one pull job named site for the fixture, whose
// password comes from SITE_PW, plus extra lines.
func (f *fixture) siteJob(t *testing.T, extra ...string) string {
	t.Helper()
	t.Setenv("SITE_PW", f.srv.Password)
	t.Setenv("FTPMIRROR_PASSWORD", "")
	return writeConfig(t, fmt.Sprintf(`# a test job
[jobs.site]
direction = "pull"
source = %q
target = %q
password_env = "SITE_PW"
%s
`, f.url, f.local, strings.Join(extra, "\n")))
}

func TestRunJobFromConfigMirrorsAndSharesStateWithCommandLine(t *testing.T) {
	f := newFixture(t, sampleTree, ftptest.Options{})
	f.siteJob(t, `exclude = ["src/"]`)
	r := runCLI(t, "run", "site")
	if r.code != exitOK {
		t.Fatalf("run site: %v", r)
	}
	if !strings.Contains(r.stderr, "pulled 4 files") {
		t.Errorf("summary line missing:\n%s", r.stderr)
	}
	if _, err := os.Stat(filepath.Join(f.local, "src")); !os.IsNotExist(err) {
		t.Errorf("the job's exclude was not applied: %v", err)
	}
	if got, err := os.ReadFile(filepath.Join(f.local, "docs/guide.txt")); err != nil || string(got) != sampleTree["docs/guide.txt"] {
		t.Errorf("docs/guide.txt: %v", err)
	}
	// The same mirror given on the command line uses the job's state: there
	// is nothing left to do.
	t.Setenv("FTPMIRROR_PASSWORD", f.srv.Password)
	r = runCLI(t, "pull", "--json", "--exclude", "src/", f.url, f.local)
	if r.code != exitOK || !strings.Contains(r.stdout, `"downloads": 0`) {
		t.Fatalf("the command line should share the job's state: %v", r)
	}
}

func TestRunJobPasswordFileWinsOverEnvironment(t *testing.T) {
	f := newFixture(t, sampleTree, ftptest.Options{})
	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte(f.srv.Password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	writeConfig(t, fmt.Sprintf("[jobs.site]\ndirection = \"pull\"\nsource = %q\ntarget = %q\npassword_file = %q\n", f.url, f.local, pwFile))
	t.Setenv("FTPMIRROR_PASSWORD", "wrong")
	if r := runCLI(t, "run", "site"); r.code != exitOK {
		t.Fatalf("run: %v", r)
	}
	ftptest.TreeEqual(t, f.remote, f.local)
}

func TestRunAllRunsEveryJob(t *testing.T) {
	f := newFixture(t, sampleTree, ftptest.Options{})
	docs, src := filepath.Join(t.TempDir(), "docs"), filepath.Join(t.TempDir(), "src")
	t.Setenv("SITE_PW", f.srv.Password)
	writeConfig(t, fmt.Sprintf(`[jobs.docs]
direction = "pull"
source = "%sdocs"
target = %q
password_env = "SITE_PW"

[jobs.src]
direction = "pull"
source = "%ssrc"
target = %q
password_env = "SITE_PW"
`, f.url, docs, f.url, src))
	r := runCLI(t, "run", "--all")
	if r.code != exitOK {
		t.Fatalf("run --all: %v", r)
	}
	ftptest.TreeEqual(t, filepath.Join(f.remote, "docs"), docs)
	ftptest.TreeEqual(t, filepath.Join(f.remote, "src"), src)
	for _, name := range []string{"docs", "src"} {
		if !strings.Contains(r.stderr, "ftpmirror: job "+name+": pull ") {
			t.Errorf("no header for job %s:\n%s", name, r.stderr)
		}
	}
}

func TestRunAllGoesOnAfterAFailedJobAndExitsWithItsCode(t *testing.T) {
	f := newFixture(t, sampleTree, ftptest.Options{})
	f.siteJob(t, "[jobs.dead]", `direction = "pull"`, `source = "`+deadURL+`"`,
		fmt.Sprintf("target = %q", t.TempDir()), "retries = 0")
	r := runCLI(t, "run", "--all")
	if r.code != exitConnect {
		t.Fatalf("want exit 3 from the dead job, got %v", r)
	}
	ftptest.TreeEqual(t, f.remote, f.local)
	if !strings.Contains(r.stderr, "ftpmirror: error: job dead: ") || !strings.Contains(r.stderr, "1 of 2 jobs failed: dead") {
		t.Errorf("stderr should name the failed job:\n%s", r.stderr)
	}
}

func TestRunRefusesOverlappingRunWithExit4(t *testing.T) {
	f := newFixture(t, sampleTree, ftptest.Options{})
	f.siteJob(t, fmt.Sprintf("state = %q", f.state))
	held, err := state.Open(f.state, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	r := runCLI(t, "run", "site")
	if r.code != exitLocked {
		t.Fatalf("want exit 4, got %v", r)
	}
	if !strings.Contains(r.stderr, "ftpmirror: error: job site: another run holds the lock on "+f.state) ||
		!strings.Contains(r.stderr, "--wait") {
		t.Errorf("the message should name the lock and --wait:\n%s", r.stderr)
	}
	if _, err := os.Stat(f.local); !os.IsNotExist(err) {
		t.Errorf("a refused run created the mirror: %v", err)
	}
}

func TestRunWaitOutlastsALockReleasedSoon(t *testing.T) {
	f := newFixture(t, sampleTree, ftptest.Options{})
	f.siteJob(t, fmt.Sprintf("state = %q", f.state))
	held, err := state.Open(f.state, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	stderr := &lineWatch{want: "waiting up to 1m0s for another run to release the lock on " + f.state, seen: make(chan struct{})}
	var stdout bytes.Buffer
	done := make(chan int)
	go func() {
		done <- run(context.Background(), []string{"run", "--wait", "1m", "site"}, strings.NewReader(""), &stdout, stderr)
	}()
	select {
	case <-stderr.seen:
	case code := <-done:
		t.Fatalf("run --wait ended (exit %d) without waiting for the lock:\n%s", code, stderr)
	}
	if err := held.Close(); err != nil {
		t.Fatal(err)
	}
	if code := <-done; code != exitOK {
		t.Fatalf("run --wait: exit %d\n%s", code, stderr)
	}
	ftptest.TreeEqual(t, f.remote, f.local)
}

// lineWatch collects what a run writes and closes seen once want appears.
type lineWatch struct {
	want string
	seen chan struct{}
	mu   sync.Mutex
	b    strings.Builder
}

func (w *lineWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	had := strings.Contains(w.b.String(), w.want)
	w.b.Write(p)
	if !had && strings.Contains(w.b.String(), w.want) {
		close(w.seen)
	}
	return len(p), nil
}

func (w *lineWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

func TestRunQuietPrintsNothingOnSuccess(t *testing.T) {
	f := newFixture(t, sampleTree, ftptest.Options{})
	// tls off: clear is meant, nothing to warn of.
	f.siteJob(t, `tls = "off"`)
	for i := range 2 { // a run with transfers, then one with nothing to do
		r := runCLI(t, "run", "--quiet", "site")
		if r.code != exitOK || r.stdout != "" || r.stderr != "" {
			t.Fatalf("run %d: want exit 0 and no output, got %v", i+1, r)
		}
	}
	ftptest.TreeEqual(t, f.remote, f.local)
}

func TestRunOutputWithoutTerminalHasNoCarriageReturn(t *testing.T) {
	f := newFixture(t, sampleTree, ftptest.Options{})
	f.siteJob(t)
	for _, args := range [][]string{{"run", "site"}, {"run", "-v", "site"}, {"run", "--all", "-vv"}} {
		r := runCLI(t, args...)
		if r.code != exitOK {
			t.Fatalf("%v: %v", args, r)
		}
		if strings.Contains(r.stdout+r.stderr, "\r") {
			t.Errorf("%v: output holds '\\r':\n%q", args, r.stderr)
		}
	}
}

func TestRunLogFileJSONHoldsOneSummaryRecord(t *testing.T) {
	f := newFixture(t, sampleTree, ftptest.Options{})
	f.siteJob(t, `tls = "off"`)
	logFile := filepath.Join(t.TempDir(), "ftpmirror.log")
	r := runCLI(t, "run", "-q", "--log-file", logFile, "--log-format", "json", "site")
	if r.code != exitOK || r.stderr != "" {
		t.Fatalf("run: %v", r)
	}
	file, err := os.Open(logFile)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	var summaries []map[string]any
	sc := bufio.NewScanner(file)
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("log line is not JSON: %v\n%s", err, sc.Text())
		}
		if rec["msg"] == "summary" {
			summaries = append(summaries, rec)
		}
	}
	if len(summaries) != 1 {
		t.Fatalf("want one summary record, got %d", len(summaries))
	}
	s := summaries[0]
	if s["job"] != "site" || s["files"] != float64(6) || s["deleted"] != float64(0) || s["failed"] != float64(0) ||
		s["bytes"] == nil || s["duration"] == nil || s["method"] == "" || s["method"] == nil {
		t.Errorf("summary record lacks a field: %v", s)
	}
	if data, _ := os.ReadFile(logFile); strings.Contains(string(data), f.srv.Password) {
		t.Errorf("the log holds the password")
	}
}

func TestRunFailsBeforeConnecting(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	job := func(extra string) string {
		return fmt.Sprintf("[jobs.dead]\ndirection = \"pull\"\nsource = %q\ntarget = %q\n%s\n", deadURL, dir, extra)
	}
	tests := []struct {
		name, config string
		args         []string
		want         string
	}{
		{"unknown job", job(""), []string{"run", "nope"}, `no job named "nope"`},
		{"bad glob", job(`include = ["["]`), []string{"run", "dead"}, `config.toml:5: job "dead": include: invalid pattern "["`},
		{"missing target", "[jobs.dead]\ndirection = \"pull\"\nsource = \"" + deadURL + "\"\n", []string{"run", "dead"}, "target is missing"},
		{"bad value", job(`mode = "sideways"`), []string{"run", "dead"}, `config.toml:5: job "dead": invalid --mode "sideways"`},
		{"password in config", job(`password = "hunter2"`), []string{"run", "dead"}, "a password must not be written in the config file"},
		{"unset password_env", job(`password_env = "NOT_SET_ANYWHERE"`), []string{"run", "dead"}, "NOT_SET_ANYWHERE, which is not set"},
		{"other job broken under --all", job("") + "[jobs.b]\ndirection = \"pull\"\n", []string{"run", "--all"}, `job "b": source is missing`},
		{"no config", "", []string{"run", "--config", filepath.Join(dir, "none.toml"), "dead"}, "no config file at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			writeConfig(t, tt.config)
			r := runCLI(t, tt.args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) {
				t.Fatalf("want exit 2 and %q, got %v", tt.want, r)
			}
			if strings.Contains(r.stderr, "connect") || strings.Contains(r.stderr, "hunter2") {
				t.Errorf("the error should be about the job, before any connection:\n%s", r.stderr)
			}
		})
	}
}

func TestRunUsage(t *testing.T) {
	isolate(t)
	writeConfig(t, "")
	for _, args := range [][]string{{"run"}, {"run", "--all", "x"}, {"run", "-q", "-v", "x"}, {"run", "--log-format", "xml", "x"}} {
		if r := runCLI(t, args...); r.code != exitUsage {
			t.Errorf("%v: want exit 2, got %v", args, r)
		}
	}
}
