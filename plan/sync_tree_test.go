package plan

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// synced returns the record of a file synced as file(p, 1) and loc(p, 1, t0).
func synced(p string) Record { return rec(file(p, 1), loc(p, 1, t0)) }

// syncedDir returns the record of a synced directory.
func syncedDir(p string) Record { return Record{Path: p, Kind: KindDir} }

// syncedLink returns the record of a symlink synced as link(p, ...).
func syncedLink(p string) Record { return Record{Path: p, Kind: KindSymlink} }

// sizedLink returns a symlink whose size says it changed since syncedLink.
func sizedLink(p, target string) Entry {
	e := link(p, target)
	e.Size = int64(len(target))
	return e
}

func TestSyncTree(t *testing.T) {
	lf := func(p string) Entry { return loc(p, 1, t0) } // as synced
	tests := []struct {
		name   string
		local  []Entry
		remote Listing
		base   Snapshot
		// localFailed are local directories that could not be read.
		localFailed []DirError
		include     []string
		exclude     []string
		want        []string
		blocked     []string
	}{
		{
			name:  "first sync is the union and deletes nothing",
			local: []Entry{dir("a"), lf("a/x"), lf("b"), loc("same", 5, t0), lf("diff")},
			remote: Listing{Entries: []Entry{
				dir("a"), file("a/y", 1), dir("c"), file("c/z", 1), file("same", 5),
				at("diff", 2, t0.Add(time.Hour), time.Second),
			}},
			want: []string{
				"replace rename conflict diff -> diff.conflict-local-20241126-093000",
				"mkdir mkdir new c",
				"transfer adopt adopted a",
				"transfer upload new a/x",
				"transfer download new a/y",
				"transfer upload new b",
				"transfer download new c/z",
				"transfer download conflict diff",
				"transfer upload conflict diff.conflict-local-20241126-093000",
				"transfer compare unverified same",
			},
		},
		{
			name:  "a new local tree is made on the remote, parents first",
			local: []Entry{dir("n"), dir("n/m"), lf("n/m/f")},
			want: []string{
				"mkdir mkdir-remote new n", "mkdir mkdir-remote new n/m", "transfer upload new n/m/f",
			},
		},
		{
			name:  "a directory the remote deleted goes locally, after what it held",
			local: []Entry{dir("d"), lf("d/x"), dir("d/s"), lf("d/s/y")},
			base:  snap(syncedDir("d"), synced("d/x"), syncedDir("d/s"), synced("d/s/y")),
			want: []string{
				"delete delete deleted d/x", "delete delete deleted d/s/y",
				"delete delete deleted d/s", "delete delete deleted d",
			},
		},
		{
			name:  "a directory the remote deleted is made again for a local change",
			local: []Entry{dir("d"), lf("d/x"), loc("d/y", 2, t0.Add(time.Hour))},
			base:  snap(syncedDir("d"), synced("d/x"), synced("d/y")),
			want: []string{
				"mkdir mkdir-remote changed d", "transfer upload changed d/y", "delete delete deleted d/x",
			},
		},
		{
			name:   "a directory deleted locally goes on the remote",
			remote: Listing{Entries: []Entry{dir("d"), file("d/x", 1)}},
			base:   snap(syncedDir("d"), synced("d/x")),
			want:   []string{"delete delete-remote deleted d/x", "delete delete-remote deleted d"},
		},
		{
			name:   "a directory deleted locally is made again for a new remote file",
			remote: Listing{Entries: []Entry{dir("d"), file("d/x", 1), file("d/new", 1)}},
			base:   snap(syncedDir("d"), synced("d/x")),
			want: []string{
				"mkdir mkdir changed d", "transfer download new d/new", "delete delete-remote deleted d/x",
			},
		},
		{
			name:   "directories on both sides are adopted once",
			local:  []Entry{dir("a"), dir("b"), dir("c")},
			remote: Listing{Entries: []Entry{dir("a"), dir("b"), dir("c")}},
			base:   snap(syncedDir("b"), synced("c")),
			want:   []string{"transfer adopt adopted a", "transfer adopt adopted c"},
		},
		{
			name: "what both sides deleted is forgotten",
			base: snap(syncedDir("d"), synced("d/x"), syncedLink("l")),
			want: []string{"forget forget deleted d", "forget forget deleted d/x", "forget forget deleted l"},
		},
		{
			name: "symlinks travel from the remote; deletions both ways",
			local: []Entry{
				link("same", "t"), link("moved", "t1"), link("mine", "x"), link("rdel", "t"),
				sizedLink("rdel2", "t22"), sizedLink("ledit", "xyz"),
			},
			remote: Listing{Entries: []Entry{
				link("new", "t"), link("same", "t"), sizedLink("moved", "t2"), link("ldel", "t"),
				link("ledit", "t"), sizedLink("rchg", "t3"),
			}},
			base: snap(syncedLink("moved"), syncedLink("ldel"), syncedLink("rdel"), syncedLink("rdel2"),
				syncedLink("ledit"), syncedLink("rchg")),
			want: []string{
				"transfer symlink changed moved", "transfer symlink new new",
				"transfer symlink changed rchg", "transfer adopt adopted same",
				"delete delete deleted rdel", "delete delete-remote deleted ldel",
			},
		},
		{
			name:   "kind conflicts keep both: the entry that is not a directory, or the symlink, is renamed",
			local:  []Entry{lf("a"), dir("d"), lf("d/y"), link("l", "t"), lf("ok")},
			remote: Listing{Entries: []Entry{dir("a"), file("a/x", 1), file("d", 1), file("l", 1)}},
			base:   snap(synced("d/gone"), synced("a/gone")),
			want: []string{
				"replace rename conflict a -> a.conflict-local-20241126-093000",
				"replace rename-remote conflict d -> d.conflict-remote-20241126-093000",
				"replace rename conflict l -> l.conflict-local-20241126-093000",
				"mkdir mkdir new a",
				"mkdir mkdir-remote new d",
				"transfer download new a/x",
				"transfer upload new a.conflict-local-20241126-093000",
				"transfer upload new d/y",
				"transfer download new d.conflict-remote-20241126-093000",
				"transfer download new l",
				"transfer upload new ok",
				"forget forget deleted a/gone",
				"forget forget deleted d/gone",
			},
		},
		{
			name:   "a kind change against a record keeps both, as if there were no record",
			local:  []Entry{dir("f"), lf("f/in"), lf("g")},
			remote: Listing{Entries: []Entry{file("f", 1), dir("g")}},
			base:   snap(synced("f"), syncedDir("g")),
			want: []string{
				"replace rename-remote conflict f -> f.conflict-remote-20241126-093000",
				"replace rename conflict g -> g.conflict-local-20241126-093000",
				"mkdir mkdir-remote new f",
				"mkdir mkdir new g",
				"transfer upload new f/in",
				"transfer download new f.conflict-remote-20241126-093000",
				"transfer upload new g.conflict-local-20241126-093000",
			},
		},
		{
			name:    "a kind conflict under a failed listing is blocked with what it holds",
			local:   []Entry{dir("a"), lf("a/k"), lf("a/k2")},
			remote:  Listing{Entries: []Entry{dir("a"), dir("a/k")}, Failed: []DirError{{Path: "a", Err: errors.New("550")}}},
			base:    snap(syncedDir("a")),
			blocked: []string{"a/k", "a/k2"},
		},
		{
			name: "a failed listing blocks deletions and uploads on both sides under it",
			local: []Entry{
				dir("a"), lf("a/x"), lf("a/new"), loc("a/chg", 2, t0.Add(time.Hour)),
				loc("a/both", 2, t0.Add(time.Hour)), dir("a/sub"), lf("a/sub/f"),
				dir("b"), lf("b/x"),
			},
			remote: Listing{
				Entries: []Entry{
					dir("a"), file("a/listed", 1), file("a/gone", 1),
					at("a/both", 3, t0.Add(2*time.Hour), time.Second), dir("b"),
				},
				Failed: []DirError{{Path: "a", Err: errors.New("550")}},
			},
			base: snap(syncedDir("a"), syncedDir("b"), synced("a/x"), synced("a/chg"), synced("a/gone"),
				synced("a/both"), synced("a/old"), synced("b/x")),
			want:    []string{"transfer download new a/listed", "delete delete deleted b/x"},
			blocked: []string{"a/both", "a/chg", "a/new", "a/sub/f"},
		},
		{
			name:        "a local directory that cannot be read: nothing is planned under it on either side",
			local:       []Entry{lf("ok"), dir("b"), lf("b/x")},
			localFailed: []DirError{{Path: "a", Err: errors.New("permission denied")}},
			remote: Listing{Entries: []Entry{
				file("ok", 1), dir("a"), file("a/gone-locally?", 1), file("a/new", 1),
				loc("a/chg", 2, t0.Add(time.Hour)), dir("b"), file("b/new", 1),
			}},
			base:    snap(synced("ok"), syncedDir("a"), synced("a/gone-locally?"), synced("a/chg"), synced("a/del"), syncedDir("b"), synced("b/x")),
			want:    []string{"transfer download new b/new", "delete delete deleted b/x"},
			blocked: []string{"a/chg", "a/new"},
		},
		{
			name:    "nothing is deleted on either side when the root listing failed",
			local:   []Entry{lf("f"), lf("g")},
			remote:  Listing{Failed: []DirError{{Path: "", Err: errors.New("421")}}},
			base:    snap(synced("f"), synced("h")),
			blocked: []string{"g"},
		},
		{
			name: "excluded paths get no action on either side",
			local: []Entry{
				lf("x.tmp"), dir("cache"), lf("cache/c"), lf("z.tmp"), lf("keep"),
			},
			remote:  Listing{Entries: []Entry{file("y.tmp", 1), file("w.tmp", 1), dir("cache2")}},
			base:    snap(synced("z.tmp"), synced("w.tmp"), synced("gone.tmp"), syncedDir("cache2")),
			exclude: []string{"*.tmp", "cache/", "cache2/"},
			want:    []string{"transfer upload new keep"},
		},
		{
			name:    "an excluded entry keeps its directory",
			remote:  Listing{Entries: []Entry{dir("d"), file("d/x", 1), file("d/y.tmp", 1)}},
			base:    snap(syncedDir("d"), synced("d/x")),
			exclude: []string{"*.tmp"},
			want:    []string{"mkdir mkdir changed d", "delete delete-remote deleted d/x"},
		},
		{
			name:    "files outside the includes are left alone",
			local:   []Entry{lf("a.bin"), lf("b.txt")},
			remote:  Listing{Entries: []Entry{file("c.bin", 1)}},
			include: []string{"*.txt"},
			want:    []string{"transfer upload new b.txt"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Sync(SyncInput{
				Local: tt.local, LocalFailed: tt.localFailed, Remote: tt.remote, Base: tt.base,
				Filter: newSyncFilter(t, tt.include, tt.exclude), Now: syncNow,
			})
			if got := showSync(p); !slices.Equal(got, tt.want) {
				t.Errorf("plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if !slices.Equal(p.Blocked, tt.blocked) {
				t.Errorf("blocked = %q, want %q", p.Blocked, tt.blocked)
			}
			var failed []string
			for _, f := range append(slices.Clone(tt.remote.Failed), tt.localFailed...) {
				failed = append(failed, f.Path)
			}
			if !slices.Equal(p.Incomplete, failed) {
				t.Errorf("incomplete = %q, want %q", p.Incomplete, failed)
			}
			checkSyncPlan(t, p)
		})
	}
}

func TestSyncStageOrder(t *testing.T) {
	p := Sync(SyncInput{
		Local: []Entry{
			loc("c", 2, t0), dir("old"), loc("old/x", 1, t0), dir("up"), loc("up/f", 1, t0),
		},
		Remote: Listing{Entries: []Entry{
			at("c", 3, t0.Add(time.Hour), time.Second), dir("down"), dir("down/in"), file("down/in/f", 1),
		}},
		Base: snap(synced("old/x"), syncedDir("old"), synced("gone"), synced("c")),
		Now:  syncNow,
	})
	want := []string{
		"replace rename conflict c -> c.conflict-local-20241126-093000",
		"mkdir mkdir new down",
		"mkdir mkdir new down/in",
		"mkdir mkdir-remote new up",
		"transfer download conflict c",
		"transfer upload conflict c.conflict-local-20241126-093000",
		"transfer download new down/in/f",
		"transfer upload new up/f",
		"delete delete deleted old/x",
		"delete delete deleted old",
		"forget forget deleted gone",
	}
	if got := showSync(p); !slices.Equal(got, want) {
		t.Errorf("plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	checkSyncPlan(t, p)
	want2 := Summary{
		Downloads: 2, Uploads: 2, Deletes: 2, Mkdirs: 3, Forgets: 1, Bytes: 3 + 2 + 1 + 1,
		Conflicts: 1, Renames: 1,
	}
	if s := p.Summary(); s != want2 {
		t.Errorf("Summary = %+v\nwant      %+v", s, want2)
	}
}

func TestCheckSyncDeletes(t *testing.T) {
	// Two deletions on each side.
	p := Plan{Actions: []Action{
		{Op: OpDeleteLocal, Path: "a", Kind: KindFile},
		{Op: OpDeleteLocal, Path: "b", Kind: KindSymlink},
		{Op: OpDeleteLocal, Path: "d", Kind: KindDir},
		{Op: OpDeleteRemote, Path: "c", Kind: KindFile},
		{Op: OpDeleteRemote, Path: "e", Kind: KindFile},
	}}
	if err := CheckSyncDeletes(p, 10, Limit{Count: 2}); err != nil {
		t.Errorf("two deletions a side, limit 2: %v", err)
	}
	if err := CheckDeletes(p, 10, Limit{Count: 2}); err == nil {
		t.Errorf("CheckDeletes counts both sides and should refuse")
	}
	more := p
	more.Actions = append(slices.Clone(p.Actions), Action{Op: OpDeleteRemote, Path: "f", Kind: KindFile})
	err := CheckSyncDeletes(more, 10, Limit{Count: 2})
	var ge *GuardError
	if !errors.As(err, &ge) || ge.Deletes != 3 || !strings.HasPrefix(err.Error(), "remote side: refusing to delete 3 of 10 files") {
		t.Errorf("three remote deletions, limit 2: %v", err)
	}
	err = CheckSyncDeletes(p, 10, Limit{Count: 1})
	if err == nil || !strings.HasPrefix(err.Error(), "local side: ") {
		t.Errorf("limit 1: %v, want the local side refused first", err)
	}
	p.Incomplete = []string{"x"}
	if err := CheckSyncDeletes(p, 10, Limit{Percent: 100}); !errors.As(err, &ge) || len(ge.Incomplete) != 1 {
		t.Errorf("incomplete listing: %v", err)
	}
	if err := CheckSyncDeletes(Plan{Incomplete: []string{"x"}}, 10, Limit{}); err != nil {
		t.Errorf("no deletions: %v", err)
	}
}
