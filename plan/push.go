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
	in     PushInput
	local  map[string]Entry // files and directories, filtered
	links  map[string]bool  // local symlinks, not pushed
	remote map[string]Entry
	failed map[string]bool

	// Decisions on remote entries.
	replace   map[string]bool // deleted before creating the local entry
	gone      map[string]bool // deleted because the local tree lacks it
	blocked   map[string]bool // kind change refused
	keptBelow map[string]bool // directories holding a kept entry

	stages     [StageForget + 1][]Action
	incomplete []string
}

func newPusher(in PushInput) *pusher {
	pu := &pusher{
		in:        in,
		local:     make(map[string]Entry, len(in.Local)),
		links:     make(map[string]bool),
		remote:    make(map[string]Entry, len(in.Remote.Entries)),
		failed:    make(map[string]bool, len(in.Remote.Failed)),
		replace:   make(map[string]bool),
		gone:      make(map[string]bool),
		blocked:   make(map[string]bool),
		keptBelow: make(map[string]bool),
	}
	for _, e := range in.Local {
		if _, dup := pu.local[e.Path]; dup || pu.links[e.Path] || e.Path == "" || !in.Filter.Match(e.Path, e.Kind) {
			continue
		}
		if e.Kind == KindSymlink {
			pu.links[e.Path] = true
		} else {
			pu.local[e.Path] = e
		}
	}
	for _, e := range in.Remote.Entries {
		if _, dup := pu.remote[e.Path]; !dup && e.Path != "" {
			pu.remote[e.Path] = e
		}
	}
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
	if len(pu.failed) == 0 {
		return false
	}
	for {
		if pu.failed[p] {
			return true
		}
		if p == "" {
			return false
		}
		p = parentDir(p)
	}
}

// keep records that the remote entry at p stays, so its directories stay too.
func (pu *pusher) keep(p string) {
	for dir := parentDir(p); dir != "" && !pu.keptBelow[dir]; dir = parentDir(dir) {
		pu.keptBelow[dir] = true
	}
}

// decideRemote decides, children before parents, which remote entries are
// replaced, which are deleted as gone, and which stay.
func (pu *pusher) decideRemote() {
	for _, p := range slices.Backward(sortedKeys(pu.remote)) {
		r := pu.remote[p]
		l, onLocal := pu.local[p]
		hasKept := r.Kind == KindDir && pu.keptBelow[p]
		switch {
		case pu.links[p]:
		case onLocal && r.Kind == l.Kind:
		case !pu.in.Filter.Match(p, r.Kind) || pu.protected(p), onLocal && hasKept:
			if onLocal {
				pu.blocked[p] = true // a kind change that would delete what must stay
			}
		case onLocal:
			pu.replace[p] = true
			continue
		case pu.in.Delete && !hasKept:
			pu.gone[p] = true
			continue
		}
		pu.keep(p)
	}
	// What a replaced directory holds goes with it, before it.
	for p := range pu.gone {
		for dir := parentDir(p); dir != ""; dir = parentDir(dir) {
			if pu.replace[dir] {
				delete(pu.gone, p)
				pu.replace[p] = true
				break
			}
		}
	}
}

// planLocal plans the creation of what the local tree has and the remote
// lacks or holds differently.
func (pu *pusher) planLocal() {
	for _, p := range sortedKeys(pu.local) {
		if pu.blocked[p] || pu.protected(p) {
			continue
		}
		l := pu.local[p]
		r, hasRemote := pu.remote[p]
		if hasRemote && r.Kind != l.Kind {
			hasRemote = false // replaced
		}
		if l.Kind == KindDir {
			if !hasRemote {
				pu.add(StageMkdir, OpMkdirRemote, l, ReasonNew)
			}
			continue
		}
		b, inBase := pu.in.Base[p]
		_, onRemote := pu.remote[p]
		switch {
		case !inBase:
			if hasRemote && r.Size == l.Size && r.Precision > 0 && within(l.ModTime, r.ModTime, r.Precision) {
				pu.add(StageTransfer, OpAdopt, r, ReasonAdopted)
			} else {
				pu.add(StageTransfer, OpUpload, l, ReasonNew)
			}
		case b.Kind != KindFile:
			pu.add(StageTransfer, OpUpload, l, ReasonChanged)
		case !onRemote:
			pu.add(StageTransfer, OpUpload, l, ReasonMissing)
		case !hasRemote || remoteChanged(r, b):
			pu.add(StageTransfer, OpUpload, l, ReasonRemoteEdit)
		case l.Size != b.LocalSize || !l.ModTime.Equal(b.LocalModTime):
			pu.add(StageTransfer, OpUpload, l, ReasonChanged)
		}
	}
}

// planDeletes plans the remote deletions decided by decideRemote.
func (pu *pusher) planDeletes() {
	for _, p := range slices.Backward(sortedKeys(pu.remote)) {
		switch {
		case pu.replace[p]:
			why := ReasonDeleted // the contents of a replaced directory
			if _, onLocal := pu.local[p]; onLocal {
				why = ReasonChanged
			}
			pu.add(StageReplace, OpDeleteRemote, pu.remote[p], why)
		case pu.gone[p]:
			pu.add(StageDelete, OpDeleteRemote, pu.remote[p], ReasonDeleted)
		}
	}
}

// planForgets forgets the records of paths both sides lack.
func (pu *pusher) planForgets() {
	for _, p := range sortedKeys(pu.in.Base) {
		b := pu.in.Base[p]
		_, onRemote := pu.remote[p]
		_, onLocal := pu.local[p]
		if onRemote || onLocal || pu.links[p] || p == "" || !pu.in.Filter.Match(p, b.Kind) || pu.protected(p) {
			continue
		}
		pu.stages[StageForget] = append(pu.stages[StageForget], Action{
			Op: OpForget, Path: p, Kind: b.Kind, Reason: ReasonDeleted, Stage: StageForget,
		})
	}
}

func (pu *pusher) add(st Stage, op Op, e Entry, why Reason) {
	a := Action{Op: op, Path: e.Path, Kind: e.Kind, Size: e.Size, Reason: why, Stage: st}
	if op == OpUpload || op == OpAdopt || op == OpMkdirRemote {
		src := e
		a.Source = &src
	}
	pu.stages[st] = append(pu.stages[st], a)
}

func (pu *pusher) plan() Plan {
	var p Plan
	for _, acts := range pu.stages {
		p.Actions = append(p.Actions, acts...)
	}
	p.Incomplete = pu.incomplete
	p.Blocked = sortedKeys(pu.blocked)
	return p
}
