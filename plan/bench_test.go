package plan

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// syntheticTree returns a remote listing of dirs directories holding
// perDir files each (sorted by ComparePath), the matching local entries and
// the state snapshot of the last sync, as after a sync in which nothing has
// changed since.
func syntheticTree(dirs, perDir int) (Listing, []Entry, Snapshot) {
	mtime := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	synced := mtime.Add(time.Hour)
	remote := make([]Entry, 0, dirs*(perDir+1))
	local := make([]Entry, 0, dirs*(perDir+1))
	base := make(Snapshot, dirs*(perDir+1))
	for d := range dirs {
		dir := fmt.Sprintf("pub/d%04d", d/100) + fmt.Sprintf("/sub%03d", d)
		if d%100 == 0 {
			parent := fmt.Sprintf("pub/d%04d", d/100)
			remote = append(remote, Entry{Path: parent, Kind: KindDir, ModTime: mtime, Precision: time.Second})
			local = append(local, Entry{Path: parent, Kind: KindDir, ModTime: synced, Precision: time.Nanosecond})
			base[parent] = Record{Path: parent, Kind: KindDir, RemoteModTime: mtime, RemotePrecision: time.Second, SyncedAt: synced}
		}
		remote = append(remote, Entry{Path: dir, Kind: KindDir, ModTime: mtime, Precision: time.Second})
		local = append(local, Entry{Path: dir, Kind: KindDir, ModTime: synced, Precision: time.Nanosecond})
		base[dir] = Record{Path: dir, Kind: KindDir, RemoteModTime: mtime, RemotePrecision: time.Second, SyncedAt: synced}
		for f := range perDir {
			p := fmt.Sprintf("%s/package-%07d_1.0-1_amd64.deb", dir, d*perDir+f)
			size := int64(d*perDir+f) % 100_000
			mt := mtime.Add(time.Duration(f) * time.Second)
			remote = append(remote, Entry{Path: p, Kind: KindFile, Size: size, ModTime: mt, Precision: time.Second})
			local = append(local, Entry{Path: p, Kind: KindFile, Size: size, ModTime: mt, Precision: time.Nanosecond})
			base[p] = Record{
				Path: p, Kind: KindFile,
				RemoteSize: size, RemoteModTime: mt, RemotePrecision: time.Second,
				LocalSize: size, LocalModTime: mt, SyncedAt: synced,
			}
		}
	}
	slices.SortFunc(remote, func(a, b Entry) int { return ComparePath(a.Path, b.Path) })
	return Listing{Entries: remote}, local, base
}

// BenchmarkPull1M times Pull alone on a tree of 1,000,000 files in 1,010
// directories, built (with its local side and state snapshot) before the
// timer starts: "unchanged" is the steady state of a mirror (nothing to
// do), "fresh" the first run (no local tree, no state), "deleted" a run in
// which the remote lost every tenth directory, with Delete on.
func BenchmarkPull1M(b *testing.B) {
	const dirs, perDir = 1000, 1000
	remote, local, base := syntheticTree(dirs, perDir)
	b.Run("unchanged", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			p := Pull(PullInput{Remote: remote, Local: local, Base: base})
			if len(p.Actions) != 0 {
				b.Fatalf("unchanged tree planned %d actions", len(p.Actions))
			}
		}
	})
	b.Run("fresh", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			p := Pull(PullInput{Remote: remote})
			if len(p.Actions) != len(remote.Entries) {
				b.Fatalf("fresh tree planned %d actions, want %d", len(p.Actions), len(remote.Entries))
			}
		}
	})
	b.Run("deleted", func(b *testing.B) {
		kept := Listing{Entries: slices.DeleteFunc(slices.Clone(remote.Entries), func(e Entry) bool {
			// "pub/dNNNN/subNNN...": drop every sub directory ending in 0.
			const digit = len("pub/d0000/sub00")
			return len(e.Path) > digit && e.Path[digit] == '0'
		})}
		b.ReportAllocs()
		for b.Loop() {
			p := Pull(PullInput{Remote: kept, Local: local, Base: base, Delete: true})
			if len(p.Actions) == 0 {
				b.Fatal("no actions for a tree that lost directories")
			}
		}
	})
}

// BenchmarkPush1M times Push alone on the tree of BenchmarkPull1M:
// "unchanged" is the steady state, "fresh" the first run (an empty remote
// and no state).
func BenchmarkPush1M(b *testing.B) {
	const dirs, perDir = 1000, 1000
	remote, local, base := syntheticTree(dirs, perDir)
	b.Run("unchanged", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			p := Push(PushInput{Local: local, Remote: remote, Base: base})
			if len(p.Actions) != 0 {
				b.Fatalf("unchanged tree planned %d actions", len(p.Actions))
			}
		}
	})
	b.Run("fresh", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			p := Push(PushInput{Local: local})
			if len(p.Actions) != len(local) {
				b.Fatalf("fresh tree planned %d actions, want %d", len(p.Actions), len(local))
			}
		}
	})
}

// BenchmarkSync1M times Sync alone on the tree of BenchmarkPull1M:
// "unchanged" is the steady state, "first" the first sync of two equal
// trees (no state: every path is adopted).
func BenchmarkSync1M(b *testing.B) {
	const dirs, perDir = 1000, 1000
	remote, local, base := syntheticTree(dirs, perDir)
	b.Run("unchanged", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			p := Sync(SyncInput{Local: local, Remote: remote, Base: base})
			if len(p.Actions) != 0 {
				b.Fatalf("unchanged tree planned %d actions", len(p.Actions))
			}
		}
	})
	b.Run("first", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			p := Sync(SyncInput{Local: local, Remote: remote})
			if len(p.Actions) != len(local) {
				b.Fatalf("first sync planned %d actions, want %d", len(p.Actions), len(local))
			}
		}
	})
}

// treeLister serves a listing from a map of directory -> entries. The
// slices it returns are shared: Walk must not change them.
type treeLister map[string][]Entry

func (t treeLister) List(_ context.Context, dir string) ([]Entry, error) {
	return t[dir], nil
}

// BenchmarkWalk1M times Walk over the remote tree of BenchmarkPull1M served
// from memory, each directory's entries in reverse order: the checks, the
// merging of the directories and the final sort.
func BenchmarkWalk1M(b *testing.B) {
	const dirs, perDir = 1000, 1000
	remote, _, _ := syntheticTree(dirs, perDir)
	// The synthetic tree starts at "pub/dNNNN": Walk needs "pub" too.
	tree := treeLister{"": {{Path: "pub", Kind: KindDir}}}
	for _, e := range slices.Backward(remote.Entries) {
		d := parentDir(e.Path)
		tree[d] = append(tree[d], e)
		if e.Kind == KindDir && tree[e.Path] == nil {
			tree[e.Path] = []Entry{}
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		l, err := Walk(context.Background(), tree, WalkOptions{})
		if err != nil || len(l.Entries) != len(remote.Entries)+1 {
			b.Fatalf("Walk = %d entries, %v; want %d", len(l.Entries), err, len(remote.Entries)+1)
		}
	}
}
