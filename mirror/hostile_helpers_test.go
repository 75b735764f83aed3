// Hostile-server tests: the fixture and the checks shared by hostile_test.go
// (names, sizes, symlinks) and hostile_bounds_test.go (endless listings,
// silent servers, lying sizes, cancellation).

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
		Server:   Server{Host: h.srv.Host, Port: h.srv.Port, User: "u", Password: NewSecret("p")},
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
