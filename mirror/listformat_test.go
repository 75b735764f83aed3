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
