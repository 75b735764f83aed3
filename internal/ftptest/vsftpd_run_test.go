package ftptest

import (
	"os"
	"strings"
	"testing"
)

func TestRunVsftpdServesUntilStopAndRemovesItsConfig(t *testing.T) {
	if reason := vsftpdUnavailable(); reason != "" {
		skipOrFail(t, "vsftpd", reason)
	}
	// A TMPDIR of its own: other test processes on the machine run
	// RunVsftpd too, and their directories come and go meanwhile.
	t.Setenv("TMPDIR", t.TempDir())
	before := vsftpdDirs(t)
	s, stop, err := RunVsftpd(sampleTree(t), VsftpdOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	c := dial(t, s)
	if got := retr(t, c, "/sub/b.txt", 0); got != "0123456789" {
		t.Errorf("RETR = %q", got)
	}
	stop()
	if err := c.NoOp(); err == nil {
		t.Error("vsftpd session still answers after stop")
	}
	for name := range vsftpdDirs(t) {
		if !before[name] {
			t.Errorf("%s left in %s after stop", name, os.TempDir())
		}
	}
}

// vsftpdDirs returns the names of RunVsftpd's configuration directories.
func vsftpdDirs(t *testing.T) map[string]bool {
	t.Helper()
	entries, err := os.ReadDir(os.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "ftptest-vsftpd-") {
			out[e.Name()] = true
		}
	}
	return out
}
