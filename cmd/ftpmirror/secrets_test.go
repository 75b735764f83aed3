package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
	"github.com/ftpmirror/ftpmirror/internal/hostileftp"
	"github.com/ftpmirror/ftpmirror/mirror"
)

// outputs is everything a set of runs printed, and a log file they wrote.
func outputs(t *testing.T, logFile string, runs ...result) string {
	t.Helper()
	var b strings.Builder
	for _, r := range runs {
		b.WriteString(r.stdout + r.stderr)
	}
	if logFile != "" {
		data, err := os.ReadFile(logFile)
		if err != nil || len(data) == 0 {
			t.Fatalf("log file %s missing or empty: %v", logFile, err)
		}
		b.Write(data)
	}
	return b.String()
}

// A password that is a common word ("mirror") must neither be printed nor
// turn every "ftpmirror" into "ftp***" (a mask by string replacement did).
func TestPasswordMirrorIsNotPrintedAndMessagesAreNotGarbled(t *testing.T) {
	const pw = "mirror"
	f := newFixture(t, sampleTree, ftptest.Options{Password: pw})
	t.Setenv("FTPMIRROR_PASSWORD", "")
	withPW := strings.Replace(f.url, f.srv.User+"@", f.srv.User+":"+pw+"@", 1)
	logFile := filepath.Join(t.TempDir(), "log")
	good := []result{
		runCLI(t, "pull", "-vv", "--log-file", logFile, "--state", f.state, withPW, f.local),
		runCLI(t, "pull", "-n", "-vv", "--json", "--state", f.state, withPW, f.local),
	}
	for _, r := range good {
		if r.code != exitOK {
			t.Fatalf("pull: %v", r)
		}
	}
	t.Setenv("FTPMIRROR_PASSWORD", pw)
	bad := runCLI(t, "pull", "-vv", "--state", f.state, "ftp://nobody@"+f.srv.Addr+"/", f.local)
	if bad.code != exitConnect || !strings.Contains(bad.stderr, "ftpmirror: error: ") || !strings.Contains(bad.stderr, "ftpmirror: hint: ") {
		t.Errorf("a refused login should say so in plain words: %v", bad)
	}
	all := outputs(t, logFile, append(good, bad)...)
	for _, leak := range []string{":" + pw + "@", "PASS " + pw, "password=" + pw, `"password":"` + pw} {
		if strings.Contains(all, leak) {
			t.Errorf("output holds %q:\n%s", leak, all)
		}
	}
	if strings.Contains(all, "***") {
		t.Errorf("output is garbled by a mask:\n%s", all)
	}
	if !strings.Contains(all, "local="+f.local) {
		t.Errorf("the -vv log should name the local directory %s as it is:\n%s", f.local, all)
	}
}

// A password with quotes and backslashes, echoed by the server in its 530
// reply, must not come out in any of the forms quoting gives it.
func TestPasswordEchoedByServerIsNeverPrinted(t *testing.T) {
	for _, pw := range []string{`Zq"x\9<Pw>&Y`, "Q"} {
		t.Run(strconv.Quote(pw), func(t *testing.T) {
			isolate(t)
			srv := hostileftp.Start(t, hostileftp.Options{Echo: map[string]string{"PASS": "530 Login incorrect for"}})
			url := "ftp://u@" + srv.Addr + "/"
			local := filepath.Join(t.TempDir(), "m")
			state := filepath.Join(t.TempDir(), "state.db")
			textLog, jsonLog := filepath.Join(t.TempDir(), "log"), filepath.Join(t.TempDir(), "log.json")
			t.Setenv("FTPMIRROR_PASSWORD", pw)
			runs := []result{
				runCLI(t, "pull", "-vv", "--retries", "0", "--log-file", textLog, "--state", state, url, local),
				runCLI(t, "pull", "-vv", "--json", "--retries", "0", "--log-format", "json", "--log-file", jsonLog, "--state", state, url, local),
				runCLI(t, "probe", "--json", url),
			}
			for _, r := range runs {
				if r.code != exitConnect || !strings.Contains(r.stderr, "ftpmirror: error: ") {
					t.Errorf("want a refused login, exit 3: %v", r)
				}
			}
			all := outputs(t, textLog, runs...) + outputs(t, jsonLog)
			forms := []string{"for " + pw, "for " + strconv.Quote(pw), "for " + strings.Trim(strconv.Quote(pw), `"`)}
			for _, form := range forms {
				if strings.Contains(all, form) {
					t.Errorf("output holds the echoed password as %q:\n%s", form, all)
				}
			}
			if strings.Contains(all, "ftp***") {
				t.Errorf("output is garbled by a mask:\n%s", all)
			}
		})
	}
}

// A one-character password works, and nothing else of the output is masked.
func TestOneCharacterPasswordIsNotPrintedAndGarblesNothing(t *testing.T) {
	const pw = "e"
	f := newFixture(t, sampleTree, ftptest.Options{Password: pw})
	logFile := filepath.Join(t.TempDir(), "log")
	r := f.pull(t, "-vv", "--json", "--log-file", logFile)
	if r.code != exitOK {
		t.Fatalf("pull: %v", r)
	}
	all := outputs(t, logFile, r)
	if strings.Contains(all, "***") || !strings.Contains(all, "level=DEBUG") {
		t.Errorf("output is garbled by a mask:\n%s", all)
	}
	if strings.Contains(all, ":"+pw+"@") || strings.Contains(all, "PASS "+pw) {
		t.Errorf("output holds the password:\n%s", all)
	}
}

// A password file or netrc file that others may read is refused, as ssh
// and ftp(1) refuse theirs; an existing log file others may read is warned
// about.
func TestPasswordFilesReadableByOthersAreRefused(t *testing.T) {
	f := newFixture(t, sampleTree, ftptest.Options{})
	t.Setenv("FTPMIRROR_PASSWORD", "")
	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte(f.srv.Password+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := f.pull(t, "--password-file", pwFile)
	if r.code != exitUsage || !strings.Contains(r.stderr, "other users may read it") || !strings.Contains(r.stderr, "chmod 600 "+pwFile) {
		t.Errorf("a shared password file should be refused with a hint: %v", r)
	}

	netrc := filepath.Join(t.TempDir(), "netrc")
	line := "machine " + f.srv.Host + " login " + f.srv.User + " password " + f.srv.Password + "\n"
	if err := os.WriteFile(netrc, []byte(line), 0o640); err != nil {
		t.Fatal(err)
	}
	t.Setenv("NETRC", netrc)
	r = f.pull(t)
	if r.code != exitUsage || !strings.Contains(r.stderr, "the netrc file "+netrc) {
		t.Errorf("a shared netrc file with a password should be refused: %v", r)
	}
	if err := os.Chmod(netrc, 0o600); err != nil {
		t.Fatal(err)
	}
	logFile := filepath.Join(t.TempDir(), "log")
	if err := os.WriteFile(logFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	r = f.pull(t, "--log-file", logFile)
	if r.code != exitOK || !strings.Contains(r.stderr, "ftpmirror: warning: the log file "+logFile+" is readable by other users") {
		t.Errorf("a private netrc works, and a shared log file is warned about: %v", r)
	}
}

func TestServerMaskTouchesOnlyServerReplies(t *testing.T) {
	var m serverMask
	m.add(mirror.NewSecret("mirror"))
	m.add(mirror.NewSecret(`Zq"x\9`))
	for _, tt := range []struct{ in, want string }{
		{"ftpmirror: error: cannot write /srv/mirror/a: disk full\n", "ftpmirror: error: cannot write /srv/mirror/a: disk full\n"},
		{"login refused: 530 bad password mirror.\n", "login refused: 530 bad password ***.\n"},
		{"login refused: 530 no ftpmirror here\n", "login refused: 530 no ftpmirror here\n"},
		{"pulled 500 files into mirror\n", "pulled 500 files into mirror\n"},
		{"x: 530 \"Login incorrect for Zq\\\"x\\\\9\"\n", "x: 530 \"Login incorrect for ***\"\n"},
		{`msg=failed err="login: 530 for mirror" local=/srv/mirror`, `msg=failed err="login: 530 for ***" local=/srv/mirror`},
		{`{"error": "login: 550 Zq\"x\\9 mirror", "local": "/srv/mirror"}`, `{"error": "login: 550 *** ***", "local": "/srv/mirror"}`},
		{"a: 226 mirror\n", "a: 226 mirror\n"},
	} {
		if got := m.apply(tt.in); got != tt.want {
			t.Errorf("apply(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}
