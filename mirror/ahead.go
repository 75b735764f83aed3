package mirror

import (
	"context"
	"errors"
	"io"
	"time"
)

// A worker that downloads many small files over one connection sends the
// next file's commands (MDTM, PRET where the library uses it, EPSV, RETR) while the current file is still
// arriving. The server reads them when the transfer ends and answers at
// once, so each file costs about one round trip instead of two. Their
// entries in the record of owed replies follow the current data command's:
// MDTM and EPSV the transport's, RETR the library's once it writes it.
//
// Some servers read commands during a transfer and act on them at once:
// pyftpdlib closes the transfer in progress when EPSV arrives, and never
// answers its command. The reply that then comes in its place cannot
// answer that command (owed.go): the operation fails with ErrSendAhead,
// nothing is held against the data channel, and the pipelinePolicy stops
// sending ahead for the server (the run saves that in the state).

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

// aheadSender sends the next download during a transfer and keeps it
// until the library asks for it.
type aheadSender struct {
	sent *aheadRetr
}

// errAheadMismatch means the download sent ahead was not the next one asked
// for; the connection cannot be used further.
var errAheadMismatch = errors.New("a download sent ahead was not the next one asked for")

// send sends spec's commands during the transfer just started, when a
// passive method is known to work and the server takes commands sent
// ahead; otherwise it does nothing and the next download goes the
// ordinary way.
func (s *aheadSender) send(t *transport, spec retrSpec) error {
	m := t.neg.book.current()
	if !t.pipe.sendsAhead() || !m.Passive() || s.sent != nil {
		return nil
	}
	a := &aheadRetr{spec: spec, pc: newPassiveConn(t.neg, m)}
	s.sent = a
	if spec.mtime {
		a.mt = &mtimeFuture{}
		if _, err := t.sendOwn("MDTM "+spec.path, maxReplyLines, true, a.mt.handle); err != nil {
			return err
		}
	}
	if t.usesPRET {
		// The library's next lines are PRET, EPSV (answered here) and
		// RETR: each of its own must be sent ahead in its order.
		if err := t.sendForLibrary("PRET RETR "+spec.path, true); err != nil {
			return err
		}
	}
	if _, err := t.sendOwn(string(m), maxReplyLines, true, a.pc.resolve); err != nil {
		return err
	}
	return t.sendForLibrary("RETR "+spec.path, true)
}

// take returns the data connection of the download sent ahead when it is
// the one op asks for; the library's RETR is then claimed, not sent.
func (s *aheadSender) take(op *dataOp) *passiveConn {
	a := s.sent
	if a == nil || op.useAhead != a.spec.path {
		return nil
	}
	s.sent = nil
	return a.pc
}

// retrNext downloads spec from offset into w, as RetrModTime, and sends
// next's commands ahead during the transfer. A download sent ahead by the
// previous call must be the one asked for now.
func (c *Conn) retrNext(ctx context.Context, spec retrSpec, offset int64, w io.Writer, next *retrSpec) (n int64, mtime time.Time, ok bool, err error) {
	t := c.t
	canTime := c.sc.IsGetTimeSupported()
	op := &dataOp{}
	var f *mtimeFuture
	switch sent := t.ahead.sent; {
	case sent != nil && sent.spec.path == spec.path && offset == 0:
		op.useAhead, f = spec.path, sent.mt
	case sent != nil:
		return 0, time.Time{}, false, t.w.fail(errAheadMismatch)
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
		op.next = &ns
	}
	n, err = c.retr(ctx, op, spec.path, offset, w)
	if f != nil {
		mtime, ok = f.t, f.ok
	}
	return n, mtime, ok, err
}

// reusable reports whether the Conn can go back to the pool: not broken,
// and no download sent ahead is waiting for it.
func (c *Conn) reusable() bool { return !c.Broken() && c.t.ahead.sent == nil }
