package mirror

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/internal/hostileftp"
)

// A server that lists in MS-DOS format (IIS and others) is mirrored like a
// Unix one: directories, sizes, and times to the minute, made exact by MDTM.
func TestPullFromMSDOSListing(t *testing.T) {
	when := time.Date(2024, 3, 5, 15, 4, 0, 0, time.UTC)
	h := newHostile(t, hostileftp.Options{
		Listings: map[string][]string{
			"/": {
				"03-05-24  03:04PM       <DIR>          sub dir",
				"03-05-24  03:04PM                    5 hello.txt",
			},
			"/sub dir": {
				"03-05-24  03:04PM                    3 x.bin",
			},
		},
		Files: map[string]hostileftp.File{
			"/hello.txt":     {Data: []byte("hello"), ModTime: when.Add(7 * time.Second)},
			"/sub dir/x.bin": {Data: []byte("xyz"), ModTime: when.Add(9 * time.Second)},
		},
	})
	r, err := h.pull(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Failed) != 0 {
		t.Fatalf("failed: %v", r.Failed)
	}
	h.wantTree(map[string]string{"hello.txt": "hello", "sub dir/": "", "sub dir/x.bin": "xyz"})
	fi, err := os.Stat(filepath.Join(h.local, "hello.txt"))
	if err != nil || !fi.ModTime().Equal(when.Add(7*time.Second)) {
		t.Fatalf("hello.txt mtime = %v (%v), want the MDTM time %v", fi.ModTime(), err, when.Add(7*time.Second))
	}
	r, err = h.pull(context.Background(), nil)
	if err != nil || len(r.Plan.Actions) != 0 {
		t.Fatalf("second pull: %v, %+v", err, r.Plan.Actions)
	}
}

// A server whose STAT lists a directory otherwise than LIST does is not
// trusted: the walk that went on with STAT is done again over data
// connections, and the mirror is what LIST shows.
func TestSTATThatDiffersFromLISTIsNotTrusted(t *testing.T) {
	list := []string{
		hostileftp.LISTLine("-rw-r--r--", "5", "real.txt"),
	}
	h := newHostile(t, hostileftp.Options{
		Listings:     map[string][]string{"/": list},
		StatListings: map[string][]string{"/": {hostileftp.LISTLine("-rw-r--r--", "4", "ghost.txt")}},
		Files:        files(map[string]string{"/real.txt": "real!", "/ghost.txt": "boo!"}),
	})
	r, err := h.pull(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Failed) != 0 {
		t.Fatalf("failed: %v", r.Failed)
	}
	h.wantTree(map[string]string{"real.txt": "real!"})
	if n := h.srv.Stats().Count("STAT"); n == 0 {
		t.Fatal("STAT was never tried: the test proves nothing")
	}
}

// A server whose STAT matches LIST is listed with STAT after the first
// directory: the other directories cost no data connection.
func TestSTATThatMatchesLISTIsUsedForTheWalk(t *testing.T) {
	root := []string{hostileftp.LISTLine("drwxr-xr-x", "0", "a"), hostileftp.LISTLine("drwxr-xr-x", "0", "b")}
	a := []string{hostileftp.LISTLine("-rw-r--r--", "1", "x")}
	b := []string{hostileftp.LISTLine("-rw-r--r--", "1", "y")}
	h := newHostile(t, hostileftp.Options{
		Listings:     map[string][]string{"/": root, "/a": a, "/b": b},
		StatListings: map[string][]string{"/": root, "/a": a, "/b": b},
		Files:        files(map[string]string{"/a/x": "x", "/b/y": "y"}),
	})
	r, err := h.pull(context.Background(), nil)
	if err != nil || len(r.Failed) != 0 {
		t.Fatalf("pull: %v %v", err, r.Failed)
	}
	h.wantTree(map[string]string{"a/": "", "a/x": "x", "b/": "", "b/y": "y"})
	if n := h.srv.Stats().Count("LIST"); n != 1 {
		t.Fatalf("LIST sent %d times, want once (to verify STAT on the root)", n)
	}
}
