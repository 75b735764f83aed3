package plan

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestTrackRenamesTurnsACopyAndADeleteIntoARename(t *testing.T) {
	old := at("old/a.bin", 500, t0, time.Second)
	lold := loc("old/a.bin", 500, localT)
	base := snap(rec(old, lold), rec(at("gone.txt", 3, t0, time.Second), loc("gone.txt", 3, localT)),
		rec(at("edited.bin", 7, t0, time.Second), loc("edited.bin", 7, localT)))
	remote := []Entry{
		dir("new"), at("new/a.bin", 500, t0, time.Second), // moved
		at("other.bin", 7, t0, time.Second),                // new, but the only candidate of its size was edited here
		at("fresh.txt", 3, t0.Add(time.Hour), time.Second), // new, same size as gone.txt, another time
	}
	local := []Entry{dir("old"), lold, loc("gone.txt", 3, localT), loc("edited.bin", 7, localT.Add(time.Minute))}
	p := Pull(PullInput{Remote: Listing{Entries: remote}, Local: local, Base: base, Delete: true})
	got := show(TrackRenames(p, base, local, true))
	want := []string{
		fmt.Sprintf("%s %s %s new", StageMkdir, OpMkdirLocal, ReasonNew),
		fmt.Sprintf("%s %s %s fresh.txt", StageTransfer, OpDownload, ReasonNew),
		fmt.Sprintf("%s %s %s old/a.bin", StageTransfer, OpRenameLocal, ReasonMoved),
		fmt.Sprintf("%s %s %s other.bin", StageTransfer, OpDownload, ReasonNew),
		fmt.Sprintf("%s %s %s old", StageDelete, OpDeleteLocal, ReasonDeleted),
		fmt.Sprintf("%s %s %s gone.txt", StageDelete, OpDeleteLocal, ReasonDeleted),
		fmt.Sprintf("%s %s %s edited.bin", StageDelete, OpDeleteLocal, ReasonDeleted),
	}
	if !slices.Equal(got, want) {
		t.Errorf("plan:\n got %q\nwant %q", got, want)
	}
	for _, a := range TrackRenames(p, base, local, true).Actions {
		if a.Reason == ReasonMoved && (a.To != "new/a.bin" || a.Source == nil || a.Source.Path != "new/a.bin" || a.Moved == nil || a.Moved.Path != "old/a.bin") {
			t.Errorf("rename action: %+v", a)
		}
	}
	// Without deletions there is nothing to pair.
	p = Pull(PullInput{Remote: Listing{Entries: remote}, Local: local, Base: base})
	if got := TrackRenames(p, base, local, true); !slices.Equal(show(got), show(p)) {
		t.Errorf("without Delete the plan changed: %q", show(got))
	}
}

func TestTrackRenamesExceptCopiesARefusedMoveOrTakesAnotherCandidate(t *testing.T) {
	a, b := at("old/a.bin", 500, t0, time.Second), at("old/b.bin", 500, t0, time.Second)
	la, lb := loc("old/a.bin", 500, localT), loc("old/b.bin", 500, localT)
	base := snap(rec(a, la), rec(b, lb))
	remote := []Entry{dir("new"), at("new/n.bin", 500, t0, time.Second)}
	local := []Entry{dir("old"), la, lb}
	p := Pull(PullInput{Remote: Listing{Entries: remote}, Local: local, Base: base, Delete: true})
	movesOf := func(p Plan) []string {
		var out []string
		for _, x := range p.Actions {
			if x.Reason == ReasonMoved {
				out = append(out, x.Path+" -> "+x.To)
			}
		}
		return out
	}
	first, other := "old/a.bin", "old/b.bin"
	if got := movesOf(TrackRenamesExcept(p, base, local, true, nil)); len(got) != 1 {
		t.Fatalf("moves %q, want one", got)
	} else if got[0] == other+" -> new/n.bin" {
		first, other = other, first
	}
	refused := map[Move]bool{{From: first, To: "new/n.bin"}: true}
	if got := movesOf(TrackRenamesExcept(p, base, local, true, refused)); !slices.Equal(got, []string{other + " -> new/n.bin"}) {
		t.Errorf("moves %q, want %s once %s is refused", got, other, first)
	}
	refused[Move{From: other, To: "new/n.bin"}] = true
	if got := TrackRenamesExcept(p, base, local, true, refused); !slices.Equal(show(got), show(p)) {
		t.Errorf("with every move refused the plan is not the copy and the deletes: %q", show(got))
	}
}
