package mirror

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"
)

// transport owns the TCP connections beneath one jlaffaye/ftp ServerConn:
// the control connection, which it hands the library as a ctrlConn, and the
// data connections, which it negotiates itself. See the package doc. It is
// composed of one part per behaviour: the wire (socket, deadlines, broken),
// the record of owed replies (owed.go), the data channels of the operation
// in progress (dataop.go), their negotiation (negotiator, negotiate.go),
// the download sent ahead (ahead.go) and the STAT listings (statlist.go);
// the pipelinePolicy, shared by the Dialer's connections, says what may be
// sent ahead.
type transport struct {
	opts   Options
	pipe   *pipelinePolicy
	log    *slog.Logger
	server string // for messages: user@host:port, never the password

	w   *wire
	neg *negotiator // the data channels (negotiate.go)

	replies    replyQueue
	lib        *ctrlConn
	handedLib  bool
	local2lib  bytes.Buffer // replies for the library: synthetic, or read for it
	partial    []byte       // an incomplete command line from the library
	loggedIn   bool         // the transport logged in: the library's USER is answered here
	listHidden bool         // rewrite a bare LIST to LIST -a
	usesPRET   bool         // the library sends PRET before data commands (the server lists it)

	ahead aheadSender
	stat  statBatch

	mu sync.Mutex // guards op, reached by abort
	op *dataOp    // the operation in progress
}

func newTransport(raw net.Conn, o Options, book *methodBook, pipe *pipelinePolicy, server string) *transport {
	t := &transport{opts: o, pipe: pipe, log: o.Logger, server: server, w: newWire(raw, o.IdleTimeout)}
	t.w.charset = o.Charset
	t.neg = newNegotiator(t, raw, o, book, pipe.pipeline, &t.w.aborted, server)
	t.lib = &ctrlConn{t: t}
	return t
}

// ctrlConn is the control connection as the library sees it.
type ctrlConn struct{ t *transport }

func (c *ctrlConn) Read(p []byte) (int, error) {
	t := c.t
	if t.local2lib.Len() > 0 {
		return t.local2lib.Read(p)
	}
	r, err := t.libraryReply()
	if err != nil {
		return 0, err
	}
	t.local2lib.Write(r.Raw)
	return t.local2lib.Read(p)
}

// libraryReply reads the next reply that is the library's: the replies
// owed to the transport before it go to their handlers. The library is
// given one reply at a time, so its buffered reader never holds one that
// is not its own.
func (t *transport) libraryReply() (reply, error) {
	for {
		head := t.replies.head()
		if head == nil {
			return reply{}, t.w.fail(fmt.Errorf("%w: the library reads a reply no command is owed", errOutOfStep))
		}
		if head.owner == ownerLibrary && !head.claimed {
			return reply{}, t.w.fail(fmt.Errorf("%w: the library reads the reply of %s before sending it", errOutOfStep, head.verb))
		}
		r, err := t.readFor(head)
		if err != nil {
			return reply{}, err
		}
		if head.data && r.Code < 200 {
			head.preliminary = true
			return r, nil // a preliminary reply: the entry waits for the final one
		}
		t.replies.pop()
		if head.owner == ownerTransport {
			head.handle(r)
			continue
		}
		return r, nil
	}
}

// readFor reads the reply for the entry at the head, and gives the
// connection up if the reply cannot be its.
func (t *transport) readFor(head *owed) (reply, error) {
	r, err := t.w.readReply(head.maxLines)
	if errors.Is(err, os.ErrDeadlineExceeded) && !t.w.aborted.Load() {
		return reply{}, fmt.Errorf("waited %s for the reply to %s: %w", t.w.idle, head.verb, err)
	}
	if err != nil {
		return reply{}, err
	}
	if !head.fits(r.Code) {
		err := t.replies.mismatch(r)
		if errors.Is(err, ErrSendAhead) {
			t.pipe.stopSendingAhead(t.log, t.server)
		}
		return reply{}, t.w.fail(err)
	}
	return r, nil
}

// await reads replies until e's has been handled. Only replies owed to the
// transport may come before it.
func (t *transport) await(e *owed) error {
	for {
		head := t.replies.head()
		if head == nil {
			return nil
		}
		if head.owner == ownerLibrary {
			return t.w.fail(fmt.Errorf("%w: the reply of %s is due before the transport's", errOutOfStep, head.verb))
		}
		r, err := t.readFor(head)
		if err != nil {
			return err
		}
		t.replies.pop()
		head.handle(r)
		if head == e {
			return nil
		}
	}
}

// settle reads the replies owed to the transport that come before any of
// the library's.
func (t *transport) settle() error {
	for {
		head := t.replies.head()
		if head == nil || head.owner == ownerLibrary {
			return nil
		}
		if err := t.await(head); err != nil {
			return err
		}
	}
}

// sendOwn writes a command of the transport's own; handle gets its reply.
func (t *transport) sendOwn(line string, maxLines int, during bool, handle func(reply)) (*owed, error) {
	if err := t.w.send(line); err != nil {
		return nil, err
	}
	e := &owed{verb: verbOf(line), owner: ownerTransport, during: during, handle: handle, maxLines: maxLines}
	t.replies.push(e)
	return e, nil
}

// sendForLibrary writes a command the library will write later (sent
// ahead on its behalf): its reply goes to the library once it has.
func (t *transport) sendForLibrary(line string, during bool) error {
	if err := t.w.send(line); err != nil {
		return err
	}
	verb := verbOf(line)
	t.replies.push(&owed{verb: verb, owner: ownerLibrary, line: line, data: isDataVerb(verb), during: during, maxLines: maxReplyLines})
	return nil
}

// command sends a line of the transport's own and reads its reply.
func (t *transport) command(line string) (reply, error) {
	return t.commandOf(line, maxReplyLines)
}

// ask is the negotiator's way to the server (controlLine).
func (t *transport) ask(line string, handle func(reply), wait bool) error {
	if !wait {
		_, err := t.sendOwn(line, maxReplyLines, false, handle)
		return err
	}
	return t.exchange(line, maxReplyLines, handle)
}

// broken returns the error that ended the control connection (controlLine).
func (t *transport) broken() error { return t.w.err() }

func (t *transport) commandOf(line string, maxLines int) (reply, error) {
	var got reply
	if err := t.exchange(line, maxLines, func(r reply) { got = r }); err != nil {
		return reply{}, err
	}
	return got, nil
}

// exchange reads the replies owed to the transport first, sends line and
// returns once handle has had its reply.
func (t *transport) exchange(line string, maxLines int, handle func(reply)) error {
	if err := t.settle(); err != nil {
		return err
	}
	e, err := t.sendOwn(line, maxLines, false, handle)
	if err != nil {
		return err
	}
	return t.await(e)
}

func (c *ctrlConn) Write(p []byte) (int, error) {
	t := c.t
	t.partial = append(t.partial, p...)
	for {
		i := bytes.Index(t.partial, []byte("\r\n"))
		if i < 0 {
			break
		}
		line := string(t.partial[:i])
		t.partial = t.partial[i+2:]
		if err := t.fromLibrary(line); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

func (c *ctrlConn) Close() error                       { c.t.neg.stop(); return c.t.w.close() }
func (c *ctrlConn) LocalAddr() net.Addr                { return c.t.neg.local }
func (c *ctrlConn) RemoteAddr() net.Addr               { return c.t.neg.peer }
func (c *ctrlConn) SetDeadline(t time.Time) error      { return c.t.w.conn.SetDeadline(t) }
func (c *ctrlConn) SetReadDeadline(t time.Time) error  { return c.t.w.conn.SetReadDeadline(t) }
func (c *ctrlConn) SetWriteDeadline(t time.Time) error { return c.t.w.conn.SetWriteDeadline(t) }

// isDataVerb reports whether a command opens a data connection.
func isDataVerb(verb string) bool {
	switch verb {
	case "RETR", "STOR", "APPE", "STOU", "LIST", "NLST", "MLSD":
		return true
	}
	return false
}

// fromLibrary handles one command line written by the library.
func (t *transport) fromLibrary(line string) error {
	verb := verbOf(line)
	op := t.current()
	switch {
	case verb == "USER" && t.loggedIn:
		t.local2lib.WriteString("230 Logged in by ftpmirror.\r\n")
		return nil
	case verb == "EPSV" || verb == "PASV":
		t.local2lib.WriteString(t.dataReply(op, verb))
		return t.w.err()
	case verb == "PRET":
		t.usesPRET = true // the library sends PRET before every data command
	case verb == "MLSD" && op.asList:
		line, verb = "LIST -a"+line[len("MLSD"):], "LIST"
	case verb == "LIST" && t.listHidden:
		line = "LIST -a" + line[len("LIST"):]
	}
	if t.replies.claim(line) {
		return t.afterDataCommand(op, verb) // sent ahead on its behalf
	}
	if verb == "LIST" && op.stat {
		return t.statList(op, line)
	}
	if err := t.w.send(line); err != nil {
		return err
	}
	t.replies.push(&owed{verb: verb, owner: ownerLibrary, claimed: true, data: isDataVerb(verb), maxLines: maxReplyLines})
	if verb == "FEAT" && t.pipe.pipeline {
		// What the library sends next, sent now: one round trip less.
		return t.sendForLibrary("TYPE I", false)
	}
	return t.afterDataCommand(op, verb)
}

// dataReply answers the library's EPSV or PASV: with the download sent
// ahead, with a STAT listing's stand-in, or with a channel negotiated.
func (t *transport) dataReply(op *dataOp, verb string) string {
	t.neg.closePrepared(op)
	if pc := t.ahead.take(op); pc != nil {
		// The download was sent ahead (ahead.go).
		op.usePassive(pc)
		op.prepared, op.method = pc, pc.method
		return okEPSV
	}
	if op.stat {
		// The listing comes over the control connection (statlist.go).
		op.statConn = &memConn{}
		op.prepared = op.statConn
		return okEPSV
	}
	return t.neg.negotiate(op, verb)
}

// afterDataCommand starts what follows a data command: the wait for an
// active connection, and the next download sent ahead.
func (t *transport) afterDataCommand(op *dataOp, verb string) error {
	if !isDataVerb(verb) {
		return nil
	}
	op.mu.Lock()
	w := op.active
	op.mu.Unlock()
	if w != nil {
		w.arm(t.opts.DataTimeout, t.w.interrupt)
	}
	if op.next != nil {
		spec := *op.next
		op.next = nil
		return t.ahead.send(t, spec)
	}
	return nil
}

// dial is the function handed to ftp.DialWithDialFunc: the first call
// returns the control connection, later ones the prepared data connection.
func (t *transport) dial(_, _ string) (net.Conn, error) {
	if !t.handedLib {
		t.handedLib = true
		return t.lib, nil
	}
	op := t.current()
	c := op.prepared
	op.prepared = nil
	if c == nil {
		return nil, errors.New("no data connection was negotiated")
	}
	return c, nil
}

// begin makes op the operation in progress.
func (t *transport) begin(op *dataOp) {
	t.mu.Lock()
	t.op = op
	t.mu.Unlock()
}

// current returns the operation in progress; outside one, a blank one.
func (t *transport) current() *dataOp {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.op == nil {
		t.op = &dataOp{}
	}
	return t.op
}

// abort makes every blocked read or write of this transport fail at once.
// It may be called from any goroutine.
func (t *transport) abort() {
	t.w.abort()
	t.neg.stop()
	t.mu.Lock()
	op := t.op
	t.mu.Unlock()
	if op != nil {
		op.abort()
	}
}

// secure reports whether the control connection is TLS.
func (t *transport) secure() bool {
	_, ok := t.w.conn.(*tls.Conn)
	return ok
}
