package plan

import "slices"

// The one-way core of Pull and Push: make a target tree a copy of a source
// tree, given the state of the last sync. Pull and Push differ only in which
// tree is which and in the rules below (oneWayRules); the passes are one.

// oneWayInput is what the core plans from, sides already named.
type oneWayInput struct {
	Source, Target []Entry // in any order
	Failed         []DirError
	Skipped        []Skipped // left alone as failed directories are, but complete
	Base           Snapshot
	Delete         bool
	Filter         *Filter
}

// oneWayRules are the side-specific rules of a one-way mirror, as data.
type oneWayRules struct {
	// toLocal is true when the target is the local tree (pull).
	toLocal bool
	// skipSourceLinks leaves source symlinks out, and whatever the target
	// has at their paths alone (push: FTP cannot create symlinks).
	skipSourceLinks bool
	// holdUnderFailed plans nothing at all under a failed directory, not
	// only no deletions (push: the remote tree there is the target, and
	// unknown).
	holdUnderFailed bool
	// The ops that create on, and delete from, the target; linkOp is ""
	// when symlinks are not created.
	mkdirOp, copyOp, linkOp, deleteOp Op
	// editReason is the Reason of a copy over a target edited since the
	// last sync.
	editReason Reason
}

// sourceChanged reports whether the source file s differs from its record.
func (ru *oneWayRules) sourceChanged(s Entry, b Record) bool {
	if ru.toLocal {
		return remoteChanged(s, b)
	}
	return localChanged(s, b)
}

// targetEdited reports whether the target file t differs from its record.
func (ru *oneWayRules) targetEdited(t Entry, b Record) bool {
	if ru.toLocal {
		return localChanged(t, b)
	}
	return remoteChanged(t, b)
}

// localRemote orders a source and a target entry as (local, remote).
func (ru *oneWayRules) localRemote(s, t Entry) (local, remote Entry) {
	if ru.toLocal {
		return t, s
	}
	return s, t
}

// localChanged reports whether the local file l differs from its record:
// local times are exact, so any difference in size or mtime is a change.
func localChanged(l Entry, b Record) bool {
	return l.Size != b.LocalSize || !l.ModTime.Equal(b.LocalModTime)
}

// fate is what a planner decided for an entry of the target side.
type fate uint8

const (
	fateKeep    fate = iota
	fateReplace      // deleted before creating the source entry
	fateGone         // deleted because the source lacks it
	fateBlocked      // a kind change refused: it stays
)

// oneWay is the working state of one Pull or Push.
type oneWay struct {
	in oneWayInput
	ru oneWayRules
	// source (filtered) and target are sorted trees; targetAt[i] is the
	// index in target of source[i], or -1, and sourceAt the other way round.
	source, target     []Entry
	targetAt, sourceAt []int32
	failed             map[string]bool

	fates []fate // of the target entries

	out        actions
	incomplete []string
	blocked    []string // in reverse order
}

// planOneWay runs the passes of a one-way mirror.
func planOneWay(in oneWayInput, ru oneWayRules) Plan {
	w := newOneWay(in, ru)
	w.decideTarget()
	w.planSource()
	w.planDeletes()
	w.planForgets()
	return Plan{
		Actions:    joinStages(&w.out.stages),
		Incomplete: w.incomplete,
		Blocked:    sortedBlocked(w.blocked),
	}
}

func newOneWay(in oneWayInput, ru oneWayRules) *oneWay {
	var keep func(Entry) bool
	if in.Filter != nil {
		keep = func(e Entry) bool { return in.Filter.Match(e.Path, e.Kind) }
	}
	w := &oneWay{
		in:     in,
		ru:     ru,
		source: sortedTree(in.Source, keep),
		target: sortedTree(in.Target, nil),
	}
	w.targetAt, w.sourceAt = pairTrees(w.source, w.target)
	w.failed, w.incomplete = leftAlone(in.Failed, in.Skipped)
	return w
}

// protected reports whether p is a failed directory or a skipped entry, or
// lies under one.
func (w *oneWay) protected(p string) bool {
	return len(w.failed) > 0 && upTo(p, w.failed)
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

// skipped reports whether the source entry at index j (or -1) is one the
// rules leave out.
func (w *oneWay) skipped(j int32) bool {
	return j >= 0 && w.ru.skipSourceLinks && w.source[j].Kind == KindSymlink
}

// decideTarget decides, children before parents, which target entries are
// replaced, which are deleted as gone, and which stay.
func (w *oneWay) decideTarget() {
	w.fates = make([]fate, len(w.target))
	// The last entry kept, going backwards: the first one kept after the
	// current entry. A directory holds a kept entry if and only if that one
	// is under it, as its subtree comes right after it.
	lastKept := ""
	for i, t := range slices.Backward(w.target) {
		p := t.Path
		j := w.sourceAt[i]
		skip := w.skipped(j)
		onSource := j >= 0 && !skip
		hasKept := t.Kind == KindDir && under(lastKept, p)
		switch {
		case skip:
		case onSource && w.source[j].Kind == t.Kind:
		case !w.in.Filter.Match(p, t.Kind) || w.protected(p), onSource && hasKept:
			if onSource {
				w.fates[i] = fateBlocked // a kind change that would delete what must stay
			}
		case onSource:
			w.fates[i] = fateReplace
			continue
		case w.in.Delete && !hasKept:
			w.fates[i] = fateGone
			continue
		}
		lastKept = p
	}
	replaceContents(w.target, w.fates)
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

// planSource plans the creation of what the source has and the target
// lacks or holds differently.
func (w *oneWay) planSource() {
	w.out.addAfter(planParts(len(w.source), func(out *actions, lo, hi int) {
		for j := lo; j < hi; j++ {
			w.planSourceEntry(out, j)
		}
	}))
}

// planSourceEntry plans source[j].
func (w *oneWay) planSourceEntry(out *actions, j int) {
	s := w.source[j]
	var b Record
	inBase := false
	if len(w.in.Base) > 0 {
		if b, inBase = w.in.Base[s.Path]; inBase {
			out.hits++
		}
	}
	i := w.targetAt[j]
	if w.skipped(int32(j)) || i >= 0 && w.fates[i] == fateBlocked || w.ru.holdUnderFailed && w.protected(s.Path) {
		return
	}
	var t Entry
	onTarget := i >= 0
	hasTarget := onTarget && w.target[i].Kind == s.Kind // else replaced
	if hasTarget {
		t = w.target[i]
	}
	switch s.Kind {
	case KindDir:
		if !hasTarget {
			w.act(out, StageMkdir, w.ru.mkdirOp, s, ReasonNew)
		}
	case KindSymlink:
		switch {
		case hasTarget && t.Target == s.Target:
		case !inBase:
			w.act(out, StageTransfer, w.ru.linkOp, s, ReasonNew)
		case !onTarget:
			w.act(out, StageTransfer, w.ru.linkOp, s, ReasonMissing)
		default:
			w.act(out, StageTransfer, w.ru.linkOp, s, ReasonChanged)
		}
	default:
		w.planFile(out, s, t, hasTarget, onTarget, b, inBase)
	}
}

// planFile plans one source file s; t is the target file when hasTarget,
// and onTarget tells whether the target has an entry of any kind at its
// path.
func (w *oneWay) planFile(out *actions, s, t Entry, hasTarget, onTarget bool, b Record, inBase bool) {
	switch {
	case !inBase:
		if l, r := w.ru.localRemote(s, t); hasTarget && sameVersion(l, r) {
			w.act(out, StageTransfer, OpAdopt, r, ReasonAdopted)
		} else {
			w.act(out, StageTransfer, w.ru.copyOp, s, ReasonNew)
		}
	case b.Kind != KindFile:
		w.act(out, StageTransfer, w.ru.copyOp, s, ReasonChanged)
	case !onTarget:
		w.act(out, StageTransfer, w.ru.copyOp, s, ReasonMissing)
	case !hasTarget || w.ru.targetEdited(t, b):
		w.act(out, StageTransfer, w.ru.copyOp, s, w.ru.editReason)
	case w.ru.sourceChanged(s, b):
		w.act(out, StageTransfer, w.ru.copyOp, s, ReasonChanged)
	}
}

// planDeletes plans the target deletions decided by decideTarget, children
// first, and notes the blocked paths.
func (w *oneWay) planDeletes() {
	for i, t := range slices.Backward(w.target) {
		j := w.sourceAt[i]
		if j < 0 && len(w.in.Base) > 0 {
			if _, ok := w.in.Base[t.Path]; ok {
				w.out.hits++
			}
		}
		switch w.fates[i] {
		case fateReplace:
			why := ReasonDeleted // the contents of a replaced directory
			if j >= 0 && !w.skipped(j) {
				why = ReasonChanged
			}
			w.act(&w.out, StageReplace, w.ru.deleteOp, t, why)
		case fateGone:
			w.act(&w.out, StageDelete, w.ru.deleteOp, t, ReasonDeleted)
		case fateBlocked:
			w.blocked = append(w.blocked, t.Path)
		}
	}
}

// planForgets forgets the records of paths both trees lack.
func (w *oneWay) planForgets() {
	for _, p := range baseOnly(w.in.Base, w.out.hits, w.source, w.target) {
		b := w.in.Base[p]
		if p == "" || !w.in.Filter.Match(p, b.Kind) || w.protected(p) {
			continue
		}
		w.out.add(Action{Op: OpForget, Path: p, Kind: b.Kind, Reason: ReasonDeleted, Stage: StageForget}, Entry{}, false)
	}
}

// act adds an action on e to out; the copying ones get e as their Source.
func (w *oneWay) act(out *actions, st Stage, op Op, e Entry, why Reason) {
	a := Action{Op: op, Path: e.Path, Kind: e.Kind, Size: e.Size, Reason: why, Stage: st}
	switch op {
	case OpDownload, OpUpload, OpAdopt, OpSymlinkLocal, OpMkdirRemote, OpMkdirLocal:
		out.add(a, e, true)
	default:
		out.add(a, e, false)
	}
}
