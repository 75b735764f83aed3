package plan

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// A skipped name is left alone by every planner, with --delete too: the
// local copy of a name the server lists with a line break is not deleted,
// its record is not forgotten, a push neither uploads nor deletes it, and
// the plan is not incomplete (no exit 5, no refused deletions elsewhere).
func TestPlannersLeaveSkippedNamesAlone(t *testing.T) {
	bad := "dir/cr\rname"
	remote := Listing{
		Entries: []Entry{dir("dir"), at("dir/ok", 1, t0, time.Second)},
		Skipped: []Skipped{{Path: bad, Err: ErrUnmirrorable}},
	}
	local := []Entry{{Path: "dir", Kind: KindDir}, loc(bad, 5, localT), loc("dir/gone", 1, localT)}
	base := snap(rec(at(bad, 5, t0, time.Second), loc(bad, 5, localT)))

	pull := Pull(PullInput{Remote: remote, Local: local, Base: base, Delete: true})
	push := Push(PushInput{Remote: Listing{Entries: local, Skipped: remote.Skipped}, Local: remote.Entries, Base: base, Delete: true})
	sync := Sync(SyncInput{Remote: remote, Local: local, Base: base})
	for name, p := range map[string]Plan{"pull": pull, "push": push, "sync": sync} {
		for _, a := range p.Actions {
			if a.Path == bad {
				t.Errorf("%s plans %s %s on a skipped name", name, a.Op, strings.ReplaceAll(a.Path, "\r", `\r`))
			}
		}
		if len(p.Incomplete) != 0 {
			t.Errorf("%s: incomplete = %q, want none", name, p.Incomplete)
		}
	}
	// The rest of the directory mirrors, deletions included.
	if got := show(pull); !slices.Contains(got, "delete delete deleted dir/gone") || !slices.Contains(got, "transfer download new dir/ok") {
		t.Errorf("pull = %q, want dir/ok downloaded and dir/gone deleted", got)
	}
}

func TestSkippedWrapsItsReason(t *testing.T) {
	s := Skipped{Path: "a\nb", Err: CheckName("a\nb")}
	if !errors.Is(s, ErrUnmirrorable) {
		t.Errorf("%v does not wrap ErrUnmirrorable", s)
	}
}
