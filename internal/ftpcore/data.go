package ftpcore

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// dataSource is how the next data connection is made: a passive listener
// or an active target.
type dataSource struct {
	ln     net.Listener // EPSV/PASV
	target string       // EPRT/PORT: "127.0.0.1:port"
}

// DropData forgets the pending data connection, closing its listener.
func (ss *Session) DropData() {
	if ss.data.ln != nil {
		ss.srv.untrack(ss.data.ln)
		_ = ss.data.ln.Close()
	}
	ss.data = dataSource{}
}

// Passive answers EPSV or PASV: it opens a data listener on 127.0.0.1 and
// announces it.
func (ss *Session) Passive(verb string) bool {
	ss.DropData()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return ss.Reply("425 Cannot listen for data")
	}
	if !ss.srv.track(ln) {
		_ = ln.Close()
		return false
	}
	ss.data.ln = ln
	port := ln.Addr().(*net.TCPAddr).Port
	if verb == "PASV" {
		return ss.Reply("227 Entering Passive Mode (127,0,0,1,%d,%d)", port>>8, port&0xff)
	}
	return ss.Reply("229 Entering Extended Passive Mode (|||%d|)", port)
}

// Active answers EPRT or PORT: it takes the client's address; only the
// client's own loopback address is accepted.
func (ss *Session) Active(verb, arg string) bool {
	ss.DropData()
	host, port, err := parseActive(verb, arg)
	if err != nil {
		return ss.Reply("501 %v", err)
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() || (ss.Peer != nil && !ip.Equal(ss.Peer)) {
		return ss.Reply("504 Data connections go only to the client's own address")
	}
	ss.data.target = net.JoinHostPort(host, strconv.Itoa(port))
	return ss.Reply("200 %s command successful", verb)
}

// parseActive reads "|1|127.0.0.1|port|" (EPRT) or "h1,h2,h3,h4,p1,p2"
// (PORT).
func parseActive(verb, arg string) (string, int, error) {
	if verb == "EPRT" {
		if len(arg) < 2 {
			return "", 0, errors.New("bad EPRT argument")
		}
		f := strings.Split(arg[1:len(arg)-1], arg[:1])
		if len(f) != 3 || f[0] != "1" {
			return "", 0, errors.New("only IPv4 EPRT is served")
		}
		p, err := strconv.Atoi(f[2])
		if err != nil || p < 1 || p > 65535 {
			return "", 0, errors.New("bad EPRT port")
		}
		return f[1], p, nil
	}
	f := strings.Split(arg, ",")
	if len(f) != 6 {
		return "", 0, errors.New("bad PORT argument")
	}
	var n [6]int
	for i, s := range f {
		v, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || v < 0 || v > 255 {
			return "", 0, errors.New("bad PORT argument")
		}
		n[i] = v
	}
	return fmt.Sprintf("%d.%d.%d.%d", n[0], n[1], n[2], n[3]), n[4]<<8 | n[5], nil
}

// open makes the data connection of the pending EPSV/PASV/EPRT/PORT.
func (ss *Session) open() (net.Conn, error) {
	d := ss.data
	ss.data = dataSource{}
	timeout := ss.srv.opts.DataTimeout
	switch {
	case d.ln != nil:
		defer func() { ss.srv.untrack(d.ln); _ = d.ln.Close() }()
		deadline := time.Now().Add(timeout)
		for {
			_ = d.ln.(*net.TCPListener).SetDeadline(deadline)
			c, err := d.ln.Accept()
			if err != nil {
				return nil, err
			}
			if a, ok := c.RemoteAddr().(*net.TCPAddr); ok && (ss.Peer == nil || a.IP.Equal(ss.Peer)) {
				return c, nil
			}
			_ = c.Close() // not our client
		}
	case d.target != "":
		return net.DialTimeout("tcp", d.target, timeout)
	}
	return nil, errors.New("no EPSV, PASV, EPRT or PORT before the transfer")
}

// Transfer runs one data transfer: it says 150, makes the data connection
// of the last EPSV, PASV, EPRT or PORT, lets send write to it, closes it
// and sends the final reply send returns. An empty reply means the server
// is closing. It returns false when the session must end.
func (ss *Session) Transfer(send func(dc net.Conn) string) bool {
	if ss.data.ln == nil && ss.data.target == "" {
		return ss.Reply("425 Use EPSV, PASV, EPRT or PORT first")
	}
	if !ss.Reply("150 Opening BINARY mode data connection") {
		return false
	}
	dc, err := ss.open()
	if err != nil {
		if ss.srv.Closed() {
			return false
		}
		return ss.Reply("425 Cannot open data connection")
	}
	if !ss.srv.track(dc) {
		_ = dc.Close()
		return false
	}
	if t := ss.srv.opts.IdleTimeout; t > 0 {
		_ = dc.SetDeadline(time.Now().Add(t))
	}
	msg := send(dc)
	ss.srv.untrack(dc)
	_ = dc.Close()
	if msg == "" || ss.srv.Closed() {
		return false
	}
	return ss.Reply("%s", msg)
}
