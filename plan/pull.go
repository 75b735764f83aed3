package plan

import "time"

// PullInput is what Pull plans from.
type PullInput struct {
	// Remote is the remote tree as Walk listed it.
	Remote Listing
	// Local is the local tree, in any order.
	Local []Entry
	// Base is the state of the last sync.
	Base Snapshot
	// Delete removes local entries the remote does not have.
	Delete bool
	// Filter leaves alone the paths it does not match, on both sides.
	Filter *Filter
}

// Pull plans a pull mirror: it makes the local tree a copy of the remote one.
//
// Remote files:
//
//   - Not in Base: a local file of the same size whose mtime equals the
//     remote mtime within the remote Precision (|diff| < Precision) is
//     adopted (OpAdopt, ReasonAdopted, no transfer). When Precision is 0 the
//     times are unknown and size alone is not enough. Anything else is
//     downloaded with ReasonNew, replacing whatever local file is there.
//   - In Base: the remote changed if its size differs from RemoteSize, or
//     its mtime from RemoteModTime by the coarser of the two precisions or
//     more (times are not compared when either precision is 0); a record of
//     another kind also means it changed. The local file was edited if its
//     size or mtime differs from LocalSize and LocalModTime (exactly), or it
//     is not a file any more. A missing local file is downloaded with
//     ReasonMissing; an edited one with ReasonLocalEdit, whether or not the
//     remote changed (the edit is overwritten: this is a mirror); otherwise
//     a changed remote with ReasonChanged. Neither: nothing to do.
//
// Remote directories missing locally are created (OpMkdirLocal, ReasonNew),
// so empty directories are mirrored. A remote symlink is created
// (OpSymlinkLocal) when the local one is missing or has another Target:
// ReasonNew when it is not in Base, ReasonMissing when the local one is
// missing, else ReasonChanged. Whether the target is safe to create is the
// executor's decision (see LinkInside).
//
// Kind changes: a local entry of another kind than the remote one is deleted
// first (StageReplace, ReasonChanged; what a replaced directory holds goes
// first, with ReasonDeleted). Replacing a file or symlink, or an
// empty directory, is always allowed, as overwriting a file is. Replacing a
// directory that holds entries deletes them too, and is done only when Delete
// is set and every one of them may be deleted; otherwise the path is left
// alone and listed in Plan.Blocked.
//
// Deletion, only when Delete is set: local entries the remote does not have
// are deleted (OpDeleteLocal, ReasonDeleted), children before parents.
// Nothing the Filter excludes is deleted, nothing under a directory whose
// listing failed (Remote.Failed, copied to Plan.Incomplete) nor that
// directory itself, and no directory that still holds something kept.
//
// State records: a record whose path the remote and the local tree both lack
// is forgotten (OpForget, ReasonDeleted), unless its path is excluded or under
// a failed directory. A record whose remote path is gone while the local
// entry stays (Delete off) is left alone: it still describes the local copy,
// and if the remote file comes back unchanged nothing needs to be done. The
// executor drops the record of a path it deletes.
//
// The actions come in Stage order: StageReplace (children first),
// StageMkdir (parents first), StageTransfer (downloads, symlinks, adoptions by
// path), StageDelete (children first), StageForget (by path).
func Pull(in PullInput) Plan {
	return planOneWay(oneWayInput{
		Source: in.Remote.Entries, Target: in.Local, Failed: in.Remote.Failed, Skipped: in.Remote.Skipped,
		Base: in.Base, Delete: in.Delete, Filter: in.Filter,
	}, oneWayRules{
		toLocal: true,
		mkdirOp: OpMkdirLocal, copyOp: OpDownload, linkOp: OpSymlinkLocal, deleteOp: OpDeleteLocal,
		editReason: ReasonLocalEdit,
	})
}

// remoteChanged reports whether the remote file r differs from its record.
func remoteChanged(r Entry, b Record) bool {
	if r.Size != b.RemoteSize {
		return true
	}
	if r.Precision <= 0 || b.RemotePrecision <= 0 {
		return false // times unknown on one side: size is all we have
	}
	return !within(r.ModTime, b.RemoteModTime, max(r.Precision, b.RemotePrecision))
}

// within reports whether a and b are less than prec apart.
func within(a, b time.Time, prec time.Duration) bool {
	d := a.Sub(b)
	return d > -prec && d < prec
}
