package plan

import (
	"time"
)

// testDeadline only keeps a broken concurrent test from hanging; no test
// asserts on time.
const testDeadline = 30 * time.Second

// t0 is a remote mtime as MLSD shows it.
var t0 = time.Date(2024, 11, 25, 14, 1, 33, 0, time.UTC)

func file(p string, size int64) Entry {
	return Entry{Path: p, Kind: KindFile, Size: size, ModTime: t0, Precision: time.Second}
}

func dir(p string) Entry { return Entry{Path: p, Kind: KindDir} }

func link(p, target string) Entry { return Entry{Path: p, Kind: KindSymlink, Target: target} }
