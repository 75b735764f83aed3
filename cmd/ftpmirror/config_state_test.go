package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
	"github.com/ftpmirror/ftpmirror/state"
)

func TestConfigPathFollowsXDGAndFlag(t *testing.T) {
	isolate(t)
	path := writeConfig(t, "")
	r := runCLI(t, "config", "path")
	if r.code != exitOK || r.stdout != path+"\n" {
		t.Fatalf("want %s, got %v", path, r)
	}
	r = runCLI(t, "config", "path", "--config", "/etc/ftpmirror.toml")
	if r.code != exitOK || r.stdout != "/etc/ftpmirror.toml\n" {
		t.Fatalf("--config: got %v", r)
	}
}

func TestConfigCheckPointsAtTheLineOfEachMistake(t *testing.T) {
	isolate(t)
	path := writeConfig(t, fmt.Sprintf(`# jobs
[jobs.a]
direction = "pull"
source = %q
target = "a"
exclud = ["*.tmp"]

[jobs.b]
direction = "pull"
source = %q
target = "b"
include = ["ok/", "docs/[a-"]
retries = "many"
`, deadURL, deadURL))
	r := runCLI(t, "config", "check")
	if r.code != exitUsage {
		t.Fatalf("want exit 2, got %v", r)
	}
	for _, want := range []string{
		path + `:6: job "a": unknown key "exclud"`,
		`did you mean "exclude"?`,
		path + `:12: job "b": include: invalid pattern "docs/[a-"`,
		path + `:13: job "b": retries: must be a whole number`,
		"3 mistakes in " + path,
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}

	writeConfig(t, "[jobs.a]\ndirection = \"pull\"\nsource = \"ftp://h/\n")
	if r := runCLI(t, "config", "check"); r.code != exitUsage || !strings.Contains(r.stderr, "config.toml:3: ") {
		t.Errorf("a syntax error should name line 3: %v", r)
	}
}

func TestConfigExampleOutputPassesCheck(t *testing.T) {
	isolate(t)
	for _, args := range [][]string{
		{"config", "example"},
		{"config", "example", "--job", "my docs", "--source", "ftp://alice@ftp.example.org/pub/docs", "--target", "docs"},
	} {
		r := runCLI(t, args...)
		if r.code != exitOK {
			t.Fatalf("%v: %v", args, r)
		}
		path := writeConfig(t, r.stdout)
		// Every commented setting, uncommented, is valid too.
		uncommented := strings.ReplaceAll(r.stdout, "\n# password_env", "\npassword_env")
		for _, key := range []string{"parallel", "include", "exclude", "delete", "max_delete", "retries", "mode", "data_timeout", "tls_insecure"} {
			uncommented = strings.ReplaceAll(uncommented, "\n# "+key+" = ", "\n"+key+" = ")
		}
		t.Setenv("DOCS_PASSWORD", "x")
		t.Setenv("MY_DOCS_PASSWORD", "x")
		for _, text := range []string{r.stdout, uncommented} {
			writeConfig(t, text)
			c := runCLI(t, "config", "check")
			if c.code != exitOK || !strings.Contains(c.stdout, "1 job, no mistakes") {
				t.Fatalf("%v: the example fails its check: %v\n%s", args, c, text)
			}
		}
		_ = path
	}
	r := runCLI(t, "config", "example", "--job", "x", "--source", "ftp://u:secret@h/", "--target", "d")
	if r.code != exitUsage || strings.Contains(r.stdout+r.stderr, "secret") {
		t.Errorf("a password in the URL must be refused without printing it: %v", r)
	}
}

func TestStateListShowForget(t *testing.T) {
	f := newFixture(t, sampleTree, ftptest.Options{})
	f.siteJob(t)
	r := runCLI(t, "state", "list")
	if r.code != exitOK || !strings.Contains(r.stderr, "no state files") {
		t.Fatalf("list before any run: %v", r)
	}
	if r := runCLI(t, "run", "site"); r.code != exitOK {
		t.Fatalf("run: %v", r)
	}
	r = runCLI(t, "state", "list")
	if r.code != exitOK {
		t.Fatalf("list: %v", r)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[1], "site ") ||
		!strings.Contains(lines[1], " 6 ") || !strings.Contains(lines[1], " complete ") || !strings.Contains(lines[1], f.local) {
		t.Fatalf("list should show the job, 6 files, complete and the local dir:\n%s", r.stdout)
	}

	r = runCLI(t, "state", "show", "--files", "site")
	if r.code != exitOK {
		t.Fatalf("show: %v", r)
	}
	fields := showFields(r.stdout)
	statePath := fields["state"]
	remote := strings.TrimPrefix(f.url, "ftp://")
	if fields["job"] != "site" || fields["remote"] != remote || fields["local"] != f.local || fields["files"] != "6" ||
		fields["status"] != "complete" || fields["last run"] == "-" {
		t.Errorf("show should tell the job, remote %s, local, 6 files, complete and the last run:\n%s", remote, r.stdout)
	}
	for _, want := range []string{"\nfile  6     ", "README\n", "\ndir   ", "docs/api\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("show --files lacks %q:\n%s", want, r.stdout)
		}
	}
	if filepath.Dir(statePath) != filepath.Join(os.Getenv("XDG_STATE_HOME"), "ftpmirror") {
		t.Fatalf("the job's state should be in the state dir: %q", statePath)
	}
	// The file's name works as well as the job's.
	if r := runCLI(t, "state", "show", filepath.Base(statePath)); r.code != exitOK || showFields(r.stdout)["job"] != "site" {
		t.Errorf("show by file name: %v", r)
	}

	held, err := state.Open(statePath, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, "state", "list")
	if r.code != exitOK || !strings.Contains(r.stdout, " in use ") {
		t.Errorf("a locked state should list as in use: %v", r)
	}
	r = runCLI(t, "state", "forget", "site")
	if r.code != exitLocked || !strings.Contains(r.stderr, "another run holds the lock on "+statePath) {
		t.Errorf("forget of a locked state: want exit 4, got %v", r)
	}
	held.Close()

	r = runCLI(t, "state", "forget", "site")
	if r.code != exitOK || !strings.Contains(r.stdout, "forgot job site") {
		t.Fatalf("forget: %v", r)
	}
	if _, err := os.Stat(statePath); !os.IsNotExist(err) {
		t.Errorf("the state file is still there: %v", err)
	}
	if r := runCLI(t, "state", "show", "site"); r.code != exitOK || !strings.Contains(r.stdout, "never run") {
		t.Errorf("show after forget: %v", r)
	}
	// The next run adopts what is there and transfers nothing.
	r = runCLI(t, "run", "--json", "site")
	if r.code != exitOK || !strings.Contains(r.stdout, `"downloads": 0`) || !strings.Contains(r.stdout, `"adopted": 6`) {
		t.Errorf("the run after forget should adopt the files: %v", r)
	}
}

func TestStateForgetLeavesOtherFilesAlone(t *testing.T) {
	isolate(t)
	writeConfig(t, "")
	other := filepath.Join(t.TempDir(), "notes.db")
	if err := os.WriteFile(other, []byte("not a state file, but precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "state", "forget", other)
	if r.code != exitUsage {
		t.Fatalf("want exit 2, got %v", r)
	}
	if _, err := os.Stat(other); err != nil {
		t.Fatalf("forget deleted a file that is not a state: %v", err)
	}
	if r := runCLI(t, "state", "show", "nothing-here"); r.code != exitUsage || !strings.Contains(r.stderr, "no job or state file") {
		t.Errorf("show of an unknown name: %v", r)
	}
}

func TestNewCommandsHaveHelpWithExamplesAndCompletion(t *testing.T) {
	isolate(t)
	writeConfig(t, "[jobs.site]\ndirection = \"pull\"\nsource = \"ftp://h/\"\ntarget = \"/tmp/x\"\n[jobs.other]\ndirection = \"pull\"\nsource = \"ftp://h/\"\ntarget = \"/tmp/y\"\n")
	for _, cmd := range [][]string{{"run", "--help"}, {"config", "--help"}, {"config", "path", "--help"}, {"config", "example", "--help"},
		{"config", "check", "--help"}, {"state", "--help"}, {"state", "list", "--help"}, {"state", "show", "--help"}, {"state", "forget", "--help"}} {
		r := runCLI(t, cmd...)
		if r.code != exitOK || !strings.Contains(r.stdout, "Examples:") {
			t.Errorf("%v: want exit 0 and examples, got %v", cmd, r)
		}
	}
	for _, shell := range []string{"bash", "zsh", "fish"} {
		if r := runCLI(t, "completion", shell); r.code != exitOK || !strings.Contains(r.stdout, "ftpmirror") {
			t.Errorf("completion %s: %v", shell, r)
		}
	}
	r := runCLI(t, "__complete", "run", "s")
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "site\n") || strings.Contains(r.stdout, "other") {
		t.Errorf("job names should complete: %v", r)
	}
}

// showFields reads the "key: value" lines of state show.
func showFields(out string) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && !strings.Contains(k, "  ") {
			m[k] = strings.TrimSpace(v)
		}
	}
	return m
}

func TestNamesFlagIsNotFooledByALongerFlag(t *testing.T) {
	for _, tt := range []struct {
		msg, flag string
		want      bool
	}{
		{"cannot read --exclude-from: no such file", "exclude", false},
		{"cannot read --exclude-from: no such file", "exclude-from", true},
		{`invalid --mode "x"`, "mode", true},
		{"--parallel 0 is out of range", "parallel", true},
		{"invalid --max-delete", "delete", false},
	} {
		if got := namesFlag(tt.msg, tt.flag); got != tt.want {
			t.Errorf("namesFlag(%q, %q) = %v", tt.msg, tt.flag, got)
		}
	}
}
