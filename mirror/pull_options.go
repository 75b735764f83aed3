package mirror

import (
	"log/slog"

	"github.com/ftpmirror/ftpmirror/plan"
	"github.com/ftpmirror/ftpmirror/state"
)

// RunOptions configure one pull or push run. The zero value of every field
// but Server, RemoteDir and LocalDir works.
type RunOptions struct {
	Server Server
	Conn   Options
	// RemoteDir is the remote directory to mirror: an absolute path, or a
	// path relative to the login directory ("" is the login directory
	// itself), resolved with PWD after login. It must exist for a pull; a
	// push or sync creates it.
	RemoteDir string
	// LocalDir is the local mirror root. A pull creates it if missing; a
	// push requires it.
	LocalDir string
	// Store is the opened state. With DryRun it may be nil (no state yet);
	// a dry run never writes to it.
	Store *state.Store

	Filter    *plan.Filter
	Delete    bool
	MaxDelete plan.Limit // zero means 50%
	Force     bool       // proceed past the deletion guard
	DryRun    bool
	// CopyLinks lists what remote symlinks point to instead of the links
	// (--copy-links): a file is downloaded, a directory listed, through
	// the link. A link to a directory holding it is skipped, as is one
	// whose target is missing; the walk's depth bound ends other loops.
	CopyLinks bool
	// BackupDir keeps what the run deletes or overwrites: files are moved
	// there first, under their relative path. For a pull, a local
	// directory on the mirror's filesystem; for a push, an absolute
	// directory on the server. Sync refuses it. "" keeps nothing.
	BackupDir string
	// Checksum compares each transfer with the server's digest of the file
	// (checksum.go); a server that offers none is compared by size.
	Checksum bool
	// TrackRenames renames on the target the files that moved on the
	// source side since the last run (with Delete), instead of sending them
	// again (plan.TrackRenames). Pull and push.
	TrackRenames bool

	Parallel int // control connections, default 4
	Retries  int // attempts per action after the first, default 3
	// SegmentMin is the size from which a file is downloaded in segments,
	// over up to 8 of the Parallel connections at once (each segment at
	// least SegmentMin/8 long); default 32 MiB, negative: never.
	SegmentMin int64

	// ServerZone, when set, is the zone the server reports times in
	// (--server-timezone); it overrides the offset the state learnt (see
	// clock.go).
	ServerZone *ServerZone
	// NoClockShift turns off plan.FindShift: a listing whose times all
	// moved by one offset is then seen as that many changed files.
	NoClockShift bool

	Logger   *slog.Logger
	Progress Progress

	// observeSync, in tests, sees each local file written whose flush is
	// left to the state batch, and each flush (see local_durable.go).
	observeSync func(syncEvent)
}

// PullOptions configure one pull run.
type PullOptions = RunOptions

func (o RunOptions) withDefaults() RunOptions {
	if o.MaxDelete == (plan.Limit{}) {
		o.MaxDelete = plan.Limit{Percent: 50}
	}
	if o.Parallel <= 0 {
		o.Parallel = 4
	}
	if o.Retries < 0 {
		o.Retries = 0
	} else if o.Retries == 0 {
		o.Retries = 3
	}
	if o.SegmentMin == 0 {
		o.SegmentMin = 32 << 20
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Progress == nil {
		o.Progress = nopProgress{}
	}
	o.Conn.Logger = o.Logger
	return o
}
