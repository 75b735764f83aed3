package mirror

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/textproto"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// controlLine is the control connection as the negotiator uses it: the
// transport implements it over its record of owed replies (owed.go).
type controlLine interface {
	// ask writes a command of the negotiator's own; handle gets its reply.
	// With wait, the replies owed before it are read first, and ask returns
	// once handle has run; without, the reply is read later, in wire order.
	ask(line string, handle func(reply), wait bool) error
	// broken returns the error that ended the control connection, or nil.
	broken() error
}

// negotiator opens the data channels of one control connection: it tries
// the methods its book allows (EPSV, PASV, EPRT, PORT), dials or accepts,
// protects the connections with TLS once PROT P is in force, and tells the
// book how each attempt went. It talks to the server only through ctl.
type negotiator struct {
	ctl       controlLine
	book      *methodBook
	opts      Options
	log       *slog.Logger
	server    string // for messages: user@host:port, never the password
	pipelined bool   // a method known to work is not waited for
	aborted   *atomic.Bool

	peer  *net.TCPAddr // the control connection's ends
	local *net.TCPAddr
	tls   *tls.Config // set once PROT P is in force
	// dialCtx ends every passive dial in progress when the connection is
	// aborted or closed.
	dialCtx context.Context
	stop    context.CancelFunc
}

func newNegotiator(ctl controlLine, raw net.Conn, o Options, book *methodBook, pipelined bool, aborted *atomic.Bool, server string) *negotiator {
	n := &negotiator{ctl: ctl, book: book, opts: o, log: o.Logger, server: server, pipelined: pipelined, aborted: aborted}
	n.peer, _ = raw.RemoteAddr().(*net.TCPAddr)
	n.local, _ = raw.LocalAddr().(*net.TCPAddr)
	n.dialCtx, n.stop = context.WithCancel(context.Background())
	return n
}

// command sends a line and returns its reply.
func (n *negotiator) command(line string) (reply, error) {
	var got reply
	err := n.ctl.ask(line, func(r reply) { got = r }, true)
	return got, err
}

// protect switches data connections to TLS (PBSZ 0, PROT P).
func (n *negotiator) protect(cfg *tls.Config) error {
	for _, cmd := range []string{"PBSZ 0", "PROT P"} {
		r, err := n.command(cmd)
		if err != nil {
			return err
		}
		if r.Code != 200 {
			return fmt.Errorf("%s: %w", cmd, r.err())
		}
	}
	n.tls = cfg
	return nil
}

// negotiate opens a data channel with the methods the book allows and
// returns the reply the library gets for its EPSV or PASV: a synthetic
// success whatever method was used, or a 425 when none worked.
func (n *negotiator) negotiate(op *dataOp, verb string) string {
	if op.failed {
		return failReply
	}
	for {
		cands := n.book.candidates()
		if len(cands) == 0 {
			op.dataErr = &DataChannelError{Server: n.server, Mode: n.opts.Mode, Attempts: n.book.failures()}
			op.failed = true
			return failReply
		}
		m := cands[0]
		var err error
		if m.Passive() {
			// Once the method is known to work, do not wait for its reply.
			err = n.openPassive(op, m, n.pipelined && n.book.current() == m)
		} else {
			err = n.openActive(op, m)
		}
		if err == nil {
			op.method = m
			if verb == "PASV" {
				return okPASV
			}
			return okEPSV
		}
		n.flushAttempts(op)
		if n.ctl.broken() != nil {
			return failReply
		}
		n.log.Debug("data channel attempt failed", "method", m, "err", err)
		if c := n.book.candidates(); len(c) > 0 && c[0] == m {
			// A method that worked before failed once: the operation fails
			// and is retried; the method is given up after repeated failures.
			op.failed = true
			return failReply
		}
	}
}

// The replies the library is told when a data connection is ready: it
// "dials" the port named, and the transport hands it the connection it
// prepared, whatever the address.
const (
	okEPSV = "229 Entering Extended Passive Mode (|||1|)\r\n"
	okPASV = "227 Entering Passive Mode (127,0,0,1,0,1)\r\n"
)

// failReply is what the library is told when no data connection could be
// opened: an error it returns, and the operation is retried or fails.
const failReply = "425 ftpmirror: cannot open data connection\r\n"

// openPassive asks the server for a passive port and connects to it. When
// pipelined, it returns at once and the reply is read, and the port
// dialled, when the library reads its data command's reply.
func (n *negotiator) openPassive(op *dataOp, m Method, pipelined bool) error {
	pc := newPassiveConn(n, m)
	op.usePassive(pc)
	if err := n.ctl.ask(string(m), pc.resolve, !pipelined); err != nil {
		return err
	}
	if pipelined {
		op.prepared = pc
		return nil
	}
	_, err := pc.dialled()
	if a, ok := pc.takeAttempt(); ok {
		op.record(a)
	}
	if err != nil {
		return err
	}
	op.prepared = pc
	return nil
}

// passiveTarget reads the address a passive reply names: the control
// connection's peer, with the port from the reply. A PASV reply's own
// address is used only with TrustPASVIP; note tells when it differed.
func (n *negotiator) passiveTarget(m Method, r reply) (target, note string, err error) {
	var port int
	host := n.peer.IP.String()
	switch {
	case m == MethodEPSV && r.Code == 229:
		port, err = parseEPSV(r.Msg)
	case m == MethodPASV && r.Code == 227:
		var ip net.IP
		ip, port, err = parsePASV(r.Msg)
		if err == nil && !ip.Equal(n.peer.IP) {
			if n.opts.TrustPASVIP && !ip.IsUnspecified() {
				host = ip.String()
			} else {
				note = fmt.Sprintf("the server announced %s in its PASV reply; used the control connection's address %s instead", ip, host)
			}
		}
	default:
		err = r.err()
	}
	if err != nil {
		return "", "", err
	}
	return net.JoinHostPort(host, strconv.Itoa(port)), note, nil
}

// openActive listens for the server's data connection and names the port
// with EPRT or PORT.
func (n *negotiator) openActive(op *dataOp, m Method) error {
	start := time.Now()
	advertise := n.opts.ActiveAddr
	if advertise == nil {
		advertise = n.local.IP
	}
	if m == MethodPORT && advertise.To4() == nil {
		err := errors.New("PORT needs an IPv4 address")
		op.record(Attempt{Method: m, Stage: StageCommand, Err: err})
		return err
	}
	ln, err := listenActive(n.local.IP, n.opts.ActivePortLow, n.opts.ActivePortHigh)
	if err != nil {
		op.record(Attempt{Method: m, Stage: StageCommand, Err: fmt.Errorf("cannot listen for active mode: %w", err)})
		return err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	target := net.JoinHostPort(advertise.String(), strconv.Itoa(port))
	n.log.Debug("listening for the active data connection", "method", m, "listen", ln.Addr().String(), "advertise", target)
	r, err := n.command(activeCommand(m, advertise, port))
	if err != nil {
		_ = ln.Close()
		return err
	}
	if r.Code != 200 {
		_ = ln.Close()
		op.record(Attempt{Method: m, Stage: StageCommand, Err: r.err(), Duration: time.Since(start)})
		return r.err()
	}
	w := newActiveWait(ln, n.peer.IP, m, target, n.log)
	op.setActive(w)
	op.target = target
	op.prepared = &activeConn{w: w, n: n, op: op}
	return nil
}

// closePrepared closes a data connection prepared and never used.
func (n *negotiator) closePrepared(op *dataOp) {
	if op.prepared != nil {
		_ = op.prepared.Close()
		op.prepared = nil
	}
}

// flushAttempts tells the book the operation's data channel attempts.
func (n *negotiator) flushAttempts(op *dataOp) {
	for _, a := range op.takeAttempts() {
		n.book.record(a)
	}
}

// endData closes the books on the data channel of an operation: opErr is
// its error, nil on success. An operation whose replies fell out of step
// because the server mishandled commands sent ahead says nothing about the
// data channel: its attempts are not told to the book.
func (n *negotiator) endData(op *dataOp, opErr error) {
	op.mu.Lock()
	w, dc := op.active, op.current
	op.active, op.current = nil, nil
	op.mu.Unlock()
	if w != nil {
		w.cancel()
	}
	n.closePrepared(op)
	if op.passive != nil {
		if a, ok := op.passive.takeAttempt(); ok {
			op.record(a)
			op.target = a.Target
		}
	}
	if errors.Is(opErr, ErrSendAhead) {
		op.takeAttempts()
		if w != nil {
			_, _ = w.wait()
		}
		return
	}
	defer n.flushAttempts(op)
	if n.aborted.Load() {
		if w != nil {
			_, _ = w.wait()
		}
		return
	}
	if w != nil {
		if conn, acceptErr := w.wait(); conn == nil {
			err := acceptErr
			var tpe *textproto.Error
			if errors.As(opErr, &tpe) && tpe.Code >= 400 {
				err = tpe
			}
			if err == nil {
				err = errors.New("the server did not connect")
			}
			op.acceptErr = acceptErr
			op.record(Attempt{Method: w.method, Stage: StageAccept, Target: w.target, Err: err})
			return
		}
	}
	if dc != nil {
		if err := dc.failure(); err != nil {
			op.record(Attempt{Method: op.method, Stage: StageData, Target: op.target, Err: err})
		}
	}
}

// activeCommand formats EPRT (RFC 2428) or PORT (RFC 959).
func activeCommand(m Method, ip net.IP, port int) string {
	if m == MethodPORT {
		v4 := ip.To4()
		return fmt.Sprintf("PORT %d,%d,%d,%d,%d,%d", v4[0], v4[1], v4[2], v4[3], port>>8, port&0xff)
	}
	family := 2
	if ip.To4() != nil {
		family = 1
	}
	return fmt.Sprintf("EPRT |%d|%s|%d|", family, ip, port)
}

// parseEPSV reads the port of "229 Entering Extended Passive Mode (|||port|)";
// the delimiter may be any character (RFC 2428).
func parseEPSV(msg string) (int, error) {
	open := strings.IndexByte(msg, '(')
	if open < 0 || open+4 > len(msg) {
		return 0, fmt.Errorf("malformed EPSV reply %q", truncate(msg, 80))
	}
	d := msg[open+1]
	rest := msg[open+1:]
	if len(rest) < 4 || rest[1] != d || rest[2] != d {
		return 0, fmt.Errorf("malformed EPSV reply %q", truncate(msg, 80))
	}
	end := strings.IndexByte(rest[3:], d)
	if end < 0 {
		return 0, fmt.Errorf("malformed EPSV reply %q", truncate(msg, 80))
	}
	port, err := strconv.Atoi(rest[3 : 3+end])
	if err != nil || port <= 0 || port > 65535 {
		return 0, fmt.Errorf("malformed EPSV reply %q", truncate(msg, 80))
	}
	return port, nil
}

var pasvRE = regexp.MustCompile(`(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3})`)

// parsePASV reads "227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)", with or
// without the parentheses.
func parsePASV(msg string) (net.IP, int, error) {
	m := pasvRE.FindStringSubmatch(msg)
	if m == nil {
		return nil, 0, fmt.Errorf("malformed PASV reply %q", truncate(msg, 80))
	}
	var n [6]int
	for i := range n {
		v, _ := strconv.Atoi(m[i+1])
		if v > 255 {
			return nil, 0, fmt.Errorf("malformed PASV reply %q", truncate(msg, 80))
		}
		n[i] = v
	}
	port := n[4]<<8 | n[5]
	if port == 0 {
		return nil, 0, fmt.Errorf("PASV reply names port 0")
	}
	return net.IPv4(byte(n[0]), byte(n[1]), byte(n[2]), byte(n[3])), port, nil
}
