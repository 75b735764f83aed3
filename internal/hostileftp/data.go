package hostileftp

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"strings"
)

// transfer runs one data transfer on the listener of the last EPSV or
// PASV; send writes to the data connection and returns the final reply.
func (ss *session) transfer(send func(dc net.Conn) string) bool {
	return ss.Transfer(func(dc net.Conn) string {
		ss.s.countData()
		return send(dc)
	})
}

// list serves LIST, NLST or MLSD of a directory.
func (ss *session) list(verb, arg string) bool {
	if verb != "MLSD" {
		// LIST and NLST take options, such as "-a", before the path.
		for strings.HasPrefix(arg, "-") {
			_, arg, _ = strings.Cut(arg, " ")
		}
	}
	if ss.s.opts.ArgsToLs && verb != "MLSD" {
		var ok bool
		if arg, ok = lsArg(arg); !ok {
			return ss.Reply("550 No files found")
		}
	}
	dir := ss.Resolve(arg)
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
		return ss.Reply("550 No such directory")
	}
	if l, ok := ss.s.opts.LISTListings[dir]; ok && verb != "MLSD" {
		lines = l
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
		if ss.Server().Closed() {
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
	rest := ss.TakeRest()
	f, ok := ss.s.opts.Files[p]
	if !ok {
		return ss.Reply("550 No such file")
	}
	if rest > int64(len(f.Data)) && !f.Endless {
		return ss.Reply("551 Offset beyond the end of the file")
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

// endless reports whether dir is Options.EndlessDepth or lies below it.
func (ss *session) endless(dir string) bool {
	top := ss.s.opts.EndlessDepth
	return top != "" && (dir == top || strings.HasPrefix(dir, top+"/"))
}

// lsArg is what ls makes of a path argument (Options.ArgsToLs): false for a
// pattern that matches nothing, else the first of the words.
func lsArg(arg string) (string, bool) {
	if strings.ContainsAny(arg, "*?[") {
		return "", false
	}
	first, _, _ := strings.Cut(arg, " ")
	return first, true
}
