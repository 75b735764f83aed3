package mirror

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
	"github.com/ftpmirror/ftpmirror/state"
)

// pure-ftpd lists PRET in FEAT, so the library sends "PRET RETR x" before
// each download, and while a transfer runs it reads the control connection
// and answers everything it found there with one "500 Unknown command",
// throwing the commands away. Downloads sent ahead must follow the
// library's own order (PRET, EPSV, RETR), and a 500 during a transfer must
// end the connection at once rather than wait for replies that never come:
// every pull finishes well inside the idle timeout, byte-identical, with
// the data method kept.
func TestPureFtpdSendAheadNeverWaitsForRepliesThatNeverCome(t *testing.T) {
	files := map[string]string{}
	for i := range 24 {
		files[fmt.Sprintf("d%d/f%02d.bin", i%3, i)] = strings.Repeat(fmt.Sprint(i), 20000+i*4000)
	}
	remote := t.TempDir()
	ftptest.WriteTree(t, remote, files)
	s := ftptest.StartPureFtpd(t, remote, ftptest.PureFtpdOptions{})
	for run := range 6 {
		st, err := state.Open(filepath.Join(t.TempDir(), "state.db"), state.Options{})
		if err != nil {
			t.Fatal(err)
		}
		local := filepath.Join(t.TempDir(), "mirror")
		// Well below the 60 s idle timeout: a wait for a reply that never
		// comes ends the context, not the run.
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		r, err := Pull(ctx, PullOptions{Server: serverFor(s), LocalDir: local, Store: st, Parallel: 2})
		ended := ctx.Err()
		cancel()
		st.Close()
		if ended != nil {
			t.Fatalf("run %d: still waiting when the test's context ended (err %v)", run, err)
		}
		if err != nil || len(r.Failed) > 0 {
			t.Fatalf("run %d: pull: %v, failed %v", run, err, r.Failed)
		}
		if r.Method != MethodEPSV {
			t.Errorf("run %d: method %q, want EPSV kept", run, r.Method)
		}
		ftptest.TreeEqual(t, remote, local)
	}
}
