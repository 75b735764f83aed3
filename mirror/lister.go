package mirror

import (
	"context"
	"errors"
	"log/slog"
	"path"
	"runtime"
	"slices"
	"sync"

	"github.com/ftpmirror/ftpmirror/plan"
)

// Lister lists a remote tree over a Pool; it implements plan.Lister.
//
// plan.Walk asks for many directories at once. Once the server's STAT is
// known to list (statlist.go), a connection that comes free lists every
// directory then waiting, its STATs sent together: a level of the tree
// costs one round trip however wide it is, even before the pool's other
// connections have logged in.
type Lister struct {
	Pool    *Pool
	Root    string // absolute remote directory of the mirror root
	Retries int
	Logger  *slog.Logger

	mu      sync.Mutex
	pending []*listReq

	// The check of STAT against LIST on the first directory (see
	// listTrustingStat): the directory, what STAT gave, and the outcome.
	verifyDir  string
	verifyWant []plan.Entry
	mismatch   bool
}

var _ plan.Lister = (*Lister)(nil)

// maxBatch bounds the directories listed in one batch.
const maxBatch = 64

// listReq is one directory waiting to be listed.
type listReq struct {
	abs     string
	cancel  context.CancelFunc // ends its own wait for a connection
	done    chan struct{}
	entries []plan.Entry
	err     error
}

// List lists dir, relative to Root. Names are joined without cleaning, so
// that plan.Walk sees, and refuses, any name that is not a plain name.
func (l *Lister) List(ctx context.Context, dir string) ([]plan.Entry, error) {
	log := l.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	abs := path.Join(l.Root, dir)
	var entries []plan.Entry
	err := retry(ctx, l.Retries, log, "list "+abs, func() error {
		var err error
		entries, err = l.listOnce(ctx, abs)
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := range entries {
		if dir != "" {
			entries[i].Path = dir + "/" + entries[i].Path
		}
	}
	return entries, nil
}

// listOnce lists abs on the first connection that comes free, whether it is
// this call's or another's.
func (l *Lister) listOnce(ctx context.Context, abs string) ([]plan.Entry, error) {
	waitCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	req := &listReq{abs: abs, cancel: cancel, done: make(chan struct{})}
	l.mu.Lock()
	l.pending = append(l.pending, req)
	l.mu.Unlock()
	err := l.Pool.Do(waitCtx, func(c *Conn) error {
		l.serve(ctx, c)
		return nil
	})
	select {
	case <-req.done:
		return req.entries, req.err
	default:
	}
	if l.withdraw(req) {
		return nil, err // no connection came for it
	}
	<-req.done // another call took it
	return req.entries, req.err
}

// serve lists the directories waiting, on c: in one batch of STATs when the
// server's STAT lists, else one by one.
func (l *Lister) serve(ctx context.Context, c *Conn) {
	// plan.Walk starts the calls for a directory's children together: let
	// those just started join this batch. (Only a matter of speed.)
	for range 4 {
		runtime.Gosched()
	}
	l.mu.Lock()
	n := min(len(l.pending), maxBatch)
	batch := append([]*listReq(nil), l.pending[:n]...)
	l.pending = l.pending[n:]
	l.mu.Unlock()
	for _, r := range batch {
		r.cancel() // its own wait for a connection is over
	}
	var stat []*listReq
	for _, r := range batch {
		statable := !c.mlsd
		if statable && c.stat.get() == statUnknown {
			r.entries, r.err = l.listTrustingStat(ctx, c, r.abs)
			close(r.done)
			continue
		}
		if statable && c.stat.get() == statUsable {
			stat = append(stat, r)
			continue
		}
		r.entries, r.err = c.List(ctx, r.abs)
		close(r.done)
	}
	defer l.verifyIdle(ctx, c, false)
	if len(stat) == 0 {
		return
	}
	dirs := make([]string, len(stat))
	for i, r := range stat {
		dirs[i] = r.abs
	}
	entries, errs := c.listStatBatch(ctx, dirs)
	for i, r := range stat {
		r.entries, r.err = entries[i], errs[i]
		if r.err != nil && errors.Is(r.err, errStatUnusable) {
			c.stat.set(statUnusable)
			r.entries, r.err = c.List(ctx, r.abs)
		}
		close(r.done)
	}
}

// listTrustingStat lists the first directory with STAT and trusts it at
// once; the check against LIST is made later, on a connection with nothing
// else to do (verifyIdle), so that the walk goes on meanwhile. Verified
// reports a mismatch, after which the walk is done again over data
// connections.
func (l *Lister) listTrustingStat(ctx context.Context, c *Conn, abs string) ([]plan.Entry, error) {
	viaStat, err := c.listStat(ctx, abs)
	switch {
	case errors.Is(err, errStatUnusable):
		c.stat.set(statUnusable)
		return c.List(ctx, abs)
	case err != nil:
		return nil, err
	}
	c.stat.set(statUsable)
	l.mu.Lock()
	l.verifyDir, l.verifyWant = abs, slices.Clone(viaStat) // the caller changes the one it gets
	l.mu.Unlock()
	return viaStat, nil
}

// verifyIdle makes the check of STAT against LIST on c, once, when no
// directory is waiting and another connection is idle for the walk's next
// ones (or when force).
func (l *Lister) verifyIdle(ctx context.Context, c *Conn, force bool) {
	if !force && l.Pool.Idle() == 0 {
		return
	}
	l.mu.Lock()
	dir, want := l.verifyDir, l.verifyWant
	if dir == "" || (len(l.pending) > 0 && !force) {
		l.mu.Unlock()
		return
	}
	l.verifyDir, l.verifyWant = "", nil
	l.mu.Unlock()
	got, err := c.listData(ctx, dir)
	if err != nil || !sameListing(want, got) {
		c.stat.set(statUnusable)
		l.mu.Lock()
		l.mismatch = true
		l.mu.Unlock()
	}
}

// Verified makes the check of STAT against LIST if the walk left it
// undone, and reports whether the listing can be trusted; false means the
// walk must be done again (STAT is then no longer used).
func (l *Lister) Verified(ctx context.Context) bool {
	l.mu.Lock()
	pending := l.verifyDir != ""
	l.mu.Unlock()
	if pending {
		if err := l.Pool.Do(ctx, func(c *Conn) error {
			l.verifyIdle(ctx, c, true)
			return nil
		}); err != nil {
			return false
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	ok := !l.mismatch
	l.mismatch = false
	return ok
}

// withdraw removes req from the waiting list; false if a call took it.
func (l *Lister) withdraw(req *listReq) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, r := range l.pending {
		if r == req {
			l.pending = append(l.pending[:i], l.pending[i+1:]...)
			return true
		}
	}
	return false
}
