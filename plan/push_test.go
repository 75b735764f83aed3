package plan

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// pushed returns the record of local file l pushed to remote r.
func pushed(l, r Entry) Record { return rec(r, l) }

func TestPushFiles(t *testing.T) {
	lf := loc("f", 10, localT)                         // the local source
	rf := at("f", 10, t0, time.Second)                 // its copy, time set by MFMT, listed by MLSD
	listed := at("f", 10, t0.Truncate(minute), minute) // the same copy listed by LIST
	base := snap(pushed(lf, rf))
	tests := []struct {
		name   string
		local  []Entry
		remote []Entry
		base   Snapshot
		want   []string
	}{
		{
			name:  "new file",
			local: []Entry{lf},
			want:  []string{"transfer upload new f"},
		},
		{
			name:   "identical remote file is adopted (MLSD seconds)",
			local:  []Entry{lf},
			remote: []Entry{rf},
			want:   []string{"transfer adopt adopted f"},
		},
		{
			name:   "adopted with LIST minute precision",
			local:  []Entry{lf},
			remote: []Entry{listed},
			want:   []string{"transfer adopt adopted f"},
		},
		{
			name:   "not adopted when the remote time is a second off",
			local:  []Entry{lf},
			remote: []Entry{at("f", 10, t0.Add(-time.Second), time.Second)},
			want:   []string{"transfer upload new f"},
		},
		{
			name:   "not adopted on size alone when times are unknown",
			local:  []Entry{lf},
			remote: []Entry{at("f", 10, time.Time{}, 0)},
			want:   []string{"transfer upload new f"},
		},
		{
			name:   "nothing changed: nothing to do",
			local:  []Entry{lf},
			remote: []Entry{rf},
			base:   base,
		},
		{
			name:   "nothing changed, listed by LIST against a record in seconds",
			local:  []Entry{lf},
			remote: []Entry{listed},
			base:   base,
		},
		{
			name:   "local mtime changed by a nanosecond",
			local:  []Entry{loc("f", 10, localT.Add(1))},
			remote: []Entry{rf},
			base:   base,
			want:   []string{"transfer upload changed f"},
		},
		{
			name:   "local size changed",
			local:  []Entry{loc("f", 11, localT)},
			remote: []Entry{rf},
			base:   base,
			want:   []string{"transfer upload changed f"},
		},
		{
			name:   "remote edited on the server is overwritten",
			local:  []Entry{lf},
			remote: []Entry{at("f", 10, t0.Add(time.Hour), time.Second)},
			base:   base,
			want:   []string{"transfer upload remote-edit f"},
		},
		{
			name:  "remote missing",
			local: []Entry{lf},
			base:  base,
			want:  []string{"transfer upload missing f"},
		},
		{
			name:   "record of another kind",
			local:  []Entry{lf},
			remote: []Entry{rf},
			base:   snap(Record{Path: "f", Kind: KindDir}),
			want:   []string{"transfer upload changed f"},
		},
		{
			name:   "remote time unknown in the record: size decides",
			local:  []Entry{lf},
			remote: []Entry{at("f", 10, t0.Add(time.Hour), time.Second)},
			base:   snap(Record{Path: "f", RemoteSize: 10, LocalSize: 10, LocalModTime: localT}),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := Push(PushInput{Local: tc.local, Remote: Listing{Entries: tc.remote}, Base: tc.base})
			if got := show(p); !slices.Equal(got, tc.want) {
				t.Fatalf("plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestPushSourcesAndSymbols(t *testing.T) {
	lf := loc("f", 10, localT)
	rf := at("f", 10, t0, time.Second)
	p := Push(PushInput{Local: []Entry{lf, dir("d")}, Remote: Listing{Entries: []Entry{rf}}})
	for _, a := range p.Actions {
		if a.Source == nil {
			t.Fatalf("%s %s has no Source", a.Op, a.Path)
		}
	}
	if a := p.Actions[1]; a.Op != OpAdopt || *a.Source != rf {
		t.Fatalf("adopt source = %+v, want the remote entry", a)
	}
	edit := Push(PushInput{Local: []Entry{lf}, Remote: Listing{Entries: []Entry{at("f", 9, t0, time.Second)}},
		Base: snap(pushed(lf, rf))})
	if a := edit.Actions[0]; a.Symbol() != '>' || *a.Source != lf || a.Size != 10 {
		t.Fatalf("remote edit = %+v (symbol %c), want '>' uploading the local file", a, a.Symbol())
	}
	if s := edit.Summary(); s.Uploads != 1 || s.RemoteEdits != 1 || s.Bytes != 10 {
		t.Fatalf("summary = %+v", s)
	}
}

func TestPushTree(t *testing.T) {
	tests := []struct {
		name    string
		local   []Entry
		remote  []Entry
		failed  []string
		base    Snapshot
		delete  bool
		exclude []string
		want    []string
		blocked []string
	}{
		{
			name:  "directories parents first, then files",
			local: []Entry{file("a/b/f", 1), dir("a/b"), dir("a"), dir("empty")},
			want: []string{
				"mkdir mkdir-remote new a", "mkdir mkdir-remote new a/b", "mkdir mkdir-remote new empty",
				"transfer upload new a/b/f",
			},
		},
		{
			name:   "extra remote entries stay without delete",
			local:  []Entry{},
			remote: []Entry{dir("d"), file("d/x", 1)},
		},
		{
			name:   "delete: children before parents",
			remote: []Entry{dir("d"), file("d/x", 1), file("y", 1)},
			delete: true,
			want:   []string{"delete delete-remote deleted y", "delete delete-remote deleted d/x", "delete delete-remote deleted d"},
		},
		{
			name:    "excluded remote entries are never deleted",
			remote:  []Entry{dir("d"), file("d/x.tmp", 1), file("y.tmp", 1), file("z", 1)},
			delete:  true,
			exclude: []string{"*.tmp"},
			want:    []string{"delete delete-remote deleted z"},
		},
		{
			name:   "nothing is planned under a failed listing",
			local:  []Entry{dir("d"), file("d/new", 1), file("top", 1)},
			remote: []Entry{dir("d"), file("gone", 1)},
			failed: []string{"d"},
			base:   snap(Record{Path: "d/old", RemoteSize: 1, LocalSize: 1}),
			delete: true,
			want:   []string{"transfer upload new top", "delete delete-remote deleted gone"},
		},
		{
			name:   "a failed root protects everything",
			local:  []Entry{file("f", 1)},
			remote: []Entry{file("g", 1)},
			failed: []string{""},
			delete: true,
		},
		{
			name:   "remote file where the local tree has a directory",
			local:  []Entry{dir("x"), file("x/f", 1)},
			remote: []Entry{file("x", 3)},
			want: []string{
				"replace delete-remote changed x", "mkdir mkdir-remote new x", "transfer upload new x/f",
			},
		},
		{
			name:   "remote directory where the local tree has a file, with delete",
			local:  []Entry{file("x", 1)},
			remote: []Entry{dir("x"), file("x/a", 1)},
			delete: true,
			want: []string{
				"replace delete-remote deleted x/a", "replace delete-remote changed x", "transfer upload new x",
			},
		},
		{
			name:    "remote directory with contents is not replaced without delete",
			local:   []Entry{file("x", 1)},
			remote:  []Entry{dir("x"), file("x/a", 1)},
			blocked: []string{"x"},
		},
		{
			name:   "local symlinks are not pushed and keep the remote entry",
			local:  []Entry{link("l", "f"), link("m", "f")},
			remote: []Entry{file("l", 1)},
			delete: true,
		},
		{
			name:   "records of paths gone from both sides are forgotten",
			local:  []Entry{file("kept", 1)},
			remote: []Entry{file("kept", 1)},
			base: snap(Record{Path: "kept", RemoteSize: 1, RemoteModTime: t0, RemotePrecision: time.Second, LocalSize: 1, LocalModTime: t0},
				Record{Path: "old", RemoteSize: 1, LocalSize: 1}),
			want: []string{"forget forget deleted old"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := NewFilter(nil, tc.exclude)
			if err != nil {
				t.Fatal(err)
			}
			var failed []DirError
			for _, p := range tc.failed {
				failed = append(failed, DirError{Path: p, Err: errors.New("550")})
			}
			p := Push(PushInput{Local: tc.local, Remote: Listing{Entries: tc.remote, Failed: failed},
				Base: tc.base, Delete: tc.delete, Filter: f})
			if got := show(p); !slices.Equal(got, tc.want) {
				t.Fatalf("plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if !slices.Equal(p.Blocked, tc.blocked) {
				t.Fatalf("blocked = %q, want %q", p.Blocked, tc.blocked)
			}
			if !slices.Equal(p.Incomplete, tc.failed) {
				t.Fatalf("incomplete = %q, want %q", p.Incomplete, tc.failed)
			}
		})
	}
}

func TestPushDeletionsAreGuarded(t *testing.T) {
	remote := []Entry{file("a", 1), file("b", 1), file("c", 1), file("d", 1)}
	p := Push(PushInput{Local: []Entry{file("a", 1)}, Remote: Listing{Entries: remote}, Delete: true})
	var ge *GuardError
	if err := CheckDeletes(p, DeleteBase(nil, remote), Limit{Percent: 50}); !errors.As(err, &ge) || ge.Deletes != 3 {
		t.Fatalf("CheckDeletes = %v, want a refusal of 3 remote deletions", err)
	}
}
