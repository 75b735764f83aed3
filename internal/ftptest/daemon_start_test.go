package ftptest

import (
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
	if err := waitFor220("127.0.0.1:"+strconv.Itoa(port), false, c); err == nil {
		t.Fatal("waitFor220 succeeded for a process that exited")
	}
	if err := c.stop(); err != nil {
		t.Fatal(err)
	}
}
