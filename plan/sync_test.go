package plan

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// syncNow is the time of the sync runs of these tests; conflict copies are
// named after it.
var syncNow = time.Date(2024, 11, 26, 9, 30, 0, 0, time.UTC)

// showSync renders the actions of a plan as "stage op reason path" lines,
// with " -> to" for renames.
func showSync(p Plan) []string {
	out := make([]string, len(p.Actions))
	for i, a := range p.Actions {
		out[i] = fmt.Sprintf("%s %s %s %s", a.Stage, a.Op, a.Reason, a.Path)
		if a.To != "" {
			out[i] += " -> " + a.To
		}
	}
	return out
}

// checkSyncPlan checks what every sync plan must hold: stages in order,
// parents made first and deleted last, renames before transfers, a Source
// for every copy, no path acted on by two actions of one stage.
func checkSyncPlan(t *testing.T, p Plan) {
	t.Helper()
	checkOrder(t, p)
	made, deleted := map[string]bool{}, map[string]bool{}
	seen := map[string]bool{}
	for i, a := range p.Actions {
		if i > 0 && a.Stage < p.Actions[i-1].Stage {
			t.Errorf("%s %s in stage %s after stage %s", a.Op, a.Path, a.Stage, p.Actions[i-1].Stage)
		}
		key := a.Stage.String() + " " + a.Path
		if seen[key] {
			t.Errorf("two actions on %s in stage %s", a.Path, a.Stage)
		}
		seen[key] = true
		switch a.Op {
		case OpMkdirLocal, OpMkdirRemote:
			if d := parentDir(a.Path); d != "" {
				for _, b := range p.Actions[i+1:] {
					if b.Op == a.Op && b.Path == d {
						t.Errorf("%s %s before its parent", a.Op, a.Path)
					}
				}
			}
			made[a.Path] = true
		case OpDeleteLocal, OpDeleteRemote:
			for q := range deleted {
				if strings.HasPrefix(a.Path, q+"/") {
					t.Errorf("%s deleted after its parent %s", a.Path, q)
				}
			}
			deleted[a.Path] = true
		case OpRenameLocal, OpRenameRemote:
			if a.Stage != StageReplace || a.To == "" || parentDir(a.To) != parentDir(a.Path) {
				t.Errorf("rename %s -> %q in stage %s", a.Path, a.To, a.Stage)
			}
		}
		switch a.Op {
		case OpUpload, OpDownload, OpAdopt, OpSymlinkLocal, OpRenameLocal, OpRenameRemote:
			if a.Source == nil || a.Source.Path != a.Path || a.Source.Size != a.Size {
				t.Errorf("%s %s: Source %+v, Size %d", a.Op, a.Path, a.Source, a.Size)
			}
		}
	}
}

// The fixtures of the state matrix: a file synced as rf/lf, then changed on
// either side.
var (
	syncRF       = at("f", 10, t0, time.Second)
	syncLF       = loc("f", 10, localT)
	syncBase     = snap(rec(syncRF, syncLF))
	syncLChanged = loc("f", 11, t0.Add(2*time.Hour))
	syncRChanged = at("f", 12, t0.Add(time.Hour), time.Second)
)

// matrixSide returns the entry of one side in the given state; remote says
// which side. ok is false for absent and deleted.
func matrixSide(state string, remote bool) (e Entry, ok bool) {
	switch {
	case state == "absent" || state == "deleted":
		return Entry{}, false
	case state == "unchanged" && remote:
		return syncRF, true
	case state == "unchanged":
		return syncLF, true
	case remote:
		return syncRChanged, true // new or changed
	}
	return syncLChanged, true
}

// TestSyncStateMatrix plans every cell of the (local state x remote state)
// matrix for a file. A record exists for both sides or neither, so the cells
// mixing absent/new with unchanged/changed/deleted cannot occur.
func TestSyncStateMatrix(t *testing.T) {
	states := []string{"absent", "new", "unchanged", "changed", "deleted"}
	// Both versions kept: the local one, changed at t0+2h, is newer than
	// the remote one, changed at t0+1h, and keeps the name.
	keepBoth := []string{
		"replace rename-remote conflict f -> f.conflict-remote-20241126-093000",
		"transfer upload conflict f",
		"transfer download conflict f.conflict-remote-20241126-093000",
	}
	want := map[string][]string{
		"absent/absent":       nil,
		"absent/new":          {"transfer download new f"},
		"new/absent":          {"transfer upload new f"},
		"new/new":             keepBoth,
		"unchanged/unchanged": nil,
		"unchanged/changed":   {"transfer download changed f"},
		"unchanged/deleted":   {"delete delete deleted f"},
		"changed/unchanged":   {"transfer upload changed f"},
		"changed/changed":     keepBoth,
		"changed/deleted":     {"transfer upload changed f"},
		"deleted/unchanged":   {"delete delete-remote deleted f"},
		"deleted/changed":     {"transfer download changed f"},
		"deleted/deleted":     {"forget forget deleted f"},
	}
	for _, ls := range states {
		for _, rs := range states {
			cell := ls + "/" + rs
			t.Run(cell, func(t *testing.T) {
				noRecord := func(s string) bool { return s == "absent" || s == "new" }
				if noRecord(ls) != noRecord(rs) {
					t.Skip("impossible: a record exists for both sides or neither")
				}
				var in SyncInput
				if !noRecord(ls) {
					in.Base = syncBase
				}
				if l, ok := matrixSide(ls, false); ok {
					in.Local = []Entry{l}
				}
				if r, ok := matrixSide(rs, true); ok {
					in.Remote.Entries = []Entry{r}
				}
				in.Now = syncNow
				p := Sync(in)
				if got := showSync(p); !slices.Equal(got, want[cell]) {
					t.Errorf("plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want[cell], "\n"))
				}
				checkSyncPlan(t, p)
			})
		}
	}
}

func TestSyncFileDetails(t *testing.T) {
	listed := at("f", 10, t0.Truncate(minute), minute) // rf as LIST shows it
	tests := []struct {
		name    string
		local   []Entry
		remote  []Entry
		base    Snapshot
		content map[string]Content
		want    []string
	}{
		{
			name:   "first sync: files alike by size and mtime are compared first",
			local:  []Entry{syncLF},
			remote: []Entry{syncRF},
			want:   []string{"transfer compare unverified f"},
		},
		{
			name:    "first sync: files alike and of the same content are adopted",
			local:   []Entry{syncLF},
			remote:  []Entry{syncRF},
			content: map[string]Content{"f": ContentSame},
			want:    []string{"transfer adopt adopted f"},
		},
		{
			name:    "first sync: files alike but of different content are a conflict",
			local:   []Entry{syncLF},
			remote:  []Entry{syncRF},
			content: map[string]Content{"f": ContentDiffer},
			want: []string{
				"replace rename conflict f -> f.conflict-local-20241126-093000",
				"transfer download conflict f",
				"transfer upload conflict f.conflict-local-20241126-093000",
			},
		},
		{
			name:   "first sync: alike within LIST minute precision",
			local:  []Entry{loc("f", 10, t0)},
			remote: []Entry{listed},
			want:   []string{"transfer compare unverified f"},
		},
		{
			name:   "first sync: unknown remote times are a conflict, whatever the size",
			local:  []Entry{syncLF},
			remote: []Entry{at("f", 10, t0, 0)},
			want: []string{
				"replace rename conflict f -> f.conflict-local-20241126-093000",
				"transfer download conflict f",
				"transfer upload conflict f.conflict-local-20241126-093000",
			},
		},
		{
			name:   "changed on both sides to the same size and second is compared",
			local:  []Entry{loc("f", 12, t0.Add(time.Hour+300*time.Millisecond))},
			remote: []Entry{syncRChanged},
			base:   syncBase,
			want:   []string{"transfer compare unverified f"},
		},
		{
			name:    "changed on both sides to the same content is adopted",
			local:   []Entry{loc("f", 12, t0.Add(time.Hour+300*time.Millisecond))},
			remote:  []Entry{syncRChanged},
			base:    syncBase,
			content: map[string]Content{"f": ContentSame},
			want:    []string{"transfer adopt adopted f"},
		},
		{
			name:    "changed on both sides within the same second to other bytes is a conflict",
			local:   []Entry{loc("f", 12, t0.Add(time.Hour+300*time.Millisecond))},
			remote:  []Entry{syncRChanged},
			base:    syncBase,
			content: map[string]Content{"f": ContentDiffer},
			want: []string{
				"replace rename conflict f -> f.conflict-local-20241126-093000",
				"transfer download conflict f",
				"transfer upload conflict f.conflict-local-20241126-093000",
			},
		},
		{
			name:   "local mtime changed by a nanosecond is a change",
			local:  []Entry{loc("f", 10, localT.Add(time.Nanosecond))},
			remote: []Entry{syncRF},
			base:   syncBase,
			want:   []string{"transfer upload changed f"},
		},
		{
			name:   "remote listed by LIST within its precision is unchanged",
			local:  []Entry{syncLF},
			remote: []Entry{listed},
			base:   syncBase,
		},
		{
			name:   "remote mtime changed by a second (MLSD) is a change",
			local:  []Entry{syncLF},
			remote: []Entry{at("f", 10, t0.Add(time.Second), time.Second)},
			base:   syncBase,
			want:   []string{"transfer download changed f"},
		},
		{
			name:   "a record of another kind: both sides changed",
			local:  []Entry{syncLF},
			remote: []Entry{syncRF},
			base:   snap(Record{Path: "f", Kind: KindDir}),
			want:   []string{"transfer compare unverified f"},
		},
		{
			name:  "a record of another kind, remote gone: the local file is uploaded",
			local: []Entry{syncLF},
			base:  snap(Record{Path: "f", Kind: KindSymlink}),
			want:  []string{"transfer upload changed f"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Sync(SyncInput{Local: tt.local, Remote: Listing{Entries: tt.remote}, Base: tt.base, Content: tt.content, Now: syncNow})
			if got := showSync(p); !slices.Equal(got, tt.want) {
				t.Errorf("plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			checkSyncPlan(t, p)
		})
	}
}

func TestSyncConflictPolicies(t *testing.T) {
	const name = "d/f.txt"
	rec := rec(at(name, 10, t0, time.Second), loc(name, 10, localT))
	older, newer := t0.Add(time.Hour), t0.Add(2*time.Hour)
	versions := map[string]struct{ l, r Entry }{
		"local newer":  {loc(name, 11, newer), at(name, 12, older, time.Second)},
		"remote newer": {loc(name, 11, older), at(name, 12, newer, time.Second)},
		"tie":          {loc(name, 11, older.Add(300*time.Millisecond)), at(name, 12, older, time.Second)},
		"unknown time": {loc(name, 11, newer), at(name, 12, older, 0)},
	}
	up := []string{"transfer upload conflict d/f.txt"}
	down := []string{"transfer download conflict d/f.txt"}
	// Transfers are sorted by path: "f.c..." before "f.t...".
	localKept := []string{
		"replace rename-remote conflict d/f.txt -> d/f.conflict-remote-20241126-093000.txt",
		"transfer download conflict d/f.conflict-remote-20241126-093000.txt",
		"transfer upload conflict d/f.txt",
	}
	remoteKept := []string{
		"replace rename conflict d/f.txt -> d/f.conflict-local-20241126-093000.txt",
		"transfer upload conflict d/f.conflict-local-20241126-093000.txt",
		"transfer download conflict d/f.txt",
	}
	tests := []struct {
		policy   ConflictPolicy
		versions string
		want     []string
	}{
		{ConflictKeepBoth, "local newer", localKept},
		{ConflictKeepBoth, "remote newer", remoteKept},
		{ConflictKeepBoth, "tie", remoteKept},
		{ConflictKeepBoth, "unknown time", remoteKept},
		{"", "local newer", localKept},
		{"bogus", "local newer", localKept},
		{ConflictNewer, "local newer", up},
		{ConflictNewer, "remote newer", down},
		{ConflictNewer, "tie", remoteKept},
		{ConflictNewer, "unknown time", remoteKept},
		{ConflictLocal, "local newer", up},
		{ConflictLocal, "remote newer", up},
		{ConflictLocal, "tie", up},
		{ConflictRemote, "local newer", down},
		{ConflictRemote, "remote newer", down},
		{ConflictRemote, "tie", down},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q %s", tt.policy, tt.versions), func(t *testing.T) {
			v := versions[tt.versions]
			p := Sync(SyncInput{
				Local:  []Entry{dir("d"), v.l},
				Remote: Listing{Entries: []Entry{dir("d"), v.r}},
				Base:   snap(Record{Path: "d", Kind: KindDir}, rec),
				Policy: tt.policy,
				Now:    syncNow,
			})
			if got := showSync(p); !slices.Equal(got, tt.want) {
				t.Errorf("plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			checkSyncPlan(t, p)
			// The copy of the renamed version carries that version.
			for _, a := range p.Actions {
				switch {
				case a.Op == OpDownload && a.Path != name && *a.Source != entryAt(v.r, a.Path):
					t.Errorf("copy download Source %+v, want the remote version", a.Source)
				case a.Op == OpUpload && a.Path != name && *a.Source != entryAt(v.l, a.Path):
					t.Errorf("copy upload Source %+v, want the local version", a.Source)
				}
			}
			if s := p.Summary(); s.Conflicts != 1 || s.Renames != len(tt.want)/3 {
				t.Errorf("Summary: %d conflicts, %d renames", s.Conflicts, s.Renames)
			}
		})
	}
}

func newSyncFilter(t *testing.T, include, exclude []string) *Filter {
	t.Helper()
	f, err := NewFilter(include, exclude)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
