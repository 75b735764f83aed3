package plan

import (
	"context"
	"io/fs"
	"time"
)

// Kind is what a tree entry is.
type Kind uint8

// The kinds of entries a tree holds.
const (
	KindFile Kind = iota
	KindDir
	KindSymlink
)

// String returns the kind's name as used in JSON output.
func (k Kind) String() string {
	switch k {
	case KindDir:
		return "dir"
	case KindSymlink:
		return "symlink"
	default:
		return "file"
	}
}

// Entry is one file, directory or symlink of a tree, remote or local.
type Entry struct {
	// Path is slash-separated and relative to the mirror root, without a
	// leading or trailing slash, and never contains "." or ".." elements.
	Path string
	Kind Kind
	Size int64
	// ModTime is the modification time as the side reports it, in UTC.
	ModTime time.Time
	// Precision is how exact ModTime is: time.Second for MLSD, time.Minute
	// for a recent LIST line, 24h for a LIST line showing only a date, 0 when
	// unknown (times are then not compared). Local entries use time.Nanosecond.
	Precision time.Duration
	// Target is a symlink's target as listed; empty for other kinds.
	Target string
	// Mode is the permission bits as listed (fs.ModePerm at most), 0 when
	// the listing gives none. Local entries leave it 0.
	Mode fs.FileMode
}

// Lister lists one directory of a tree. dir is relative to the mirror root
// ("" is the root). The entries it returns have Paths relative to the root.
// It is implemented by mirror over FTP and by fakes in tests.
type Lister interface {
	List(ctx context.Context, dir string) ([]Entry, error)
}

// Record is what the state remembers about one path after a sync: the remote
// side as it was listed and the local side as it was written.
type Record struct {
	Path string
	Kind Kind

	RemoteSize      int64
	RemoteModTime   time.Time
	RemotePrecision time.Duration

	LocalSize    int64
	LocalModTime time.Time

	SyncedAt time.Time
}

// Snapshot is the state as the planner sees it: records by Path.
type Snapshot map[string]Record
