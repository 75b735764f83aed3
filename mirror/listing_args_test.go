package mirror

import (
	"context"
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/hostileftp"
	"github.com/ftpmirror/ftpmirror/plan"
)

// A server that hands LIST's (and STAT's) argument to ls would split a name
// with a space, read a leading dash as an option and expand *?[: every
// directory is listed from inside it (CWD, then a bare LIST or STAT).
func TestDirectoriesWithSpacesDashesAndGlobsListOnServersThatPassArgsToLs(t *testing.T) {
	dir := func(name string) string { return hostileftp.LISTLine("drwxr-xr-x", "0", name) }
	file := func(name string) string { return hostileftp.LISTLine("-rw-r--r--", "1", name) }
	listings := map[string][]string{
		"/":     {dir("a b"), dir("-x"), dir("g[1]"), dir("q?")},
		"/a b":  {file("1")},
		"/-x":   {file("2")},
		"/g[1]": {file("3")},
		"/q?":   {file("4")},
		"/a":    {file("wrong")},
	}
	for _, stat := range []bool{false, true} {
		name := "LIST"
		if stat {
			name = "STAT"
		}
		t.Run(name, func(t *testing.T) {
			o := hostileftp.Options{
				ArgsToLs: true,
				Listings: listings,
				Files:    files(map[string]string{"/a b/1": "1", "/-x/2": "2", "/g[1]/3": "3", "/q?/4": "4", "/a/wrong": "w"}),
			}
			if stat {
				o.StatListings = listings
			}
			h := newHostile(t, o)
			r, err := h.pull(context.Background(), nil)
			if err != nil || len(r.Failed) != 0 {
				t.Fatalf("pull: %v %v", err, r.Failed)
			}
			h.wantTree(map[string]string{"a b/": "", "a b/1": "1", "-x/": "", "-x/2": "2", "g[1]/": "", "g[1]/3": "3", "q?/": "", "q?/4": "4"})
			if stat && h.srv.Stats().Count("STAT") == 0 {
				t.Fatal("STAT was never used: the test proves nothing for it")
			}
		})
	}
}

// A server whose MLSD leaves entries out (Serv-U has shipped such versions)
// is caught on the first directory, where MLSD is checked against LIST, and
// listed with LIST from then on.
func TestMLSDThatDisagreesWithLISTFallsBackToLIST(t *testing.T) {
	mlsd := func(kind, name string) string { return hostileftp.MLSDLine(kind, "1", name) }
	list := func(mode, name string) string { return hostileftp.LISTLine(mode, "1", name) }
	h := newHostile(t, hostileftp.Options{
		MLST: true,
		Listings: map[string][]string{
			"/":  {mlsd("dir", "d"), mlsd("file", "a")},
			"/d": {mlsd("file", "x")},
		},
		LISTListings: map[string][]string{
			"/":  {list("drwxr-xr-x", "d"), list("-rw-r--r--", "a"), list("-rw-r--r--", "left-out")},
			"/d": {list("-rw-r--r--", "x"), list("-rw-r--r--", "y")},
		},
		Files: files(map[string]string{"/a": "a", "/left-out": "l", "/d/x": "x", "/d/y": "y"}),
	})
	r, err := h.pull(context.Background(), nil)
	if err != nil || len(r.Failed) != 0 {
		t.Fatalf("pull: %v %v", err, r.Failed)
	}
	h.wantTree(map[string]string{"a": "a", "left-out": "l", "d/": "", "d/x": "x", "d/y": "y"})
}

// A server whose MLSD agrees with LIST is listed with MLSD after the check
// on the first directory.
func TestMLSDThatAgreesWithLISTIsUsed(t *testing.T) {
	mlsd := func(kind, name string) string { return hostileftp.MLSDLine(kind, "1", name) }
	list := func(mode, name string) string { return hostileftp.LISTLine(mode, "1", name) }
	h := newHostile(t, hostileftp.Options{
		MLST: true,
		Listings: map[string][]string{
			"/":  {mlsd("dir", "d"), mlsd("file", "a")},
			"/d": {mlsd("file", "x")},
		},
		LISTListings: map[string][]string{
			"/": {list("drwxr-xr-x", "d"), list("-rw-r--r--", "a")},
		},
		Files: files(map[string]string{"/a": "a", "/d/x": "x"}),
	})
	r, err := h.pull(context.Background(), nil)
	if err != nil || len(r.Failed) != 0 {
		t.Fatalf("pull: %v %v", err, r.Failed)
	}
	h.wantTree(map[string]string{"a": "a", "d/": "", "d/x": "x"})
	if n := h.srv.Stats().Count("MLSD"); n < 2 {
		t.Fatalf("MLSD sent %d times, want it for both directories", n)
	}
}

// agreeOnNames: names, kinds and sizes count; times do not; a symlink on one
// side only (a dangling link proftpd's MLSD hides) does not.
func TestAgreeOnNames(t *testing.T) {
	f := func(name string, size int64) plan.Entry {
		return plan.Entry{Path: name, Kind: plan.KindFile, Size: size}
	}
	d := func(name string) plan.Entry { return plan.Entry{Path: name, Kind: plan.KindDir} }
	l := func(name string) plan.Entry { return plan.Entry{Path: name, Kind: plan.KindSymlink} }
	for _, c := range []struct {
		name       string
		mlsd, list []plan.Entry
		want       bool
	}{
		{"same", []plan.Entry{f("a", 1), d("b")}, []plan.Entry{d("b"), f("a", 1)}, true},
		{"file left out", []plan.Entry{f("a", 1)}, []plan.Entry{f("a", 1), f("b", 2)}, false},
		{"size differs", []plan.Entry{f("a", 1)}, []plan.Entry{f("a", 2)}, false},
		{"kind differs", []plan.Entry{f("a", 0)}, []plan.Entry{d("a")}, false},
		{"link as file", []plan.Entry{f("a", 14)}, []plan.Entry{l("a")}, true},
		{"dangling link hidden", []plan.Entry{f("a", 1)}, []plan.Entry{f("a", 1), l("gone")}, true},
		{"extra in MLSD", []plan.Entry{f("a", 1), d("x")}, []plan.Entry{f("a", 1)}, false},
	} {
		if got := agreeOnNames(c.mlsd, c.list); got != c.want {
			t.Errorf("%s: agree = %v, want %v", c.name, got, c.want)
		}
	}
}
