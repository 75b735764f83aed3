package ftpproxy

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

const (
	maxLine  = 64 << 10 // longest command or reply line relayed
	maxReply = 1 << 20  // largest multi-line reply relayed
)

var errTooLong = errors.New("ftpproxy: line too long")

// session is one relayed control connection.
type session struct {
	p                  *Proxy
	client, server     net.Conn
	cr, sr             *bufio.Reader
	toClient, toServer *link

	authPending atomic.Bool // AUTH forwarded, its reply not yet seen
	authResult  chan int    // the reply code to AUTH, for clientLoop
	serverDone  chan struct{}
	leave       func() // frees the MaxConns slot; idempotent
}

// serveControl relays one control connection until either side ends it.
// leave frees the connection's MaxConns slot.
func (p *Proxy) serveControl(client net.Conn, leave func()) {
	defer p.release(client)
	server, err := p.dial(p.opts.Upstream)
	if err != nil {
		p.opts.Logger.Debug("ftpproxy: upstream", "err", err)
		_ = client.SetWriteDeadline(time.Now().Add(time.Second))
		_, _ = io.WriteString(client, "421 proxy: upstream unavailable\r\n")
		return
	}
	defer p.release(server)
	s := &session{
		p:          p,
		client:     client,
		server:     server,
		cr:         bufio.NewReader(client),
		sr:         bufio.NewReader(server),
		toClient:   p.newLink(client),
		toServer:   p.newLink(server),
		authResult: make(chan int, 1),
		serverDone: make(chan struct{}),
		leave:      leave,
	}
	clientDone := make(chan struct{})
	if !p.spawn(func() {
		defer close(clientDone)
		s.clientLoop()
	}) {
		return
	}
	s.serverLoop()
	_ = s.toClient.Close() // deliver the last replies before closing
	close(s.serverDone)
	p.release(client)
	p.release(server)
	<-clientDone
}

// clientLoop relays commands to the server, answering or rewriting the
// data-channel ones. It ends when the client closes, and then half-closes
// the server connection.
func (s *session) clientLoop() {
	defer func() {
		_ = s.toServer.Close()
		if tc, ok := s.server.(interface{ CloseWrite() error }); ok {
			_ = tc.CloseWrite()
		}
	}()
	o := &s.p.opts
	for {
		line, err := readLine(s.cr)
		if err != nil {
			return
		}
		verb := verbOf(line)
		s.p.recordVerb(verb)
		out := line
		switch verb {
		case "EPSV", "PASV":
			if o.RejectPassive {
				s.reply("500 proxy: passive mode rejected\r\n")
				continue
			}
		case "EPRT", "PORT":
			if o.RejectActive {
				s.reply("500 proxy: active mode rejected\r\n")
				continue
			}
			rewritten, reply := s.p.activeCommand(verb, line)
			if reply != "" {
				s.reply(reply)
				continue
			}
			out = rewritten
		case "AUTH":
			s.authPending.Store(true)
		case "QUIT":
			s.leave()
		}
		if _, err := s.toServer.Write([]byte(out)); err != nil {
			return
		}
		if verb != "AUTH" {
			continue
		}
		select {
		case code := <-s.authResult:
			if code == 234 {
				// TLS from here on: nothing more can be read.
				s.p.pump(s.toServer, s.server, s.cr, nil)
				return
			}
		case <-s.serverDone:
			return
		}
	}
}

// serverLoop relays whole replies to the client, rewriting passive ones.
// It ends when the server closes.
func (s *session) serverLoop() {
	for {
		reply, code, err := readReply(s.sr)
		if err != nil {
			return
		}
		if code == 227 || code == 229 {
			reply = s.p.passiveReply(code, reply)
		}
		if _, err := s.toClient.Write(reply); err != nil {
			return
		}
		if s.authPending.CompareAndSwap(true, false) {
			s.authResult <- code
			if code == 234 {
				s.p.pump(s.toClient, s.client, s.sr, nil)
				return
			}
		}
	}
}

// reply answers the client on the proxy's own behalf.
func (s *session) reply(msg string) {
	_, _ = s.toClient.Write([]byte(msg))
}

// readLine reads one line, with its line ending.
func readLine(r *bufio.Reader) (string, error) {
	var buf []byte
	for {
		frag, err := r.ReadSlice('\n')
		buf = append(buf, frag...)
		switch {
		case err == nil:
			return string(buf), nil
		case !errors.Is(err, bufio.ErrBufferFull):
			return "", err
		case len(buf) > maxLine:
			return "", errTooLong
		}
	}
}

// readReply reads one whole reply: a single line "123 text", or the lines
// from "123-text" to the next line starting with "123 ". code is 0 when the
// line does not start with three digits.
func readReply(r *bufio.Reader) (reply []byte, code int, err error) {
	first, err := readLine(r)
	if err != nil {
		return nil, 0, err
	}
	if len(first) >= 3 {
		if c, err := strconv.Atoi(first[:3]); err == nil && c >= 100 && c <= 999 {
			code = c
		}
	}
	reply = []byte(first)
	if code == 0 || len(first) < 4 || first[3] != '-' {
		return reply, code, nil
	}
	end := first[:3] + " "
	for {
		line, err := readLine(r)
		if err != nil {
			return nil, 0, err
		}
		reply = append(reply, line...)
		if strings.HasPrefix(line, end) {
			return reply, code, nil
		}
		if len(reply) > maxReply {
			return nil, 0, errTooLong
		}
	}
}

var (
	// (|||port|), with any delimiter.
	epsvReply = regexp.MustCompile(`\(([^0-9])([^0-9])([^0-9])([0-9]{1,5})([^0-9])\)`)
	// h1,h2,h3,h4,p1,p2
	pasvReply = regexp.MustCompile(`([0-9]{1,3}),([0-9]{1,3}),([0-9]{1,3}),([0-9]{1,3}),([0-9]{1,3}),([0-9]{1,3})`)
)

// passiveReply rewrites a 229 or 227 reply to name the port chosen by the
// passive fault. A reply it cannot parse goes through unchanged.
func (p *Proxy) passiveReply(code int, reply []byte) []byte {
	line := string(reply)
	if code == 229 {
		m := epsvReply.FindStringSubmatchIndex(line)
		if m == nil {
			return reply
		}
		port, _ := strconv.Atoi(line[m[8]:m[9]])
		newPort, err := p.passivePort(port)
		if err != nil {
			return []byte("425 proxy: " + err.Error() + "\r\n")
		}
		return []byte(line[:m[8]] + strconv.Itoa(newPort) + line[m[9]:])
	}
	m := pasvReply.FindStringSubmatchIndex(line)
	if m == nil {
		return reply
	}
	p1, _ := strconv.Atoi(line[m[10]:m[11]])
	p2, _ := strconv.Atoi(line[m[12]:m[13]])
	newPort, err := p.passivePort(p1*256 + p2)
	if err != nil {
		return []byte("425 proxy: " + err.Error() + "\r\n")
	}
	host := "127,0,0,1"
	if p.opts.PASVAddress != "" {
		host = strings.ReplaceAll(net.ParseIP(p.opts.PASVAddress).To4().String(), ".", ",")
	}
	return []byte(fmt.Sprintf("%s%s,%d,%d%s", line[:m[0]], host, newPort/256, newPort%256, line[m[1]:]))
}

// passivePort returns the port to announce for the server's data port. The
// server's data port is always dialled on the upstream host: the host a
// server announces is never used.
func (p *Proxy) passivePort(serverPort int) (int, error) {
	switch p.opts.Passive {
	case PassiveRefuse:
		return p.refuse.port, nil
	case PassiveBlackhole:
		return p.blackhole.port, nil
	}
	return p.relay(net.JoinHostPort(p.upstreamHost, strconv.Itoa(serverPort)))
}

// activeCommand rewrites a client's EPRT or PORT to name a relay listener
// of the proxy, keeping the verb. On failure it returns the reply to give
// the client instead.
func (p *Proxy) activeCommand(verb, line string) (out, reply string) {
	arg := strings.TrimSpace(strings.TrimRight(line, "\r\n")[len(verb):])
	target, err := parseActive(verb, arg)
	if err != nil {
		return "", "501 proxy: " + err.Error() + "\r\n"
	}
	port, err := p.relay(target)
	if err != nil {
		return "", "425 proxy: cannot open active relay\r\n"
	}
	if verb == "EPRT" {
		return fmt.Sprintf("EPRT |1|127.0.0.1|%d|\r\n", port), ""
	}
	return fmt.Sprintf("PORT 127,0,0,1,%d,%d\r\n", port/256, port%256), ""
}

// parseActive returns the client's data address from an EPRT or PORT
// argument. Only loopback addresses are accepted.
func parseActive(verb, arg string) (string, error) {
	var host string
	var port int
	if verb == "EPRT" {
		if arg == "" {
			return "", errors.New("bad EPRT argument")
		}
		parts := strings.Split(arg, arg[:1])
		if len(parts) != 5 || parts[0] != "" || parts[4] != "" {
			return "", errors.New("bad EPRT argument")
		}
		ip := net.ParseIP(parts[2])
		if ip == nil || (parts[1] == "1") != (ip.To4() != nil) || (parts[1] != "1" && parts[1] != "2") {
			return "", errors.New("bad EPRT address")
		}
		host = ip.String()
		var err error
		if port, err = strconv.Atoi(parts[3]); err != nil {
			return "", errors.New("bad EPRT port")
		}
	} else {
		nums := strings.Split(arg, ",")
		if len(nums) != 6 {
			return "", errors.New("bad PORT argument")
		}
		var b [6]int
		for i, s := range nums {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || n < 0 || n > 255 {
				return "", errors.New("bad PORT argument")
			}
			b[i] = n
		}
		host = fmt.Sprintf("%d.%d.%d.%d", b[0], b[1], b[2], b[3])
		port = b[4]*256 + b[5]
	}
	if port < 1 || port > 65535 {
		return "", errors.New("bad port")
	}
	if ip := net.ParseIP(host); !ip.IsLoopback() {
		return "", errors.New("active address must be loopback")
	}
	return net.JoinHostPort(host, strconv.Itoa(port)), nil
}
