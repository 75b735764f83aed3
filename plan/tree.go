package plan

import (
	"cmp"
	"iter"
	"runtime"
	"slices"
	"sync"
)

// The planners work on trees as slices sorted by ComparePath, not as maps:
// a listing arrives sorted already (Walk sorts it, and a local scan that
// walks directories in lexical order is sorted too), two sorted trees are
// paired in one merge pass, and the subtree of a directory is the run of
// entries right after it. Only the state Snapshot is a map; it is looked up
// by path.

// sortedTree returns entries sorted by ComparePath, without the root ("")
// nor duplicates (the first one is kept) nor the entries keep refuses (nil
// keep refuses none). When entries is sorted already and nothing is dropped
// it returns entries itself, which must then not be changed.
func sortedTree(entries []Entry, keep func(Entry) bool) []Entry {
	ok := true
	for i := range entries {
		if entries[i].Path == "" || keep != nil && !keep(entries[i]) ||
			i > 0 && ComparePath(entries[i-1].Path, entries[i].Path) >= 0 {
			ok = false
			break
		}
	}
	if ok {
		return entries
	}
	// Sort the positions of the kept entries, ties by position, so that the
	// first of duplicates comes first.
	idx := make([]int32, 0, len(entries))
	sorted := true
	for i := range entries {
		if entries[i].Path == "" || keep != nil && !keep(entries[i]) {
			continue
		}
		if n := len(idx); n > 0 && ComparePath(entries[idx[n-1]].Path, entries[i].Path) > 0 {
			sorted = false
		}
		idx = append(idx, int32(i))
	}
	if !sorted {
		slices.SortFunc(idx, func(a, b int32) int {
			if c := ComparePath(entries[a].Path, entries[b].Path); c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		})
	}
	out := make([]Entry, 0, len(idx))
	for _, i := range idx {
		if n := len(out); n > 0 && out[n-1].Path == entries[i].Path {
			continue
		}
		out = append(out, entries[i])
	}
	return out
}

// pairTrees pairs the entries of the sorted trees a and b that have the same
// path: ab[i] is the index in b of the path of a[i], or -1, and ba the other
// way round.
func pairTrees(a, b []Entry) (ab, ba []int32) {
	ab, ba = make([]int32, len(a)), make([]int32, len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch c := ComparePath(a[i].Path, b[j].Path); {
		case c < 0:
			ab[i] = -1
			i++
		case c > 0:
			ba[j] = -1
			j++
		default:
			ab[i], ba[j] = int32(j), int32(i)
			i++
			j++
		}
	}
	for ; i < len(a); i++ {
		ab[i] = -1
	}
	for ; j < len(b); j++ {
		ba[j] = -1
	}
	return ab, ba
}

// mergeTrees yields the paths of the sorted trees a and b in order, or in
// reverse order if backward, as the indexes of their entries in a and b
// (-1 where a tree lacks the path).
func mergeTrees(a, b []Entry, backward bool) iter.Seq2[int, int] {
	return func(yield func(int, int) bool) {
		if !backward {
			i, j := 0, 0
			for i < len(a) || j < len(b) {
				c := -1
				switch {
				case i == len(a):
					c = 1
				case j < len(b):
					c = ComparePath(a[i].Path, b[j].Path)
				}
				ai, bj := -1, -1
				if c <= 0 {
					ai = i
					i++
				}
				if c >= 0 {
					bj = j
					j++
				}
				if !yield(ai, bj) {
					return
				}
			}
			return
		}
		i, j := len(a)-1, len(b)-1
		for i >= 0 || j >= 0 {
			c := 1
			switch {
			case i < 0:
				c = -1
			case j >= 0:
				c = ComparePath(a[i].Path, b[j].Path)
			}
			ai, bj := -1, -1
			if c >= 0 {
				ai = i
				i--
			}
			if c <= 0 {
				bj = j
				j--
			}
			if !yield(ai, bj) {
				return
			}
		}
	}
}

// inTree reports whether the sorted tree t has an entry at p.
func inTree(t []Entry, p string) bool {
	_, found := slices.BinarySearchFunc(t, p, func(e Entry, p string) int { return ComparePath(e.Path, p) })
	return found
}

// baseOnly returns, sorted, the paths of base that none of the sorted trees
// has, given that hits of its records have a path in one of them. The planners
// count their hits as they look records up, so that in the common case, every
// record on one side or the other, this costs nothing.
func baseOnly(base Snapshot, hits int, trees ...[]Entry) []string {
	missing := len(base) - hits
	if missing <= 0 {
		return nil
	}
	out := make([]string, 0, missing)
	for p := range base {
		if !slices.ContainsFunc(trees, func(t []Entry) bool { return inTree(t, p) }) {
			out = append(out, p)
			if len(out) == missing {
				break
			}
		}
	}
	slices.SortFunc(out, ComparePath)
	return out
}

// entryArena hands out copies of entries for Action.Source, allocated many
// at a time.
type entryArena struct {
	free []Entry
	size int // of the last allocation
}

// copyOf returns a pointer to a new copy of e.
func (a *entryArena) copyOf(e Entry) *Entry {
	if len(a.free) == 0 {
		a.size = min(max(2*a.size, 16), 1<<14)
		a.free = make([]Entry, a.size)
	}
	p := &a.free[0]
	*p = e
	a.free = a.free[1:]
	return p
}

// actionList collects actions in chunks, so that a long list is never
// copied to grow, only once into the plan.
type actionList struct {
	chunks [][]Action
	n      int
}

func (l *actionList) add(a Action) {
	k := len(l.chunks) - 1
	if k < 0 || len(l.chunks[k]) == cap(l.chunks[k]) {
		size := 16
		if k >= 0 {
			size = min(2*cap(l.chunks[k]), 1<<14)
		}
		l.chunks = append(l.chunks, make([]Action, 0, size))
		k++
	}
	l.chunks[k] = append(l.chunks[k], a)
	l.n++
}

// appendTo appends the actions to dst, in the order they were added or, if
// reverse, in the opposite order.
func (l *actionList) appendTo(dst []Action, reverse bool) []Action {
	if !reverse {
		for _, c := range l.chunks {
			dst = append(dst, c...)
		}
		return dst
	}
	for _, c := range slices.Backward(l.chunks) {
		for _, a := range slices.Backward(c) {
			dst = append(dst, a)
		}
	}
	return dst
}

// actions collects the actions a planner plans, by stage, with the copies of
// the entries they copy.
type actions struct {
	sources entryArena
	stages  [StageForget + 1]actionList
	hits    int // Base records found, for baseOnly
}

// add adds a to its stage, with a copy of src as its Source if copies.
func (o *actions) add(a Action, src Entry, copies bool) {
	if copies {
		a.Source = o.sources.copyOf(src)
	}
	o.stages[a.Stage].add(a)
}

// addAfter adds the actions of the parts after those of o, in order.
func (o *actions) addAfter(parts []*actions) {
	for _, part := range parts {
		for st := range o.stages {
			o.stages[st].chunks = append(o.stages[st].chunks, part.stages[st].chunks...)
			o.stages[st].n += part.stages[st].n
		}
		o.hits += part.hits
	}
}

// minPart is the fewest entries worth planning on a goroutine of their own.
const minPart = 1 << 15

// planParts calls plan on the n entries of a tree split into parts (see
// inParts) and returns the actions of the parts in order.
func planParts(n int, plan func(out *actions, lo, hi int)) []*actions {
	parts := make([]*actions, partsOf(n))
	for i := range parts {
		parts[i] = &actions{}
	}
	inParts(len(parts), n, func(part, lo, hi int) { plan(parts[part], lo, hi) })
	return parts
}

// partsOf returns how many parts inParts should split n entries into.
func partsOf(n int) int {
	return max(1, min(runtime.GOMAXPROCS(0), n/minPart, 16))
}

// inParts splits [0, n) into k parts and calls f on each, on a goroutine of
// its own when k > 1. The calls must only read what they share. Planning a
// large tree is mostly looking records up in the Snapshot, which waits on
// memory and gains from every core.
func inParts(k, n int, f func(part, lo, hi int)) {
	if k <= 1 {
		f(0, 0, n)
		return
	}
	var wg sync.WaitGroup
	for part := range k {
		wg.Go(func() { f(part, part*n/k, (part+1)*n/k) })
	}
	wg.Wait()
}

// joinStages returns the actions of the stages in Stage order, each in the
// order added, or the opposite order for the stages reverse holds.
func joinStages(stages *[StageForget + 1]actionList, reverse ...Stage) []Action {
	n := 0
	for i := range stages {
		n += stages[i].n
	}
	if n == 0 {
		return nil
	}
	out := make([]Action, 0, n)
	for i := range stages {
		out = stages[i].appendTo(out, slices.Contains(reverse, Stage(i)))
	}
	return out
}

// sortedBlocked returns the blocked paths a planner collected in reverse
// order, sorted; never nil.
func sortedBlocked(reversed []string) []string {
	if reversed == nil {
		return []string{}
	}
	slices.Reverse(reversed)
	return reversed
}
