package main

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

// killAtCommand is a slog handler for the in-process server's session log:
// it counts the FTP commands the server receives and sends SIGKILL to the
// client process when the count reaches at (0: never).
type killAtCommand struct {
	mu     sync.Mutex
	n, at  int
	proc   *os.Process
	killed bool
}

func (k *killAtCommand) Enabled(context.Context, slog.Level) bool { return true }
func (k *killAtCommand) WithAttrs([]slog.Attr) slog.Handler       { return k }
func (k *killAtCommand) WithGroup(string) slog.Handler            { return k }
func (k *killAtCommand) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "ftp command" {
		return nil
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.n++
	if k.n == k.at && k.proc != nil && k.proc.Signal(syscall.SIGKILL) == nil {
		k.killed = true
	}
	return nil
}

func (k *killAtCommand) start(cmd *exec.Cmd) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if err := cmd.Start(); err != nil {
		return err
	}
	k.proc = cmd.Process
	return nil
}

// The versions of big.bin, a file large enough for its comparison's
// download to be kept for the conflict.
var (
	bigBase   = strings.Repeat("b", 2<<20)
	bigLocal  = "L" + bigBase[1:]
	bigRemote = "R" + bigBase[1:]
)

// syncKillScenario is a synced pair of trees with changes on both sides:
// conflicts of two edits alike by size and mtime (compared by download, the
// large one's download kept for the conflict),
// a conflict won by the local side (a remote rename), a file against a
// directory, changes, additions and a deletion each way.
func syncKillScenario(t *testing.T, bin string, env []string) (remote, local, stateFile string) {
	t.Helper()
	dir := t.TempDir()
	remote, local, stateFile = filepath.Join(dir, "remote"), filepath.Join(dir, "local"), filepath.Join(dir, "state.db")
	ftptest.WriteTree(t, remote, map[string]string{
		"a.txt": "base a", "b.txt": "base b", "c.txt": "base c", "d/x.txt": "base x", "h.txt": "base h",
		"k1": "1", "k2": "2", "k3": "3", "k4": "4", "k5": "5", "big.bin": bigBase,
	})
	if err := os.MkdirAll(local, 0o755); err != nil {
		t.Fatal(err)
	}
	srv := ftptest.Start(t, remote, ftptest.Options{})
	if out, err := syncCmd(bin, env, srv, local, stateFile).CombinedOutput(); err != nil {
		t.Fatalf("first sync: %v\n%s", err, out)
	}
	t1 := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	write := func(root, rel, content string, mtime time.Time) {
		ftptest.WriteTree(t, root, map[string]string{rel: content})
		ftptest.SetMtime(t, filepath.Join(root, rel), mtime)
	}
	write(local, "big.bin", bigLocal, t1)
	write(remote, "big.bin", bigRemote, t1)
	write(local, "a.txt", "local a!", t1)
	write(remote, "a.txt", "remote a", t1)
	write(local, "b.txt", "local b, newer", t1.Add(time.Hour))
	write(remote, "b.txt", "remote b", t1)
	write(local, "c.txt", "local c", t1)
	write(remote, "d/x.txt", "remote x", t1)
	write(local, "e.txt", "new local", t1)
	write(remote, "f.txt", "new remote", t1)
	write(local, "g", "local g file", t1)
	write(remote, "g/in.txt", "remote g dir", t1)
	if err := os.Remove(filepath.Join(local, "h.txt")); err != nil {
		t.Fatal(err)
	}
	return remote, local, stateFile
}

func syncCmd(bin string, env []string, srv *ftptest.Server, local, stateFile string) *exec.Cmd {
	url := "ftp://" + srv.User + "@" + srv.Addr + "/"
	cmd := exec.Command(bin, "sync", "-q", "--parallel", "2", "--state", stateFile, local, url)
	cmd.Env = env
	return cmd
}

// copyTree copies a tree with its mtimes (cp -a).
func copyTree(t *testing.T, from, to string) {
	t.Helper()
	if out, err := exec.Command("cp", "-a", from, to).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v\n%s", err, out)
	}
}

// checkSyncConverged checks the trees after a sync that followed a kill:
// identical sides, every version of the scenario kept exactly once, no
// temporary name.
func checkSyncConverged(t *testing.T, at int, remote, local string) {
	t.Helper()
	ftptest.TreeEqual(t, remote, local)
	files := ftptest.ReadTree(t, local)
	var names []string
	byContent := map[string][]string{}
	for rel, c := range files {
		names = append(names, rel)
		byContent[c] = append(byContent[c], rel)
		if strings.Contains(rel, ".ftpmirror-") {
			t.Errorf("kill at command %d: temporary name left: %s", at, rel)
		}
	}
	sort.Strings(names)
	for _, v := range []string{bigLocal, bigRemote, "local a!", "remote a", "local b, newer", "remote b", "local c", "remote x",
		"new local", "new remote", "local g file", "remote g dir"} {
		if len(byContent[v]) != 1 {
			t.Errorf("kill at command %d: version %q held by %v, want exactly one file (tree %v)", at, v, byContent[v], names)
		}
	}
	if _, ok := files["h.txt"]; ok {
		t.Errorf("kill at command %d: the local deletion of h.txt did not travel", at)
	}
	copies := 0
	for _, n := range names {
		if strings.Contains(n, ".conflict-") {
			copies++
		}
	}
	if copies != 4 {
		t.Errorf("kill at command %d: %d conflict copies %v, want 4 (a.txt, b.txt, big.bin, g)", at, copies, names)
	}
}

// TestSyncKilledAtEveryCommandConverges kills a sync with SIGKILL when the
// server receives its first, second, ... command, through the last one of
// a whole run; after each kill another sync must converge: both sides
// identical, no version lost, no conflict copy made twice, no temporary
// name left, and a third sync with nothing to do.
func TestSyncKilledAtEveryCommandConverges(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs it many times")
	}
	bin := buildBinary(t) // before isolate: the build cache is under $HOME
	isolate(t)
	env := append(os.Environ(), "FTPMIRROR_PASSWORD=secret")
	tmplRemote, tmplLocal, tmplState := syncKillScenario(t, bin, env)

	// A run without a kill counts the commands of a whole sync.
	fresh := func(at int) (remote, local, stateFile string, k *killAtCommand, srv *ftptest.Server) {
		dir := t.TempDir()
		remote, local, stateFile = filepath.Join(dir, "remote"), filepath.Join(dir, "local"), filepath.Join(dir, "state.db")
		copyTree(t, tmplRemote, remote)
		copyTree(t, tmplLocal, local)
		copyTree(t, tmplState, stateFile)
		k = &killAtCommand{at: at}
		srv = ftptest.Start(t, remote, ftptest.Options{Logger: slog.New(k)})
		return remote, local, stateFile, k, srv
	}
	remote, local, stateFile, k, srv := fresh(0)
	if out, err := syncCmd(bin, env, srv, local, stateFile).CombinedOutput(); err != nil {
		t.Fatalf("sync without a kill: %v\n%s", err, out)
	}
	checkSyncConverged(t, 0, remote, local)
	k.mu.Lock()
	total := k.n
	k.mu.Unlock()
	if total < 20 {
		t.Fatalf("a whole sync sent %d commands: the scenario is too small", total)
	}

	killed := 0
	for at := 1; at <= total; at++ {
		remote, local, stateFile, k, srv := fresh(at)
		cmd := syncCmd(bin, env, srv, local, stateFile)
		if err := k.start(cmd); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		k.mu.Lock()
		if k.killed {
			killed++
		}
		k.at = 0
		k.mu.Unlock()
		if out, err := syncCmd(bin, env, srv, local, stateFile).CombinedOutput(); err != nil {
			t.Fatalf("kill at command %d: the next sync: %v\n%s", at, err, out)
		}
		checkSyncConverged(t, at, remote, local)
		again := syncCmd(bin, env, srv, local, stateFile)
		again.Args = append(again.Args[:1], append([]string{"sync", "-n", "--json"}, again.Args[3:]...)...)
		out, err := again.Output()
		if err != nil || !strings.Contains(string(out), `"actions": []`) {
			t.Fatalf("kill at command %d: after convergence the plan is not empty: %v\n%s", at, err, out)
		}
		if t.Failed() {
			return
		}
	}
	if killed < total/2 {
		t.Fatalf("only %d of %d runs were killed: the test proves little", killed, total)
	}
	t.Logf("killed %d runs, at commands 1..%d", killed, total)
}
