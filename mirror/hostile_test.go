package mirror

import (
	"context"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/internal/hostileftp"
	"github.com/ftpmirror/ftpmirror/plan"
	"github.com/ftpmirror/ftpmirror/state"
)

// These tests pull from internal/hostileftp, a server that lies on purpose,
// into <parent>/mirror, where <parent> holds only the mirror and a victim
// file. Whatever the server does, the run must end, with an error or
// Report.Failed entries that say what was refused, and nothing outside the
// mirror may be written, deleted or pointed at.

// victimContent is the content of <parent>/victim.txt, which must survive.
const victimContent = "outside the mirror: do not touch"

// hostileFixture is a hostile server, a mirror inside a sentinel parent and a
// state file elsewhere.
type hostileFixture struct {
	t      *testing.T
	srv    *hostileftp.Server
	parent string
	local  string
	state  string
}

func newHostile(t *testing.T, o hostileftp.Options) *hostileFixture {
	t.Helper()
	parent := t.TempDir()
	if err := os.WriteFile(filepath.Join(parent, "victim.txt"), []byte(victimContent), 0o644); err != nil {
		t.Fatal(err)
	}
	h := &hostileFixture{t: t, parent: parent, local: filepath.Join(parent, "mirror"),
		state: filepath.Join(t.TempDir(), "state.db")}
	h.serve(o)
	return h
}

// serve replaces the server, to change the script between two runs.
func (h *hostileFixture) serve(o hostileftp.Options) {
	h.srv = hostileftp.Start(h.t, o)
}

// pull runs Pull with short timeouts, one attempt per action and a small
// listing bound, and fails the test if Pull panics or never returns. The
// generous guard catches hangs; it measures nothing.
func (h *hostileFixture) pull(ctx context.Context, mod func(*PullOptions)) (*Report, error) {
	h.t.Helper()
	st, err := state.Open(h.state, state.Options{})
	if err != nil {
		h.t.Fatal(err)
	}
	o := PullOptions{
		Server:   Server{Host: h.srv.Host, Port: h.srv.Port, User: "u", Password: "p"},
		LocalDir: h.local, Store: st, Parallel: 2, Retries: -1,
		Conn: Options{IdleTimeout: time.Second, DataTimeout: 2 * time.Second, MaxListingBytes: 1 << 20},
	}
	if mod != nil {
		mod(&o)
	}
	type result struct {
		r     *Report
		err   error
		panic any
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- result{panic: p}
			}
		}()
		r, err := Pull(ctx, o)
		done <- result{r: r, err: err}
	}()
	guard := time.NewTimer(2 * time.Minute)
	defer guard.Stop()
	select {
	case res := <-done:
		st.Close()
		if res.panic != nil {
			h.t.Fatalf("Pull panicked: %v", res.panic)
		}
		return res.r, res.err
	case <-guard.C:
		h.srv.Close()
		h.t.Fatalf("Pull never returned")
	}
	return nil, nil
}

// checkOutside asserts that the parent holds only the mirror and the
// untouched victim, and that no symlink in the mirror leads out of it.
func (h *hostileFixture) checkOutside() {
	h.t.Helper()
	entries, err := os.ReadDir(h.parent)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != "mirror" && e.Name() != "victim.txt" {
			h.t.Errorf("%s was created outside the mirror", filepath.Join(h.parent, e.Name()))
		}
	}
	if b, err := os.ReadFile(filepath.Join(h.parent, "victim.txt")); err != nil || string(b) != victimContent {
		h.t.Errorf("the file outside the mirror was changed: %q, %v", b, err)
	}
	if fi, err := os.Lstat(h.local); err == nil && !fi.IsDir() {
		h.t.Errorf("the mirror root is not a directory: %v", fi.Mode())
	}
	for rel, v := range hostileTree(h.t, h.local) {
		if target, ok := strings.CutPrefix(v, "-> "); ok && !plan.LinkInside(rel, target) {
			h.t.Errorf("symlink %s %s points outside the mirror", rel, v)
		}
	}
}

// wantTree asserts the mirror's entries under their final names: files map
// to their content, directories end in "/" and map to "", symlinks map to
// "-> target". Temporary names are left to the caller.
func (h *hostileFixture) wantTree(want map[string]string) {
	h.t.Helper()
	got := hostileTree(h.t, h.local)
	maps.DeleteFunc(got, func(rel, _ string) bool { return IsTempName(filepath.Base(strings.TrimSuffix(rel, "/"))) })
	if !maps.Equal(got, want) {
		h.t.Errorf("mirror holds\n\t%q\nwant\n\t%q", got, want)
	}
}

// tempNames returns the temporary names left in the mirror.
func (h *hostileFixture) tempNames() []string {
	var out []string
	for rel := range hostileTree(h.t, h.local) {
		if IsTempName(filepath.Base(strings.TrimSuffix(rel, "/"))) {
			out = append(out, rel)
		}
	}
	slices.Sort(out)
	return out
}

func hostileTree(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	if _, err := os.Lstat(root); errors.Is(err, fs.ErrNotExist) {
		return out
	}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == root {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			out[rel] = "-> " + target
		case d.IsDir():
			out[rel+"/"] = ""
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[rel] = string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// failedFor returns the errors of the report's failed actions on path.
func failedFor(r *Report, path string, op plan.Op) []error {
	var out []error
	for _, f := range r.Failed {
		if f.Path == path && f.Op == op {
			out = append(out, f)
		}
	}
	return out
}

// wantRefused asserts that a failed listing of dir names the refused path.
func wantRefused(t *testing.T, r *Report, dir, path string) {
	t.Helper()
	for _, err := range failedFor(r, dir, "list") {
		if errors.Is(err, plan.ErrBadEntry) && strings.Contains(err.Error(), strconv.Quote(path)) {
			return
		}
	}
	t.Errorf("no refusal of %q in the listing of %q; failed: %v", path, dir, r.Failed)
}

// wantTimeout asserts that err is a timeout, and says so to a person.
func wantTimeout(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, os.ErrDeadlineExceeded) || !strings.Contains(err.Error(), "timeout") {
		t.Errorf("want a timeout error, got %v", err)
	}
}

// listFormat writes listing lines in one of the two formats a client reads.
type listFormat struct {
	name string
	mlst bool
	file func(size, name string) string
	dir  func(name string) string
}

var listFormats = []listFormat{
	{"MLSD", true,
		func(size, name string) string { return hostileftp.MLSDLine("file", size, name) },
		func(name string) string { return hostileftp.MLSDLine("dir", "0", name) }},
	{"LIST", false,
		func(size, name string) string { return hostileftp.LISTLine("-rw-r--r--", size, name) },
		func(name string) string { return hostileftp.LISTLine("drwxr-xr-x", "4096", name) }},
}

func files(m map[string]string) map[string]hostileftp.File {
	out := make(map[string]hostileftp.File, len(m))
	for p, data := range m {
		out[p] = hostileftp.File{Data: []byte(data)}
	}
	return out
}

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

			bad := []string{"a/b", "/etc/passwd", "../victim.txt", "x\x00y", `back\slash`, "cr\rname", ""}
			root := []string{lf.file("2", "ok.txt"), lf.dir("sub"), lf.file("3", ".."), lf.dir(".."),
				lf.file("3", "."), lf.dir("."), lf.file("3", "dup.txt"), lf.file("5", "dup.txt"),
				lf.file("4", ".x.ftpmirror-part")}
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
					"/ok.txt": "ok", "/dup.txt": "one", "/sub/in.txt": "in", "/.x.ftpmirror-part": "EVIL",
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
			h.wantTree(map[string]string{"keep.txt": "kept", "ok.txt": "ok", "dup.txt": "one", "sub/": "", "sub/in.txt": "in"})
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
			if want := []string{"/dup.txt", "/ok.txt", "/sub/in.txt"}; !slices.Equal(got, want) {
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
		if !errors.Is(s, ErrLinkOutside) {
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

// A listing that never ends is cut at Options.MaxListingBytes with an error
// that says so, and the directory counts as incomplete: nothing under it is
// deleted, and the deletion guard refuses any other deletion.
func TestHostileListingNeverEnds(t *testing.T) {
	for _, lf := range listFormats {
		for _, where := range []string{"/", "/sub"} {
			t.Run(lf.name+where, func(t *testing.T) {
				listing := []string{lf.file("4", "keep.txt"), lf.dir("sub")}
				h := newHostile(t, hostileftp.Options{
					MLST:     lf.mlst,
					Listings: map[string][]string{"/": listing, "/sub": {lf.file("2", "s.txt")}},
					Files:    files(map[string]string{"/keep.txt": "kept", "/sub/s.txt": "ss"}),
				})
				if r, err := h.pull(context.Background(), nil); err != nil || len(r.Failed) > 0 {
					t.Fatalf("first run: %v, failed %v", err, r.Failed)
				}

				h.serve(hostileftp.Options{
					MLST:            lf.mlst,
					Listings:        map[string][]string{"/": {lf.dir("sub")}},
					InfiniteListing: where,
				})
				r, err := h.pull(context.Background(), func(o *PullOptions) { o.Delete, o.Retries = true, 3 })
				var ge *plan.GuardError
				if where == "/sub" {
					// keep.txt is gone from a complete root listing, but
					// the guard refuses to delete while a listing failed.
					if !errors.As(err, &ge) {
						t.Errorf("want the deletion guard to refuse, got %v", err)
					}
				} else if err != nil {
					t.Fatal(err)
				}
				if r == nil {
					t.Fatalf("no report: %v", err)
				}
				dir := strings.TrimPrefix(where, "/")
				errs := failedFor(r, dir, "list")
				if len(errs) != 1 || !errors.Is(errs[0], errListingTooLong) ||
					!strings.Contains(errs[0].Error(), "listing too long: more than 1048576 bytes") {
					t.Errorf("want one listing-too-long failure for %q, got %v", dir, r.Failed)
				}
				verb := "LIST"
				if lf.mlst {
					verb = "MLSD"
				}
				lists := 1 // the root, and the directory below it if it is the endless one
				if where != "/" {
					lists = 2
				}
				if n := h.srv.Stats().Count(verb); n != lists {
					t.Errorf("%d %s commands: a listing over its bound was retried", n, verb)
				}
				h.checkOutside()
				h.wantTree(map[string]string{"keep.txt": "kept", "sub/": "", "sub/s.txt": "ss"})
			})
		}
	}
}

// A reply that never comes is bounded by Options.IdleTimeout, wherever the
// server stops: the run ends with a timeout, nothing under a final name.
func TestHostileReplyNeverComes(t *testing.T) {
	for _, tc := range []struct {
		hang  string
		mlst  bool
		fatal bool // the run fails as a whole rather than per path
		path  string
		op    plan.Op
	}{
		{hang: hostileftp.Greeting, fatal: true},
		{hang: "USER", fatal: true},
		{hang: "PASS", fatal: true},
		{hang: "FEAT", fatal: true},
		{hang: "TYPE", fatal: true},
		{hang: "LIST", path: "", op: "list"},
		{hang: "MLSD", mlst: true, path: "", op: "list"},
		{hang: "EPSV", path: "", op: "list"},
		{hang: "RETR", path: "ok.txt", op: plan.OpDownload},
		{hang: "MDTM", path: "ok.txt", op: plan.OpDownload},
	} {
		t.Run(tc.hang, func(t *testing.T) {
			lf := listFormats[1]
			if tc.mlst {
				lf = listFormats[0]
			}
			h := newHostile(t, hostileftp.Options{
				MLST:     tc.mlst,
				Listings: map[string][]string{"/": {lf.file("2", "ok.txt")}},
				Files:    files(map[string]string{"/ok.txt": "ok"}),
				Hang:     []string{tc.hang},
			})
			r, err := h.pull(context.Background(), nil)
			h.checkOutside()
			h.wantTree(map[string]string{})
			if tc.fatal {
				if err == nil {
					t.Fatal("the run succeeded")
				}
				wantTimeout(t, err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			errs := failedFor(r, tc.path, tc.op)
			if len(errs) != 1 {
				t.Fatalf("want one failure of %s %q, got %v", tc.op, tc.path, r.Failed)
			}
			wantTimeout(t, errs[0])
		})
	}
}

// A file longer or shorter than its listing, or cut short, is not committed:
// nothing under its final name, no temporary file left, and the error says
// what went wrong. A file that never ends is cut at the listed size.
func TestHostileSizeDiffers(t *testing.T) {
	long := strings.Repeat("L", 1000)
	for _, tc := range []struct {
		name string
		file hostileftp.File
		want string
	}{
		{"longer", hostileftp.File{Data: []byte(long)}, "more than the 10 bytes the listing gave"},
		{"shorter", hostileftp.File{Data: []byte("short")}, "got 5 bytes, the listing said 10"},
		{"endless", hostileftp.File{Data: []byte(long), Endless: true}, "more than the 10 bytes the listing gave"},
		{"cut", hostileftp.File{Data: []byte("0123456789"), CloseAfter: 4}, "426"},
	} {
		for _, lf := range listFormats {
			t.Run(tc.name+"/"+lf.name, func(t *testing.T) {
				h := newHostile(t, hostileftp.Options{
					MLST:     lf.mlst,
					Listings: map[string][]string{"/": {lf.file("2", "ok.txt"), lf.file("10", "f.bin")}},
					Files:    map[string]hostileftp.File{"/ok.txt": {Data: []byte("ok")}, "/f.bin": tc.file},
				})
				r, err := h.pull(context.Background(), nil)
				if err != nil {
					t.Fatal(err)
				}
				h.checkOutside()
				h.wantTree(map[string]string{"ok.txt": "ok"})
				if tmp := h.tempNames(); len(tmp) > 0 {
					t.Errorf("temporary files left: %q", tmp)
				}
				errs := failedFor(r, "f.bin", plan.OpDownload)
				if len(errs) != 1 || !strings.Contains(errs[0].Error(), tc.want) {
					t.Errorf("want one failure saying %q, got %v", tc.want, r.Failed)
				}
			})
		}
	}
}

// Cancelling the context ends the run promptly, long before any timeout,
// with context.Canceled and nothing partial under a final name.
func TestHostileCancelMidRun(t *testing.T) {
	big := strings.Repeat("B", 2<<20)
	for _, tc := range []struct {
		name string
		hang []string
		on   string // cancel when this verb arrives, or at the stall if ""
	}{
		{name: "during login", hang: []string{"USER"}, on: "USER"},
		{name: "during a listing", hang: []string{"LIST"}, on: "LIST"},
		{name: "during a transfer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			h := newHostile(t, hostileftp.Options{
				Listings: map[string][]string{"/": {
					hostileftp.LISTLine("-rw-r--r--", strconv.Itoa(len(big)), "big.bin"),
				}},
				Files: map[string]hostileftp.File{"/big.bin": {Data: []byte(big), StallAfter: 1 << 20}},
				Hang:  tc.hang,
				OnCommand: func(verb, _ string) {
					if verb == tc.on {
						cancel()
					}
				},
				OnStall: func(string) { cancel() },
			})
			// Only the cancellation can end these runs before the guard.
			r, err := h.pull(ctx, func(o *PullOptions) { o.Conn.IdleTimeout = time.Hour; o.Retries = 3 })
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("want context.Canceled, got %v (report %+v)", err, r)
			}
			h.checkOutside()
			h.wantTree(map[string]string{})
			for _, tmp := range h.tempNames() {
				if tmp != ".big.bin.ftpmirror-part" {
					t.Errorf("unexpected temporary file %q", tmp)
				}
			}
		})
	}
}
