package ftptest

import (
	"bytes"
	"log/slog"
	"os"
	"strings"
	"testing"
)

func TestPyftpdlibServesMLSDAndSymlinks(t *testing.T) {
	root := sampleTree(t)
	s := StartPyftpdlib(t, root, PyftpdlibOptions{})
	c := dial(t, s)
	if !c.IsTimePreciseInList() {
		t.Error("pyftpdlib does not advertise MLST")
	}
	listByName(t, c, "/", "a.txt", "sub", ".hidden", "empty", "with space.txt", "link")
	if got := retr(t, c, "/sub/b.txt", 3); got != "3456789" {
		t.Errorf("REST 3 + RETR = %q", got)
	}
	if err := c.Stor("/x", strings.NewReader("x")); err == nil {
		t.Error("STOR allowed on a read-only pyftpdlib")
	}
}

func TestPyftpdlibWritableAndLogged(t *testing.T) {
	root := sampleTree(t)
	var log syncBuffer
	s := StartPyftpdlib(t, root, PyftpdlibOptions{
		Writable: true,
		Logger:   slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	c := dial(t, s)
	if err := c.MakeDir("/made"); err != nil {
		t.Fatal(err)
	}
	if err := c.Stor("/made/up.txt", strings.NewReader("up")); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(root + "/made/up.txt"); err != nil || string(got) != "up" {
		t.Errorf("uploaded file holds %q, %v", got, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains([]byte(log.String()), []byte("STOR /made/up.txt")) {
		t.Errorf("the log lacks the STOR command:\n%s", log.String())
	}
	if err := c.NoOp(); err == nil {
		t.Error("pyftpdlib session still answers after Close")
	}
}
