package plan

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// at returns a file entry with the given mtime and precision.
func at(p string, size int64, mtime time.Time, prec time.Duration) Entry {
	return Entry{Path: p, Kind: KindFile, Size: size, ModTime: mtime, Precision: prec}
}

// loc returns a local file entry.
func loc(p string, size int64, mtime time.Time) Entry {
	return at(p, size, mtime, time.Nanosecond)
}

// rec returns the record of a file synced from remote r to local l.
func rec(r, l Entry) Record {
	return Record{
		Path: r.Path, Kind: r.Kind,
		RemoteSize: r.Size, RemoteModTime: r.ModTime, RemotePrecision: r.Precision,
		LocalSize: l.Size, LocalModTime: l.ModTime,
	}
}

func snap(recs ...Record) Snapshot {
	s := Snapshot{}
	for _, r := range recs {
		s[r.Path] = r
	}
	return s
}

// show renders the actions of a plan as "stage op reason path" lines.
func show(p Plan) []string {
	out := make([]string, len(p.Actions))
	for i, a := range p.Actions {
		out[i] = fmt.Sprintf("%s %s %s %s", a.Stage, a.Op, a.Reason, a.Path)
	}
	return out
}

var (
	minute = time.Minute
	day    = 24 * time.Hour
	// local is the local copy of a file listed at t0: written later, with
	// the remote mtime set on it.
	localT = t0.Add(400 * time.Millisecond)
)

func TestPullFiles(t *testing.T) {
	rf := at("f", 10, t0, time.Second)                 // listed by MLSD
	lf := loc("f", 10, localT)                         // its local copy
	listed := at("f", 10, t0.Truncate(minute), minute) // the same file by LIST
	tests := []struct {
		name   string
		remote []Entry
		local  []Entry
		base   Snapshot
		want   []string
	}{
		{
			name:   "new file",
			remote: []Entry{rf},
			want:   []string{"transfer download new f"},
		},
		{
			name:   "identical local file is adopted (MLSD seconds)",
			remote: []Entry{rf},
			local:  []Entry{lf},
			want:   []string{"transfer adopt adopted f"},
		},
		{
			name:   "adopted with LIST minute precision",
			remote: []Entry{listed},
			local:  []Entry{loc("f", 10, t0)}, // 14:01:33 vs 14:01
			want:   []string{"transfer adopt adopted f"},
		},
		{
			name:   "not adopted a minute off with LIST precision",
			remote: []Entry{listed},
			local:  []Entry{loc("f", 10, t0.Truncate(minute).Add(minute+time.Second))},
			want:   []string{"transfer download new f"},
		},
		{
			name:   "not adopted a second off with MLSD precision",
			remote: []Entry{rf},
			local:  []Entry{loc("f", 10, t0.Add(time.Second))},
			want:   []string{"transfer download new f"},
		},
		{
			name:   "adopted with date-only precision",
			remote: []Entry{at("f", 10, time.Date(2024, 11, 25, 0, 0, 0, 0, time.UTC), day)},
			local:  []Entry{lf},
			want:   []string{"transfer adopt adopted f"},
		},
		{
			name:   "unknown times: size alone is not enough",
			remote: []Entry{at("f", 10, t0, 0)},
			local:  []Entry{lf},
			want:   []string{"transfer download new f"},
		},
		{
			name:   "other size is not adopted",
			remote: []Entry{rf},
			local:  []Entry{loc("f", 11, localT)},
			want:   []string{"transfer download new f"},
		},
		{
			name:   "unchanged on both sides",
			remote: []Entry{rf},
			local:  []Entry{lf},
			base:   snap(rec(rf, lf)),
		},
		{
			name:   "remote size changed",
			remote: []Entry{at("f", 12, t0, time.Second)},
			local:  []Entry{lf},
			base:   snap(rec(rf, lf)),
			want:   []string{"transfer download changed f"},
		},
		{
			name:   "remote mtime changed (MLSD)",
			remote: []Entry{at("f", 10, t0.Add(time.Second), time.Second)},
			local:  []Entry{lf},
			base:   snap(rec(rf, lf)),
			want:   []string{"transfer download changed f"},
		},
		{
			name:   "recorded by MLSD, listed by LIST: unchanged",
			remote: []Entry{listed},
			local:  []Entry{lf},
			base:   snap(rec(rf, lf)),
		},
		{
			name:   "recorded by LIST, listed by MLSD: unchanged",
			remote: []Entry{rf},
			local:  []Entry{lf},
			base:   snap(rec(listed, lf)),
		},
		{
			name:   "recorded by LIST, changed a few minutes later",
			remote: []Entry{at("f", 10, t0.Add(3*minute), time.Second)},
			local:  []Entry{lf},
			base:   snap(rec(listed, lf)),
			want:   []string{"transfer download changed f"},
		},
		{
			name:   "recorded recent, listed date-only the same day: unchanged",
			remote: []Entry{at("f", 10, time.Date(2024, 11, 25, 0, 0, 0, 0, time.UTC), day)},
			local:  []Entry{lf},
			base:   snap(rec(listed, lf)),
		},
		{
			name:   "date-only, the date changed",
			remote: []Entry{at("f", 10, time.Date(2024, 11, 27, 0, 0, 0, 0, time.UTC), day)},
			local:  []Entry{lf},
			base:   snap(rec(at("f", 10, time.Date(2024, 11, 25, 0, 0, 0, 0, time.UTC), day), lf)),
			want:   []string{"transfer download changed f"},
		},
		{
			name:   "unknown times: same size is unchanged",
			remote: []Entry{at("f", 10, t0.Add(time.Hour), 0)},
			local:  []Entry{lf},
			base:   snap(rec(at("f", 10, t0, 0), lf)),
		},
		{
			name:   "local size edited",
			remote: []Entry{rf},
			local:  []Entry{loc("f", 9, localT)},
			base:   snap(rec(rf, lf)),
			want:   []string{"transfer download local-edit f"},
		},
		{
			name:   "local mtime edited",
			remote: []Entry{rf},
			local:  []Entry{loc("f", 10, localT.Add(time.Nanosecond))},
			base:   snap(rec(rf, lf)),
			want:   []string{"transfer download local-edit f"},
		},
		{
			name:   "local edit wins over remote change",
			remote: []Entry{at("f", 12, t0.Add(time.Hour), time.Second)},
			local:  []Entry{loc("f", 9, localT)},
			base:   snap(rec(rf, lf)),
			want:   []string{"transfer download local-edit f"},
		},
		{
			name:   "local file missing",
			remote: []Entry{rf},
			base:   snap(rec(rf, lf)),
			want:   []string{"transfer download missing f"},
		},
		{
			name:   "local file missing and remote changed",
			remote: []Entry{at("f", 12, t0, time.Second)},
			base:   snap(rec(rf, lf)),
			want:   []string{"transfer download missing f"},
		},
		{
			name:   "record of another kind: changed",
			remote: []Entry{rf},
			base:   snap(Record{Path: "f", Kind: KindDir}),
			want:   []string{"transfer download changed f"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Pull(PullInput{Remote: Listing{Entries: tt.remote}, Local: tt.local, Base: tt.base})
			if got := show(p); !slices.Equal(got, tt.want) {
				t.Errorf("plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			for _, a := range p.Actions {
				if a.Op == OpDownload || a.Op == OpAdopt {
					if a.Source == nil || a.Source.Path != a.Path || a.Size != a.Source.Size {
						t.Errorf("%s %s: Source %+v, Size %d", a.Op, a.Path, a.Source, a.Size)
					}
				}
			}
		})
	}
}

func TestPullTree(t *testing.T) {
	rf, lf := file("f", 1), loc("f", 1, t0)
	tests := []struct {
		name    string
		remote  Listing
		local   []Entry
		base    Snapshot
		delete  bool
		include []string
		exclude []string
		want    []string
		blocked []string
	}{
		{
			name:   "directories are created parents first, empty ones too",
			remote: Listing{Entries: []Entry{dir("a"), dir("a/b"), dir("a/b/c"), dir("e"), file("a/b/x", 1)}},
			local:  []Entry{dir("e")},
			want: []string{
				"mkdir mkdir new a", "mkdir mkdir new a/b", "mkdir mkdir new a/b/c",
				"transfer download new a/b/x",
			},
		},
		{
			name:   "symlinks",
			remote: Listing{Entries: []Entry{link("new", "t"), link("same", "t"), link("moved", "t2"), link("gone", "t"), link("other", "t")}},
			local:  []Entry{link("same", "t"), link("moved", "t1"), link("other", "t9")},
			base:   snap(Record{Path: "moved", Kind: KindSymlink}, Record{Path: "gone", Kind: KindSymlink}),
			want: []string{
				"transfer symlink missing gone", "transfer symlink changed moved",
				"transfer symlink new new", "transfer symlink new other",
			},
		},
		{
			name:   "deletion is off by default",
			remote: Listing{Entries: []Entry{rf}},
			local:  []Entry{lf, loc("old", 1, t0), dir("olddir")},
			base:   snap(rec(rf, lf)),
		},
		{
			name:   "deletion children before parents",
			remote: Listing{Entries: []Entry{rf}},
			local: []Entry{
				lf, dir("olddir"), loc("olddir/f", 1, t0), dir("olddir/sub"),
				loc("olddir/sub/g", 1, t0), link("olddir/ln", "f"), loc("old.txt", 1, t0),
			},
			base:   snap(rec(rf, lf)),
			delete: true,
			want: []string{
				"delete delete deleted olddir/sub/g", "delete delete deleted olddir/sub",
				"delete delete deleted olddir/ln", "delete delete deleted olddir/f",
				"delete delete deleted olddir", "delete delete deleted old.txt",
			},
		},
		{
			name: "nothing deleted under a failed listing",
			remote: Listing{
				Entries: []Entry{dir("a"), dir("b"), rf},
				Failed:  []DirError{{Path: "a", Err: errors.New("550")}},
			},
			local:  []Entry{dir("a"), loc("a/x", 1, t0), dir("a/s"), dir("b"), loc("b/y", 1, t0), lf, loc("z", 1, t0)},
			base:   snap(rec(rf, lf)),
			delete: true,
			want:   []string{"delete delete deleted z", "delete delete deleted b/y"},
		},
		{
			name: "a failed directory missing from the listing is not deleted",
			remote: Listing{
				Entries: []Entry{rf},
				Failed:  []DirError{{Path: "a", Err: errors.New("bad entry")}},
			},
			local:  []Entry{dir("a"), loc("a/x", 1, t0), lf},
			base:   snap(rec(rf, lf)),
			delete: true,
		},
		{
			name: "nothing deleted when the root listing failed",
			remote: Listing{
				Failed: []DirError{{Path: "", Err: errors.New("421")}},
			},
			local:  []Entry{lf, dir("d")},
			base:   snap(rec(rf, lf)),
			delete: true,
		},
		{
			name:    "excluded paths are never deleted, nor directories holding them",
			remote:  Listing{Entries: []Entry{rf}},
			local:   []Entry{lf, loc("x.tmp", 1, t0), dir("d"), loc("d/y.tmp", 1, t0), loc("d/z", 1, t0), dir("cache"), loc("cache/c", 1, t0)},
			base:    snap(rec(rf, lf)),
			delete:  true,
			exclude: []string{"*.tmp", "cache"},
			want:    []string{"delete delete deleted d/z"},
		},
		{
			name:    "files outside the includes are left alone",
			remote:  Listing{Entries: []Entry{dir("b"), file("b/keep.txt", 1)}},
			local:   []Entry{dir("b"), loc("b/keep.txt", 1, t0), loc("b/y.bin", 1, t0), loc("b/z.txt", 1, t0), dir("c"), loc("c/w.bin", 1, t0)},
			delete:  true,
			include: []string{"**/*.txt"},
			want:    []string{"transfer adopt adopted b/keep.txt", "delete delete deleted b/z.txt"},
		},
		{
			name:    "excluded remote entries are ignored",
			remote:  Listing{Entries: []Entry{file("x.tmp", 1)}},
			exclude: []string{"*.tmp"},
		},
		{
			name:   "kind change: remote directory where a local file is",
			remote: Listing{Entries: []Entry{dir("a"), file("a/x", 1)}},
			local:  []Entry{loc("a", 5, t0)},
			want: []string{
				"replace delete changed a", "mkdir mkdir new a", "transfer download new a/x",
			},
		},
		{
			name:   "kind change: remote file where a local directory is",
			remote: Listing{Entries: []Entry{file("a", 1)}},
			local:  []Entry{dir("a"), dir("a/s"), loc("a/s/y", 1, t0), loc("a/x", 1, t0), loc("other", 1, t0)},
			delete: true,
			want: []string{
				"replace delete deleted a/x", "replace delete deleted a/s/y", "replace delete deleted a/s",
				"replace delete changed a",
				"transfer download new a",
				"delete delete deleted other",
			},
		},
		{
			name:    "kind change blocked without delete",
			remote:  Listing{Entries: []Entry{file("a", 1), link("l", "a")}},
			local:   []Entry{dir("a"), loc("a/x", 1, t0), dir("l"), loc("l/y", 1, t0)},
			blocked: []string{"a", "l"},
		},
		{
			name:    "kind change blocked by an excluded entry",
			remote:  Listing{Entries: []Entry{file("a", 1)}},
			local:   []Entry{dir("a"), loc("a/x.tmp", 1, t0), loc("a/y", 1, t0)},
			delete:  true,
			exclude: []string{"*.tmp"},
			want:    []string{"delete delete deleted a/y"},
			blocked: []string{"a"},
		},
		{
			name:    "kind change blocked when the local entry is excluded",
			remote:  Listing{Entries: []Entry{file("cache", 1)}},
			local:   []Entry{dir("cache")},
			delete:  true,
			exclude: []string{"cache/"},
			blocked: []string{"cache"},
		},
		{
			name:   "kind change: an empty local directory is replaced without delete",
			remote: Listing{Entries: []Entry{link("a", "b")}},
			local:  []Entry{dir("a")},
			want:   []string{"replace delete changed a", "transfer symlink new a"},
		},
		{
			name:   "kind change: a local symlink where the remote has a directory",
			remote: Listing{Entries: []Entry{dir("a")}},
			local:  []Entry{link("a", "/elsewhere")},
			want:   []string{"replace delete changed a", "mkdir mkdir new a"},
		},
		{
			name:   "kind change of a synced file reports the local edit",
			remote: Listing{Entries: []Entry{rf}},
			local:  []Entry{dir("f")},
			base:   snap(rec(rf, lf)),
			want:   []string{"replace delete changed f", "transfer download local-edit f"},
		},
		{
			name: "forget records gone from both sides",
			remote: Listing{
				Entries: []Entry{rf, dir("a")},
				Failed:  []DirError{{Path: "a", Err: errors.New("550")}},
			},
			local: []Entry{lf, loc("stays", 1, t0), dir("a")},
			base: snap(
				rec(rf, lf),
				rec(file("gone", 1), loc("gone", 1, t0)),
				Record{Path: "gonedir", Kind: KindDir},
				rec(file("stays", 1), loc("stays", 1, t0)),
				rec(file("x.tmp", 1), loc("x.tmp", 1, t0)),
				rec(file("a/unlisted", 1), loc("a/unlisted", 1, t0)),
			),
			exclude: []string{"*.tmp"},
			want:    []string{"forget forget deleted gone", "forget forget deleted gonedir"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := NewFilter(tt.include, tt.exclude)
			if err != nil {
				t.Fatal(err)
			}
			p := Pull(PullInput{Remote: tt.remote, Local: tt.local, Base: tt.base, Delete: tt.delete, Filter: f})
			if got := show(p); !slices.Equal(got, tt.want) {
				t.Errorf("plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if !slices.Equal(p.Blocked, tt.blocked) {
				t.Errorf("blocked = %q, want %q", p.Blocked, tt.blocked)
			}
			checkOrder(t, p)
		})
	}
}

// checkOrder checks the ordering rules an executor relies on.
func checkOrder(t *testing.T, p Plan) {
	t.Helper()
	done := map[string]bool{}
	for i, a := range p.Actions {
		if i > 0 && a.Stage < p.Actions[i-1].Stage {
			t.Errorf("action %d (%s %s) is in stage %s after stage %s", i, a.Op, a.Path, a.Stage, p.Actions[i-1].Stage)
		}
		switch a.Stage {
		case StageReplace, StageDelete:
			// Children first: no deleted directory before something under it.
			for q := range done {
				if strings.HasPrefix(a.Path, q+"/") {
					t.Errorf("%s deleted after its parent %s", a.Path, q)
				}
			}
			done[a.Path] = true
		case StageMkdir:
			if d := parentDir(a.Path); d != "" && !done["mkdir:"+d] {
				for _, b := range p.Actions {
					if b.Op == OpMkdirLocal && b.Path == d {
						t.Errorf("%s made before its parent %s", a.Path, d)
					}
				}
			}
			done["mkdir:"+a.Path] = true
		}
	}
}

func TestPullIncompleteFromFailedListings(t *testing.T) {
	p := Pull(PullInput{Remote: Listing{Failed: []DirError{
		{Path: "b", Err: errors.New("x")},
		{Path: "a", Err: errors.New("y")},
		{Path: "b", Err: errors.New("z")},
	}}})
	if want := []string{"a", "b"}; !slices.Equal(p.Incomplete, want) {
		t.Errorf("Incomplete = %q, want %q", p.Incomplete, want)
	}
}
