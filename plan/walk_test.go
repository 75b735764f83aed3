package plan

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
)

// fakeLister serves a tree from a map of directory -> entries.
type fakeLister struct {
	dirs map[string][]Entry
	errs map[string]error

	mu    sync.Mutex
	calls []string
}

func (f *fakeLister) List(ctx context.Context, dir string) ([]Entry, error) {
	f.mu.Lock()
	f.calls = append(f.calls, dir)
	f.mu.Unlock()
	if err := f.errs[dir]; err != nil {
		return nil, err
	}
	entries, ok := f.dirs[dir]
	if !ok {
		return nil, fmt.Errorf("no directory %q", dir)
	}
	return slices.Clone(entries), nil
}

var _ Lister = (*fakeLister)(nil)

func paths(entries []Entry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.Path
	}
	return out
}

func failedPaths(errs []DirError) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = e.Path
	}
	return out
}

func TestWalkListsTheTreeSorted(t *testing.T) {
	l := &fakeLister{dirs: map[string][]Entry{
		"":      {file("z.txt", 3), dir("a"), link("ln", "a"), file("a.txt", 1)},
		"a":     {dir("a/sub"), file("a/f", 2)},
		"a/sub": {},
	}}
	got, err := Walk(context.Background(), l, WalkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a", "a/f", "a/sub", "a.txt", "ln", "z.txt"}
	if !slices.Equal(paths(got.Entries), want) {
		t.Errorf("entries = %q, want %q", paths(got.Entries), want)
	}
	if len(got.Failed) != 0 {
		t.Errorf("failed = %v", got.Failed)
	}
	if slices.Contains(l.calls, "ln") {
		t.Error("Walk followed a symlink")
	}
}

func TestWalkRecordsAFailingDirectoryAndGoesOn(t *testing.T) {
	boom := errors.New("550 permission denied")
	l := &fakeLister{
		dirs: map[string][]Entry{
			"":  {dir("a"), dir("b")},
			"b": {file("b/x", 1)},
		},
		errs: map[string]error{"a": boom},
	}
	got, err := Walk(context.Background(), l, WalkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a", "b", "b/x"}; !slices.Equal(paths(got.Entries), want) {
		t.Errorf("entries = %q, want %q", paths(got.Entries), want)
	}
	if len(got.Failed) != 1 || got.Failed[0].Path != "a" || !errors.Is(got.Failed[0], boom) {
		t.Errorf("failed = %v, want one error for a wrapping %v", got.Failed, boom)
	}
}

func TestWalkRefusesHostileEntries(t *testing.T) {
	l := &fakeLister{dirs: map[string][]Entry{
		"": {
			file("ok", 1),
			file("..", 1),
			file(".", 1),
			file("a/b", 1),
			file("x\x00y", 1),
			file("", 1),
			file("ok", 2), // duplicate: the first is kept
			file("neg", -1),
			{Path: "weird", Kind: Kind(9)},
			dir("d"),
		},
		"d": {file("elsewhere/x", 1), file("d/..", 1), file("d/good", 1), file("d", 1)},
	}}
	got, err := Walk(context.Background(), l, WalkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"d", "d/good", "ok"}; !slices.Equal(paths(got.Entries), want) {
		t.Errorf("entries = %q, want %q", paths(got.Entries), want)
	}
	for _, e := range got.Entries {
		if e.Path == "ok" && e.Size != 1 {
			t.Errorf("duplicate kept the second entry: %+v", e)
		}
	}
	wantFailed := []string{"", "", "", "", "", "", "", "", "d", "d", "d"}
	if !slices.Equal(failedPaths(got.Failed), wantFailed) {
		t.Errorf("failed = %q, want %q", failedPaths(got.Failed), wantFailed)
	}
	for _, f := range got.Failed {
		if !errors.Is(f, ErrBadEntry) {
			t.Errorf("%v does not wrap ErrBadEntry", f)
		}
	}
}

func TestWalkFilterDropsExcludedAndDoesNotDescend(t *testing.T) {
	f, err := NewFilter(nil, []string{"skip", "*.tmp"})
	if err != nil {
		t.Fatal(err)
	}
	l := &fakeLister{dirs: map[string][]Entry{
		"":     {dir("skip"), dir("keep"), file("x.tmp", 1)},
		"keep": {file("keep/y.tmp", 1), file("keep/y", 1)},
	}}
	got, err := Walk(context.Background(), l, WalkOptions{Filter: f})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"keep", "keep/y"}; !slices.Equal(paths(got.Entries), want) {
		t.Errorf("entries = %q, want %q", paths(got.Entries), want)
	}
	if slices.Contains(l.calls, "skip") {
		t.Error("Walk listed an excluded directory")
	}
}

func TestWalkRefusesTooManyEntries(t *testing.T) {
	l := &fakeLister{dirs: map[string][]Entry{
		"":  {dir("a"), file("b", 1)},
		"a": {file("a/1", 1), file("a/2", 1)},
	}}
	if _, err := Walk(context.Background(), l, WalkOptions{MaxEntries: 4}); err != nil {
		t.Fatalf("4 entries with MaxEntries 4: %v", err)
	}
	_, err := Walk(context.Background(), l, WalkOptions{MaxEntries: 3})
	if !errors.Is(err, ErrTooManyEntries) {
		t.Fatalf("err = %v, want ErrTooManyEntries", err)
	}
}

// deepTree returns a fake tree of n directories below the root, each with a
// subdirectory holding a file.
func deepTree(n int) map[string][]Entry {
	dirs := map[string][]Entry{"": nil}
	for i := range n {
		d := fmt.Sprintf("d%02d", i)
		dirs[""] = append(dirs[""], dir(d))
		dirs[d] = []Entry{dir(d + "/s")}
		dirs[d+"/s"] = []Entry{file(d+"/s/f", 1)}
	}
	return dirs
}

// barrierLister counts the List calls in flight. Calls below the root wait
// until Parallel of them are in flight at once, which can only happen if Walk
// lists concurrently; a Walk that lists one directory at a time would never
// get there and the test's context would end it.
type barrierLister struct {
	fakeLister
	parallel int

	mu       sync.Mutex
	inflight int
	max      int
	reached  chan struct{}
}

func (b *barrierLister) List(ctx context.Context, dir string) ([]Entry, error) {
	b.mu.Lock()
	b.inflight++
	b.max = max(b.max, b.inflight)
	if b.inflight == b.parallel && b.reached != nil {
		close(b.reached)
		b.reached = nil
	}
	reached := b.reached
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		b.inflight--
		b.mu.Unlock()
	}()
	if dir != "" && reached != nil {
		select {
		case <-reached:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return b.fakeLister.List(ctx, dir)
}

func TestWalkListsConcurrentlyWithinTheLimit(t *testing.T) {
	for _, parallel := range []int{2, 3, 5} {
		t.Run(fmt.Sprint(parallel), func(t *testing.T) {
			b := &barrierLister{
				fakeLister: fakeLister{dirs: deepTree(12)},
				parallel:   parallel,
				reached:    make(chan struct{}),
			}
			ctx, cancel := context.WithTimeout(context.Background(), testDeadline)
			defer cancel()
			got, err := Walk(ctx, b, WalkOptions{Parallel: parallel})
			if err != nil {
				t.Fatalf("Walk: %v (never had %d List calls in flight at once)", err, parallel)
			}
			if len(got.Entries) != 36 {
				t.Errorf("got %d entries, want 36", len(got.Entries))
			}
			if b.max != parallel {
				t.Errorf("at most %d calls in flight, want exactly %d", b.max, parallel)
			}
		})
	}
}

func TestWalkWithOneListerAtATime(t *testing.T) {
	l := &fakeLister{dirs: deepTree(5)}
	got, err := Walk(context.Background(), l, WalkOptions{Parallel: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Entries) != 15 || len(l.calls) != 11 {
		t.Errorf("%d entries and %d calls, want 15 and 11", len(got.Entries), len(l.calls))
	}
}

// cancelLister cancels the walk while listing one directory, then waits
// for the cancellation like a real lister blocked on the network.
type cancelLister struct {
	fakeLister
	at     string
	cancel context.CancelFunc
}

func (c *cancelLister) List(ctx context.Context, dir string) ([]Entry, error) {
	if dir == c.at {
		c.cancel()
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return c.fakeLister.List(ctx, dir)
}

func TestWalkAbortsWhenTheContextIsCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l := &cancelLister{fakeLister: fakeLister{dirs: deepTree(6)}, at: "d03", cancel: cancel}
	got, err := Walk(ctx, l, WalkOptions{Parallel: 2})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if len(got.Entries) != 0 || len(got.Failed) != 0 {
		t.Errorf("canceled walk returned a listing: %+v", got)
	}

	_, err = Walk(ctx, &fakeLister{dirs: deepTree(1)}, WalkOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("walk with a done context: err = %v, want context.Canceled", err)
	}
}
