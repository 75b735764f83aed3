package plan

import (
	"slices"
	"time"
)

// SyncInput is what Sync plans from.
type SyncInput struct {
	// Local is the local tree, in any order, with Precision time.Nanosecond.
	Local []Entry
	// Remote is the remote tree as Walk listed it.
	Remote Listing
	// Base is the state of the last sync: each Record holds both sides as
	// they were when the path was last synced.
	Base Snapshot
	// Policy resolves files changed on both sides; "" is ConflictKeepBoth.
	Policy ConflictPolicy
	// Filter leaves alone the paths it does not match, on both sides.
	Filter *Filter
	// Now names conflict copies; set it to the time of the run.
	Now time.Time
}

// Sync plans a two-way sync: a change or deletion on either side since the
// last sync (Base) travels to the other side. The first sync of two trees
// (an empty Base) is their union and deletes nothing.
//
// Each side of a path is classified against its Base record:
//
//   - new: the side has it and there is no record;
//   - unchanged / changed: the side has it and there is a record. The local
//     side changed if its kind differs from the record's or its size or
//     mtime differ from LocalSize and LocalModTime (exactly). The remote side
//     changed if its kind differs, or its size or mtime do, as for Pull (the
//     mtime only by the coarser of the two precisions or more);
//   - deleted: the side lacks it and there is a record;
//   - absent: the side lacks it and there is no record.
//
// Files, by (local, remote) state:
//
//   - new, absent: OpUpload, ReasonNew. absent, new: OpDownload, ReasonNew.
//   - new, new (no record): identical (same size, and mtimes less than the
//     remote Precision apart; never when that is 0) is OpAdopt; anything
//     else is a conflict.
//   - unchanged, unchanged: nothing.
//   - changed, unchanged: OpUpload, ReasonChanged; unchanged, changed:
//     OpDownload, ReasonChanged.
//   - deleted, unchanged: OpDeleteRemote, ReasonDeleted; unchanged,
//     deleted: OpDeleteLocal, ReasonDeleted.
//   - deleted, changed or changed, deleted: the change wins and is copied
//     back (OpDownload or OpUpload, ReasonChanged).
//   - changed, changed: identical now is OpAdopt; anything else a conflict.
//   - deleted, deleted: OpForget, ReasonDeleted.
//
// A conflict is resolved by the Policy, see ConflictPolicy; every action of
// a resolution carries ReasonConflict.
//
// Directories: one the other side lacks is created there (OpMkdirLocal or
// OpMkdirRemote), ReasonNew without a record. With a directory record, the
// other side deleted it: it is deleted here too (ReasonDeleted, after what it
// held) when everything under it on this side is deleted, else it is created
// again on the other side (ReasonChanged). A directory both sides have
// without a directory record is adopted (OpAdopt), so that a later deletion
// of it is seen as one.
//
// Symlinks travel only from the remote side, as Pull creates them: a remote
// symlink the local side lacks, or holds with another Target, is created
// (OpSymlinkLocal; ReasonNew without a record, else ReasonChanged, but not
// when only the local one changed since the record). Local symlinks are never
// uploaded: one the remote lacks is left alone unless the remote deleted it
// (a record exists) and it is unchanged, when it is deleted. A synced
// symlink deleted locally is deleted on the remote unless the remote changed
// it, when it is created again. Equal symlinks without an up-to-date record
// are adopted.
//
// Kind conflicts (one side has a file where the other has a directory, or a
// symlink where the other has something else) are left alone with everything
// under them, on both sides, and listed in Plan.Blocked. So are the paths
// Sync cannot resolve under a directory whose remote listing failed
// (Remote.Failed, copied to Plan.Incomplete): what the remote holds there is
// unknown, so nothing under such a directory, nor the directory, is deleted
// on either side, renamed or uploaded; only downloads, local directories and
// symlinks and adoptions of listed remote entries are planned there, and a
// path whose upload or conflict resolution is withheld is Blocked. State
// records there are not forgotten.
//
// Paths the Filter excludes (on either side, or by their record) get no
// action on either side, and keep their directories.
//
// The actions come in Stage order: StageReplace (the conflict renames, by
// path), StageMkdir (parents first), StageTransfer (uploads, downloads,
// symlinks and adoptions, by path), StageDelete (children first),
// StageForget (by path). Action.Source is the entry copied: the remote one
// for downloads, symlinks, adoptions and local directories, the local one for
// uploads and remote directories, the renamed one for renames.
func Sync(in SyncInput) Plan {
	s := newSyncer(in)
	for _, p := range slices.Backward(s.paths()) {
		s.decide(p)
	}
	return s.plan()
}

// syncer is the working state of one Sync.
type syncer struct {
	in     SyncInput
	local  map[string]Entry
	remote map[string]Entry
	failed map[string]bool
	// kindConflict holds the paths where the sides hold different kinds.
	kindConflict map[string]bool
	// taken holds every path a conflict copy must not take.
	taken map[string]bool
	// stayLocal and stayRemote hold the directories of a side that hold
	// something after the run.
	stayLocal, stayRemote map[string]bool
	blocked               map[string]bool
	// keepBoth holds the paths of the conflicts resolved keeping both.
	keepBoth []string

	stages     [StageForget + 1][]Action
	incomplete []string
}

func newSyncer(in SyncInput) *syncer {
	s := &syncer{
		in:           in,
		local:        make(map[string]Entry, len(in.Local)),
		remote:       make(map[string]Entry, len(in.Remote.Entries)),
		failed:       make(map[string]bool, len(in.Remote.Failed)),
		kindConflict: make(map[string]bool),
		taken:        make(map[string]bool, len(in.Local)+len(in.Base)),
		stayLocal:    make(map[string]bool),
		stayRemote:   make(map[string]bool),
		blocked:      make(map[string]bool),
	}
	for _, e := range in.Local {
		if _, dup := s.local[e.Path]; !dup && e.Path != "" {
			s.local[e.Path] = e
		}
		s.taken[e.Path] = true
	}
	for _, e := range in.Remote.Entries {
		if _, dup := s.remote[e.Path]; !dup && e.Path != "" {
			s.remote[e.Path] = e
		}
		s.taken[e.Path] = true
	}
	for p := range in.Base {
		s.taken[p] = true
	}
	for _, f := range in.Remote.Failed {
		if !s.failed[f.Path] {
			s.failed[f.Path] = true
			s.incomplete = append(s.incomplete, f.Path)
		}
	}
	slices.SortFunc(s.incomplete, ComparePath)
	for p, l := range s.local {
		if r, ok := s.remote[p]; ok && r.Kind != l.Kind && !s.excluded(p) {
			s.kindConflict[p] = true
		}
	}
	return s
}

// paths returns every path of either side or of the state, sorted.
func (s *syncer) paths() []string {
	all := make(map[string]bool, len(s.local)+len(s.remote)+len(s.in.Base))
	for p := range s.local {
		all[p] = true
	}
	for p := range s.remote {
		all[p] = true
	}
	for p := range s.in.Base {
		if p != "" {
			all[p] = true
		}
	}
	return sortedKeys(all)
}

// excluded reports whether the Filter excludes p as either side has it or
// as it was recorded.
func (s *syncer) excluded(p string) bool {
	if s.in.Filter == nil {
		return false
	}
	if l, ok := s.local[p]; ok && !s.in.Filter.Match(p, l.Kind) {
		return true
	}
	if r, ok := s.remote[p]; ok && !s.in.Filter.Match(p, r.Kind) {
		return true
	}
	b, ok := s.in.Base[p]
	return ok && !s.in.Filter.Match(p, b.Kind)
}

// underFailed reports whether p is a directory whose remote listing failed
// or lies under one.
func (s *syncer) underFailed(p string) bool {
	return len(s.failed) > 0 && s.upTo(p, s.failed)
}

// underKindConflict reports whether p or one of its directories is a kind
// conflict.
func (s *syncer) underKindConflict(p string) bool {
	return len(s.kindConflict) > 0 && s.upTo(p, s.kindConflict)
}

// upTo reports whether set holds p or one of its directories, root included.
func (s *syncer) upTo(p string, set map[string]bool) bool {
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

// decide plans one path. Paths are decided children first, so that a
// directory's fate can depend on what stays under it.
func (s *syncer) decide(p string) {
	l, hasL := s.local[p]
	r, hasR := s.remote[p]
	b, inBase := s.in.Base[p]
	if s.kindConflict[p] {
		s.blocked[p] = true
	}
	if s.underKindConflict(p) || s.excluded(p) {
		s.settle(p, hasL, hasR, nil)
		return
	}
	ls := localState(l, hasL, b, inBase)
	rs := remoteState(r, hasR, b, inBase)
	var acts []Action
	switch {
	case !hasL && !hasR:
		acts = []Action{{Op: OpForget, Path: p, Kind: b.Kind, Reason: ReasonDeleted, Stage: StageForget}}
	case hasR && r.Kind == KindDir || hasL && l.Kind == KindDir:
		acts = s.decideDir(p, l, hasL, r, hasR, b, inBase)
	case hasR && r.Kind == KindSymlink || hasL && l.Kind == KindSymlink:
		acts = decideLink(l, hasL, r, hasR, ls, rs)
	default:
		acts = s.decideFile(p, l, r, ls, rs)
	}
	if s.underFailed(p) {
		acts = s.withholdUnknown(p, acts)
	}
	s.settle(p, hasL, hasR, acts)
}

// settle records the actions of p, and which of its directories hold
// something after the run on each side.
func (s *syncer) settle(p string, hasL, hasR bool, acts []Action) {
	stayL, stayR := hasL, hasR
	for _, a := range acts {
		switch a.Op {
		case opKeepBoth:
			s.keepBoth = append(s.keepBoth, p)
			continue
		case OpDeleteLocal:
			stayL = false
		case OpDeleteRemote:
			stayR = false
		case OpDownload, OpMkdirLocal, OpSymlinkLocal:
			stayL = true
		case OpUpload, OpMkdirRemote:
			stayR = true
		}
		s.stages[a.Stage] = append(s.stages[a.Stage], a)
	}
	if stayL {
		markDirs(s.stayLocal, p)
	}
	if stayR {
		markDirs(s.stayRemote, p)
	}
}

// markDirs adds the directories holding p to set.
func markDirs(set map[string]bool, p string) {
	for dir := parentDir(p); dir != "" && !set[dir]; dir = parentDir(dir) {
		set[dir] = true
	}
}

func (s *syncer) plan() Plan {
	// Conflict copies are named in path order, so that when two would take
	// the same name the first path gets it.
	slices.SortFunc(s.keepBoth, ComparePath)
	for _, path := range s.keepBoth {
		for _, a := range s.keepBothActions(path) {
			s.stages[a.Stage] = append(s.stages[a.Stage], a)
		}
	}
	var p Plan
	for st, acts := range s.stages {
		order := ComparePath
		if Stage(st) == StageDelete {
			order = func(a, b string) int { return ComparePath(b, a) }
		}
		slices.SortStableFunc(acts, func(a, b Action) int { return order(a.Path, b.Path) })
		p.Actions = append(p.Actions, acts...)
	}
	p.Incomplete = s.incomplete
	p.Blocked = sortedKeys(s.blocked)
	return p
}

// The action constructors. Each copying action gets its own copy of the
// entry it copies as Source.

func actTransfer(op Op, src Entry, why Reason) Action {
	return Action{Op: op, Path: src.Path, Kind: src.Kind, Size: src.Size, Reason: why, Source: &src, Stage: StageTransfer}
}

func actUpload(l Entry, why Reason) Action   { return actTransfer(OpUpload, l, why) }
func actDownload(r Entry, why Reason) Action { return actTransfer(OpDownload, r, why) }

func actMkdir(op Op, src Entry, why Reason) Action {
	return Action{Op: op, Path: src.Path, Kind: KindDir, Reason: why, Source: &src, Stage: StageMkdir}
}

func actRemove(op Op, e Entry) Action {
	return Action{Op: op, Path: e.Path, Kind: e.Kind, Reason: ReasonDeleted, Stage: StageDelete}
}
