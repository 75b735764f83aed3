package mirror

import (
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// negotiate opens a data channel with the methods the book allows and
// returns the reply the library gets for its EPSV or PASV: a synthetic
// success whatever method was used, or a 425 when none worked.
func (t *transport) negotiate(op *dataOp, verb string) string {
	t.closePrepared(op)
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
	if op.failed {
		return failReply
	}
	for {
		cands := t.book.candidates()
		if len(cands) == 0 {
			op.dataErr = &DataChannelError{Server: t.server, Mode: t.opts.Mode, Attempts: t.book.failures()}
			op.failed = true
			return failReply
		}
		m := cands[0]
		var err error
		if m.Passive() {
			// Once the method is known to work, do not wait for its reply.
			err = t.openPassive(op, m, t.pipe.pipeline && t.book.current() == m)
		} else {
			err = t.openActive(op, m)
		}
		if err == nil {
			op.method = m
			if verb == "PASV" {
				return okPASV
			}
			return okEPSV
		}
		t.flushAttempts(op)
		if t.w.err() != nil {
			return failReply
		}
		t.log.Debug("data channel attempt failed", "method", m, "err", err)
		if c := t.book.candidates(); len(c) > 0 && c[0] == m {
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
func (t *transport) openPassive(op *dataOp, m Method, pipelined bool) error {
	if !pipelined {
		if err := t.settle(); err != nil {
			return err
		}
	}
	pc := newPassiveConn(t, m)
	op.usePassive(pc)
	e, err := t.sendOwn(string(m), maxReplyLines, false, pc.resolve)
	if err != nil {
		return err
	}
	if pipelined {
		op.prepared = pc
		return nil
	}
	if err := t.await(e); err != nil {
		return err
	}
	_, err = pc.dialled()
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
func (t *transport) passiveTarget(m Method, r reply) (target, note string, err error) {
	var port int
	host := t.peer.IP.String()
	switch {
	case m == MethodEPSV && r.Code == 229:
		port, err = parseEPSV(r.Msg)
	case m == MethodPASV && r.Code == 227:
		var ip net.IP
		ip, port, err = parsePASV(r.Msg)
		if err == nil && !ip.Equal(t.peer.IP) {
			if t.opts.TrustPASVIP && !ip.IsUnspecified() {
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
func (t *transport) openActive(op *dataOp, m Method) error {
	start := time.Now()
	advertise := t.opts.ActiveAddr
	if advertise == nil {
		advertise = t.local.IP
	}
	if m == MethodPORT && advertise.To4() == nil {
		err := errors.New("PORT needs an IPv4 address")
		op.record(Attempt{Method: m, Stage: StageCommand, Err: err})
		return err
	}
	ln, err := listenActive(t.local.IP, t.opts.ActivePortLow, t.opts.ActivePortHigh)
	if err != nil {
		op.record(Attempt{Method: m, Stage: StageCommand, Err: fmt.Errorf("cannot listen for active mode: %w", err)})
		return err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	target := net.JoinHostPort(advertise.String(), strconv.Itoa(port))
	t.log.Debug("listening for the active data connection", "method", m, "listen", ln.Addr().String(), "advertise", target)
	r, err := t.command(activeCommand(m, advertise, port))
	if err != nil {
		_ = ln.Close()
		return err
	}
	if r.Code != 200 {
		_ = ln.Close()
		op.record(Attempt{Method: m, Stage: StageCommand, Err: r.err(), Duration: time.Since(start)})
		return r.err()
	}
	w := newActiveWait(ln, t.peer.IP, m, target, t.log)
	op.setActive(w)
	op.target = target
	op.prepared = &activeConn{w: w, t: t, op: op}
	return nil
}

// closePrepared closes a data connection prepared and never used.
func (t *transport) closePrepared(op *dataOp) {
	if op.prepared != nil {
		_ = op.prepared.Close()
		op.prepared = nil
	}
}

// flushAttempts tells the book the operation's data channel attempts.
func (t *transport) flushAttempts(op *dataOp) {
	for _, a := range op.takeAttempts() {
		t.book.record(a)
	}
}

// endData closes the books on the data channel of an operation: opErr is
// its error, nil on success. An operation whose replies fell out of step
// because the server mishandled commands sent ahead says nothing about the
// data channel: its attempts are not told to the book.
func (t *transport) endData(op *dataOp, opErr error) {
	op.mu.Lock()
	w, dc := op.active, op.current
	op.active, op.current = nil, nil
	op.mu.Unlock()
	if w != nil {
		w.cancel()
	}
	t.closePrepared(op)
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
	defer t.flushAttempts(op)
	if t.w.aborted.Load() {
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
