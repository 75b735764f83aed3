package mirror

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/hostileftp"
	"github.com/ftpmirror/ftpmirror/plan"
)

// Entries that name no plain child of the listed directory are refused with
// a message naming them, or, for "." and "..", passed over; the good entries
// are mirrored, nothing is fetched for a bad one, and a listing with refused
// entries deletes nothing.
func TestHostileListingNamesAreRefused(t *testing.T) {
	for _, lf := range listFormats {
		t.Run(lf.name, func(t *testing.T) {
			h := newHostile(t, hostileftp.Options{
				MLST:     lf.mlst,
				Listings: map[string][]string{"/": {lf.file("4", "keep.txt")}},
				Files:    files(map[string]string{"/keep.txt": "kept"}),
			})
			if _, err := h.pull(context.Background(), nil); err != nil {
				t.Fatal(err)
			}

			bad := []string{"a/b", "/etc/passwd", "../victim.txt", "x\x00y", ""}
			root := []string{lf.file("2", "ok.txt"), lf.dir("sub"), lf.file("3", ".."), lf.dir(".."),
				lf.file("3", "."), lf.dir("."), lf.file("3", "dup.txt"), lf.file("5", "dup.txt"),
				lf.file("4", ".x.ftpmirror-part"), lf.file("2", `back\slash`), lf.file("4", "cr\rname")}
			for _, name := range bad {
				root = append(root, lf.file("4", name))
			}
			h.serve(hostileftp.Options{
				MLST: lf.mlst,
				Listings: map[string][]string{
					"/":    root,
					"/sub": {lf.file("2", "in.txt"), lf.dir(".."), lf.file("4", "../../victim.txt"), lf.file("4", "/sub/abs")},
				},
				Files: files(map[string]string{
					"/ok.txt": "ok", "/dup.txt": "one", `/back\slash`: "bs", "/cr\rname": "EVIL", "/sub/in.txt": "in", "/.x.ftpmirror-part": "EVIL",
					"/a/b": "EVIL", "/etc/passwd": "EVIL", "/victim.txt": "EVIL", "/x\x00y": "EVIL", "/sub/abs": "EVIL",
				}),
			})
			r, err := h.pull(context.Background(), func(o *PullOptions) { o.Delete = true })
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range r.Failed {
				t.Log(f)
			}
			h.checkOutside()
			h.wantTree(map[string]string{"keep.txt": "kept", "ok.txt": "ok", "dup.txt": "one", "sub/": "", "sub/in.txt": "in", `back\slash`: "bs"})
			// A name with a line break is a real file FTP cannot carry:
			// skipped with a warning, the directory complete otherwise.
			if len(r.Skipped) != 1 || r.Skipped[0].Path != "cr\rname" || !errors.Is(r.Skipped[0].Err, plan.ErrUnmirrorable) {
				t.Errorf("skipped = %v, want cr\\rname as unmirrorable", r.Skipped)
			}
			for _, name := range bad {
				wantRefused(t, r, "", name)
			}
			wantRefused(t, r, "", "dup.txt")
			wantRefused(t, r, "sub", "sub/../../victim.txt")
			wantRefused(t, r, "sub", "sub//sub/abs")
			// A name of our temporary files is passed over as one of ours,
			// or refused as unsafe; either way it is not fetched (below).
			for _, err := range failedFor(r, ".x.ftpmirror-part", plan.OpDownload) {
				if !errors.Is(err, ErrUnsafePath) {
					t.Errorf("a listed temporary name of ours failed for another reason: %v", err)
				}
			}
			got := h.srv.Stats().Args("RETR")
			slices.Sort(got)
			if want := []string{"/back\\slash", "/dup.txt", "/ok.txt", "/sub/in.txt"}; !slices.Equal(got, want) {
				t.Errorf("fetched %q, want only %q", got, want)
			}
			if tmp := h.tempNames(); len(tmp) > 0 {
				t.Errorf("temporary files left: %q", tmp)
			}
		})
	}
}

// Sizes that do not fit an int64 or are negative never reach a download
// under a final name, and a size the server does not keep to fails the file.
func TestHostileSizesThatDoNotFit(t *testing.T) {
	for _, lf := range listFormats {
		t.Run(lf.name, func(t *testing.T) {
			h := newHostile(t, hostileftp.Options{
				MLST: lf.mlst,
				Listings: map[string][]string{"/": {
					lf.file("2", "ok.txt"),
					lf.file("18446744073709551615", "max"), // a uint64 that is -1 as an int64
					lf.file("9223372036854775808", "min"),  // MinInt64 as an int64
					lf.file("9223372036854775807", "big"),  // fits, but the file is 3 bytes
				}},
				Files: files(map[string]string{"/ok.txt": "ok", "/max": "abc", "/min": "abc", "/big": "abc"}),
			})
			r, err := h.pull(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			h.checkOutside()
			h.wantTree(map[string]string{"ok.txt": "ok"})
			wantRefused(t, r, "", "max")
			wantRefused(t, r, "", "min")
			// A size that fits but lies fails that one file (a short
			// transfer, or a temporary file that cannot be made that big).
			if errs := failedFor(r, "big", plan.OpDownload); len(errs) != 1 {
				t.Errorf("big: want one failure of its download, got %v", errs)
			}
		})
	}
}

// The library drops listing lines it cannot parse, such as a size beyond
// uint64 or a negative one. A dropped line is a file we would not see, whose
// local copy --delete would remove: the whole directory counts as not
// listed, so nothing under it is fetched by mistake or deleted.
func TestHostileUnreadableListingLinesFailTheDirectory(t *testing.T) {
	for _, lf := range listFormats {
		t.Run(lf.name, func(t *testing.T) {
			h := newHostile(t, hostileftp.Options{
				MLST: lf.mlst,
				Listings: map[string][]string{"/": {
					lf.file("2", "ok.txt"),
					lf.file("99999999999999999999", "huge"), // beyond uint64
					lf.file("-5", "neg"),                    // not a uint64 either
				}},
				Files: files(map[string]string{"/ok.txt": "ok", "/huge": "abc", "/neg": "abc"}),
			})
			if err := os.MkdirAll(h.local, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(h.local, "huge"), []byte("kept"), 0o644); err != nil {
				t.Fatal(err)
			}
			r, err := h.pull(context.Background(), func(o *PullOptions) { o.Delete, o.Force = true, true })
			if err != nil {
				t.Fatal(err)
			}
			h.checkOutside()
			h.wantTree(map[string]string{"huge": "kept"})
			errs := failedFor(r, "", "list")
			if len(errs) != 1 || !strings.Contains(errs[0].Error(), "2 of its 3 lines cannot be read") {
				t.Errorf("want the root listing refused for its unreadable lines, got %v", r.Failed)
			}
			if got := h.srv.Stats().Args("RETR"); len(got) != 0 {
				t.Errorf("fetched files from a directory it could not read whole: %q", got)
			}
		})
	}
}

// Symlinks are made only when they stay inside the mirror; the others are
// skipped with a reason, loops are made as they are (they point inside), and
// a second run over loops converges.
func TestHostileSymlinksStayInside(t *testing.T) {
	link := func(name, target string) string {
		return hostileftp.LISTLine("lrwxrwxrwx", strconv.Itoa(len(target)), name+" -> "+target)
	}
	h := newHostile(t, hostileftp.Options{
		Listings: map[string][]string{
			"/": {
				hostileftp.LISTLine("-rw-r--r--", "2", "ok.txt"),
				hostileftp.LISTLine("drwxr-xr-x", "4096", "sub"),
				link("out", "../../outside"), link("abs", "/etc/passwd"), link("up", ".."),
				link("dot", "./../victim.txt"), link("sneaky", "sub/../../victim.txt"),
				hostileftp.LISTLine("lrwxrwxrwx", "0", "bare"), // no target at all
				link("loop", "loop"), link("a", "b"), link("b", "a"),
				link("in", "ok.txt"), link("dirlink", "sub"),
			},
			"/sub": {
				hostileftp.LISTLine("-rw-r--r--", "1", "f.txt"),
				link("esc", "../../victim.txt"), link("fine", "../ok.txt"),
			},
		},
		Files: files(map[string]string{"/ok.txt": "ok", "/sub/f.txt": "f"}),
	})
	want := map[string]string{
		"ok.txt": "ok", "sub/": "", "sub/f.txt": "f", "sub/fine": "-> ../ok.txt",
		"loop": "-> loop", "a": "-> b", "b": "-> a", "in": "-> ok.txt", "dirlink": "-> sub",
	}
	r, err := h.pull(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	h.checkOutside()
	h.wantTree(want)
	var skipped []string
	for _, s := range r.Skipped {
		if !errors.Is(s, ErrLinkOutside) && !(s.Path == "bare" && errors.Is(s, ErrLinkTargetUnknown)) {
			t.Errorf("skipped %s for another reason: %v", s.Path, s)
		}
		skipped = append(skipped, s.Path)
	}
	slices.Sort(skipped)
	if want := []string{"abs", "bare", "dot", "out", "sneaky", "sub/esc", "up"}; !slices.Equal(skipped, want) {
		t.Errorf("skipped %q, want %q", skipped, want)
	}
	if len(r.Failed) > 0 {
		t.Errorf("failed: %v", r.Failed)
	}

	r, err = h.pull(context.Background(), nil)
	if err != nil || len(r.Failed) > 0 {
		t.Fatalf("second run: %v, failed %v", err, r.Failed)
	}
	h.checkOutside()
	h.wantTree(want)
}

// A symlink made by one run that the next run's listing calls a directory
// is never written through: the file meant for "d/x" does not land in the
// directory the old link pointed to.
func TestHostileSymlinkTurnedDirectoryIsNotWrittenThrough(t *testing.T) {
	dir := hostileftp.LISTLine("drwxr-xr-x", "4096", "target")
	h := newHostile(t, hostileftp.Options{
		Listings: map[string][]string{"/": {dir, hostileftp.LISTLine("lrwxrwxrwx", "6", "d -> target")}, "/target": nil},
	})
	if r, err := h.pull(context.Background(), nil); err != nil || len(r.Failed) > 0 {
		t.Fatalf("first run: %v, failed %v", err, r.Failed)
	}
	h.wantTree(map[string]string{"target/": "", "d": "-> target"})

	h.serve(hostileftp.Options{
		Listings: map[string][]string{
			"/": {dir, hostileftp.LISTLine("drwxr-xr-x", "4096", "d")}, "/target": nil,
			"/d": {hostileftp.LISTLine("-rw-r--r--", "5", "x")},
		},
		Files: files(map[string]string{"/d/x": "inner"}),
	})
	if _, err := h.pull(context.Background(), func(o *PullOptions) { o.Delete, o.Force = true, true }); err != nil {
		t.Fatal(err)
	}
	h.wantTree(map[string]string{"target/": "", "d/": "", "d/x": "inner"})
	h.checkOutside()
	if _, err := os.Lstat(filepath.Join(h.local, "target", "x")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("d/x was written through the old symlink into target/x (%v)", err)
	}
}
