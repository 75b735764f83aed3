package mirror

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
	"github.com/ftpmirror/ftpmirror/state"
)

// pyftpdlib closes the transfer in progress when EPSV or PASV arrives during
// it, and never answers that transfer's command. A client that sends the
// next download's commands ahead during a transfer must tell that from a
// broken data channel: stop sending ahead for that server (and remember it
// in the state), keep its data method, and mirror everything, every time.
func TestPyftpdlibSendAheadFailureStopsSendingAheadAndKeepsTheMethod(t *testing.T) {
	files := map[string]string{}
	for i := range 60 {
		files[fmt.Sprintf("d%d/f%02d.txt", i%4, i)] = fmt.Sprintf("file %d %s", i, make([]byte, 2000+i*97))
	}
	remote := t.TempDir()
	ftptest.WriteTree(t, remote, files)
	s := ftptest.StartPyftpdlib(t, remote, ftptest.PyftpdlibOptions{})
	pull := func(stateFile string) (*Report, state.Meta, string) {
		t.Helper()
		st, err := state.Open(stateFile, state.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		var logs strings.Builder
		local := filepath.Join(t.TempDir(), "mirror")
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		r, err := Pull(ctx, PullOptions{Server: serverFor(s), LocalDir: local, Store: st, Parallel: 3,
			Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		if err != nil {
			t.Fatalf("pull: %v", err)
		}
		if len(r.Failed) > 0 {
			t.Fatalf("pull failed items: %v", r.Failed)
		}
		ftptest.TreeEqual(t, remote, local)
		meta, err := st.Meta()
		if err != nil {
			t.Fatal(err)
		}
		return r, meta, logs.String()
	}
	learned := ""
	for run := range 15 {
		stateFile := filepath.Join(t.TempDir(), "state.db")
		r, meta, _ := pull(stateFile)
		if r.Method != MethodEPSV || meta.DataMethod != string(MethodEPSV) {
			t.Errorf("run %d: method %q (state %q), want EPSV kept", run, r.Method, meta.DataMethod)
		}
		if meta.NoSendAhead {
			learned = stateFile
		}
	}
	if learned == "" {
		t.Fatal("no run saw pyftpdlib cut a transfer: this test no longer covers sending ahead")
	}
	// The state remembers: the next run sends nothing during a transfer.
	_, meta, logs := pull(learned)
	if !meta.NoSendAhead || strings.Contains(logs, "mishandles") {
		t.Fatalf("a run with the state's NoSendAhead sent ahead again (state %v):\n%s", meta.NoSendAhead, logs)
	}
}
