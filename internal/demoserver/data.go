package demoserver

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
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

// dropData forgets the pending data connection.
func (ss *session) dropData() {
	if ss.data.ln != nil {
		ss.s.untrack(ss.data.ln)
		_ = ss.data.ln.Close()
	}
	ss.data = dataSource{}
}

// passive opens a data listener on 127.0.0.1 and announces it.
func (ss *session) passive(verb string) bool {
	ss.dropData()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return ss.reply("425 Cannot listen for data")
	}
	if !ss.s.track(ln) {
		_ = ln.Close()
		return false
	}
	ss.data.ln = ln
	port := ln.Addr().(*net.TCPAddr).Port
	if verb == "PASV" {
		return ss.reply("227 Entering Passive Mode (127,0,0,1,%d,%d)", port>>8, port&0xff)
	}
	return ss.reply("229 Entering Extended Passive Mode (|||%d|)", port)
}

// active takes the client's address from EPRT or PORT; only the client's
// own loopback address is accepted.
func (ss *session) active(verb, arg string) bool {
	ss.dropData()
	host, port, err := parseActive(verb, arg)
	if err != nil {
		return ss.reply("501 %v", err)
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() || (ss.peer != nil && !ip.Equal(ss.peer)) {
		return ss.reply("504 Data connections go only to the client's own address")
	}
	ss.data.target = net.JoinHostPort(host, strconv.Itoa(port))
	return ss.reply("200 %s command successful", verb)
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
func (ss *session) open() (net.Conn, error) {
	d := ss.data
	ss.data = dataSource{}
	timeout := ss.s.opts.DataTimeout
	switch {
	case d.ln != nil:
		defer func() { ss.s.untrack(d.ln); _ = d.ln.Close() }()
		deadline := time.Now().Add(timeout)
		for {
			_ = d.ln.(*net.TCPListener).SetDeadline(deadline)
			c, err := d.ln.Accept()
			if err != nil {
				return nil, err
			}
			if a, ok := c.RemoteAddr().(*net.TCPAddr); ok && (ss.peer == nil || a.IP.Equal(ss.peer)) {
				return c, nil
			}
			_ = c.Close() // not our client
		}
	case d.target != "":
		return net.DialTimeout("tcp", d.target, timeout)
	}
	return nil, errors.New("no EPSV, PASV, EPRT or PORT before the transfer")
}

// transfer runs one data transfer: 150, the data connection, send, and the
// final reply.
func (ss *session) transfer(send func(w io.Writer) error) bool {
	if ss.data.ln == nil && ss.data.target == "" {
		return ss.reply("425 Use EPSV, PASV, EPRT or PORT first")
	}
	if !ss.reply("150 Opening BINARY mode data connection") {
		return false
	}
	dc, err := ss.open()
	if err != nil {
		if ss.s.isClosed() {
			return false
		}
		return ss.reply("425 Cannot open data connection")
	}
	if !ss.s.track(dc) {
		_ = dc.Close()
		return false
	}
	_ = dc.SetDeadline(time.Now().Add(ss.s.opts.IdleTimeout))
	bw := bufio.NewWriterSize(dc, 64<<10)
	err = send(bw)
	if err == nil {
		err = bw.Flush()
	}
	ss.s.untrack(dc)
	cerr := dc.Close()
	if ss.s.isClosed() {
		return false
	}
	if err != nil || cerr != nil {
		return ss.reply("426 Transfer aborted")
	}
	return ss.reply("226 Transfer complete")
}

// list serves LIST, NLST or MLSD of a directory.
func (ss *session) list(verb, arg string) bool {
	if verb != "MLSD" {
		for strings.HasPrefix(arg, "-") { // options such as "-a"
			_, arg, _ = strings.Cut(arg, " ")
		}
	}
	dir := ss.resolve(arg)
	f, err := ss.s.root.Open(rootName(dir))
	if err != nil {
		return ss.reply("550 No such directory")
	}
	entries, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		return ss.reply("550 Not a directory")
	}
	now := time.Now()
	return ss.transfer(func(w io.Writer) error {
		for _, e := range entries {
			fi, err := e.Info()
			if err != nil || !fi.IsDir() && !fi.Mode().IsRegular() {
				continue // gone meanwhile, or neither file nor directory
			}
			var line string
			switch verb {
			case "MLSD":
				line = mlsdFacts(fi) + " " + e.Name()
			case "NLST":
				line = e.Name()
			default:
				line = listLine(fi, now)
			}
			if _, err := io.WriteString(w, line+"\r\n"); err != nil {
				return err
			}
		}
		return nil
	})
}

// mlsdFacts are the MLSD facts of an entry, with the trailing ';'.
func mlsdFacts(fi fs.FileInfo) string {
	mod := fi.ModTime().UTC().Format("20060102150405")
	if fi.IsDir() {
		return "type=dir;modify=" + mod + ";perm=el;"
	}
	return fmt.Sprintf("type=file;size=%d;modify=%s;perm=r;", fi.Size(), mod)
}

// listLine is an "ls -l" line, as most servers write LIST.
func listLine(fi fs.FileInfo, now time.Time) string {
	mode := "-rw-r--r--"
	if fi.IsDir() {
		mode = "drwxr-xr-x"
	}
	t := fi.ModTime().UTC()
	when := t.Format("Jan _2 15:04")
	if d := now.Sub(t); d > 180*24*time.Hour || d < -time.Hour {
		when = t.Format("Jan _2  2006")
	}
	return fmt.Sprintf("%s 1 ftp ftp %12d %s %s", mode, fi.Size(), when, fi.Name())
}

// retr serves a file from the REST offset.
func (ss *session) retr(p string) bool {
	rest := ss.rest
	ss.rest = 0
	f, err := ss.s.root.Open(rootName(p))
	if err != nil {
		return ss.reply("550 No such file")
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return ss.reply("550 Not a plain file")
	}
	if rest > fi.Size() {
		return ss.reply("551 Offset beyond the end of the file")
	}
	return ss.transfer(func(w io.Writer) error {
		_, err := io.Copy(w, io.NewSectionReader(f, rest, fi.Size()-rest))
		return err
	})
}
