package hostileftp

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// passive opens a data listener on 127.0.0.1 and announces it.
func (ss *session) passive(verb string) bool {
	ss.closeData()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return ss.reply("425 Cannot listen for data")
	}
	if !ss.s.track(ln) {
		_ = ln.Close()
		return false
	}
	ss.pasv = ln
	port := ln.Addr().(*net.TCPAddr).Port
	if verb == "PASV" {
		return ss.reply("227 Entering Passive Mode (127,0,0,1,%d,%d)", port>>8, port&0xff)
	}
	return ss.reply("229 Entering Extended Passive Mode (|||%d|)", port)
}

// closeData closes the data listener, if one is open.
func (ss *session) closeData() {
	if ss.pasv != nil {
		ss.s.untrack(ss.pasv)
		_ = ss.pasv.Close()
		ss.pasv = nil
	}
}

// transfer runs one data transfer: it says 150, takes the client's
// connection on the listener of the last EPSV or PASV, lets send write to it
// and sends the final reply send returns. An empty reply means the server is
// closing: the session ends.
func (ss *session) transfer(send func(dc net.Conn) string) bool {
	ln := ss.pasv
	if ln == nil {
		return ss.reply("425 Use EPSV or PASV first")
	}
	defer ss.closeData() // one listener per transfer
	if !ss.reply("150 Opening data connection") {
		return false
	}
	_ = ln.(*net.TCPListener).SetDeadline(time.Now().Add(ss.s.opts.AcceptTimeout))
	dc, err := ln.Accept()
	if err != nil {
		if ss.s.isClosed() {
			return false
		}
		return ss.reply("425 No data connection")
	}
	if !ss.s.track(dc) {
		_ = dc.Close()
		return false
	}
	ss.s.countData()
	msg := send(dc)
	ss.s.untrack(dc)
	_ = dc.Close()
	if msg == "" || ss.s.isClosed() {
		return false
	}
	return ss.reply("%s", msg)
}

// list serves LIST, NLST or MLSD of a directory.
func (ss *session) list(verb, arg string) bool {
	if verb != "MLSD" {
		// LIST and NLST take options, such as "-a", before the path.
		for strings.HasPrefix(arg, "-") {
			_, arg, _ = strings.Cut(arg, " ")
		}
	}
	dir := ss.resolve(arg)
	if dir == ss.s.opts.InfiniteListing {
		return ss.transfer(func(dc net.Conn) string { return ss.endlessListing(dc, verb) })
	}
	lines, ok := ss.s.opts.Listings[dir]
	if ss.endless(dir) {
		lines, ok = []string{LISTLine("drwxr-xr-x", "4096", "d")}, true
		switch verb {
		case "MLSD":
			lines = []string{MLSDLine("dir", "4096", "d")}
		case "NLST":
			lines = []string{"d"}
		}
	}
	if !ok && dir != "/" {
		return ss.reply("550 No such directory")
	}
	return ss.transfer(func(dc net.Conn) string {
		var b bytes.Buffer
		for _, l := range lines {
			b.WriteString(l)
			b.WriteString("\r\n")
		}
		if dir == ss.s.opts.TrickleListing {
			return ss.trickle(dc, b.Bytes())
		}
		if _, err := dc.Write(b.Bytes()); err != nil {
			return "426 Transfer aborted"
		}
		return "226 Transfer complete"
	})
}

// endlessListing streams distinct listing lines until writing fails.
func (ss *session) endlessListing(dc net.Conn, verb string) string {
	bw := bufio.NewWriterSize(dc, 32<<10)
	for i := 0; ; i++ {
		if ss.s.isClosed() {
			return ""
		}
		name := fmt.Sprintf("endless-%09d", i)
		line := LISTLine("-rw-r--r--", "1", name)
		switch verb {
		case "MLSD":
			line = MLSDLine("file", "1", name)
		case "NLST":
			line = name
		}
		if _, err := bw.WriteString(line + "\r\n"); err != nil {
			return "426 Transfer aborted"
		}
	}
}

// retr serves a file, with the misbehaviour its File asks for.
func (ss *session) retr(p string) bool {
	rest := ss.rest
	ss.rest = 0
	f, ok := ss.s.opts.Files[p]
	if !ok {
		return ss.reply("550 No such file")
	}
	if rest > int64(len(f.Data)) && !f.Endless {
		return ss.reply("551 Offset beyond the end of the file")
	}
	return ss.transfer(func(dc net.Conn) string { return ss.send(dc, p, f, rest) })
}

func (ss *session) send(dc net.Conn, p string, f File, rest int64) string {
	var src io.Reader
	if f.Endless {
		chunk := f.Data
		if len(chunk) == 0 {
			chunk = make([]byte, 32<<10)
		}
		src = &repeatReader{data: chunk}
	} else {
		src = bytes.NewReader(f.Data[rest:])
	}
	if f.Trickle {
		return ss.trickle(dc, f.Data[rest:])
	}
	switch {
	case f.CloseAfter > 0:
		src = io.LimitReader(src, f.CloseAfter)
	case f.StallAfter > 0:
		src = io.LimitReader(src, f.StallAfter)
	}
	if _, err := io.Copy(dc, src); err != nil {
		return "426 Transfer aborted"
	}
	switch {
	case f.CloseAfter > 0:
		return "426 Connection closed; transfer aborted"
	case f.StallAfter > 0:
		if on := ss.s.opts.OnStall; on != nil {
			on(p)
		}
		// Until the client gives up, or Close.
		_, _ = io.Copy(io.Discard, dc)
		return "426 Transfer aborted"
	}
	return "226 Transfer complete"
}

// repeatReader reads data over and over, without end.
type repeatReader struct {
	data []byte
	off  int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := copy(p, r.data[r.off:])
	r.off = (r.off + n) % len(r.data)
	return n, nil
}

func (s *Server) isClosed() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// endless reports whether dir is Options.EndlessDepth or lies below it.
func (ss *session) endless(dir string) bool {
	top := ss.s.opts.EndlessDepth
	return top != "" && (dir == top || strings.HasPrefix(dir, top+"/"))
}
