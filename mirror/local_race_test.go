package mirror

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
	"github.com/ftpmirror/ftpmirror/state"
)

// The local path race of issue 11: a user who can write inside the mirror
// swaps a directory of it with a symlink to a directory elsewhere, in a
// loop, while a run works there. These tests race a real run with a
// goroutine calling renameat2(RENAME_EXCHANGE) and check that nothing was
// written, deleted or read outside the tree.

// raceFiles is how many files the raced directory holds: enough for the
// run to spend a while in it.
const raceFiles = 300

// maxSwaps bounds the swapping goroutine, which otherwise runs until the
// run under test returns.
const maxSwaps = 5_000_000

// swapper exchanges dir, a directory of the tree, with a symlink beside it
// to outside, from the moment the run's plan is known (its Progress.Start:
// a scan of a tree that changes under it rightly fails) until stop is
// called, or maxSwaps exchanges. The test fails if no exchange was made,
// since then nothing was raced. After stop, dir is the directory again.
type swapper struct {
	nopProgress
	once  sync.Once
	begin chan struct{}
	stop  func()
}

func (s *swapper) Start(int, int64) { s.once.Do(func() { close(s.begin) }) }

func newSwapper(t *testing.T, dir, outside string) *swapper {
	t.Helper()
	link := dir + "-link"
	if err := os.Symlink(outside, link); err != nil {
		t.Fatal(err)
	}
	s := &swapper{begin: make(chan struct{})}
	done := make(chan struct{})
	var wg sync.WaitGroup
	var swaps int
	var gone bool
	wg.Go(func() {
		select {
		case <-s.begin:
		case <-done:
			return
		}
		for swaps < maxSwaps {
			select {
			case <-done:
				return
			default:
			}
			err := unix.Renameat2(unix.AT_FDCWD, dir, unix.AT_FDCWD, link, unix.RENAME_EXCHANGE)
			if errors.Is(err, unix.ENOENT) {
				gone = true // the run removed the directory (pull --delete), or the link standing in for it
				return
			}
			if err != nil {
				names, _ := os.ReadDir(filepath.Dir(dir))
				t.Errorf("renameat2 after %d exchanges: %v; beside it: %v", swaps, err, names)
				return
			}
			swaps++
		}
	})
	s.stop = func() {
		close(done)
		wg.Wait()
		if swaps%2 == 1 && !gone { // dir is the symlink: put the directory back
			if err := unix.Renameat2(unix.AT_FDCWD, dir, unix.AT_FDCWD, link, unix.RENAME_EXCHANGE); err != nil {
				t.Fatal(err)
			}
		}
		if swaps == 0 {
			t.Fatal("the swapper never ran: nothing was raced")
		}
		t.Logf("%d exchanges", swaps)
	}
	return s
}

// raceTree is raceFiles files under d/, each holding content.
func raceTree(content string) map[string]string {
	files := map[string]string{}
	for i := range raceFiles {
		files[fmt.Sprintf("d/f%03d", i)] = content
	}
	return files
}

// raceCtx bounds one raced run.
func raceCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func TestPullRacedBySymlinkSwapWritesNothingOutside(t *testing.T) {
	f := newPullFixture(t, raceTree("remote"), ftptest.Options{})
	outside := t.TempDir()
	if err := os.MkdirAll(filepath.Join(f.local, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	sw := newSwapper(t, filepath.Join(f.local, "d"), outside)
	st := openTestStore(t, f.state)
	_, err := Pull(raceCtx(t), PullOptions{Server: f.srv, LocalDir: f.local, Store: st, Parallel: 3, Progress: sw})
	sw.stop()
	t.Logf("pull: %v", err)
	wantTree(t, outside)
}

func TestPullDeleteRacedBySymlinkSwapDeletesNothingOutside(t *testing.T) {
	f := newPullFixture(t, map[string]string{"keep": "k"}, ftptest.Options{})
	outside := t.TempDir()
	ftptest.WriteTree(t, f.local, raceTree("local"))
	ftptest.WriteTree(t, outside, raceTree("outside"))
	before := treeNames(t, outside)
	sw := newSwapper(t, filepath.Join(f.local, "d"), filepath.Join(outside, "d"))
	st := openTestStore(t, f.state)
	_, err := Pull(raceCtx(t), PullOptions{Server: f.srv, LocalDir: f.local, Store: st, Parallel: 3, Delete: true, Force: true, Progress: sw})
	sw.stop()
	t.Logf("pull --delete --force: %v", err)
	wantTree(t, outside, before...)
}

func TestPushRacedBySymlinkSwapReadsNothingOutside(t *testing.T) {
	f := newPushFixture(t, raceTree("inside"), inProcess(ftptest.Options{}))
	outside := t.TempDir()
	ftptest.WriteTree(t, outside, raceTree("OUTSIDE"))
	sw := newSwapper(t, filepath.Join(f.local, "d"), filepath.Join(outside, "d"))
	_, err := f.push(raceCtx(t), func(o *PushOptions) { o.Progress = sw })
	sw.stop()
	t.Logf("push: %v", err)
	for _, name := range treeNames(t, f.remote) {
		p := filepath.Join(f.remote, filepath.FromSlash(name))
		if fi, err := os.Lstat(p); err != nil || !fi.Mode().IsRegular() {
			continue
		}
		if strings.Contains(readTestFile(t, p), "OUTSIDE") {
			t.Errorf("uploaded %s from outside the tree", name)
		}
	}
}

// openTestStore opens the state at path for one test.
func openTestStore(t *testing.T, path string) *state.Store {
	t.Helper()
	st, err := state.Open(path, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
