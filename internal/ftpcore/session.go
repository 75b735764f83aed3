package ftpcore

import (
	"bufio"
	"fmt"
	"net"
	"path"
	"strconv"
	"strings"
	"time"
)

// maxCommandLen bounds one command line from the client.
const maxCommandLen = 4096

// Session is one control connection, served by one goroutine.
type Session struct {
	// Peer is the client's address: the only one data may come from or go
	// to.
	Peer net.IP

	srv  *Server
	c    net.Conn
	r    *bufio.Reader
	data dataSource
	rest int64  // the REST offset for the next transfer
	cwd  string // the working directory: absolute, clean; "" is "/"
}

// Command is one command line from the client.
type Command struct {
	Line string // as sent, without the line end
	Verb string // upper case
	Arg  string
}

func newSession(s *Server, c net.Conn) *Session {
	ss := &Session{srv: s, c: c, r: bufio.NewReaderSize(c, maxCommandLen)}
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		ss.Peer = a.IP
	}
	return ss
}

// end releases the session's data listener and control connection.
func (ss *Session) end() {
	ss.DropData()
	ss.srv.untrack(ss.c)
	_ = ss.c.Close()
}

// Server is the server the session belongs to.
func (ss *Session) Server() *Server { return ss.srv }

// Read reads the next command. It returns false when the client left, the
// server closed, the idle timeout passed or the line was too long (told
// with a "500").
func (ss *Session) Read() (Command, bool) {
	if t := ss.srv.opts.IdleTimeout; t > 0 {
		_ = ss.c.SetReadDeadline(time.Now().Add(t))
	}
	line, err := ss.r.ReadSlice('\n')
	if err != nil {
		if err == bufio.ErrBufferFull {
			ss.Reply("500 Command line too long")
		}
		return Command{}, false
	}
	cmd := Command{Line: strings.TrimRight(string(line), "\r\n")}
	cmd.Verb, cmd.Arg, _ = strings.Cut(cmd.Line, " ")
	cmd.Verb = strings.ToUpper(cmd.Verb)
	return cmd, true
}

// Reply writes one reply; it returns false when the connection is gone.
func (ss *Session) Reply(format string, args ...any) bool {
	if t := ss.srv.opts.IdleTimeout; t > 0 {
		_ = ss.c.SetWriteDeadline(time.Now().Add(t))
	}
	_, err := fmt.Fprintf(ss.c, format+"\r\n", args...)
	return err == nil
}

// Rest answers REST: it keeps the offset for the next transfer.
func (ss *Session) Rest(arg string) bool {
	n, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || n < 0 {
		return ss.Reply("501 Bad offset")
	}
	ss.rest = n
	return ss.Reply("350 Restarting at %d", n)
}

// TakeRest returns the offset of the last REST, once: it is zero again
// afterwards.
func (ss *Session) TakeRest() int64 {
	n := ss.rest
	ss.rest = 0
	return n
}

// Cwd is the session's working directory, absolute and clean.
func (ss *Session) Cwd() string {
	if ss.cwd == "" {
		return "/"
	}
	return ss.cwd
}

// Resolve makes a command's path argument absolute and clean, relative to
// the working directory.
func (ss *Session) Resolve(arg string) string {
	if arg == "" {
		return ss.Cwd()
	}
	if !strings.HasPrefix(arg, "/") {
		arg = ss.Cwd() + "/" + arg
	}
	return path.Clean(arg)
}

// Pwd answers PWD.
func (ss *Session) Pwd() bool {
	return ss.Reply("257 %q is the current directory", ss.Cwd())
}

// Chdir answers CWD or CDUP (verb, or their X forms): it changes the
// working directory when isDir says the new one exists.
func (ss *Session) Chdir(verb, arg string, isDir func(dir string) bool) bool {
	dir := path.Dir(ss.Cwd()) // CDUP
	if verb == "CWD" || verb == "XCWD" {
		dir = ss.Resolve(arg)
	}
	if !isDir(dir) {
		return ss.Reply("550 No such directory")
	}
	ss.cwd = dir
	return ss.Reply("250 Directory changed to %s", dir)
}
