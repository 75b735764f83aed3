package mirror

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/internal/ftpproxy"
	"github.com/ftpmirror/ftpmirror/internal/ftptest"
	"github.com/ftpmirror/ftpmirror/internal/hostileftp"
	"github.com/ftpmirror/ftpmirror/plan"
	"github.com/ftpmirror/ftpmirror/state"
)

func TestSegmentCountAndSplit(t *testing.T) {
	const mib = 1 << 20
	cases := []struct {
		size, min int64
		limit     int
		want      int
	}{
		{31 * mib, 32 * mib, 16, 1},   // below the threshold
		{32 * mib, 32 * mib, 16, 8},   // 8 segments of 4 MiB
		{200 * mib, 32 * mib, 16, 8},  // at most 8
		{200 * mib, 32 * mib, 3, 3},   // at most the pool
		{200 * mib, 32 * mib, 1, 1},   // one connection: one stream
		{200 * mib, -1, 16, 1},        // never
		{3 * mib, 1 * mib, 4, 4},      // segments of at least 128 KiB
		{1*mib + 1, 1 * mib, 16, 8},   // 8 x 128 KiB and a bit
		{3 * mib / 2, 1 * mib, 16, 8}, // 12 possible, capped at 8
	}
	for _, tc := range cases {
		if got := segmentCount(tc.size, tc.min, tc.limit); got != tc.want {
			t.Errorf("segmentCount(%d, %d, %d) = %d, want %d", tc.size, tc.min, tc.limit, got, tc.want)
		}
	}
	for _, tc := range []struct {
		from, size int64
		n          int
	}{{0, 100, 3}, {7, 100, 8}, {0, 8, 8}, {99, 100, 1}, {0, 1 << 40, 7}} {
		segs := splitSegments(tc.from, tc.size, tc.n)
		if len(segs) != tc.n || segs[0].start != tc.from || segs[len(segs)-1].end != tc.size {
			t.Fatalf("splitSegments(%d, %d, %d) = %v: does not cover the range", tc.from, tc.size, tc.n, segs)
		}
		for i, s := range segs {
			if s.end <= s.start || (i > 0 && s.start != segs[i-1].end) {
				t.Fatalf("splitSegments(%d, %d, %d) = %v: segment %d is empty or not contiguous", tc.from, tc.size, tc.n, segs, i)
			}
		}
	}
}

// segmentTree is a tree with one file large enough for segments (with
// SegmentMin 1 MiB) and small ones that are not.
func segmentTree() map[string]string {
	return map[string]string{
		"big/data.bin": string(randomBytes(3<<20+12345, 10)),
		"small.txt":    "small",
		"mid.bin":      string(randomBytes(700<<10, 11)),
	}
}

// verbCount returns how many times clients sent verb through the proxy.
func verbCount(p *ftpproxy.Proxy, verb string) int {
	n := 0
	for _, v := range p.Commands() {
		if v == verb {
			n++
		}
	}
	return n
}

func TestLargeFileDownloadsInSegmentsByteIdentical(t *testing.T) {
	check := func(t *testing.T, f *pullFixture) {
		p := proxied(t, f, ftpproxy.Options{})
		r := f.mustPull(func(o *PullOptions) { o.Parallel = 4; o.SegmentMin = 1 << 20 })
		ftptest.TreeEqual(t, f.remote, f.local)
		// 3 files; the big one in 4 segments: 6 RETR, 3 of them after REST.
		if got := verbCount(p, "RETR"); got != 6 {
			t.Errorf("RETR sent %d times, want 6 (the big file in 4 segments)", got)
		}
		if got := verbCount(p, "REST"); got != 3 {
			t.Errorf("REST sent %d times, want 3", got)
		}
		if r.Bytes != 3<<20+12345+700<<10+5 {
			t.Errorf("report says %d bytes", r.Bytes)
		}
		if r.Done.Downloads != 3 {
			t.Errorf("downloads = %d, want 3", r.Done.Downloads)
		}
		assertNoParts(t, f.local)
		// The state has the file: nothing to do the next time.
		if r := f.mustPull(func(o *PullOptions) { o.Parallel = 4; o.SegmentMin = 1 << 20 }); len(r.Plan.Actions) != 0 {
			t.Fatalf("second pull plans %+v", r.Plan.Actions)
		}
	}
	t.Run("goftp", func(t *testing.T) {
		check(t, newPullFixture(t, segmentTree(), ftptest.Options{}))
	})
	t.Run("vsftpd", func(t *testing.T) {
		// LIST times are minutes: the last segment brings the exact time
		// with MDTM, which TreeEqual checks to the second.
		f, _ := vsftpdFixture(t, segmentTree(), ftptest.VsftpdOptions{})
		ftptest.SetMtime(t, filepath.Join(f.remote, "big/data.bin"), time.Date(2025, 6, 7, 8, 9, 10, 0, time.UTC))
		check(t, f)
	})
}

func TestOneConnectionOrSmallFilesDownloadInOneStream(t *testing.T) {
	for _, tc := range []struct {
		name       string
		parallel   int
		segmentMin int64
	}{{"parallel 1", 1, 1 << 20}, {"default SegmentMin", 4, 0}, {"segments off", 4, -1}} {
		t.Run(tc.name, func(t *testing.T) {
			f := newPullFixture(t, segmentTree(), ftptest.Options{})
			p := proxied(t, f, ftpproxy.Options{})
			f.mustPull(func(o *PullOptions) { o.Parallel = tc.parallel; o.SegmentMin = tc.segmentMin })
			ftptest.TreeEqual(t, f.remote, f.local)
			if got, rest := verbCount(p, "RETR"), verbCount(p, "REST"); got != 3 || rest != 0 {
				t.Fatalf("RETR %d, REST %d; want 3 single-stream downloads", got, rest)
			}
		})
	}
}

func TestSegmentedDownloadSurvivesCutDataConnections(t *testing.T) {
	files := map[string]string{}
	for i := range 3 {
		files[fmt.Sprintf("f%d.bin", i)] = string(randomBytes(2<<20+i*999, uint64(20+i)))
	}
	f := newPullFixture(t, files, ftptest.Options{})
	p := proxied(t, f, ftpproxy.Options{CutData: 0.4, Seed: 5, CutMaxBytes: 1 << 20})
	f.mustPull(func(o *PullOptions) { o.Parallel = 4; o.SegmentMin = 1 << 20; o.Retries = 5 })
	ftptest.TreeEqual(t, f.remote, f.local)
	assertNoParts(t, f.local)
	if p.Stats().CutConns == 0 {
		t.Fatal("the proxy cut nothing: the test proves nothing")
	}
	if verbCount(p, "REST") == 0 {
		t.Fatal("no REST: the files were not downloaded in segments")
	}
}

// A kept temporary file of an interrupted single-stream download gives the
// start of the file; the segments fetch only the rest, and the partial
// record goes, since a pre-sized file would look complete to a resume.
func TestSegmentedDownloadContinuesAKeptPart(t *testing.T) {
	big := randomBytes(4<<20, 30)
	f := newPullFixture(t, map[string]string{"big.bin": string(big)}, ftptest.Options{})
	mtime := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	ftptest.SetMtime(t, filepath.Join(f.remote, "big.bin"), mtime)
	const have = 1_500_000
	if err := os.MkdirAll(f.local, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(f.local, ".big.bin.ftpmirror-part"), big[:have], 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := state.Open(f.state, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PutPartial(state.Partial{Path: "big.bin", Size: int64(len(big)), ModTime: mtime}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	p := proxied(t, f, ftpproxy.Options{})
	r := f.mustPull(func(o *PullOptions) { o.Parallel = 3; o.SegmentMin = 1 << 20 })
	ftptest.TreeEqual(t, f.remote, f.local)
	if r.Bytes != int64(len(big))-have {
		t.Errorf("downloaded %d bytes, want only the %d missing", r.Bytes, len(big)-have)
	}
	if got := verbCount(p, "REST"); got != 3 {
		t.Errorf("REST sent %d times, want 3 (every segment starts past the kept part)", got)
	}
	st, err = state.Open(f.state, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if parts, err := st.Partials(); err != nil || len(parts) != 0 {
		t.Fatalf("partials left: %v, %v", parts, err)
	}
}

// assertNoParts fails when a temporary download file is left in the tree.
func assertNoParts(t *testing.T, root string) {
	t.Helper()
	var parts []string
	_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && IsTempName(d.Name()) {
			parts = append(parts, p)
		}
		return nil
	})
	if len(parts) > 0 {
		t.Fatalf("temporary files left: %v", parts)
	}
}

// A server whose file is not the size its listing says fails a segmented
// download like a single-stream one: the file is reported failed and
// nothing partial is left, whichever segment meets the lie.
func TestHostileSegmentedSizeDiffers(t *testing.T) {
	const listed = 4 << 20
	data := randomBytes(5<<20, 40)
	for _, tc := range []struct {
		name string
		file hostileftp.File
		want string
	}{
		{"shorter", hostileftp.File{Data: data[:listed-300000]}, "changed during the transfer"},
		{"longer", hostileftp.File{Data: data}, "more than the 4194304 bytes the listing gave"},
		{"endless", hostileftp.File{Data: data[:1<<20], Endless: true}, "more than the 4194304 bytes the listing gave"},
		{"stalled", hostileftp.File{Data: data[:listed], StallAfter: 300000}, "timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHostile(t, hostileftp.Options{
				MLST:     true,
				Listings: map[string][]string{"/": {hostileftp.MLSDLine("file", "2", "ok.txt"), hostileftp.MLSDLine("file", fmt.Sprint(listed), "f.bin")}},
				Files:    map[string]hostileftp.File{"/ok.txt": {Data: []byte("ok")}, "/f.bin": tc.file},
			})
			r, err := h.pull(context.Background(), func(o *PullOptions) { o.Parallel = 4; o.SegmentMin = 1 << 20 })
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
			if n := h.srv.Stats().Count("REST"); n == 0 {
				t.Errorf("no REST: f.bin was not downloaded in segments")
			}
		})
	}
}
