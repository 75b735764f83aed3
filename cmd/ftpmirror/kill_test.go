package main

import (
	"io/fs"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/internal/ftpproxy"
	"github.com/ftpmirror/ftpmirror/internal/ftptest"
	"github.com/ftpmirror/ftpmirror/state"
)

// buildBinary builds the real ftpmirror binary into a temporary directory.
// Call it before isolate, which moves $HOME and with it Go's build cache:
// a build with an empty cache takes minutes on a loaded 2-core machine.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ftpmirror")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestKill9RepeatedlyThenConverges kills pulls with SIGKILL at random moments,
// several times in a row, over a slowed link; the next run must converge to
// the remote tree, leave nothing partial, and the state must open.
func TestKill9RepeatedlyThenConverges(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t) // before isolate: the build cache is under $HOME
	isolate(t)
	remote := t.TempDir()
	if err := ftptest.RandomTree(remote, 11, 60, 8, 64<<10); err != nil {
		t.Fatal(err)
	}
	ftptest.WriteTree(t, remote, map[string]string{"big/one.bin": strings.Repeat("0123456789", 300_000)})
	srv := ftptest.Start(t, remote, ftptest.Options{})
	p, err := ftpproxy.Start(ftpproxy.Options{Upstream: srv.Addr, BytesPerSec: 2 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	_, port, _ := net.SplitHostPort(p.Addr)
	url := "ftp://" + srv.User + "@127.0.0.1:" + port + "/"
	local := filepath.Join(t.TempDir(), "mirror")
	stateFile := filepath.Join(t.TempDir(), "state.db")
	args := []string{"pull", "--state", stateFile, "--parallel", "4", url, local}
	env := append(os.Environ(), "FTPMIRROR_PASSWORD="+srv.Password)

	rng := rand.New(rand.NewPCG(3, 4))
	killed := 0
	for range 5 {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(100+rng.IntN(600)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err == nil {
			killed++
		}
		_ = cmd.Wait()
	}
	if killed == 0 {
		t.Fatal("no run was killed: the test proves nothing")
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("converging run: %v\n%s", err, out)
	}
	ftptest.TreeEqual(t, remote, local)
	_ = filepath.WalkDir(local, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), ".ftpmirror-") {
			t.Errorf("temporary file left behind: %s", p)
		}
		return nil
	})
	st, err := state.Open(stateFile, state.Options{})
	if err != nil {
		t.Fatalf("state does not open after kills: %v", err)
	}
	n, _ := st.Len()
	st.Close()
	if n != 61 {
		t.Errorf("state holds %d files, want 61", n)
	}
	// And one more run finds nothing to do.
	dry := exec.Command(bin, append([]string{"pull", "-n", "--json"}, args[1:]...)...)
	dry.Env = env
	out, err := dry.Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `"actions": []`) {
		t.Fatalf("after convergence the plan is not empty:\n%s", out)
	}
}
