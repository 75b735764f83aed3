package plan

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Listing is a whole tree as Walk lists it.
type Listing struct {
	// Entries are sorted by ComparePath: parents before children.
	Entries []Entry
	// Failed holds the directories whose listing failed or held entries that
	// were refused, sorted by path. A directory here is incomplete: nothing
	// under it may be deleted on the other side.
	Failed []DirError
	// Skipped holds the entries left out because their names cannot be
	// mirrored (ErrUnmirrorable), sorted by path. Their directories are
	// complete; the planners leave these paths alone on both sides.
	Skipped []Skipped
}

// DirError is a failure to list one directory, or one refused entry of it.
type DirError struct {
	Path string // the directory; "" is the root
	Err  error
}

func (e DirError) Error() string { return "list " + displayPath(e.Path) + ": " + e.Err.Error() }
func (e DirError) Unwrap() error { return e.Err }

// displayPath shows a path to people: the root is ".".
func displayPath(p string) string {
	if p == "" {
		return "."
	}
	return p
}

// ErrBadEntry is wrapped by the DirErrors of entries Walk refuses: a bad
// name, a path not directly under the listed directory, a duplicate, a
// negative size or an unknown kind. Only broken or hostile servers list them.
var ErrBadEntry = errors.New("refused listing entry")

// ErrTooDeep is wrapped by the DirError of a directory Walk does not list
// because it lies deeper than WalkOptions.MaxDepth, or its path is longer
// than WalkOptions.MaxPathLen: a server whose every directory holds another
// (or a symlink loop followed as directories) ends there, and the rest of
// the tree mirrors.
var ErrTooDeep = errors.New("too deep")

// ErrTooManyEntries is wrapped by the error Walk returns when a tree holds
// more entries than WalkOptions.MaxEntries.
var ErrTooManyEntries = errors.New("listing too large")

// WalkOptions tune Walk. The zero value works.
type WalkOptions struct {
	// Parallel is the most List calls in flight at once (default 4).
	Parallel int
	// Filter drops the entries it does not match; excluded directories are
	// not descended into. Nil keeps everything.
	Filter *Filter
	// MaxEntries bounds the number of entries the listers may return in
	// all (default 10,000,000); a bigger tree is refused with
	// ErrTooManyEntries, which protects memory from a hostile server.
	MaxEntries int
	// MaxDepth bounds the levels of directories listed below the root
	// (default DefaultMaxDepth), and MaxPathLen the bytes of a directory's
	// path (default DefaultMaxPathLen). A directory past either bound is
	// not listed: it goes to Listing.Failed with ErrTooDeep, so nothing
	// under it is deleted.
	MaxDepth   int
	MaxPathLen int
	// Listed, if set, is told after each directory listed which one it
	// was and how many directories and entries have been listed so far.
	// It is called from Walk's goroutine, one call at a time.
	Listed func(dir string, dirs, entries int)
}

// The default bounds of a walk's depth. A real tree is rarely 30 levels
// deep; Linux refuses paths of PATH_MAX (4096) bytes or more.
const (
	DefaultMaxDepth   = 256
	DefaultMaxPathLen = 4000
)

func (o WalkOptions) withDefaults() WalkOptions {
	if o.Parallel <= 0 {
		o.Parallel = 4
	}
	if o.MaxEntries <= 0 {
		o.MaxEntries = 10_000_000
	}
	if o.MaxDepth <= 0 {
		o.MaxDepth = DefaultMaxDepth
	}
	if o.MaxPathLen <= 0 {
		o.MaxPathLen = DefaultMaxPathLen
	}
	return o
}

// Walk lists the whole tree below the root of l, several directories at a
// time. Symlinks are listed, never followed.
//
// A directory whose List call fails is recorded in Listing.Failed and the
// walk goes on. So are entries that must not be trusted; they are dropped:
// names that are no names (ErrInvalidName), paths not directly under the
// listed directory, duplicates (the first is kept), negative sizes and
// unknown kinds. A directory deeper than the bounds of o is not listed
// (ErrTooDeep). Entries whose names cannot be mirrored (ErrUnmirrorable)
// are dropped into Listing.Skipped; their directory stays complete.
//
// If ctx is done Walk returns ctx.Err(). It returns only once every List call
// it made has returned, so List must honour ctx.
func Walk(ctx context.Context, l Lister, o WalkOptions) (Listing, error) {
	o = o.withDefaults()
	w := walker{opts: o, queue: []string{""}, children: map[string][]Entry{}}
	type result struct {
		dir     string
		entries []Entry
		err     error
	}
	// Buffered so that a call never waits to report: at most Parallel are
	// in flight.
	results := make(chan result, o.Parallel)
	inflight := 0
	var abort error
	for {
		for abort == nil && inflight < o.Parallel && len(w.queue) > 0 {
			if err := ctx.Err(); err != nil {
				abort = err
				break
			}
			dir := w.queue[0]
			w.queue = w.queue[1:]
			inflight++
			go func() {
				entries, err := l.List(ctx, dir)
				results <- result{dir, entries, err}
			}()
		}
		if inflight == 0 {
			break
		}
		r := <-results
		inflight--
		switch {
		case abort != nil:
			// Draining the calls still in flight.
		case ctx.Err() != nil:
			abort = ctx.Err()
		case r.err != nil:
			w.fail(r.dir, r.err)
		default:
			w.seen += len(r.entries)
			if w.seen > o.MaxEntries {
				abort = fmt.Errorf("%w: more than %d entries", ErrTooManyEntries, o.MaxEntries)
				break
			}
			w.accept(r.dir, r.entries)
			w.listed++
			if o.Listed != nil {
				o.Listed(r.dir, w.listed, w.seen)
			}
		}
	}
	if abort != nil {
		return Listing{}, abort
	}
	w.out.Entries = w.tree()
	slices.SortStableFunc(w.out.Failed, func(a, b DirError) int { return ComparePath(a.Path, b.Path) })
	slices.SortStableFunc(w.out.Skipped, func(a, b Skipped) int { return ComparePath(a.Path, b.Path) })
	return w.out, nil
}

// walker is the state of one Walk, owned by its coordinating goroutine.
type walker struct {
	opts   WalkOptions
	queue  []string // directories waiting to be listed
	seen   int      // entries returned by List so far
	listed int      // directories listed so far
	// children holds the entries kept of each directory listed, sorted.
	children map[string][]Entry
	kept     int // entries in children
	out      Listing
}

func (w *walker) fail(dir string, err error) {
	w.out.Failed = append(w.out.Failed, DirError{Path: dir, Err: err})
}

// refuse drops an entry of dir that checkChild refused. A name that
// cannot be mirrored is skipped and the directory stays complete: the
// server holds a real file we cannot copy, and the rest of the directory
// is listed as it is. Anything else (a name that is no name, such as "..",
// "a/b" or one with NUL, or a path outside dir) fails the directory: the
// listing was misread or forged, so it is not evidence enough to delete
// anything under dir, and the run must say so.
func (w *walker) refuse(dir, p string, err error) {
	if errors.Is(err, ErrUnmirrorable) {
		_, name := splitPath(p)
		w.out.Skipped = append(w.out.Skipped, Skipped{Path: p, Err: CheckName(name)})
		return
	}
	w.fail(dir, fmt.Errorf("%w: %w", ErrBadEntry, err))
}

// descend queues the directory p for listing, unless it lies past the
// walk's bounds.
func (w *walker) descend(p string) {
	depth := strings.Count(p, "/") + 1
	switch {
	case depth > w.opts.MaxDepth:
		w.fail(p, fmt.Errorf("%w: not listed, deeper than %d levels", ErrTooDeep, w.opts.MaxDepth))
	case len(p) > w.opts.MaxPathLen:
		w.fail(p, fmt.Errorf("%w: not listed, its path is longer than %d bytes", ErrTooDeep, w.opts.MaxPathLen))
	default:
		w.queue = append(w.queue, p)
	}
}

// accept checks the entries of dir, keeps the good ones and queues the
// directories among them.
func (w *walker) accept(dir string, entries []Entry) {
	// In a listing sorted by path, as many servers send it, duplicates
	// come together, and the entries kept need no sorting. Otherwise the
	// good entries are sorted first, which finds the duplicates too.
	sorted := slices.IsSortedFunc(entries, func(a, b Entry) int { return ComparePath(a.Path, b.Path) })
	var order []int32
	var marks []mark
	if !sorted {
		order, marks = sortGood(dir, entries)
	}
	lastGood := "" // the path of the last entry that passed checkChild
	kept := make([]Entry, 0, len(entries))
	for i, e := range entries {
		if err := checkChild(dir, e); err != nil {
			w.refuse(dir, e.Path, err)
			continue
		}
		if sorted && e.Path == lastGood || !sorted && marks[i] == markDup {
			w.fail(dir, fmt.Errorf("%w: duplicate path %q", ErrBadEntry, e.Path))
			continue
		}
		lastGood = e.Path
		if !w.opts.Filter.Match(e.Path, e.Kind) {
			continue
		}
		if sorted {
			kept = append(kept, e)
		} else {
			marks[i] = markKept
		}
		if e.Kind == KindDir {
			w.descend(e.Path)
		}
	}
	for _, i := range order {
		if marks[i] == markKept {
			kept = append(kept, entries[i])
		}
	}
	if len(kept) > 0 {
		w.children[dir] = kept
		w.kept += len(kept)
	}
}

// mark is what accept found of an entry of an unsorted listing.
type mark uint8

const (
	markNone mark = iota
	markDup       // a good entry with the path of an earlier good one
	markKept
)

// sortGood returns the positions of the entries of dir that pass
// checkChild, sorted by path and, for the same path, by position; it marks
// the duplicates among them.
func sortGood(dir string, entries []Entry) ([]int32, []mark) {
	good := make([]int32, 0, len(entries))
	for i, e := range entries {
		if checkChild(dir, e) == nil {
			good = append(good, int32(i))
		}
	}
	slices.SortFunc(good, func(a, b int32) int {
		if c := ComparePath(entries[a].Path, entries[b].Path); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	marks := make([]mark, len(entries))
	for k := 1; k < len(good); k++ {
		if entries[good[k]].Path == entries[good[k-1]].Path {
			marks[good[k]] = markDup
		}
	}
	return good, marks
}

// tree returns the entries kept, sorted by ComparePath: each directory
// followed by its subtree, as the tree is walked depth first.
func (w *walker) tree() []Entry {
	if w.kept == 0 {
		return nil
	}
	out := make([]Entry, 0, w.kept)
	stack := [][]Entry{w.children[""]} // the entries still to emit, by depth
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if len(*top) == 0 {
			stack = stack[:len(stack)-1]
			continue
		}
		e := (*top)[0]
		*top = (*top)[1:]
		out = append(out, e)
		if sub := w.children[e.Path]; e.Kind == KindDir && len(sub) > 0 {
			stack = append(stack, sub)
		}
	}
	return out
}

// checkChild reports why e cannot be an entry of directory dir.
func checkChild(dir string, e Entry) error {
	name := e.Path
	if dir != "" {
		var ok bool
		if name, ok = strings.CutPrefix(e.Path, dir+"/"); !ok {
			return fmt.Errorf("path %q is not in directory %q", e.Path, dir)
		}
	}
	if err := CheckName(name); err != nil {
		return fmt.Errorf("path %q: %w", e.Path, err)
	}
	if e.Size < 0 {
		return fmt.Errorf("path %q: negative size %d", e.Path, e.Size)
	}
	if e.Kind > KindSymlink {
		return fmt.Errorf("path %q: unknown kind %d", e.Path, e.Kind)
	}
	return nil
}
