package mirror

import (
	"time"

	"github.com/ftpmirror/ftpmirror/plan"
)

// FileError is one action that failed for good, after retries.
type FileError struct {
	Path string
	Op   plan.Op
	Err  error
}

func (e FileError) Error() string {
	p := e.Path
	if p == "" {
		p = "." // the mirror root
	}
	return string(e.Op) + " " + p + ": " + e.Err.Error()
}
func (e FileError) Unwrap() error { return e.Err }

// Report is what a run did.
type Report struct {
	// Plan is what the run set out to do (for a dry run, what it would do).
	Plan plan.Plan
	// Done counts what was carried out, by the same measure as the plan.
	Done plan.Summary
	// Failed lists the actions that failed; the run exits non-zero if any.
	Failed []FileError
	// Skipped lists actions left out on purpose, such as symlinks pointing
	// out of the tree; they do not make the run fail.
	Skipped []FileError
	// SkippedBefore lists what was left out as on an earlier run, which
	// already warned about it: shown only in verbose output.
	SkippedBefore []FileError
	// Method is the data channel method that carried the run's data ("" if
	// no data connection was needed).
	Method Method
	// RemoteDir is the remote root, absolute: RunOptions.RemoteDir
	// resolved against the login directory.
	RemoteDir string
	// RemoteDirMissing is set by a dry run of a push or sync whose remote
	// root does not exist: a real run creates it.
	RemoteDirMissing bool
	// RemoteDirCreated is set when the run created the remote root (and
	// any missing parents).
	RemoteDirCreated bool
	// Bytes is the number of payload bytes transferred.
	Bytes    int64
	Duration time.Duration
	// Bandwidth is the --bwlimit timetable the run followed (nil: none).
	Bandwidth Schedule
	// BackedUp is the number of files moved into RunOptions.BackupDir.
	BackedUp int
	// Checksum is the digest the transfers were verified with (--checksum),
	// "" when none was; Verified counts the transfers verified.
	Checksum HashAlgorithm
	Verified int
	// Clock is what the run learnt and saw of the server's clock.
	Clock ClockReport
}
