package mirror

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/hostileftp"
	"github.com/ftpmirror/ftpmirror/plan"
)

// Regression: a server whose every directory holds another was listed until
// the run was killed. The walk now stops that branch at the depth bound
// with a message that says so, and the rest mirrors.
func TestPullStopsAnEndlessTreeAtTheDepthBound(t *testing.T) {
	for _, lf := range listFormats {
		t.Run(lf.name, func(t *testing.T) {
			h := newHostile(t, hostileftp.Options{
				MLST:         lf.mlst,
				Listings:     map[string][]string{"/": {lf.file("2", "ok.txt"), lf.dir("deep")}},
				Files:        files(map[string]string{"/ok.txt": "ok"}),
				EndlessDepth: "/deep",
			})
			r, err := h.pull(context.Background(), func(o *PullOptions) { o.Delete = true })
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Failed) != 1 || r.Failed[0].Op != "list" || !errors.Is(r.Failed[0].Err, plan.ErrTooDeep) {
				t.Fatalf("failed = %v, want the branch refused as too deep", r.Failed)
			}
			if got := strings.Count(r.Failed[0].Path, "/"); got != plan.DefaultMaxDepth {
				t.Errorf("refused at %d levels, want %d", got+1, plan.DefaultMaxDepth+1)
			}
			if msg := r.Failed[0].Error(); !strings.Contains(msg, "deeper than 256 levels") {
				t.Errorf("message %q does not name the bound", msg)
			}
			h.checkOutside()
			if got := h.srv.Stats().Args("RETR"); len(got) != 1 || got[0] != "/ok.txt" {
				t.Errorf("fetched %q, want /ok.txt", got)
			}
		})
	}
}
