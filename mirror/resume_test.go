package mirror

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
	"github.com/ftpmirror/ftpmirror/state"
)

// A download cut short leaves its temporary file and a partial record; the
// next run must fetch only the rest (REST), and only while the remote file
// is the one the partial was made from.
func TestPullResumesKeptPartialWithREST(t *testing.T) {
	for _, changed := range []bool{false, true} {
		name := "unchanged"
		if changed {
			name = "changed"
		}
		t.Run(name, func(t *testing.T) {
			big := bytes.Repeat([]byte("resume-me-"), 300000) // 3 MB
			f := newPullFixture(t, map[string]string{"big.bin": string(big)}, ftptest.Options{})
			mtime := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
			ftptest.SetMtime(t, filepath.Join(f.remote, "big.bin"), mtime)
			const have = 1_000_000
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
			partMtime := mtime
			if changed {
				partMtime = mtime.Add(-time.Hour)
			}
			if err := st.PutPartial(state.Partial{Path: "big.bin", Size: int64(len(big)), ModTime: partMtime}); err != nil {
				t.Fatal(err)
			}
			st.Close()

			r := f.mustPull(nil)
			ftptest.TreeEqual(t, f.remote, f.local)
			want := int64(len(big) - have)
			if changed {
				want = int64(len(big))
			}
			if r.Bytes != want {
				t.Fatalf("transferred %d bytes, want %d", r.Bytes, want)
			}
			st, _ = state.Open(f.state, state.Options{})
			defer st.Close()
			if _, ok, _ := st.Partial("big.bin"); ok {
				t.Fatal("the partial record outlived the finished download")
			}
		})
	}
}
