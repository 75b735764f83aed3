package ftptest

import (
	"errors"
	"os/exec"
	"strconv"
	"testing"
)

// A server that exits at start is told as such, and stopping it afterwards
// returns (it once waited forever for an exit the start-up check had
// already consumed).
func TestServerThatExitsAtStartIsReportedAndStops(t *testing.T) {
	c, err := startChild(exec.Command("/bin/sh", "-c", "echo could not start >&2; exit 3"))
	if err != nil {
		t.Fatal(err)
	}
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	if err := waitFor220("127.0.0.1:"+strconv.Itoa(port), nil, c, banner(port)); err == nil {
		t.Fatal("waitFor220 succeeded for a process that exited")
	}
	if err := c.stop(); err != nil {
		t.Fatal(err)
	}
}

// A port another server took meanwhile is told apart from the launched
// server by the banner, so the launcher retries on a new port instead of
// handing out the other server (it once did, and a test talked to a
// server of another test package).
func TestStartupCheckRefusesAnotherServersGreeting(t *testing.T) {
	other := Start(t, t.TempDir(), Options{})
	c, err := startChild(exec.Command("/bin/sh", "-c", "exec sleep 60"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.stop()
	if err := waitFor220(other.Addr, nil, c, banner(other.Port)); !errors.Is(err, errPortTaken) {
		t.Fatalf("waitFor220 on another server's port: %v; want errPortTaken", err)
	}
}
