package plan

import (
	"slices"
	"time"
)

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
	pu := newPuller(in)
	pu.decideLocal()
	pu.planRemote()
	pu.planDeletes()
	pu.planForgets()
	return pu.plan()
}

// fate is what a planner decided for an entry of the target side.
type fate uint8

const (
	fateKeep    fate = iota
	fateReplace      // deleted before creating the source entry
	fateGone         // deleted because the source lacks it
	fateBlocked      // a kind change refused: it stays
)

// puller is the working state of one Pull.
type puller struct {
	in PullInput
	// remote (filtered) and local are sorted trees; localAt[i] is the
	// index in local of remote[i], or -1, and remoteAt the other way round.
	remote, local     []Entry
	localAt, remoteAt []int32
	failed            map[string]bool

	fates []fate // of the local entries

	out        actions
	incomplete []string
	blocked    []string // in reverse order
}

func newPuller(in PullInput) *puller {
	var keep func(Entry) bool
	if in.Filter != nil {
		keep = func(e Entry) bool { return in.Filter.Match(e.Path, e.Kind) }
	}
	pu := &puller{
		in:     in,
		remote: sortedTree(in.Remote.Entries, keep),
		local:  sortedTree(in.Local, nil),
		failed: make(map[string]bool, len(in.Remote.Failed)),
	}
	pu.localAt, pu.remoteAt = pairTrees(pu.remote, pu.local)
	for _, f := range in.Remote.Failed {
		if !pu.failed[f.Path] {
			pu.failed[f.Path] = true
			pu.incomplete = append(pu.incomplete, f.Path)
		}
	}
	slices.SortFunc(pu.incomplete, ComparePath)
	return pu
}

// protected reports whether p is a failed directory or lies under one.
func (pu *puller) protected(p string) bool {
	return len(pu.failed) > 0 && upTo(p, pu.failed)
}

// upTo reports whether set holds p or one of its directories, root included.
func upTo(p string, set map[string]bool) bool {
	for {
		if set[p] {
			return true
		}
		if p == "" {
			return false
		}
		p = parentDir(p)
	}
}

// decideLocal decides, children before parents, which local entries are
// replaced, which are deleted as gone, and which stay.
func (pu *puller) decideLocal() {
	pu.fates = make([]fate, len(pu.local))
	// The last entry kept, going backwards: the first one kept after the
	// current entry. A directory holds a kept entry if and only if that one
	// is under it, as its subtree comes right after it.
	lastKept := ""
	for j, l := range slices.Backward(pu.local) {
		p := l.Path
		i := pu.remoteAt[j]
		onRemote := i >= 0
		hasKept := l.Kind == KindDir && under(lastKept, p)
		switch {
		case onRemote && pu.remote[i].Kind == l.Kind:
		case !pu.in.Filter.Match(p, l.Kind) || pu.protected(p), onRemote && hasKept:
			if onRemote {
				pu.fates[j] = fateBlocked // a kind change that would delete what must stay
			}
		case onRemote:
			pu.fates[j] = fateReplace
			continue
		case pu.in.Delete && !hasKept:
			pu.fates[j] = fateGone
			continue
		}
		lastKept = p
	}
	replaceContents(pu.local, pu.fates)
}

// replaceContents turns the gone entries of a sorted tree that lie under a
// replaced one into replaced ones: what a replaced directory holds goes with
// it, before it.
func replaceContents(tree []Entry, fates []fate) {
	top := -1 // the replaced entry whose subtree this is
	for j, e := range tree {
		if top >= 0 && under(e.Path, tree[top].Path) {
			if fates[j] == fateGone {
				fates[j] = fateReplace
			}
			continue
		}
		top = -1
		if fates[j] == fateReplace {
			top = j
		}
	}
}

// planRemote plans the creation of what the remote has and the local tree
// lacks or holds differently.
func (pu *puller) planRemote() {
	pu.out.addAfter(planParts(len(pu.remote), func(out *actions, lo, hi int) {
		for i := lo; i < hi; i++ {
			pu.planRemoteEntry(out, i)
		}
	}))
}

// planRemoteEntry plans remote[i].
func (pu *puller) planRemoteEntry(out *actions, i int) {
	r := pu.remote[i]
	var b Record
	inBase := false
	if len(pu.in.Base) > 0 {
		if b, inBase = pu.in.Base[r.Path]; inBase {
			out.hits++
		}
	}
	j := pu.localAt[i]
	if j >= 0 && pu.fates[j] == fateBlocked {
		return
	}
	var l Entry
	hasLocal := j >= 0 && pu.local[j].Kind == r.Kind // else replaced
	if hasLocal {
		l = pu.local[j]
	}
	switch r.Kind {
	case KindDir:
		if !hasLocal {
			pullAction(out, StageMkdir, OpMkdirLocal, r, ReasonNew)
		}
	case KindSymlink:
		switch {
		case hasLocal && l.Target == r.Target:
		case !inBase:
			pullAction(out, StageTransfer, OpSymlinkLocal, r, ReasonNew)
		case j < 0:
			pullAction(out, StageTransfer, OpSymlinkLocal, r, ReasonMissing)
		default:
			pullAction(out, StageTransfer, OpSymlinkLocal, r, ReasonChanged)
		}
	default:
		planPullFile(out, r, l, hasLocal, j >= 0, b, inBase)
	}
}

// planPullFile plans one remote file; l is the local file when hasLocal,
// and onLocal tells whether the local tree has an entry of any kind at its
// path.
func planPullFile(out *actions, r, l Entry, hasLocal, onLocal bool, b Record, inBase bool) {
	switch {
	case !inBase:
		if hasLocal && l.Size == r.Size && r.Precision > 0 && within(l.ModTime, r.ModTime, r.Precision) {
			pullAction(out, StageTransfer, OpAdopt, r, ReasonAdopted)
		} else {
			pullAction(out, StageTransfer, OpDownload, r, ReasonNew)
		}
	case b.Kind != KindFile:
		pullAction(out, StageTransfer, OpDownload, r, ReasonChanged)
	case !onLocal:
		pullAction(out, StageTransfer, OpDownload, r, ReasonMissing)
	case !hasLocal || l.Size != b.LocalSize || !l.ModTime.Equal(b.LocalModTime):
		pullAction(out, StageTransfer, OpDownload, r, ReasonLocalEdit)
	case remoteChanged(r, b):
		pullAction(out, StageTransfer, OpDownload, r, ReasonChanged)
	}
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

// planDeletes plans the local deletions decided by decideLocal, children
// first, and notes the blocked paths.
func (pu *puller) planDeletes() {
	for j, l := range slices.Backward(pu.local) {
		onRemote := pu.remoteAt[j] >= 0
		if !onRemote && len(pu.in.Base) > 0 {
			if _, ok := pu.in.Base[l.Path]; ok {
				pu.out.hits++
			}
		}
		switch pu.fates[j] {
		case fateReplace:
			why := ReasonDeleted // the contents of a replaced directory
			if onRemote {
				why = ReasonChanged
			}
			pullAction(&pu.out, StageReplace, OpDeleteLocal, l, why)
		case fateGone:
			pullAction(&pu.out, StageDelete, OpDeleteLocal, l, ReasonDeleted)
		case fateBlocked:
			pu.blocked = append(pu.blocked, l.Path)
		}
	}
}

// planForgets forgets the records of paths both sides lack.
func (pu *puller) planForgets() {
	for _, p := range baseOnly(pu.in.Base, pu.out.hits, pu.remote, pu.local) {
		b := pu.in.Base[p]
		if p == "" || !pu.in.Filter.Match(p, b.Kind) || pu.protected(p) {
			continue
		}
		pu.out.add(Action{Op: OpForget, Path: p, Kind: b.Kind, Reason: ReasonDeleted, Stage: StageForget}, Entry{}, false)
	}
}

// pullAction adds an action of a pull on e to out.
func pullAction(out *actions, st Stage, op Op, e Entry, why Reason) {
	a := Action{Op: op, Path: e.Path, Kind: e.Kind, Size: e.Size, Reason: why, Stage: st}
	out.add(a, e, op == OpDownload || op == OpAdopt || op == OpSymlinkLocal)
}

func (pu *puller) plan() Plan {
	return Plan{
		Actions:    joinStages(&pu.out.stages),
		Incomplete: pu.incomplete,
		Blocked:    sortedBlocked(pu.blocked),
	}
}
