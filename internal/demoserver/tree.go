package demoserver

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"
)

// Tree describes a generated tree to serve.
type Tree struct {
	Files, Dirs int
	// MaxSize is the largest file, in bytes; sizes are spread up to it.
	MaxSize int
	// Seed makes the tree: the same seed gives the same tree.
	Seed uint64
}

// topics name the directories of a generated tree, so that it reads like a
// real one.
var topics = [...]string{"docs", "images", "data", "releases", "notes", "src", "reports", "archive"}

// Generate writes the tree under root (which must exist): directories named
// after topics, nested at random, and files of random bytes with
// modification times spread over 2025.
func (t Tree) Generate(root string) error {
	rng := rand.New(rand.NewPCG(t.Seed, 0x5eed))
	dirs := []string{root}
	for i := range t.Dirs {
		parent := dirs[rng.IntN(len(dirs))]
		d := filepath.Join(parent, fmt.Sprintf("%s-%02d", topics[i%len(topics)], i))
		if err := os.Mkdir(d, 0o755); err != nil {
			return fmt.Errorf("demoserver: generate: %w", err)
		}
		dirs = append(dirs, d)
	}
	year := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	buf := make([]byte, t.MaxSize)
	for i := range t.Files {
		name := fmt.Sprintf("file-%04d.dat", i)
		if i%7 == 3 {
			name = fmt.Sprintf("report %04d.txt", i) // a space, as real names have
		}
		size := 0
		if t.MaxSize > 0 {
			size = rng.IntN(t.MaxSize + 1)
		}
		for k := range size {
			buf[k] = byte(rng.Uint32())
		}
		p := filepath.Join(dirs[rng.IntN(len(dirs))], name)
		if err := os.WriteFile(p, buf[:size], 0o644); err != nil {
			return fmt.Errorf("demoserver: generate: %w", err)
		}
		mt := year.Add(time.Duration(rng.Int64N(365*24*3600)) * time.Second)
		if err := os.Chtimes(p, mt, mt); err != nil {
			return fmt.Errorf("demoserver: generate: %w", err)
		}
	}
	return nil
}
