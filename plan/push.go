package plan

// PushInput is what Push plans from.
type PushInput struct {
	// Local is the local tree, the source, in any order.
	Local []Entry
	// Remote is the remote tree, the target, as Walk listed it.
	Remote Listing
	// Base is the state of the last sync.
	Base Snapshot
	// Delete removes remote entries the local tree does not have.
	Delete bool
	// Filter leaves alone the paths it does not match, on both sides.
	Filter *Filter
}

// Push plans a push mirror: it makes the remote tree a copy of the local one.
// It is Pull with the sides swapped; where the sides are not alike, it says so
// below.
//
// Local files:
//
//   - Not in Base: a remote file of the same size whose mtime equals the
//     local mtime within the remote Precision (|diff| < Precision) is
//     adopted (OpAdopt, ReasonAdopted, no transfer; the action's Source is
//     the remote entry, as in Pull). When Precision is 0 size alone is not
//     enough. Anything else is uploaded with ReasonNew.
//   - In Base: a remote file that is missing is uploaded with ReasonMissing.
//     One that was edited on the server, its listing differing from
//     RemoteSize and RemoteModTime as Pull's "remote changed" test tells, or
//     that is not a file any more, is uploaded with ReasonRemoteEdit (the
//     edit is overwritten). Otherwise the local file changed if its size or
//     mtime differs from LocalSize and LocalModTime (exactly: local times are
//     precise); it is uploaded with ReasonChanged. Neither: nothing to do.
//
// The Source of an upload is the local entry. Local directories missing on
// the remote are created (OpMkdirRemote, ReasonNew). Local symlinks are not
// pushed, since FTP cannot create them: Push leaves them out, and leaves
// alone whatever the remote has at their paths.
//
// Kind changes, deletions (OpDeleteRemote, only with Delete) and Blocked are
// as in Pull, with the remote tree as the target. Failed listings protect
// more than in Pull: as the remote tree under a directory whose listing failed
// (Remote.Failed, copied to Plan.Incomplete) is unknown, nothing is planned
// there at all, neither uploads nor directories nor deletions nor forgets.
//
// State records whose path both trees lack are forgotten (OpForget), unless
// excluded or under a failed directory.
//
// The actions come in Stage order, as in Pull: StageReplace (remote deletions
// before a kind change, children first), StageMkdir (parents first),
// StageTransfer (uploads and adoptions by path), StageDelete (children first),
// StageForget (by path).
func Push(in PushInput) Plan {
	return planOneWay(oneWayInput{
		Source: in.Local, Target: in.Remote.Entries, Failed: in.Remote.Failed, Skipped: in.Remote.Skipped,
		Base: in.Base, Delete: in.Delete, Filter: in.Filter,
	}, oneWayRules{
		skipSourceLinks: true, holdUnderFailed: true,
		mkdirOp: OpMkdirRemote, copyOp: OpUpload, deleteOp: OpDeleteRemote,
		editReason: ReasonRemoteEdit,
	})
}
