package plan

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestParseSizeAndAge(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "4096": 4096, "1k": 1 << 10, "10M": 10 << 20, "1.5GiB": 3 << 29, "2T": 2 << 40, "64KB": 64 << 10} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "big", "-1k", "1X", "1e30"} {
		if _, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) accepted", bad)
		}
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"36h":                  now.Add(-36 * time.Hour),
		"7d":                   now.AddDate(0, 0, -7),
		"2w":                   now.AddDate(0, 0, -14),
		"1.5d":                 now.Add(-36 * time.Hour),
		"2026-01-31":           time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC),
		"2026-01-31T12:00:00Z": time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC),
	} {
		if got, err := ParseAge(in, now); err != nil || !got.Equal(want) {
			t.Errorf("ParseAge(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "yesterday", "-7d", "7x", "2026-13-01"} {
		if _, err := ParseAge(bad, now); err == nil {
			t.Errorf("ParseAge(%q) accepted", bad)
		}
	}
}

// The files the size and age rules leave out are left alone as an excluded
// path is: on the other side too, never deleted, their records kept.
func TestEntryRulesHoldPathsOnBothSidesLikeAnExclude(t *testing.T) {
	old, recent := t0.Add(-30*day), t0.Add(-time.Hour)
	rules := EntryRules{MaxSize: 100, NewerThan: t0.Add(-7 * day)}
	remote := []Entry{
		at("small-new", 10, recent, time.Second),
		at("big", 500, recent, time.Second),        // too large
		at("stale", 10, old, time.Second),          // too old
		at("grown", 900, recent, time.Second),      // was small, now too large
		{Path: "dir", Kind: KindDir, ModTime: old}, // directories are never held
		at("dir/x", 10, recent, time.Second),
	}
	grownThen := at("grown", 50, old, time.Second)
	local := []Entry{
		loc("big", 500, t0), loc("stale", 10, t0), loc("grown", 50, old),
		loc("gone", 10, recent),
	}
	base := snap(rec(grownThen, loc("grown", 50, old)), rec(at("gone", 10, recent, time.Second), loc("gone", 10, recent)),
		rec(at("stale", 10, old, time.Second), loc("stale", 10, t0)))
	filter, n := (*Filter)(nil).WithEntryRules(rules).Hold(remote)
	if n != 3 {
		t.Errorf("held %d files, want 3", n)
	}
	got := show(Pull(PullInput{Remote: Listing{Entries: remote}, Local: local, Base: base, Delete: true, Filter: filter}))
	want := []string{
		fmt.Sprintf("%s %s %s dir", StageMkdir, OpMkdirLocal, ReasonNew),
		fmt.Sprintf("%s %s %s dir/x", StageTransfer, OpDownload, ReasonNew),
		fmt.Sprintf("%s %s %s small-new", StageTransfer, OpDownload, ReasonNew),
		fmt.Sprintf("%s %s %s gone", StageDelete, OpDeleteLocal, ReasonDeleted),
	}
	if !slices.Equal(got, want) {
		t.Errorf("pull plan:\n got %q\nwant %q", got, want)
	}

	// Push judges the local tree: a large local file is not uploaded, and
	// the remote copy is not deleted.
	filter, _ = (*Filter)(nil).WithEntryRules(EntryRules{MaxSize: 100}).Hold(local)
	got = show(Push(PushInput{Local: local, Remote: Listing{Entries: []Entry{at("big", 400, old, time.Second), at("extra", 1, old, time.Second)}},
		Delete: true, Filter: filter}))
	for _, line := range got {
		if len(line) >= 3 && line[len(line)-3:] == "big" {
			t.Errorf("push touched the held file: %q", got)
		}
	}
	if !slices.ContainsFunc(got, func(s string) bool {
		return s == fmt.Sprintf("%s %s %s extra", StageDelete, OpDeleteRemote, ReasonDeleted)
	}) {
		t.Errorf("push should still delete what is not held: %q", got)
	}
}

func TestEntryRulesKeep(t *testing.T) {
	r := EntryRules{MinSize: 10, MaxSize: 20, NewerThan: t0.Add(-day), OlderThan: t0}
	for _, c := range []struct {
		e    Entry
		want bool
	}{
		{at("a", 10, t0, 0), true},
		{at("a", 20, t0.Add(-day), 0), true},
		{at("a", 9, t0, 0), false},
		{at("a", 21, t0, 0), false},
		{at("a", 15, t0.Add(-day-time.Second), 0), false},
		{at("a", 15, t0.Add(time.Second), 0), false},
		{dir("big-and-old"), true},
		{link("l", "x"), true},
	} {
		if got := r.Keep(c.e); got != c.want {
			t.Errorf("Keep(%s %d %v) = %v", c.e.Path, c.e.Size, c.e.ModTime, got)
		}
	}
	if !(EntryRules{}).Keep(at("a", 1<<40, time.Time{}, 0)) {
		t.Error("the zero rules must keep everything")
	}
}
