package plan

import (
	"slices"
	"time"
)

// SyncInput is what Sync plans from.
type SyncInput struct {
	// Local is the local tree, in any order, with Precision time.Nanosecond.
	Local []Entry
	// LocalFailed holds the local directories that could not be read.
	LocalFailed []DirError
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
	// Content holds the answers of the OpCompare actions of an earlier
	// plan of the same trees, by path.
	Content map[string]Content
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
//   - new, new (no record): alike (same size, and mtimes less than the
//     remote Precision apart; never when that is 0) is compared (see
//     below); anything else is a conflict.
//   - unchanged, unchanged: nothing.
//   - changed, unchanged: OpUpload, ReasonChanged; unchanged, changed:
//     OpDownload, ReasonChanged.
//   - deleted, unchanged: OpDeleteRemote, ReasonDeleted; unchanged,
//     deleted: OpDeleteLocal, ReasonDeleted.
//   - deleted, changed or changed, deleted: the change wins and is copied
//     back (OpDownload or OpUpload, ReasonChanged).
//   - changed, changed: alike now is compared; anything else a conflict.
//
// Size and mtime cannot tell apart two edits made within the same second
// (or minute, for LIST) to the same size, so files alike on both sides are
// never taken for one version on that alone: Sync plans OpCompare
// (ReasonUnverified) for them, the caller compares their content and plans
// again with the answers in Content: ContentSame is OpAdopt, ContentDiffer
// a conflict.
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
// are adopted. Symlinks to different targets that both sides made or
// changed are a conflict: the local one is kept aside, as a kind conflict's
// entry is (below), and the remote one created.
//
// Kind conflicts (one side has a file where the other has a directory, or a
// symlink where the other has something else) keep both: the entry that is
// not a directory, or between a file and a symlink the symlink, is renamed
// on its side to a conflict copy (OpRenameLocal or OpRenameRemote,
// StageReplace, ReasonConflict, named as for ConflictKeepBoth), and the
// path and the copy are then planned as new entries without a record (see
// sync_kind.go).
//
// Under a directory whose remote listing failed (Remote.Failed, copied to
// Plan.Incomplete) what the remote holds is unknown, so nothing under such a
// directory, nor the directory, is deleted on either side, renamed or
// uploaded; only downloads, local directories and symlinks and adoptions of
// listed remote entries are planned there, and a path whose upload, conflict
// resolution or kind conflict is withheld is Blocked with what it holds.
// State records there are not forgotten.
//
// Under a local directory that could not be read (LocalFailed, also copied
// to Plan.Incomplete) nothing is planned on either side, as the local side
// there is unknown; a path that would have been copied or resolved there is
// Blocked.
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
	s.decideAll()
	return s.plan()
}

// syncer is the working state of one Sync.
type syncer struct {
	in            SyncInput
	local, remote []Entry // sorted trees
	failed        map[string]bool
	localFailed   map[string]bool
	// kindConflict holds the paths where the sides hold different kinds
	// that are left alone (under a failed listing).
	kindConflict map[string]bool
	// kindActs are the renames that resolve the other kind conflicts, and
	// unrecorded their paths, planned as if they had no record.
	kindActs   []Action
	unrecorded map[string]bool
	// taken holds every path a conflict copy must not take; it is filled
	// when the first copy is named.
	taken map[string]bool
	// stayLocal and stayRemote are the last paths decided, going children
	// first, that hold something on each side after the run. A directory
	// holds something on a side if and only if that side's path is under
	// it, as its subtree is decided right before it.
	stayLocal, stayRemote string
	blocked               []string // in reverse order
	// keepBoth holds the conflicts resolved keeping both, in reverse order.
	keepBoth []conflictPair

	sources    entryArena
	stages     [StageForget + 1]actionList
	incomplete []string
}

// conflictPair is the two versions of a file in conflict.
type conflictPair struct{ local, remote Entry }

func newSyncer(in SyncInput) *syncer {
	s := &syncer{
		in:           in,
		local:        sortedTree(in.Local, nil),
		remote:       sortedTree(in.Remote.Entries, nil),
		kindConflict: make(map[string]bool),
	}
	s.failed, s.incomplete = leftAlone(in.Remote.Failed, in.Remote.Skipped)
	if len(in.LocalFailed) > 0 {
		s.localFailed, _ = leftAlone(in.LocalFailed, nil)
		_, s.incomplete = leftAlone(append(slices.Clone(in.Remote.Failed), in.LocalFailed...), nil)
	}
	s.splitKindConflicts()
	return s
}

// takenPaths returns every path of either side or of the state.
func (s *syncer) takenPaths() map[string]bool {
	taken := make(map[string]bool, len(s.in.Local)+len(s.in.Base))
	for _, e := range s.in.Local {
		taken[e.Path] = true
	}
	for _, e := range s.in.Remote.Entries {
		taken[e.Path] = true
	}
	for p := range s.in.Base {
		taken[p] = true
	}
	return taken
}

// syncPath is one path of either side, with what decide needs to know of
// its record.
type syncPath struct {
	local, remote int32 // the indexes of its entries, or -1
	inBase        bool
	baseKind      Kind
	ls, rs        syncState
}

// decideAll decides every path of either side or of the state, children
// first, so that a directory's fate can depend on what stays under it.
func (s *syncer) decideAll() {
	paths := make([]syncPath, 0, max(len(s.local), len(s.remote)))
	for j, i := range mergeTrees(s.local, s.remote, false) {
		paths = append(paths, syncPath{local: int32(j), remote: int32(i)})
	}
	// Look the records up first, in parallel: that is most of the work.
	hits := make([]int, partsOf(len(paths)))
	inParts(len(hits), len(paths), func(part, lo, hi int) {
		for k := lo; k < hi; k++ {
			sp := &paths[k]
			l, r := s.entries(sp)
			p := l.Path
			if sp.local < 0 {
				p = r.Path
			}
			var b Record
			if len(s.in.Base) > 0 {
				if b, sp.inBase = s.in.Base[p]; sp.inBase {
					hits[part]++
					if s.unrecorded[p] {
						b, sp.inBase = Record{}, false
					}
				}
			}
			sp.baseKind = b.Kind
			sp.ls = localState(l, sp.local >= 0, b, sp.inBase)
			sp.rs = remoteState(r, sp.remote >= 0, b, sp.inBase)
		}
	})
	for _, sp := range slices.Backward(paths) {
		l, r := s.entries(&sp)
		p := l.Path
		if sp.local < 0 {
			p = r.Path
		}
		s.decide(p, l, r, sp)
	}
	// The records neither side has: they are forgotten, and change
	// nothing for their directories.
	for _, p := range slices.Backward(baseOnly(s.in.Base, sum(hits), s.local, s.remote)) {
		if p != "" {
			b := s.in.Base[p]
			s.decide(p, Entry{}, Entry{}, syncPath{local: -1, remote: -1, inBase: true, baseKind: b.Kind, ls: stDeleted, rs: stDeleted})
		}
	}
}

// entries returns the local and remote entries of sp, zero where a side
// lacks it.
func (s *syncer) entries(sp *syncPath) (l, r Entry) {
	if sp.local >= 0 {
		l = s.local[sp.local]
	}
	if sp.remote >= 0 {
		r = s.remote[sp.remote]
	}
	return l, r
}

func sum(ns []int) int {
	t := 0
	for _, n := range ns {
		t += n
	}
	return t
}

// excluded reports whether the Filter excludes p as either side has it or
// as it was recorded.
func (s *syncer) excluded(p string, l Entry, hasL bool, r Entry, hasR bool, bKind Kind, inBase bool) bool {
	f := s.in.Filter
	return f != nil && (hasL && !f.Match(p, l.Kind) || hasR && !f.Match(p, r.Kind) || inBase && !f.Match(p, bKind))
}

// underFailed reports whether p is a directory whose remote listing failed
// or lies under one.
func (s *syncer) underFailed(p string) bool {
	return len(s.failed) > 0 && upTo(p, s.failed)
}

// underKindConflict reports whether p or one of its directories is a kind
// conflict.
func (s *syncer) underKindConflict(p string) bool {
	return len(s.kindConflict) > 0 && upTo(p, s.kindConflict)
}

func (s *syncer) block(p string) { s.blocked = append(s.blocked, p) }

// decide plans one path, given what each side and the state have there.
func (s *syncer) decide(p string, l, r Entry, sp syncPath) {
	hasL, hasR := sp.local >= 0, sp.remote >= 0
	if s.kindConflict[p] {
		s.block(p)
	}
	if s.underKindConflict(p) || s.excluded(p, l, hasL, r, hasR, sp.baseKind, sp.inBase) {
		s.settle(p, l, hasL, r, hasR, Action{})
		return
	}
	var a Action
	switch {
	case !hasL && !hasR:
		a = Action{Op: OpForget, Path: p, Kind: sp.baseKind, Reason: ReasonDeleted, Stage: StageForget}
	case hasR && r.Kind == KindDir || hasL && l.Kind == KindDir:
		a = s.decideDir(p, l, hasL, r, hasR, sp.baseKind, sp.inBase)
	case hasR && r.Kind == KindSymlink || hasL && l.Kind == KindSymlink:
		a = s.decideLink(l, hasL, r, hasR, sp.ls, sp.rs)
	default:
		a = s.decideFile(p, l, r, sp.ls, sp.rs)
	}
	switch {
	case len(s.localFailed) > 0 && upTo(p, s.localFailed):
		a = s.withholdAll(p, a)
	case s.underFailed(p):
		a = s.withholdUnknown(p, a)
	}
	s.settle(p, l, hasL, r, hasR, a)
}

// settle records the action of p, if any, and whether p holds something
// after the run on each side.
func (s *syncer) settle(p string, l Entry, hasL bool, r Entry, hasR bool, a Action) {
	stayL, stayR := hasL, hasR
	switch a.Op {
	case "":
	case opKeepBoth:
		s.keepBoth = append(s.keepBoth, conflictPair{l, r})
	default:
		switch a.Op {
		case OpDeleteLocal:
			stayL = false
		case OpDeleteRemote:
			stayR = false
		case OpDownload, OpMkdirLocal, OpSymlinkLocal:
			stayL = true
		case OpUpload, OpMkdirRemote:
			stayR = true
		}
		s.stages[a.Stage].add(a)
	}
	if stayL {
		s.stayLocal = p
	}
	if stayR {
		s.stayRemote = p
	}
}

func (s *syncer) plan() Plan {
	// Paths were decided children first: every stage but StageDelete
	// is reversed into path order. Conflict copies are named in path
	// order, so that when two would take the same name the first path
	// gets it; their actions are then sorted into their stages.
	var extra [StageForget + 1][]Action
	extra[StageReplace] = append(extra[StageReplace], s.kindActs...)
	for _, c := range slices.Backward(s.keepBoth) {
		for _, a := range s.keepBothActions(c.local, c.remote) {
			extra[a.Stage] = append(extra[a.Stage], a)
		}
	}
	n := 0
	for st := range s.stages {
		n += s.stages[st].n + len(extra[st])
	}
	var p Plan
	if n > 0 {
		p.Actions = make([]Action, 0, n)
	}
	for st := range s.stages {
		start := len(p.Actions)
		p.Actions = s.stages[st].appendTo(p.Actions, Stage(st) != StageDelete)
		if len(extra[st]) > 0 {
			p.Actions = append(p.Actions, extra[st]...)
			slices.SortStableFunc(p.Actions[start:], func(a, b Action) int { return ComparePath(a.Path, b.Path) })
		}
	}
	p.Incomplete = s.incomplete
	p.Blocked = sortedBlocked(s.blocked)
	return p
}

// The action constructors. Each copying action gets its own copy of the
// entry it copies as Source.

func (s *syncer) actTransfer(op Op, src Entry, why Reason) Action {
	return Action{Op: op, Path: src.Path, Kind: src.Kind, Size: src.Size, Reason: why, Source: s.sources.copyOf(src), Stage: StageTransfer}
}

func (s *syncer) actUpload(l Entry, why Reason) Action   { return s.actTransfer(OpUpload, l, why) }
func (s *syncer) actDownload(r Entry, why Reason) Action { return s.actTransfer(OpDownload, r, why) }

func (s *syncer) actMkdir(op Op, src Entry, why Reason) Action {
	return Action{Op: op, Path: src.Path, Kind: KindDir, Reason: why, Source: s.sources.copyOf(src), Stage: StageMkdir}
}

func (s *syncer) actRemove(op Op, e Entry) Action {
	return Action{Op: op, Path: e.Path, Kind: e.Kind, Reason: ReasonDeleted, Stage: StageDelete}
}
