package mirror

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// errAborted is returned by I/O on a connection whose operation was cancelled.
var errAborted = errors.New("operation aborted")

// transport owns the TCP connections beneath one jlaffaye/ftp ServerConn:
// the control connection, which it hands the library as a ctrlConn, and the
// data connections, which it negotiates itself. See the package doc.
type transport struct {
	opts   Options
	book   *methodBook
	log    *slog.Logger
	server string // for messages: user@host:port, never the password

	tcp   net.Conn // the control connection's socket, for abort from any goroutine
	raw   net.Conn // the control connection, TLS once protected
	br    *bufio.Reader
	peer  *net.TCPAddr
	local *net.TCPAddr

	lib        *ctrlConn
	handedLib  bool
	pending    bytes.Buffer // replies for the library, synthetic or replayed
	partial    []byte       // an incomplete command line from the library
	listHidden bool         // rewrite a bare LIST to LIST -a
	dataTLS    *tls.Config  // set once PROT P is in force

	// The data channel prepared by the last negotiation.
	prepared    net.Conn
	method      Method
	target      string
	justFailed  bool              // the last negotiation failed; answer the library's PASV retry at once
	dataErr     *DataChannelError // set when no method is left
	listLimit   int64             // byte limit for the next data connection, for listings
	expects     []func(reply)     // handlers of replies owed to commands sent ahead
	statListing bool              // answer the next LIST with a STAT listing (statlist.go)
	presend     []string          // lines sent ahead that the library has yet to write
	deferred    []func(reply)     // expectations that follow the in-flight data command's final reply
	inflight    bool              // a data command awaits its final reply
	login       []string          // PASS, FEAT, TYPE I: sent with USER
	aheadSpec   *retrSpec         // the download to send ahead after the next data command
	ahead       *aheadRetr        // a download sent ahead, not yet asked for
	useAhead    string            // the path being asked for, which may be the one sent ahead
	statConn    *memConn          // the data connection of that listing
	statErr     error             // the server's refusal of the last STAT
	statReplies map[string]reply  // replies of STATs sent ahead, by command line
	pipeline    bool              // send commands ahead of replies once a method works

	mu         sync.Mutex // guards the fields below, touched by abort
	current    *dataConn
	listLines  *lineCounter // the lines of the last listing
	active     *activeWait
	cancelDial context.CancelFunc

	aborted atomic.Bool
	broken  error // the control connection is unusable
}

// ctrlConn is the control connection as the library sees it.
type ctrlConn struct{ t *transport }

func (c *ctrlConn) Read(p []byte) (int, error) {
	t := c.t
	if t.pending.Len() > 0 {
		return t.pending.Read(p)
	}
	if t.aborted.Load() {
		return 0, errAborted
	}
	r, err := t.libraryReply()
	if err != nil {
		return 0, err
	}
	t.pending.Write(r.Raw)
	return t.pending.Read(p)
}

// libraryReply reads the next reply that is the library's, after those owed
// to the transport's own commands sent ahead. The library is given one reply
// at a time, so that its buffered reader never holds a reply that is not its.
func (t *transport) libraryReply() (reply, error) {
	if err := t.drain(); err != nil {
		return reply{}, err
	}
	r, err := t.readReply()
	if err != nil {
		return reply{}, err
	}
	if t.inflight && r.Code >= 200 {
		// The data command's final reply: the replies of commands sent
		// ahead during its transfer come next.
		t.inflight = false
		t.expects = append(t.expects, t.deferred...)
		t.deferred = nil
	}
	return r, nil
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

func (c *ctrlConn) Close() error                       { return c.t.raw.Close() }
func (c *ctrlConn) LocalAddr() net.Addr                { return c.t.local }
func (c *ctrlConn) RemoteAddr() net.Addr               { return c.t.peer }
func (c *ctrlConn) SetDeadline(t time.Time) error      { return c.t.raw.SetDeadline(t) }
func (c *ctrlConn) SetReadDeadline(t time.Time) error  { return c.t.raw.SetReadDeadline(t) }
func (c *ctrlConn) SetWriteDeadline(t time.Time) error { return c.t.raw.SetWriteDeadline(t) }

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
	verb, _, _ := strings.Cut(line, " ")
	verb = strings.ToUpper(verb)
	if !t.swallow(line) {
		if verb == "USER" && t.pipeline && t.login != nil {
			return t.sendLogin(line)
		}
		if verb == "EPSV" || verb == "PASV" {
			t.pending.WriteString(t.negotiate(verb))
			return t.broken
		}
		t.justFailed = false
		if verb == "LIST" && t.listHidden {
			line = "LIST -a" + line[len("LIST"):]
		}
		if verb == "LIST" && t.statListing {
			return t.statList(line)
		}
		if err := t.send(line); err != nil {
			return err
		}
	}
	if !isDataVerb(verb) {
		return nil
	}
	t.inflight = true
	t.mu.Lock()
	w := t.active
	t.mu.Unlock()
	if w != nil {
		w.arm(t.opts.DataTimeout, t.abortControl)
	}
	if t.aheadSpec != nil {
		spec := *t.aheadSpec
		t.aheadSpec = nil
		return t.sendAhead(spec)
	}
	return nil
}

// send writes one command line to the server.
func (t *transport) send(line string) error {
	if t.aborted.Load() {
		return errAborted
	}
	if err := t.idleDeadline(t.raw.SetWriteDeadline); err != nil {
		return err
	}
	if _, err := t.raw.Write([]byte(line + "\r\n")); err != nil {
		t.broken = err
		return err
	}
	return nil
}

// command sends a line and reads its reply, for the transport's own use.
func (t *transport) command(line string) (reply, error) {
	if err := t.drain(); err != nil {
		return reply{}, err
	}
	if err := t.send(line); err != nil {
		return reply{}, err
	}
	return t.readReply()
}

func (t *transport) readReply() (reply, error) { return t.readReplyOf(maxReplyLines) }

// readReplyOf reads a reply of at most maxLines lines.
func (t *transport) readReplyOf(maxLines int) (reply, error) {
	if err := t.idleDeadline(t.raw.SetReadDeadline); err != nil {
		return reply{}, err
	}
	r, err := readReply(t.br, maxLines)
	if err != nil {
		t.broken = err
		return reply{}, err
	}
	return r, nil
}

// idleDeadline gives the next read or write IdleTimeout, unless the
// transport was aborted: abort may run at any moment on another goroutine,
// so the flag is checked again after the deadline is set.
func (t *transport) idleDeadline(set func(time.Time) error) error {
	if t.aborted.Load() {
		return errAborted
	}
	_ = set(time.Now().Add(t.opts.IdleTimeout))
	if t.aborted.Load() {
		_ = set(time.Unix(1, 0))
		return errAborted
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
	c := t.prepared
	t.prepared = nil
	if c == nil {
		return nil, errors.New("no data connection was negotiated")
	}
	return c, nil
}

// abort makes every blocked read or write of this transport fail at once.
// It may be called from any goroutine.
func (t *transport) abort() {
	t.aborted.Store(true)
	_ = t.tcp.SetDeadline(time.Unix(1, 0))
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.current != nil {
		_ = t.current.SetDeadline(time.Unix(1, 0))
	}
	if t.active != nil {
		t.active.cancel()
	}
	if t.cancelDial != nil {
		t.cancelDial()
	}
}

// abortControl gives up the control connection when the server never opens
// an active data connection: the library is blocked on a reply that may take
// the server's own minute-long timeout.
func (t *transport) abortControl() {
	_ = t.tcp.SetDeadline(time.Unix(1, 0))
}

// setListLines records the line counter of a listing's data connection.
func (t *transport) setListLines(lc *lineCounter) {
	t.mu.Lock()
	t.listLines = lc
	t.mu.Unlock()
}

// takeListLines returns the line count of the last listing, or -1.
func (t *transport) takeListLines() int {
	t.mu.Lock()
	lc := t.listLines
	t.listLines = nil
	t.mu.Unlock()
	if lc == nil {
		return -1
	}
	return lc.count()
}

// setCurrent records the data connection in use, so abort can reach it.
func (t *transport) setCurrent(dc *dataConn) {
	t.mu.Lock()
	t.current = dc
	t.mu.Unlock()
}

// protect switches data connections to TLS (PBSZ 0, PROT P).
func (t *transport) protect(cfg *tls.Config) error {
	for _, cmd := range []string{"PBSZ 0", "PROT P"} {
		r, err := t.command(cmd)
		if err != nil {
			return err
		}
		if r.Code != 200 {
			return fmt.Errorf("%s: %w", cmd, r.err())
		}
	}
	t.dataTLS = cfg
	return nil
}
