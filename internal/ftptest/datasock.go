package ftptest

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	ftpserver "goftp.io/server/v2"
)

// goftp's own data channel listens for PASV/EPSV on all interfaces, ties
// data TLS to AUTH TLS rather than to PROT (so PROT C still gets TLS), and
// never uses TLS for PORT/EPRT. These commands replace it:
//
//   - PASV and EPSV listen on 127.0.0.1 only and accept one connection from
//     the client's address within dataAcceptTimeout.
//   - PORT and EPRT accept only the client's own address (as vsftpd's
//     port_promiscuous=NO) and connect when the transfer starts, as most
//     servers do.
//   - PBSZ and PROT need a TLS control connection; data connections are TLS
//     (server side, same tls.Config, so clients can resume the control
//     session) exactly when PROT P is in force.
const (
	dataAcceptTimeout = 30 * time.Second
	dataDialTimeout   = 10 * time.Second
	protKey           = "ftptest.prot" // Session.Data key: "P" or "C"
)

type dataCmds struct {
	tls *tls.Config // nil without TLS
}

func (d dataCmds) install(t map[string]ftpserver.Command) {
	t["PASV"] = passiveCmd{d: d}
	t["EPSV"] = passiveCmd{d: d, extended: true}
	t["PORT"] = activeCmd{d: d}
	t["EPRT"] = activeCmd{d: d, extended: true}
	t["PBSZ"] = pbszCmd{}
	t["PROT"] = protCmd{}
}

// dataTLS returns the config for the session's data connections, or nil.
func (d dataCmds) dataTLS(sess *ftpserver.Session) *tls.Config {
	if d.tls == nil || !sessionTLS(sess) || sess.Data[protKey] != "P" {
		return nil
	}
	return d.tls
}

func setDataConn(sess *ftpserver.Session, s *dataSocket) {
	if old := sess.DataConn(); old != nil {
		_ = old.Close()
	}
	if s == nil {
		mustSet(sess, "dataConn", nil)
		return
	}
	mustSet(sess, "dataConn", ftpserver.DataSocket(s))
}

func remoteIP(sess *ftpserver.Session) net.IP {
	if a, ok := sess.RemoteAddr().(*net.TCPAddr); ok {
		return a.IP
	}
	return nil
}

type passiveCmd struct {
	cmdBase
	d        dataCmds
	extended bool
}

func (c passiveCmd) IsExtend() bool     { return c.extended }
func (c passiveCmd) RequireParam() bool { return false }

func (c passiveCmd) Execute(sess *ftpserver.Session, param string) {
	if c.extended && param != "" && param != "1" && !strings.EqualFold(param, "ALL") {
		sess.WriteMessage(522, "Network protocol not supported, use (1)")
		return
	}
	if c.extended && strings.EqualFold(param, "ALL") {
		sess.WriteMessage(200, "EPSV ALL ok.")
		return
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		sess.WriteMessage(425, "Can't open passive connection.")
		return
	}
	port := ln.Addr().(*net.TCPAddr).Port
	s := newDataSocket("127.0.0.1", port)
	setDataConn(sess, s)
	go s.accept(ln, remoteIP(sess), c.d.dataTLS(sess))
	if c.extended {
		sess.WriteMessage(229, fmt.Sprintf("Entering Extended Passive Mode (|||%d|)", port))
		return
	}
	sess.WriteMessage(227, fmt.Sprintf("Entering Passive Mode (127,0,0,1,%d,%d).", port/256, port%256))
}

type activeCmd struct {
	cmdBase
	d        dataCmds
	extended bool
}

func (c activeCmd) IsExtend() bool { return c.extended }

func (c activeCmd) Execute(sess *ftpserver.Session, param string) {
	var host string
	var port int
	var ok bool
	if c.extended {
		host, port, ok = parseEPRT(param)
	} else {
		host, port, ok = parsePORT(param)
	}
	if !ok {
		sess.WriteMessage(501, "Illegal "+map[bool]string{true: "EPRT", false: "PORT"}[c.extended]+" command.")
		return
	}
	if ip := net.ParseIP(host); ip == nil || !ip.Equal(remoteIP(sess)) {
		sess.WriteMessage(500, "Illegal PORT command: address is not the client's.")
		return
	}
	s := newDataSocket(host, port)
	setDataConn(sess, s)
	s.dialLazily(net.JoinHostPort(host, strconv.Itoa(port)), c.d.dataTLS(sess))
	sess.WriteMessage(200, "PORT command successful. Consider using PASV.")
}

func parsePORT(param string) (string, int, bool) {
	f := strings.Split(strings.TrimSpace(param), ",")
	if len(f) != 6 {
		return "", 0, false
	}
	var n [6]int
	for i, s := range f {
		v, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || v < 0 || v > 255 {
			return "", 0, false
		}
		n[i] = v
	}
	port := n[4]*256 + n[5]
	return fmt.Sprintf("%d.%d.%d.%d", n[0], n[1], n[2], n[3]), port, port > 0
}

func parseEPRT(param string) (string, int, bool) {
	if len(param) < 2 {
		return "", 0, false
	}
	f := strings.Split(param, param[:1])
	if len(f) != 5 || (f[1] != "1" && f[1] != "2") {
		return "", 0, false
	}
	port, err := strconv.Atoi(f[3])
	if err != nil || port <= 0 || port > 65535 || net.ParseIP(f[2]) == nil {
		return "", 0, false
	}
	return f[2], port, true
}

type pbszCmd struct{ cmdBase }

func (pbszCmd) RequireAuth() bool { return false }

func (pbszCmd) Execute(sess *ftpserver.Session, param string) {
	if !sessionTLS(sess) {
		sess.WriteMessage(503, "PBSZ needs a secure connection.")
		return
	}
	sess.WriteMessage(200, "PBSZ set to 0.")
}

type protCmd struct{ cmdBase }

func (protCmd) RequireAuth() bool { return false }

func (protCmd) Execute(sess *ftpserver.Session, param string) {
	if !sessionTLS(sess) {
		sess.WriteMessage(503, "PROT needs a secure connection.")
		return
	}
	switch p := strings.ToUpper(strings.TrimSpace(param)); p {
	case "P", "C":
		sess.Data[protKey] = p
		sess.WriteMessage(200, "PROT now "+map[string]string{"P": "Private.", "C": "Clear."}[p])
	default:
		sess.WriteMessage(536, "PROT level not supported.")
	}
}

// dataSocket is one data connection, established in the background
// (passive accept) or on first use (active connect). Reads and writes wait
// for it.
type dataSocket struct {
	host string
	port int

	ready chan struct{} // closed once conn or err is set
	dial  func() (net.Conn, error)

	mu     sync.Mutex
	conn   net.Conn
	err    error
	ln     net.Listener
	closed bool
	once   sync.Once
}

var _ ftpserver.DataSocket = (*dataSocket)(nil)

func newDataSocket(host string, port int) *dataSocket {
	return &dataSocket{host: host, port: port, ready: make(chan struct{})}
}

func (s *dataSocket) Host() string { return s.host }
func (s *dataSocket) Port() int    { return s.port }

func (s *dataSocket) settle(c net.Conn, err error) {
	s.mu.Lock()
	if s.closed && c != nil {
		c.Close()
		c, err = nil, net.ErrClosed
	}
	s.conn, s.err = c, err
	s.mu.Unlock()
	close(s.ready)
}

func (s *dataSocket) accept(ln net.Listener, peer net.IP, conf *tls.Config) {
	s.mu.Lock()
	s.ln = ln
	closed := s.closed
	s.mu.Unlock()
	defer ln.Close()
	if closed {
		s.settle(nil, net.ErrClosed)
		return
	}
	_ = ln.(*net.TCPListener).SetDeadline(time.Now().Add(dataAcceptTimeout))
	for {
		c, err := ln.Accept()
		if err != nil {
			s.settle(nil, err)
			return
		}
		if a, ok := c.RemoteAddr().(*net.TCPAddr); ok && peer != nil && !a.IP.Equal(peer) {
			c.Close() // not our client
			continue
		}
		if conf != nil {
			c = tls.Server(c, conf)
		}
		s.settle(c, nil)
		return
	}
}

func (s *dataSocket) dialLazily(addr string, conf *tls.Config) {
	s.dial = func() (net.Conn, error) {
		c, err := net.DialTimeout("tcp", addr, dataDialTimeout)
		if err != nil {
			return nil, err
		}
		if conf != nil {
			return tls.Server(c, conf), nil
		}
		return c, nil
	}
}

func (s *dataSocket) get() (net.Conn, error) {
	if s.dial != nil {
		s.once.Do(func() { s.settle(s.dial()) })
	}
	<-s.ready
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed && s.err == nil {
		return nil, net.ErrClosed
	}
	return s.conn, s.err
}

func (s *dataSocket) Read(p []byte) (int, error) {
	c, err := s.get()
	if err != nil {
		return 0, err
	}
	return c.Read(p)
}

func (s *dataSocket) Write(p []byte) (int, error) {
	c, err := s.get()
	if err != nil {
		return 0, err
	}
	return c.Write(p)
}

func (s *dataSocket) ReadFrom(r io.Reader) (int64, error) {
	c, err := s.get()
	if err != nil {
		return 0, err
	}
	return io.Copy(c, r)
}

func (s *dataSocket) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if s.ln != nil {
		s.ln.Close()
	}
	if s.conn != nil {
		if tc, ok := s.conn.(*tls.Conn); ok {
			// An empty transfer never wrote, so the handshake never ran:
			// run it, as real servers do before any transfer, or the
			// client sees its handshake cut by a reset.
			_ = tc.SetDeadline(time.Now().Add(2 * time.Second))
			_ = tc.Handshake()
		}
		return s.conn.Close()
	}
	return nil
}
