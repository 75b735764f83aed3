package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
	"github.com/ftpmirror/ftpmirror/internal/hostileftp"
	"github.com/ftpmirror/ftpmirror/state"
)

func TestPullFreshIsByteIdenticalAndSecondRunTransfersNothing(t *testing.T) {
	f := newFixture(t, sampleTree, ftptest.Options{})
	r := f.pull(t)
	if r.code != exitOK {
		t.Fatalf("first pull: %v", r)
	}
	ftptest.TreeEqual(t, f.remote, f.local)
	if r.stdout != "" {
		t.Errorf("text mode prints nothing on stdout:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "pulled 6 files") || !strings.Contains(r.stderr, " via ") {
		t.Errorf("summary line missing:\n%s", r.stderr)
	}

	r = f.pull(t, "--json")
	if r.code != exitOK {
		t.Fatalf("second pull: %v", r)
	}
	var doc struct {
		Summary struct {
			Downloads int   `json:"downloads"`
			Bytes     int64 `json:"bytes"`
		} `json:"summary"`
		Failed     []any  `json:"failed"`
		Bytes      *int64 `json:"bytes"`
		DurationMS *int64 `json:"duration_ms"`
		Method     *string
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("--json output does not parse: %v\n%s", err, r.stdout)
	}
	if doc.Summary.Downloads != 0 || doc.Bytes == nil || *doc.Bytes != 0 || doc.Failed == nil || doc.DurationMS == nil {
		t.Errorf("second run should transfer nothing: %s", r.stdout)
	}
}

func TestPullUsesDefaultStatePathWithoutPassword(t *testing.T) {
	f := newFixture(t, sampleTree, ftptest.Options{})
	r := runCLI(t, "pull", f.url, f.local)
	if r.code != exitOK {
		t.Fatalf("pull: %v", r)
	}
	var dbs []string
	_ = filepath.WalkDir(os.Getenv("XDG_STATE_HOME"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".db") {
			dbs = append(dbs, p)
		}
		return nil
	})
	if len(dbs) != 1 {
		t.Fatalf("want one state file under XDG_STATE_HOME, got %v", dbs)
	}
	if strings.Contains(dbs[0], f.srv.Password) {
		t.Errorf("state path holds the password: %s", dbs[0])
	}
	// The same remote given with its password in the URL maps to the same
	// state, so the second run has nothing to do.
	withPW := strings.Replace(f.url, f.srv.User+"@", f.srv.User+":"+f.srv.Password+"@", 1)
	t.Setenv("FTPMIRROR_PASSWORD", "")
	r = runCLI(t, "pull", "--json", withPW, f.local)
	if r.code != exitOK || !strings.Contains(r.stdout, `"downloads": 0`) {
		t.Fatalf("second pull should reuse the state: %v", r)
	}
}

func TestDryRunChangesNothingAndNamesEveryAction(t *testing.T) {
	f := newFixture(t, sampleTree, ftptest.Options{})
	r := f.pull(t, "-n")
	if r.code != exitOK {
		t.Fatalf("dry run: %v", r)
	}
	if _, err := os.Stat(f.local); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("dry run created the local dir: %v", err)
	}
	if _, err := os.Stat(f.state); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("dry run created the state: %v", err)
	}
	for _, line := range []string{
		"+ README (6 B)", "+ docs/", "+ docs/api/", "+ docs/api/index.txt (4 B)",
		"+ docs/guide.txt (2.9 KiB)", "+ empty.dat (0 B)", "+ src/", "+ src/main.go (13 B)", "+ src/util/", "+ src/util/x.go (13 B)",
		"6 to download (3.0 KiB), 4 directories to create",
	} {
		if !strings.Contains(r.stdout, line+"\n") {
			t.Errorf("dry run output lacks %q:\n%s", line, r.stdout)
		}
	}

	// After a real run: a changed file, a deleted one, a local edit.
	if r := f.pull(t); r.code != exitOK {
		t.Fatalf("pull: %v", r)
	}
	ftptest.WriteTree(t, f.remote, map[string]string{"README": "hello again, longer\n", "src/new.go": "package main // new\n"})
	if err := os.Remove(filepath.Join(f.remote, "docs/api/index.txt")); err != nil {
		t.Fatal(err)
	}
	ftptest.WriteTree(t, f.local, map[string]string{"src/main.go": "package main // edited locally\n"})
	ftptest.WriteTree(t, f.remote, map[string]string{"src/main.go": "package main // edited remotely\n"})
	before := snapshotTree(t, f.local)

	r = f.pull(t, "--dry-run", "--delete", "--max-delete", "100%")
	if r.code != exitOK {
		t.Fatalf("dry run: %v", r)
	}
	for _, line := range []string{"~ README (20 B)", "+ src/new.go (20 B)", "- docs/api/index.txt", "> src/main.go (32 B)",
		"3 to download (72 B), 1 to delete, 1 local edit to be overwritten"} {
		if !strings.Contains(r.stdout, line+"\n") {
			t.Errorf("dry run output lacks %q:\n%s", line, r.stdout)
		}
	}
	if after := snapshotTree(t, f.local); after != before {
		t.Errorf("dry run changed the local tree:\nbefore %s\nafter  %s", before, after)
	}

	r = f.pull(t, "--dry-run", "--delete", "--max-delete", "100%", "--json")
	if r.code != exitOK {
		t.Fatalf("dry run --json: %v", r)
	}
	var doc struct {
		Actions []struct {
			Op, Path, Reason string
			Size             int64
		} `json:"actions"`
		Summary map[string]int64 `json:"summary"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("--json output does not parse: %v\n%s", err, r.stdout)
	}
	got := map[string]string{}
	for _, a := range doc.Actions {
		got[a.Path] = a.Op + "/" + a.Reason
	}
	want := map[string]string{"README": "download/changed", "src/new.go": "download/new",
		"docs/api/index.txt": "delete/deleted", "src/main.go": "download/local-edit"}
	for p, w := range want {
		if got[p] != w {
			t.Errorf("JSON action for %s = %q, want %q (all: %v)", p, got[p], w, got)
		}
	}
	if doc.Summary["downloads"] != 3 || doc.Summary["deletes"] != 1 || doc.Summary["local_edits"] != 1 {
		t.Errorf("JSON summary = %v", doc.Summary)
	}
}

// snapshotTree describes a tree's paths, sizes and times in one string.
func snapshotTree(t *testing.T, root string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %d %d|", p, fi.Size(), fi.ModTime().UnixNano())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestWrongPasswordExits3WithClearMessage(t *testing.T) {
	f := newFixture(t, sampleTree, ftptest.Options{})
	t.Setenv("FTPMIRROR_PASSWORD", "not-the-password")
	r := f.pull(t)
	if r.code != exitConnect {
		t.Fatalf("want exit 3, got %v", r)
	}
	if !strings.Contains(r.stderr, "ftpmirror: error: ") || !strings.Contains(r.stderr, "login") ||
		!strings.Contains(r.stderr, "ftpmirror: hint: check the user and password") {
		t.Errorf("unclear message:\n%s", r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, "not-the-password") {
		t.Errorf("output holds the password:\n%v", r)
	}
	if _, err := os.Stat(f.local); err == nil {
		entries, _ := os.ReadDir(f.local)
		if len(entries) > 0 {
			t.Errorf("failed login wrote files: %v", entries)
		}
	}
}

func TestLockedStateExits4(t *testing.T) {
	f := newFixture(t, sampleTree, ftptest.Options{})
	held, err := state.Open(f.state, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	for _, flags := range [][]string{nil, {"--dry-run"}} {
		r := f.pull(t, flags...)
		if r.code != exitLocked {
			t.Fatalf("%v: want exit 4, got %v", flags, r)
		}
		if !strings.Contains(r.stderr, "ftpmirror: error: another run holds the lock on "+f.state) ||
			!strings.Contains(r.stderr, "--wait") {
			t.Errorf("%v: message should name the state file and --wait:\n%s", flags, r.stderr)
		}
	}
}

func TestDeleteGuardExits5NamingForce(t *testing.T) {
	files := map[string]string{}
	for i := range 10 {
		files[fmt.Sprintf("f%02d.txt", i)] = fmt.Sprintf("file %d\n", i)
	}
	f := newFixture(t, files, ftptest.Options{})
	if r := f.pull(t); r.code != exitOK {
		t.Fatalf("pull: %v", r)
	}
	for i := range 8 {
		if err := os.Remove(filepath.Join(f.remote, fmt.Sprintf("f%02d.txt", i))); err != nil {
			t.Fatal(err)
		}
	}
	for _, flags := range [][]string{{"--delete"}, {"--delete", "-n"}} {
		r := f.pull(t, flags...)
		if r.code != exitGuard || !strings.Contains(r.stderr, "--force") {
			t.Fatalf("%v: want exit 5 naming --force, got %v", flags, r)
		}
	}
	if _, err := os.Stat(filepath.Join(f.local, "f00.txt")); err != nil {
		t.Errorf("the guard let a file be deleted: %v", err)
	}
	r := f.pull(t, "--delete", "--force")
	if r.code != exitOK || !strings.Contains(r.stderr, "deleted 8") {
		t.Fatalf("--force: %v", r)
	}
	ftptest.TreeEqual(t, f.remote, f.local)
}

func TestNonTTYOutputHasNoCarriageReturn(t *testing.T) {
	f := newFixture(t, sampleTree, ftptest.Options{})
	for _, flags := range [][]string{{"-n", "-v"}, {"-vv"}, nil} {
		r := f.pull(t, flags...)
		if r.code != exitOK {
			t.Fatalf("%v: %v", flags, r)
		}
		if strings.Contains(r.stdout+r.stderr, "\r") {
			t.Errorf("%v: output holds '\\r':\n%q", flags, r.stderr)
		}
	}
}

func TestQuietPrintsNothingOnSuccess(t *testing.T) {
	f := newFixture(t, sampleTree, ftptest.Options{})
	r := f.pull(t, "-q", "--tls", "off") // off: clear is meant, nothing to warn of
	if r.code != exitOK || r.stdout != "" || r.stderr != "" {
		t.Fatalf("want silence, got %v", r)
	}
	ftptest.TreeEqual(t, f.remote, f.local)
}

func TestVerboseListsFilesAndLogs(t *testing.T) {
	f := newFixture(t, sampleTree, ftptest.Options{})
	r := f.pull(t, "-vv")
	if r.code != exitOK {
		t.Fatalf("pull: %v", r)
	}
	if !strings.Contains(r.stderr, "downloaded docs/guide.txt\n") || !strings.Contains(r.stderr, "level=DEBUG") {
		t.Errorf("-vv should list files and debug logs:\n%s", r.stderr)
	}
}

func TestPasswordNeverInOutput(t *testing.T) {
	const pw = "Zebra-Quartz-1137"
	f := newFixture(t, sampleTree, ftptest.Options{Password: pw})
	t.Setenv("FTPMIRROR_PASSWORD", "")
	withPW := strings.Replace(f.url, f.srv.User+"@", f.srv.User+":"+pw+"@", 1)
	logFile := filepath.Join(t.TempDir(), "log")
	runs := []result{
		runCLI(t, "pull", "-vv", "--log-file", logFile, "--state", f.state, withPW, f.local),
		runCLI(t, "pull", "-n", "-v", "--json", "--state", f.state, withPW, f.local),
		runCLI(t, "pull", "--parallel", "0", withPW, f.local),
		runCLI(t, "pull", "--mode", "bogus", withPW, f.local),
		runCLI(t, "probe", "-vv", withPW),
		runCLI(t, "probe", "--json", withPW),
	}
	t.Setenv("FTPMIRROR_PASSWORD", pw+"-wrong")
	runs = append(runs, runCLI(t, "pull", "-vv", "--state", f.state, f.url, f.local))
	t.Setenv("FTPMIRROR_PASSWORD", pw)
	runs = append(runs, runCLI(t, "pull", "-vv", "--json", "--state", f.state, f.url, f.local))
	if runs[0].code != exitOK || !strings.Contains(runs[0].stderr, "ftpmirror: warning: password in URL is visible to other users") {
		t.Errorf("a password in the URL works, with a warning: %v", runs[0])
	}
	for i, r := range runs {
		if strings.Contains(r.stdout+r.stderr, pw) {
			t.Errorf("run %d printed the password:\n%v", i, r)
		}
	}
	log, err := os.ReadFile(logFile)
	if err != nil || len(log) == 0 || strings.Contains(string(log), pw) {
		t.Errorf("log file missing or holds the password (%v):\n%s", err, log)
	}
	st, err := os.ReadFile(f.state)
	if err != nil || len(st) == 0 || strings.Contains(string(st), pw) {
		t.Errorf("state file missing or holds the password (%v)", err)
	}
}

func TestPullWithNetrcAndPasswordFile(t *testing.T) {
	f := newFixture(t, sampleTree, ftptest.Options{})
	t.Setenv("FTPMIRROR_PASSWORD", "")
	netrc := fmt.Sprintf("machine %s login %s password %s\n", f.srv.Host, f.srv.User, f.srv.Password)
	if err := os.WriteFile(filepath.Join(os.Getenv("HOME"), ".netrc"), []byte(netrc), 0o600); err != nil {
		t.Fatal(err)
	}
	anonURL := "ftp://" + f.srv.Addr + "/docs"
	r := runCLI(t, "pull", "--state", f.state, anonURL, f.local)
	if r.code != exitOK {
		t.Fatalf("netrc login: %v", r)
	}
	ftptest.TreeEqual(t, filepath.Join(f.remote, "docs"), f.local)

	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte(f.srv.Password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	local2 := filepath.Join(t.TempDir(), "m2")
	r = runCLI(t, "pull", "--password-file", pwFile, f.url, local2)
	if r.code != exitOK {
		t.Fatalf("--password-file login: %v", r)
	}
	ftptest.TreeEqual(t, f.remote, local2)
}

func TestFiltersAndExplicitTLS(t *testing.T) {
	f := newFixture(t, sampleTree, ftptest.Options{TLS: ftptest.TLSExplicit})
	excl := filepath.Join(t.TempDir(), "exclude")
	if err := os.WriteFile(excl, []byte("# comments are ignored\nsrc/\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := f.pull(t, "--tls", "explicit", "--tls-insecure", "--exclude-from", excl, "--exclude", "*.dat")
	if r.code != exitOK {
		t.Fatalf("pull: %v", r)
	}
	for p, want := range map[string]bool{"README": true, "docs/guide.txt": true, "src/main.go": false, "empty.dat": false} {
		_, err := os.Stat(filepath.Join(f.local, p))
		if (err == nil) != want {
			t.Errorf("%s present = %v, want %v", p, err == nil, want)
		}
	}
	// Without --tls-insecure the self-signed certificate is refused.
	r = runCLI(t, "pull", "--tls", "explicit", "--retries", "0", "--state", f.state, f.url, t.TempDir())
	if r.code == exitOK || !strings.Contains(r.stderr, "ftpmirror: error: ") {
		t.Errorf("an unverified certificate was accepted: %v", r)
	}
}

func TestPerItemFailureExits1AndDoesTheRest(t *testing.T) {
	// A listed name that is no name ("bad/name.txt" in the listing of
	// sub) is refused by the walk: that directory's listing fails,
	// everything else is pulled.
	f := newHostileFixture(t, hostileftp.Options{
		Listings: map[string][]string{
			"/":    {hostileftp.LISTLine("-rw-r--r--", "5", "ok.txt"), hostileftp.LISTLine("drwxr-xr-x", "4096", "sub")},
			"/sub": {hostileftp.LISTLine("-rw-r--r--", "9", "also.txt"), hostileftp.LISTLine("-rw-r--r--", "1", "bad/name.txt")},
		},
		Files: map[string]hostileftp.File{"/ok.txt": {Data: []byte("fine\n")}, "/sub/also.txt": {Data: []byte("fine too\n")}},
	})
	r := f.pull(t)
	if r.code != exitFailed {
		t.Fatalf("want exit 1, got %v", r)
	}
	for _, want := range []string{"ftpmirror: error: list sub: ", `"sub/bad/name.txt"`, "1 failed", "ftpmirror: error: 1 item failed; the rest is done"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(f.local, "ok.txt")); err != nil {
		t.Errorf("the rest was not done: %v", err)
	}
	r = f.pull(t, "--json")
	var doc struct {
		Failed []struct{ Path, Op, Error string } `json:"failed"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != exitFailed {
		t.Fatalf("--json (%v): %v", err, r)
	}
	if len(doc.Failed) != 1 || doc.Failed[0].Op != "list" || doc.Failed[0].Path != "sub" || doc.Failed[0].Error == "" {
		t.Errorf("JSON failures = %+v", doc.Failed)
	}
}

func TestDryRunShowsAdoptionsOnlyWhenVerbose(t *testing.T) {
	f := newFixture(t, sampleTree, ftptest.Options{})
	if r := f.pull(t); r.code != exitOK {
		t.Fatalf("pull: %v", r)
	}
	// A new state file for the same trees: every file is adopted.
	f.state = filepath.Join(t.TempDir(), "fresh.db")
	r := f.pull(t, "-n")
	if r.code != exitOK || strings.Contains(r.stdout, "= README") || !strings.Contains(r.stdout, "6 already identical") {
		t.Fatalf("dry run: %v", r)
	}
	r = f.pull(t, "-n", "-v")
	if r.code != exitOK || !strings.Contains(r.stdout, "= README\n") {
		t.Fatalf("dry run -v should show adoptions: %v", r)
	}
}
