package mirror

import (
	"bytes"
	"context"
	"errors"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jlaffaye/ftp"

	"github.com/ftpmirror/ftpmirror/plan"
)

// Listing a directory over a data connection costs a data connection and
// two round trips; "STAT -a DIR" returns the same LIST lines on the control
// connection in one. A server's STAT output must match the LIST of the same
// directory (checked once per Dialer, on the first directory). Conn.List
// checks before it trusts; a walk (Lister) trusts at once, checks on an idle
// connection meanwhile, and walks again over data connections on a mismatch.
// The library still parses the lines: the transport hands them to it as if
// they came over a data connection.

// statMode is whether a server's STAT listings may stand in for LIST.
type statMode struct{ v atomic.Int32 }

const (
	statUnknown int32 = iota
	statUsable
	statUnusable
)

func (s *statMode) get() int32  { return s.v.Load() }
func (s *statMode) set(v int32) { s.v.Store(v) }

// errStatUnusable means the server's STAT cannot list a directory.
var errStatUnusable = errors.New("STAT does not list directories")

// List lists one remote directory. The entries' Paths are bare names, as
// the server gave them: checking them is the caller's job.
func (c *Conn) List(ctx context.Context, dir string) ([]plan.Entry, error) {
	if c.mlsd {
		return c.listMLSD(ctx, dir)
	}
	if c.stat.get() == statUnusable {
		return c.listData(ctx, dir)
	}
	if c.stat.get() == statUsable {
		entries, err := c.listStat(ctx, dir)
		if !errors.Is(err, errStatUnusable) {
			return entries, err
		}
		c.stat.set(statUnusable)
		return c.listData(ctx, dir)
	}
	entries, err := c.listData(ctx, dir)
	if err != nil {
		return nil, err
	}
	viaStat, err := c.listStat(ctx, dir)
	switch {
	case err == nil && sameListing(entries, viaStat):
		c.stat.set(statUsable)
	case err == nil || errors.Is(err, errStatUnusable):
		c.t.log.Debug("STAT listings differ from LIST; listing over data connections", "dir", dir)
		c.stat.set(statUnusable)
	default:
		return nil, err
	}
	return entries, nil
}

// listStat lists dir with STAT on the control connection.
func (c *Conn) listStat(ctx context.Context, dir string) ([]plan.Entry, error) {
	op := &dataOp{stat: true, cwdSent: c.t.stat.has(dir)}
	entries, err := c.listOp(ctx, op, dir)
	if err != nil && op.statErr != nil {
		return nil, errors.Join(errStatUnusable, op.statErr)
	}
	return entries, err
}

// statBatch keeps the replies of STATs sent together, by directory, until
// the listing of each directory asks for its own.
type statBatch struct{ replies map[string]*statReply }

// statReply is a directory's CWD and STAT replies.
type statReply struct {
	cwd, stat reply
	got       bool
}

func (b *statBatch) add(dir string) *statReply {
	if b.replies == nil {
		b.replies = map[string]*statReply{}
	}
	r := &statReply{}
	b.replies[dir] = r
	return r
}

func (b *statBatch) has(dir string) bool { _, ok := b.replies[dir]; return ok }

func (b *statBatch) take(dir string) (*statReply, bool) {
	r, ok := b.replies[dir]
	delete(b.replies, dir)
	return r, ok && r.got
}

// listStatBatch lists several directories with STAT, all sent at once: one
// round trip for them all. Each is "CWD DIR" then "STAT -a", so that no
// name reaches a server's ls as arguments. The Conn must list with STAT
// (statUsable).
func (c *Conn) listStatBatch(ctx context.Context, dirs []string) ([][]plan.Entry, []error) {
	entries, errs := make([][]plan.Entry, len(dirs)), make([]error, len(dirs))
	t := c.t
	err := c.do(ctx, func() error {
		for _, d := range dirs {
			sr := t.stat.add(d)
			if _, err := t.sendOwn("CWD "+d, maxReplyLines, false, func(r reply) { sr.cwd = r }); err != nil {
				return err
			}
			if _, err := t.sendOwn("STAT -a", maxStatLines, false, func(r reply) { sr.stat, sr.got = r, true }); err != nil {
				return err
			}
		}
		return nil
	})
	for i, d := range dirs {
		if err != nil {
			errs[i] = err
			continue
		}
		entries[i], errs[i] = c.listStat(ctx, d)
	}
	t.stat.replies = nil
	return entries, errs
}

// sameListing reports whether two listings of a directory agree on names,
// kinds, sizes and times.
func sameListing(a, b []plan.Entry) bool {
	key := func(e plan.Entry) string {
		return e.Path + "\x00" + e.Kind.String() + "\x00" + e.ModTime.String() + "\x00" + strconv.FormatInt(e.Size, 10) + "\x00" + e.Target
	}
	ka, kb := make([]string, len(a)), make([]string, len(b))
	for i, e := range a {
		ka[i] = key(e)
	}
	for i, e := range b {
		kb[i] = key(e)
	}
	slices.Sort(ka)
	slices.Sort(kb)
	return slices.Equal(ka, kb)
}

// statList answers the library's LIST with a STAT of the current
// directory (the operation sent CWD before it): the lines go to the
// operation's memConn, the library is told 150 and 226.
func (t *transport) statList(op *dataOp, line string) error {
	stat := "STAT" + strings.TrimPrefix(line, "LIST")
	if err := t.settle(); err != nil {
		return err
	}
	if sr, ok := t.stat.take(op.dir); ok { // sent with others (listStatBatch)
		op.cwdReply(sr.cwd)
		t.local2lib.Write(finishStat(op, sr.stat))
		return nil
	}
	r, err := t.commandOf(stat, maxStatLines)
	if err != nil {
		return err
	}
	t.local2lib.Write(finishStat(op, r))
	return nil
}

// finishStat fills the operation's STAT data connection from a reply, or
// passes the server's refusal on.
func finishStat(op *dataOp, r reply) []byte {
	mc := op.statConn
	op.statConn = nil
	if r.Code < 211 || r.Code > 213 || mc == nil {
		op.statErr = r.err()
		return r.Raw
	}
	lines := strings.Split(r.Msg, "\n")
	var body bytes.Buffer
	if len(lines) > 2 {
		for _, l := range lines[1 : len(lines)-1] {
			body.WriteString(strings.TrimLeft(l, " "))
			body.WriteString("\r\n")
		}
	}
	mc.r = bytes.NewReader(body.Bytes())
	lc := &lineCounter{}
	_, _ = lc.Write(body.Bytes())
	op.setLines(lc)
	return []byte("150 Listing from STAT.\r\n226 Listing done.\r\n")
}

// memConn is the data connection of a STAT listing: the lines the server
// sent on the control connection.
type memConn struct {
	r *bytes.Reader
}

func (m *memConn) Read(p []byte) (int, error) {
	if m.r == nil {
		return 0, errStatUnusable
	}
	return m.r.Read(p)
}
func (m *memConn) Write(p []byte) (int, error)      { return 0, errors.New("a listing is read only") }
func (m *memConn) Close() error                     { return nil }
func (m *memConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (m *memConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (m *memConn) SetDeadline(time.Time) error      { return nil }
func (m *memConn) SetReadDeadline(time.Time) error  { return nil }
func (m *memConn) SetWriteDeadline(time.Time) error { return nil }

// listData lists dir as the library does: MLSD, or LIST over a data
// connection.
func (c *Conn) listData(ctx context.Context, dir string) ([]plan.Entry, error) {
	return c.listOp(ctx, &dataOp{}, dir)
}

// listOp lists dir with op as the data channel (a STAT listing, or a data
// connection bounded by MaxListingBytes). A LIST server is sent "CWD DIR"
// (pipelined) and a bare LIST (or STAT): a server that hands LIST's
// argument to ls would split a name with a space, read a leading dash as
// an option and expand *?[ (issue 10.3). MLSD takes the path: it is not
// handed to ls.
func (c *Conn) listOp(ctx context.Context, op *dataOp, dir string) ([]plan.Entry, error) {
	var raw []*ftp.Entry
	op.limit, op.dir = c.t.opts.MaxListingBytes, dir
	precise := c.mlsd && !op.viaLIST
	err := c.doOp(ctx, op, func() error {
		var err error
		if precise {
			raw, err = c.sc.List(dir)
			return err
		}
		sc := c.sc
		if c.mlsd {
			if sc, err = c.listConn(); err != nil {
				return err
			}
		}
		if !op.cwdSent {
			if _, err := c.t.sendOwn("CWD "+dir, maxReplyLines, false, op.cwdReply); err != nil {
				return err
			}
		}
		raw, err = sc.List("")
		if op.cwdErr != nil {
			return op.cwdErr // what was listed is another directory
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if precise {
		raw = fixMLSDLinks(raw, op.rawLines())
	}
	if err := checkListing(dir, op.lineCount(), len(raw)); err != nil {
		return nil, err
	}
	now := time.Now()
	modes := op.modes() // listmode.go
	out := make([]plan.Entry, 0, len(raw))
	for _, e := range raw {
		if e.Name == "." || e.Name == ".." {
			continue
		}
		pe := c.entry(e, now, precise)
		if !c.t.opts.NoPerms {
			pe.Mode = modes[e.Name]
		}
		out = append(out, pe)
	}
	return out, nil
}
