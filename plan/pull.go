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

// puller is the working state of one Pull.
type puller struct {
	in     PullInput
	remote map[string]Entry
	local  map[string]Entry
	failed map[string]bool

	// Decisions on local entries.
	replace   map[string]bool // deleted before creating the remote entry
	gone      map[string]bool // deleted because the remote lacks it
	blocked   map[string]bool // kind change refused
	keptBelow map[string]bool // directories holding a kept entry

	stages     [StageForget + 1][]Action
	incomplete []string
}

func newPuller(in PullInput) *puller {
	pu := &puller{
		in:        in,
		remote:    make(map[string]Entry, len(in.Remote.Entries)),
		local:     make(map[string]Entry, len(in.Local)),
		failed:    make(map[string]bool, len(in.Remote.Failed)),
		replace:   make(map[string]bool),
		gone:      make(map[string]bool),
		blocked:   make(map[string]bool),
		keptBelow: make(map[string]bool),
	}
	for _, e := range in.Remote.Entries {
		if _, dup := pu.remote[e.Path]; !dup && e.Path != "" && in.Filter.Match(e.Path, e.Kind) {
			pu.remote[e.Path] = e
		}
	}
	for _, e := range in.Local {
		if _, dup := pu.local[e.Path]; !dup && e.Path != "" {
			pu.local[e.Path] = e
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
func (pu *puller) protected(p string) bool {
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

// keep records that the local entry at p stays, so its directories stay too.
func (pu *puller) keep(p string) {
	for dir := parentDir(p); dir != "" && !pu.keptBelow[dir]; dir = parentDir(dir) {
		pu.keptBelow[dir] = true
	}
}

// decideLocal decides, children before parents, which local entries are
// replaced, which are deleted as gone, and which stay.
func (pu *puller) decideLocal() {
	paths := sortedKeys(pu.local)
	for _, p := range slices.Backward(paths) {
		l := pu.local[p]
		r, onRemote := pu.remote[p]
		hasKept := l.Kind == KindDir && pu.keptBelow[p]
		switch {
		case onRemote && r.Kind == l.Kind:
		case !pu.in.Filter.Match(p, l.Kind) || pu.protected(p), onRemote && hasKept:
			if onRemote {
				pu.blocked[p] = true // a kind change that would delete what must stay
			}
		case onRemote:
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

// planRemote plans the creation of what the remote has and the local tree
// lacks or holds differently.
func (pu *puller) planRemote() {
	for _, p := range sortedKeys(pu.remote) {
		if pu.blocked[p] {
			continue
		}
		r := pu.remote[p]
		l, hasLocal := pu.local[p]
		if hasLocal && l.Kind != r.Kind {
			hasLocal = false // replaced
		}
		b, inBase := pu.in.Base[p]
		switch r.Kind {
		case KindDir:
			if !hasLocal {
				pu.add(StageMkdir, OpMkdirLocal, r, ReasonNew)
			}
		case KindSymlink:
			switch {
			case hasLocal && l.Target == r.Target:
			case !inBase:
				pu.add(StageTransfer, OpSymlinkLocal, r, ReasonNew)
			case !pu.has(p):
				pu.add(StageTransfer, OpSymlinkLocal, r, ReasonMissing)
			default:
				pu.add(StageTransfer, OpSymlinkLocal, r, ReasonChanged)
			}
		default:
			pu.planFile(r, l, hasLocal, b, inBase)
		}
	}
}

func (pu *puller) has(p string) bool {
	_, ok := pu.local[p]
	return ok
}

// planFile plans one remote file; l is the local file when hasLocal.
func (pu *puller) planFile(r, l Entry, hasLocal bool, b Record, inBase bool) {
	switch {
	case !inBase:
		if hasLocal && l.Size == r.Size && r.Precision > 0 && within(l.ModTime, r.ModTime, r.Precision) {
			pu.add(StageTransfer, OpAdopt, r, ReasonAdopted)
		} else {
			pu.add(StageTransfer, OpDownload, r, ReasonNew)
		}
	case b.Kind != KindFile:
		pu.add(StageTransfer, OpDownload, r, ReasonChanged)
	case !pu.has(r.Path):
		pu.add(StageTransfer, OpDownload, r, ReasonMissing)
	case !hasLocal || l.Size != b.LocalSize || !l.ModTime.Equal(b.LocalModTime):
		pu.add(StageTransfer, OpDownload, r, ReasonLocalEdit)
	case remoteChanged(r, b):
		pu.add(StageTransfer, OpDownload, r, ReasonChanged)
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

// planDeletes plans the local deletions decided by decideLocal.
func (pu *puller) planDeletes() {
	for _, p := range slices.Backward(sortedKeys(pu.local)) {
		switch {
		case pu.replace[p]:
			why := ReasonDeleted // the contents of a replaced directory
			if _, onRemote := pu.remote[p]; onRemote {
				why = ReasonChanged
			}
			pu.add(StageReplace, OpDeleteLocal, pu.local[p], why)
		case pu.gone[p]:
			pu.add(StageDelete, OpDeleteLocal, pu.local[p], ReasonDeleted)
		}
	}
}

// planForgets forgets the records of paths both sides lack.
func (pu *puller) planForgets() {
	for _, p := range sortedKeys(pu.in.Base) {
		b := pu.in.Base[p]
		_, onRemote := pu.remote[p]
		if onRemote || pu.has(p) || p == "" || !pu.in.Filter.Match(p, b.Kind) || pu.protected(p) {
			continue
		}
		pu.stages[StageForget] = append(pu.stages[StageForget], Action{
			Op: OpForget, Path: p, Kind: b.Kind, Reason: ReasonDeleted, Stage: StageForget,
		})
	}
}

func (pu *puller) add(st Stage, op Op, e Entry, why Reason) {
	a := Action{Op: op, Path: e.Path, Kind: e.Kind, Size: e.Size, Reason: why, Stage: st}
	if op == OpDownload || op == OpAdopt || op == OpSymlinkLocal {
		src := e
		a.Source = &src
	}
	pu.stages[st] = append(pu.stages[st], a)
}

func (pu *puller) plan() Plan {
	var p Plan
	for _, acts := range pu.stages {
		p.Actions = append(p.Actions, acts...)
	}
	p.Incomplete = pu.incomplete
	p.Blocked = sortedKeys(pu.blocked)
	return p
}

// sortedKeys returns the paths of m in ComparePath order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, ComparePath)
	return keys
}
