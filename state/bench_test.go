package state

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/plan"
)

// fillStore writes n file records with paths like a mirror's, 100,000 per
// transaction.
func fillStore(b *testing.B, n int) *Store {
	b.Helper()
	s, err := Open(filepath.Join(b.TempDir(), "state.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	synced := time.Now()
	const chunk = 100_000
	put := make([]plan.Record, 0, chunk)
	for i := 0; i < n; i++ {
		r := fileRecord(fmt.Sprintf("pub/dists/d%03d/main/binary-amd64/package-%07d_1.0-1_amd64.deb", i%500, i), int64(i)*1000)
		r.SyncedAt = synced
		put = append(put, r)
		if len(put) == chunk || i == n-1 {
			if err := s.Apply(put, nil); err != nil {
				b.Fatal(err)
			}
			put = put[:0]
		}
	}
	return s
}

func benchmarkSnapshot(b *testing.B, n int) {
	s := fillStore(b, n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		snap, err := s.Snapshot()
		if err != nil {
			b.Fatal(err)
		}
		if len(snap) != n {
			b.Fatalf("snapshot has %d records, want %d", len(snap), n)
		}
	}
}

func BenchmarkSnapshot100k(b *testing.B) { benchmarkSnapshot(b, 100_000) }
func BenchmarkSnapshot1M(b *testing.B)   { benchmarkSnapshot(b, 1_000_000) }

func BenchmarkBatchPut(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "state.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	batch := s.NewBatch(BatchOptions{})
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := batch.Put(fileRecord(fmt.Sprintf("dir/file-%09d", i), int64(i))); err != nil {
			b.Fatal(err)
		}
		i++
	}
	if err := batch.Flush(); err != nil {
		b.Fatal(err)
	}
}
