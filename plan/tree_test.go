package plan

import (
	"context"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// elementOrder compares paths element by element, each element by bytes:
// the order ComparePath promises.
func elementOrder(a, b string) int {
	return slices.Compare(strings.Split(a, "/"), strings.Split(b, "/"))
}

func TestComparePathIsElementOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	// Bytes around '/' and at the ends, in paths long enough to take the
	// eight-byte steps.
	alphabet := []byte{'/', '.', '-', '0', 'a', 0x01, 0x7f, 0xff}
	randomPath := func(prefix string) string {
		b := []byte(prefix)
		for range rng.IntN(12) {
			b = append(b, alphabet[rng.IntN(len(alphabet))])
		}
		return string(b)
	}
	prefixes := []string{"", "pub/d0000/sub0", "pub/d0000/sub000/package-"}
	for range 20000 {
		a := randomPath(prefixes[rng.IntN(len(prefixes))])
		b := randomPath(prefixes[rng.IntN(len(prefixes))])
		if got, want := ComparePath(a, b), elementOrder(a, b); got != want {
			t.Fatalf("ComparePath(%q, %q) = %d, want %d", a, b, got, want)
		}
	}
}

// messy returns entries shuffled, with a duplicate of every fifth one
// (after it, with another size: the first must win) and a root entry.
func messy(entries []Entry, seed uint64) []Entry {
	out := slices.Clone(entries)
	for i, e := range entries {
		if i%5 == 0 {
			e.Size += 1000
			out = append(out, e)
		}
	}
	rng := rand.New(rand.NewPCG(seed, seed))
	rng.Shuffle(len(entries), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return append(out, Entry{Path: "", Kind: KindDir})
}

// mixedTree returns a remote tree, a local tree and a state that differ in
// every way the planners tell apart: new, changed, edited, deleted and
// forgotten paths, kind changes and symlinks.
func mixedTree() (remote, local []Entry, base Snapshot) {
	synced := t0.Add(time.Hour)
	rec := func(e Entry) Record {
		return Record{Path: e.Path, Kind: e.Kind, RemoteSize: e.Size, RemoteModTime: e.ModTime,
			RemotePrecision: e.Precision, LocalSize: e.Size, LocalModTime: e.ModTime, SyncedAt: synced}
	}
	same := []Entry{dir("a"), file("a/x", 1), file("a/y", 2), dir("a/sub"), file("a/sub/z", 3), link("a/ln", "x")}
	remote = append(slices.Clone(same), file("new-remote", 4), file("a/sub/changed", 9), dir("kind"), file("kind/in", 1))
	local = append(slices.Clone(same), file("new-local", 5), file("a/sub/changed", 5), file("kind", 1), dir("gone"), file("gone/f", 1))
	base = Snapshot{}
	for _, e := range same {
		base[e.Path] = rec(e)
	}
	for _, e := range []Entry{file("a/sub/changed", 5), file("kind", 1), dir("gone"), file("gone/f", 1), file("forgotten", 1), dir("old"), file("old/f", 2)} {
		base[e.Path] = rec(e)
	}
	return remote, local, base
}

func TestPlannersDoNotDependOnTheOrderOfTheirInput(t *testing.T) {
	remote, local, base := mixedTree()
	sortedRemote := Listing{Entries: slices.Clone(remote)}
	slices.SortFunc(sortedRemote.Entries, func(a, b Entry) int { return ComparePath(a.Path, b.Path) })
	for _, seed := range []uint64{1, 2, 3} {
		mRemote, mLocal := Listing{Entries: messy(remote, seed)}, messy(local, seed+10)
		for _, del := range []bool{false, true} {
			want := Pull(PullInput{Remote: sortedRemote, Local: local, Base: base, Delete: del})
			got := Pull(PullInput{Remote: mRemote, Local: mLocal, Base: base, Delete: del})
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Pull, seed %d, delete %v:\n got %v\nwant %v", seed, del, got, want)
			}
			wantPush := Push(PushInput{Remote: sortedRemote, Local: local, Base: base, Delete: del})
			gotPush := Push(PushInput{Remote: mRemote, Local: mLocal, Base: base, Delete: del})
			if !reflect.DeepEqual(gotPush, wantPush) {
				t.Errorf("Push, seed %d, delete %v:\n got %v\nwant %v", seed, del, gotPush, wantPush)
			}
		}
		want := Sync(SyncInput{Remote: sortedRemote, Local: local, Base: base, Now: t0})
		got := Sync(SyncInput{Remote: mRemote, Local: mLocal, Base: base, Now: t0})
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Sync, seed %d:\n got %v\nwant %v", seed, got, want)
		}
	}
}

// TestPlannersKeepPathOrderOnLargeTrees plans trees large enough to be
// split into parts planned in parallel, and checks that the parts come
// back in path order.
func TestPlannersKeepPathOrderOnLargeTrees(t *testing.T) {
	const dirs, perDir = 40, 2000
	remote, local, base := syntheticTree(dirs, perDir)
	var want []string
	for i, e := range remote.Entries {
		if e.Kind == KindFile && i%7 == 0 {
			remote.Entries[i].Size++
			want = append(want, e.Path)
		}
	}
	check := func(name string, p Plan, op Op) {
		t.Helper()
		var got []string
		for _, a := range p.Actions {
			if a.Op != op || a.Source == nil || a.Source.Path != a.Path {
				t.Fatalf("%s: unexpected action %+v", name, a)
			}
			got = append(got, a.Path)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: %d actions, want %d, in path order", name, len(got), len(want))
		}
	}
	check("Pull", Pull(PullInput{Remote: remote, Local: local, Base: base}), OpDownload)
	check("Sync", Sync(SyncInput{Remote: remote, Local: local, Base: base}), OpDownload)
	// Push: the remote edits are overwritten.
	check("Push", Push(PushInput{Remote: remote, Local: local, Base: base}), OpUpload)
}

func TestWalkSortsUnsortedListingsAndRefusesTheirDuplicates(t *testing.T) {
	sorted := &fakeLister{dirs: map[string][]Entry{
		"":  {dir("a"), file("a.txt", 1), file("b", 2)},
		"a": {file("a/-", 1), file("a/x", 1), file("a/x.y", 1)},
	}}
	unsorted := &fakeLister{dirs: map[string][]Entry{
		"":  {file("b", 2), file("a.txt", 1), file("b", 3), dir("a")},
		"a": {file("a/x.y", 1), file("a/x", 1), file("a/-", 1), file("a/x", 7)},
	}}
	want, err := Walk(context.Background(), sorted, WalkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Walk(context.Background(), unsorted, WalkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Entries, want.Entries) {
		t.Errorf("entries = %v, want %v", got.Entries, want.Entries)
	}
	if fp := failedPaths(got.Failed); !slices.Equal(fp, []string{"", "a"}) {
		t.Errorf("failed = %q, want the duplicates of the root and of a", fp)
	}
}
