package plan

import "slices"

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
	pu := newPusher(in)
	pu.decideRemote()
	pu.planLocal()
	pu.planDeletes()
	pu.planForgets()
	return pu.plan()
}

// pusher is the working state of one Push.
type pusher struct {
	in PushInput
	// local (filtered, symlinks included although they are not pushed)
	// and remote are sorted trees; remoteAt[j] is the index in remote of
	// local[j], or -1, and localAt the other way round.
	local, remote     []Entry
	remoteAt, localAt []int32
	failed            map[string]bool

	fates []fate // of the remote entries

	out        actions
	incomplete []string
	blocked    []string // in reverse order
}

func newPusher(in PushInput) *pusher {
	var keep func(Entry) bool
	if in.Filter != nil {
		keep = func(e Entry) bool { return in.Filter.Match(e.Path, e.Kind) }
	}
	pu := &pusher{
		in:     in,
		local:  sortedTree(in.Local, keep),
		remote: sortedTree(in.Remote.Entries, nil),
		failed: make(map[string]bool, len(in.Remote.Failed)),
	}
	pu.remoteAt, pu.localAt = pairTrees(pu.local, pu.remote)
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
func (pu *pusher) protected(p string) bool {
	return len(pu.failed) > 0 && upTo(p, pu.failed)
}

// decideRemote decides, children before parents, which remote entries are
// replaced, which are deleted as gone, and which stay.
func (pu *pusher) decideRemote() {
	pu.fates = make([]fate, len(pu.remote))
	lastKept := "" // as in puller.decideLocal
	for i, r := range slices.Backward(pu.remote) {
		p := r.Path
		j := pu.localAt[i]
		link := j >= 0 && pu.local[j].Kind == KindSymlink
		onLocal := j >= 0 && !link
		hasKept := r.Kind == KindDir && under(lastKept, p)
		switch {
		case link:
		case onLocal && r.Kind == pu.local[j].Kind:
		case !pu.in.Filter.Match(p, r.Kind) || pu.protected(p), onLocal && hasKept:
			if onLocal {
				pu.fates[i] = fateBlocked // a kind change that would delete what must stay
			}
		case onLocal:
			pu.fates[i] = fateReplace
			continue
		case pu.in.Delete && !hasKept:
			pu.fates[i] = fateGone
			continue
		}
		lastKept = p
	}
	replaceContents(pu.remote, pu.fates)
}

// planLocal plans the creation of what the local tree has and the remote
// lacks or holds differently.
func (pu *pusher) planLocal() {
	pu.out.addAfter(planParts(len(pu.local), func(out *actions, lo, hi int) {
		for j := lo; j < hi; j++ {
			pu.planLocalEntry(out, j)
		}
	}))
}

// planLocalEntry plans local[j].
func (pu *pusher) planLocalEntry(out *actions, j int) {
	l := pu.local[j]
	p := l.Path
	var b Record
	inBase := false
	if len(pu.in.Base) > 0 {
		if b, inBase = pu.in.Base[p]; inBase {
			out.hits++
		}
	}
	i := pu.remoteAt[j]
	if l.Kind == KindSymlink || i >= 0 && pu.fates[i] == fateBlocked || pu.protected(p) {
		return
	}
	var r Entry
	onRemote := i >= 0
	hasRemote := onRemote && pu.remote[i].Kind == l.Kind // else replaced
	if hasRemote {
		r = pu.remote[i]
	}
	if l.Kind == KindDir {
		if !hasRemote {
			pushAction(out, StageMkdir, OpMkdirRemote, l, ReasonNew)
		}
		return
	}
	switch {
	case !inBase:
		if hasRemote && r.Size == l.Size && r.Precision > 0 && within(l.ModTime, r.ModTime, r.Precision) {
			pushAction(out, StageTransfer, OpAdopt, r, ReasonAdopted)
		} else {
			pushAction(out, StageTransfer, OpUpload, l, ReasonNew)
		}
	case b.Kind != KindFile:
		pushAction(out, StageTransfer, OpUpload, l, ReasonChanged)
	case !onRemote:
		pushAction(out, StageTransfer, OpUpload, l, ReasonMissing)
	case !hasRemote || remoteChanged(r, b):
		pushAction(out, StageTransfer, OpUpload, l, ReasonRemoteEdit)
	case l.Size != b.LocalSize || !l.ModTime.Equal(b.LocalModTime):
		pushAction(out, StageTransfer, OpUpload, l, ReasonChanged)
	}
}

// planDeletes plans the remote deletions decided by decideRemote, children
// first, and notes the blocked paths.
func (pu *pusher) planDeletes() {
	for i, r := range slices.Backward(pu.remote) {
		j := pu.localAt[i]
		if j < 0 && len(pu.in.Base) > 0 {
			if _, ok := pu.in.Base[r.Path]; ok {
				pu.out.hits++
			}
		}
		switch pu.fates[i] {
		case fateReplace:
			why := ReasonDeleted // the contents of a replaced directory
			if j >= 0 && pu.local[j].Kind != KindSymlink {
				why = ReasonChanged
			}
			pushAction(&pu.out, StageReplace, OpDeleteRemote, r, why)
		case fateGone:
			pushAction(&pu.out, StageDelete, OpDeleteRemote, r, ReasonDeleted)
		case fateBlocked:
			pu.blocked = append(pu.blocked, r.Path)
		}
	}
}

// planForgets forgets the records of paths both trees lack.
func (pu *pusher) planForgets() {
	for _, p := range baseOnly(pu.in.Base, pu.out.hits, pu.local, pu.remote) {
		b := pu.in.Base[p]
		if p == "" || !pu.in.Filter.Match(p, b.Kind) || pu.protected(p) {
			continue
		}
		pu.out.add(Action{Op: OpForget, Path: p, Kind: b.Kind, Reason: ReasonDeleted, Stage: StageForget}, Entry{}, false)
	}
}

// pushAction adds an action of a push on e to out.
func pushAction(out *actions, st Stage, op Op, e Entry, why Reason) {
	a := Action{Op: op, Path: e.Path, Kind: e.Kind, Size: e.Size, Reason: why, Stage: st}
	out.add(a, e, op == OpUpload || op == OpAdopt || op == OpMkdirRemote)
}

func (pu *pusher) plan() Plan {
	return Plan{
		Actions:    joinStages(&pu.out.stages),
		Incomplete: pu.incomplete,
		Blocked:    sortedBlocked(pu.blocked),
	}
}
