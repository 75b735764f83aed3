package plan

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

func skippedPaths(s []Skipped) []string {
	out := make([]string, len(s))
	for i, e := range s {
		out[i] = e.Path
	}
	return out
}

// Regression: one name with a line break used to fail its whole directory
// ("could not list /; nothing under it is deleted") on every run.
func TestWalkSkipsUnmirrorableNamesAndKeepsTheDirectoryComplete(t *testing.T) {
	long := strings.Repeat("n", 256)
	l := &fakeLister{dirs: map[string][]Entry{
		"":  {file("tab\tname", 1), file("cr\rname", 1), dir("d"), file("ok", 1)},
		"d": {file("d/lf\nname", 1), dir("d/" + long), file("d/keep", 1)},
	}}
	got, err := Walk(context.Background(), l, WalkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"d", "d/keep", "ok", "tab\tname"}; !slices.Equal(paths(got.Entries), want) {
		t.Errorf("entries = %q, want %q", paths(got.Entries), want)
	}
	if len(got.Failed) != 0 {
		t.Errorf("failed = %v, want none: the directories are complete", got.Failed)
	}
	if want := []string{"cr\rname", "d/lf\nname", "d/" + long}; !slices.Equal(skippedPaths(got.Skipped), want) {
		t.Errorf("skipped = %q, want %q", skippedPaths(got.Skipped), want)
	}
	for _, s := range got.Skipped {
		if !errors.Is(s, ErrUnmirrorable) {
			t.Errorf("%v does not wrap ErrUnmirrorable", s)
		}
	}
	if slices.Contains(l.calls, "d/"+long) {
		t.Error("Walk listed a skipped directory")
	}
}

// endlessLister is a server whose every directory holds another.
type endlessLister struct{ calls int }

func (e *endlessLister) List(_ context.Context, d string) ([]Entry, error) {
	e.calls++
	return []Entry{dir(JoinPath(d, "deeper")), file(JoinPath(d, "f"), 1)}, nil
}

func TestWalkStopsAnEndlessTreeAtTheDepthBound(t *testing.T) {
	l := &endlessLister{}
	var lastDirs, lastEntries int
	got, err := Walk(context.Background(), l, WalkOptions{MaxDepth: 5, Listed: func(_ string, d, n int) { lastDirs, lastEntries = d, n }})
	if err != nil {
		t.Fatal(err)
	}
	if l.calls != 6 { // the root and five levels
		t.Errorf("listed %d directories, want 6", l.calls)
	}
	if len(got.Failed) != 1 || !errors.Is(got.Failed[0], ErrTooDeep) || strings.Count(got.Failed[0].Path, "/") != 5 {
		t.Fatalf("failed = %v, want the 6th level refused as too deep", got.Failed)
	}
	if !strings.Contains(got.Failed[0].Error(), "deeper than 5 levels") {
		t.Errorf("message %q does not name the bound", got.Failed[0].Error())
	}
	if lastDirs != 6 || lastEntries != 12 {
		t.Errorf("Listed last told %d dirs, %d entries; want 6, 12", lastDirs, lastEntries)
	}
	// The directory at the bound is an entry (it is created), its contents unknown.
	if n := len(got.Entries); n != 12 {
		t.Errorf("%d entries, want 12", n)
	}
}

func TestWalkStopsAtThePathLengthBound(t *testing.T) {
	long := strings.Repeat("x", 200)
	l := &fakeLister{dirs: map[string][]Entry{
		"":                {dir(long)},
		long:              {dir(long + "/" + long)},
		long + "/" + long: {},
	}}
	got, err := Walk(context.Background(), l, WalkOptions{MaxPathLen: 300})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{long + "/" + long}; !slices.Equal(failedPaths(got.Failed), want) || !errors.Is(got.Failed[0], ErrTooDeep) {
		t.Errorf("failed = %v, want the long path refused as too deep", got.Failed)
	}
}
