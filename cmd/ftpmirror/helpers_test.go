package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

// result is what one run printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return "exit " + strconv.Itoa(r.code) + "\n--- stdout:\n" + r.stdout + "--- stderr:\n" + r.stderr
}

// isolate points every path ftpmirror reads from the environment at temporary
// directories, so that tests never see the developer's netrc or state.
func isolate(t *testing.T) {
	t.Helper()
	t.Setenv("HOME", t.TempDir())
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	t.Setenv("NETRC", "")
	t.Setenv("FTPMIRROR_PASSWORD", "")
}

// runCLI runs ftpmirror with args through run, as main does.
func runCLI(t *testing.T, args ...string) result {
	t.Helper()
	return runCLIContext(context.Background(), t, "", args...)
}

func runCLIContext(ctx context.Context, t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(ctx, args, strings.NewReader(stdin), &out, &errb)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// fixture is a served tree and a local mirror directory.
type fixture struct {
	remote string // the served directory
	local  string // the mirror, not created yet
	state  string // the state file, not created yet
	srv    *ftptest.Server
	url    string // ftp://user@127.0.0.1:port/ without password
}

func newFixture(t *testing.T, files map[string]string, o ftptest.Options) *fixture {
	t.Helper()
	isolate(t)
	remote := t.TempDir()
	ftptest.WriteTree(t, remote, files)
	srv := ftptest.Start(t, remote, o)
	t.Setenv("FTPMIRROR_PASSWORD", srv.Password)
	return &fixture{
		remote: remote,
		local:  filepath.Join(t.TempDir(), "mirror"),
		state:  filepath.Join(t.TempDir(), "state.db"),
		srv:    srv,
		url:    "ftp://" + srv.User + "@" + srv.Addr + "/",
	}
}

// pull runs "ftpmirror pull" on the fixture with extra flags.
func (f *fixture) pull(t *testing.T, flags ...string) result {
	t.Helper()
	args := append([]string{"pull", "--state", f.state}, flags...)
	return runCLI(t, append(args, f.url, f.local)...)
}

var sampleTree = map[string]string{
	"README":             "hello\n",
	"docs/guide.txt":     strings.Repeat("guide ", 500),
	"docs/api/index.txt": "api\n",
	"src/main.go":        "package main\n",
	"src/util/x.go":      "package util\n",
	"empty.dat":          "",
}

func ftptestOptions() ftptest.Options { return ftptest.Options{} }
