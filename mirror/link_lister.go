package mirror

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/ftpmirror/ftpmirror/plan"
)

// The reasons a symlink is left out of a run.
var (
	// ErrLinkTargetUnknown: the server lists a symlink but not where it
	// points (an MLSD server whose LIST -a does not say either).
	ErrLinkTargetUnknown = errors.New("symlink target unknown: the server does not tell it")
	// ErrLinkDangling: with CopyLinks, a symlink whose target is missing.
	ErrLinkDangling = errors.New("dangling symlink: its target does not exist on the server")
	// ErrLinkLoop: with CopyLinks, a symlink to a directory holding it.
	ErrLinkLoop = errors.New("symlink loop: it points to a directory that holds it")
)

// linkLister wraps the remote lister of a run. It learns the targets of
// the symlinks a listing gives without one (MLSD servers), and leaves out
// the links that leave the tree. With follow (--copy-links) it lists what
// each symlink points to instead: a file (its size from SIZE, its time
// from MDTM) or a directory, which the walk then lists through the link.
// A symlink it leaves out is noted in skipped; the walk's depth bound ends
// a loop it cannot see.
type linkLister struct {
	l       plan.Lister
	pool    *Pool
	root    string // the absolute remote root
	follow  bool
	retries int
	log     *slog.Logger
	cs      *Charset // what LIST -a lines are decoded from

	mu       sync.Mutex
	skipped  []plan.Skipped
	followed map[string]bool // the links listed as directories
	hides    int             // hidesUnknown, hidesNo or hidesYes
}

// maxLinkHops bounds the symlinks followed along one path with follow, as
// the kernel bounds them in one path lookup (ELOOP): a loop whose links do
// not tell their targets (proftpd hides a link to ".." from LIST -a) ends
// there, as a warning, long before the walk's depth bound.
const maxLinkHops = 16

var _ plan.Lister = (*linkLister)(nil)

// newLinkLister wraps remote (its names decoded by the charset, if any).
func newLinkLister(remote *Lister, o RunOptions) *linkLister {
	return &linkLister{l: withCharset(remote, o.Conn.Charset), pool: remote.Pool, root: remote.Root, cs: o.Conn.Charset,
		follow: o.CopyLinks, retries: o.Retries, log: o.Logger, followed: map[string]bool{}}
}

func (k *linkLister) List(ctx context.Context, dir string) ([]plan.Entry, error) {
	entries, err := k.l.List(ctx, dir)
	if err != nil {
		return nil, err
	}
	if entries, err = k.learnTargets(ctx, dir, entries); err != nil {
		return nil, err
	}
	out := entries[:0]
	for _, e := range entries {
		switch {
		case e.Kind != plan.KindSymlink:
		case k.follow && k.hops(dir) >= maxLinkHops:
			k.skip(e.Path, fmt.Errorf("%w: %d symlinks followed on its path", ErrLinkLoop, maxLinkHops))
			continue
		case k.follow:
			fe, err := k.followLink(ctx, e)
			if errors.Is(err, ErrLinkDangling) || errors.Is(err, ErrLinkLoop) {
				k.skip(e.Path, err)
				continue
			}
			if err != nil {
				return nil, err
			}
			e = fe
			if e.Kind == plan.KindDir {
				k.mu.Lock()
				k.followed[e.Path] = true
				k.mu.Unlock()
			}
		case e.Target == "":
			k.skip(e.Path, ErrLinkTargetUnknown)
			continue
		case !plan.LinkInside(e.Path, e.Target):
			// Told here rather than when it is not made, so that no run
			// plans it and it is left alone like a skipped name.
			k.skip(e.Path, fmt.Errorf("%w (-> %s)", ErrLinkOutside, e.Target))
			continue
		}
		out = append(out, e)
	}
	return out, nil
}

// hops returns how many of dir and the directories above it are links
// that were followed.
func (k *linkLister) hops(dir string) int {
	k.mu.Lock()
	defer k.mu.Unlock()
	n := 0
	for p := dir; p != "" && p != "."; p = path.Dir(p) {
		if k.followed[p] {
			n++
		}
	}
	return n
}

func (k *linkLister) skip(p string, err error) {
	k.mu.Lock()
	k.skipped = append(k.skipped, plan.Skipped{Path: p, Err: err})
	k.mu.Unlock()
}

// learnTargets corrects the listing of dir from LIST -a of dir, when it
// holds a symlink without a target, and on every directory of a server
// whose MLSD describes what links point to instead of the links
// (pyftpdlib; found out on the root of an MLSD server, see hidesLinks).
func (k *linkLister) learnTargets(ctx context.Context, dir string, entries []plan.Entry) ([]plan.Entry, error) {
	need := k.hidesLinks(ctx, dir)
	for _, e := range entries {
		need = need || e.Kind == plan.KindSymlink && e.Target == ""
	}
	if !need {
		return entries, nil
	}
	var lines []string
	abs := path.Join(k.root, dir)
	err := retry(ctx, k.retries, k.log, "list -a "+abs, func() error {
		return k.pool.Do(ctx, func(c *Conn) error {
			var err error
			lines, err = c.listLong(ctx, abs)
			return err
		})
	})
	if err != nil {
		if Classify(err) == KindPerFile {
			return entries, nil // the server will not say: the links are left out
		}
		return nil, err
	}
	for i, line := range lines {
		lines[i] = k.cs.decode(line)
	}
	entries, converted := applyLong(dir, entries, lines)
	if dir == "" {
		k.mu.Lock()
		k.hides = hidesNo
		if converted {
			k.hides = hidesYes
		}
		k.mu.Unlock()
	}
	return entries, nil
}

// Whether a server's MLSD describes symlinks as what they point to.
const (
	hidesUnknown = iota
	hidesNo
	hidesYes
)

// hidesLinks reports whether dir is to be checked against LIST -a for
// symlinks MLSD does not show as such: every directory once the root
// showed one (pyftpdlib's MLSD follows links), and the root itself on an
// MLSD server, to find out. The walk lists the root before anything else.
func (k *linkLister) hidesLinks(ctx context.Context, dir string) bool {
	k.mu.Lock()
	h := k.hides
	k.mu.Unlock()
	if h != hidesUnknown || dir != "" {
		return h == hidesYes
	}
	mlsd := false
	_ = k.pool.Do(ctx, func(c *Conn) error { mlsd = c.mlsd; return nil })
	if !mlsd {
		k.mu.Lock()
		k.hides = hidesNo
		k.mu.Unlock()
	}
	return mlsd
}

// applyLong corrects the entries of dir from its LIST -a lines: symlinks
// get the targets they lack, entries that LIST shows as symlinks become
// symlinks (converted reports whether one of another kind did), and the
// symlinks the listing left out (proftpd's MLSD leaves out dangling ones)
// are added.
func applyLong(dir string, entries []plan.Entry, lines []string) (_ []plan.Entry, converted bool) {
	links := map[string]string{}
	for _, line := range lines {
		if name, target, ok := lsLink(line); ok && name != "." && name != ".." {
			links[name] = target
		}
	}
	var missing []string
	listed := make(map[string]bool, len(entries))
	for i, e := range entries {
		name := path.Base(e.Path)
		listed[name] = true
		target, isLink := links[name]
		switch {
		case isLink && e.Kind != plan.KindSymlink:
			entries[i] = plan.Entry{Path: e.Path, Kind: plan.KindSymlink, Target: target, ModTime: e.ModTime, Precision: e.Precision}
			converted = true
		case isLink && e.Target == "":
			entries[i].Target = target
		case e.Kind == plan.KindSymlink && e.Target == "":
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 { // lines lsLink cannot read (no group column, say)
		targets := lsTargets(lines, missing)
		for i, e := range entries {
			if e.Kind == plan.KindSymlink && e.Target == "" {
				entries[i].Target = targets[path.Base(e.Path)]
			}
		}
	}
	for _, line := range lines { // in the order of the lines
		if name, target, ok := lsLink(line); ok && !listed[name] && links[name] == target && name != "." && name != ".." {
			listed[name] = true
			entries = append(entries, plan.Entry{Path: plan.JoinPath(dir, name), Kind: plan.KindSymlink, Target: target})
		}
	}
	return entries, converted
}

// followLink returns what the symlink e points to, as an entry at e's
// path: a file (SIZE answers) or a directory (CWD into it works).
func (k *linkLister) followLink(ctx context.Context, e plan.Entry) (plan.Entry, error) {
	abs := path.Join(k.root, e.Path)
	if e.Target != "" {
		t := e.Target
		if !path.IsAbs(t) {
			t = path.Join(path.Dir(abs), t)
		}
		if t == "/" || t == abs || strings.HasPrefix(abs, t+"/") {
			return plan.Entry{}, fmt.Errorf("%w (%s)", ErrLinkLoop, e.Target)
		}
	}
	out := plan.Entry{Path: e.Path}
	err := k.pool.Do(ctx, func(c *Conn) error {
		size, err := c.Size(ctx, abs)
		if err == nil {
			out.Kind, out.Size = plan.KindFile, size
			if t, err := c.ModTime(ctx, abs); err == nil {
				out.ModTime, out.Precision = t, time.Second
			}
			return nil
		}
		if Classify(err) != KindPerFile {
			return err
		}
		if err := c.changeDir(ctx, abs); err != nil {
			if Classify(err) != KindPerFile {
				return err
			}
			return fmt.Errorf("%w (%s)", ErrLinkDangling, e.Target)
		}
		out.Kind = plan.KindDir
		return nil
	})
	return out, err
}
