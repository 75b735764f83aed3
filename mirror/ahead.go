package mirror

import (
	"context"
	"errors"
	"io"
	"time"
)

// A worker that downloads many small files over one connection sends the
// next file's commands (MDTM, EPSV, RETR) while the current file is still
// arriving. The server reads them when the transfer ends and answers at
// once, so each file costs about one round trip instead of two. The replies
// of those commands follow the current transfer's final reply: they are
// kept as deferred expectations until the library has read it.

// retrSpec is a download that may be sent ahead.
type retrSpec struct {
	path  string
	mtime bool // ask for the exact time too (MDTM)
}

// aheadRetr is a download sent ahead and not yet taken up.
type aheadRetr struct {
	spec retrSpec
	pc   *passiveConn
	mt   *mtimeFuture
}

// errAheadMismatch means the download sent ahead was not the next one asked
// for; the connection cannot be used further.
var errAheadMismatch = errors.New("a download sent ahead was not the next one asked for")

// sendAhead sends spec's commands after the data command just sent, when a
// passive method is known to work; otherwise it does nothing and the next
// download goes the ordinary way.
func (t *transport) sendAhead(spec retrSpec) error {
	m := t.book.current()
	if !t.pipeline || !m.Passive() || t.ahead != nil {
		return nil
	}
	a := &aheadRetr{spec: spec, pc: newPassiveConn(t, m, 0)}
	var lines []string
	if spec.mtime {
		a.mt = &mtimeFuture{}
		lines = append(lines, "MDTM "+spec.path)
		t.deferred = append(t.deferred, a.mt.handle)
	}
	lines = append(lines, string(m), "RETR "+spec.path)
	t.deferred = append(t.deferred, a.pc.resolve)
	t.ahead = a
	for _, l := range lines {
		if err := t.send(l); err != nil {
			return err
		}
	}
	return nil
}

// takeAhead returns the data connection of the download sent ahead when it
// is the one being asked for (useAhead), and arranges for the library's RETR
// to be swallowed: it was sent already.
func (t *transport) takeAhead() *passiveConn {
	a := t.ahead
	if a == nil || t.useAhead != a.spec.path {
		return nil
	}
	t.ahead = nil
	t.method = a.pc.method
	t.presend = append(t.presend, "RETR "+a.spec.path)
	return a.pc
}

// retrNext downloads spec from offset into w, as RetrModTime, and sends
// next's commands ahead during the transfer. A download sent ahead by the
// previous call must be the one asked for now.
func (c *Conn) retrNext(ctx context.Context, spec retrSpec, offset int64, w io.Writer, next *retrSpec) (n int64, mtime time.Time, ok bool, err error) {
	t := c.t
	canTime := c.sc.IsGetTimeSupported()
	var f *mtimeFuture
	switch {
	case t.ahead != nil && t.ahead.spec.path == spec.path && offset == 0:
		t.useAhead, f = spec.path, t.ahead.mt
	case t.ahead != nil:
		t.broken = errAheadMismatch
		return 0, time.Time{}, false, errAheadMismatch
	case spec.mtime && canTime:
		if err := c.do(ctx, func() error {
			var err error
			f, err = t.prefetchModTime(spec.path)
			return err
		}); err != nil {
			return 0, time.Time{}, false, err
		}
	}
	if next != nil {
		ns := *next
		ns.mtime = ns.mtime && canTime
		t.aheadSpec = &ns
	}
	n, err = c.Retr(ctx, spec.path, offset, w)
	t.aheadSpec, t.useAhead = nil, ""
	if f != nil {
		mtime, ok = f.t, f.ok
	}
	return n, mtime, ok, err
}

// reusable reports whether the Conn can go back to the pool: not broken,
// and no download sent ahead is waiting for it.
func (c *Conn) reusable() bool { return !c.Broken() && c.t.ahead == nil }
