package state_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/ftpmirror/ftpmirror/plan"
	"github.com/ftpmirror/ftpmirror/state"
)

func Example() {
	dir, err := os.MkdirTemp("", "state-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	// A run opens the state (taking its lock), commits files as they finish,
	// and records how the run went.
	s, err := state.Open(filepath.Join(dir, "mirror.db"), state.Options{})
	if err != nil {
		log.Fatal(err)
	}
	batch := s.NewBatch(state.BatchOptions{})
	mod := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, name := range []string{"README", "pub/a.tar.gz"} {
		err := batch.Put(plan.Record{Path: name, Kind: plan.KindFile, RemoteSize: 42, RemoteModTime: mod,
			RemotePrecision: time.Second, LocalSize: 42, LocalModTime: mod, SyncedAt: time.Now()})
		if err != nil {
			log.Fatal(err)
		}
	}
	if err := batch.Put(plan.Record{Path: "pub", Kind: plan.KindDir}); err != nil {
		log.Fatal(err)
	}
	if err := batch.Flush(); err != nil {
		log.Fatal(err)
	}
	if err := s.SetMeta(state.Meta{Remote: "ftp://ftp.example.org/", Local: dir, LastComplete: true}); err != nil {
		log.Fatal(err)
	}

	// While the run holds it, a second run is refused.
	if _, err := state.Open(s.Path(), state.Options{}); err != nil {
		fmt.Println(errors.Is(err, state.ErrLocked))
	}
	s.Close()

	// A later run (or a status command) reads what the last one left.
	ro, err := state.Open(filepath.Join(dir, "mirror.db"), state.Options{ReadOnly: true})
	if err != nil {
		log.Fatal(err)
	}
	defer ro.Close()
	snap, _ := ro.Snapshot()
	files, _ := ro.Len()
	meta, _ := ro.Meta()
	fmt.Println(len(snap), "records,", files, "files")
	fmt.Println(snap["pub/a.tar.gz"].RemoteModTime, meta.Remote, meta.LastComplete)
	// Output:
	// true
	// 3 records, 2 files
	// 2024-03-01 12:00:00 +0000 UTC ftp://ftp.example.org/ true
}
