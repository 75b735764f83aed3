package demoserver

import (
	"bufio"
	"fmt"
	"io/fs"
	"net"
	"path"
	"strconv"
	"strings"
	"time"
)

// maxCommandLen bounds one command line from the client.
const maxCommandLen = 4096

// session is one control connection, served by one goroutine.
type session struct {
	s      *Server
	c      net.Conn
	r      *bufio.Reader
	peer   net.IP // the client's address: the only one data may come from or go to
	user   string
	authed bool
	cwd    string // absolute, clean
	rest   int64  // the REST offset for the next RETR
	data   dataSource
}

func newSession(s *Server, c net.Conn) *session {
	ss := &session{s: s, c: c, r: bufio.NewReaderSize(c, maxCommandLen), cwd: "/"}
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		ss.peer = a.IP
	}
	return ss
}

// serve runs the session until the client leaves, QUIT, or Close.
func (ss *session) serve() {
	defer func() {
		ss.dropData()
		ss.s.untrack(ss.c)
		_ = ss.c.Close()
	}()
	if !ss.reply("220 ftpmirror demo server ready") {
		return
	}
	for {
		_ = ss.c.SetReadDeadline(time.Now().Add(ss.s.opts.IdleTimeout))
		line, err := ss.r.ReadSlice('\n')
		if err != nil {
			if err == bufio.ErrBufferFull {
				ss.reply("500 Command line too long")
			}
			return
		}
		verb, arg, _ := strings.Cut(strings.TrimRight(string(line), "\r\n"), " ")
		if !ss.handle(strings.ToUpper(verb), arg) {
			return
		}
	}
}

// reply writes one reply; it returns false when the connection is gone.
func (ss *session) reply(format string, args ...any) bool {
	_ = ss.c.SetWriteDeadline(time.Now().Add(ss.s.opts.IdleTimeout))
	_, err := fmt.Fprintf(ss.c, format+"\r\n", args...)
	return err == nil
}

// handle answers one command; it returns false to end the session.
func (ss *session) handle(verb, arg string) bool {
	switch verb {
	case "USER":
		ss.user, ss.authed = arg, false
		return ss.reply("331 Password required for %s", arg)
	case "PASS":
		if !ss.s.login(ss.user, arg) {
			return ss.reply("530 Login incorrect")
		}
		ss.authed = true
		return ss.reply("230 Logged in, read-only")
	case "FEAT":
		return ss.reply("211-Features:\r\n EPSV\r\n PASV\r\n EPRT\r\n SIZE\r\n MDTM\r\n REST STREAM\r\n UTF8\r\n MLST type*;size*;modify*;perm*;\r\n211 End")
	case "SYST":
		return ss.reply("215 UNIX Type: L8")
	case "NOOP":
		return ss.reply("200 NOOP ok")
	case "QUIT":
		ss.reply("221 Goodbye")
		return false
	}
	if !ss.authed {
		return ss.reply("530 Please log in with USER and PASS")
	}
	switch verb {
	case "TYPE", "MODE", "STRU", "OPTS":
		return ss.reply("200 OK")
	case "PWD", "XPWD":
		return ss.reply("257 %q is the current directory", ss.cwd)
	case "CWD", "XCWD":
		return ss.cd(ss.resolve(arg))
	case "CDUP", "XCUP":
		return ss.cd(path.Dir(ss.cwd))
	case "EPSV", "PASV":
		return ss.passive(verb)
	case "EPRT", "PORT":
		return ss.active(verb, arg)
	case "REST":
		n, err := strconv.ParseInt(arg, 10, 64)
		if err != nil || n < 0 {
			return ss.reply("501 Bad offset")
		}
		ss.rest = n
		return ss.reply("350 Restarting at %d", n)
	case "LIST", "NLST", "MLSD":
		return ss.list(verb, arg)
	case "MLST":
		return ss.mlst(ss.resolve(arg))
	case "RETR":
		return ss.retr(ss.resolve(arg))
	case "SIZE":
		fi, err := ss.stat(ss.resolve(arg))
		if err != nil || !fi.Mode().IsRegular() {
			return ss.reply("550 No such file")
		}
		return ss.reply("213 %d", fi.Size())
	case "MDTM":
		fi, err := ss.stat(ss.resolve(arg))
		if err != nil || !fi.Mode().IsRegular() {
			return ss.reply("550 No such file")
		}
		return ss.reply("213 %s", fi.ModTime().UTC().Format("20060102150405"))
	case "ABOR":
		ss.dropData()
		return ss.reply("226 Nothing to abort")
	case "STOR", "STOU", "APPE", "DELE", "RNFR", "RNTO", "MKD", "XMKD", "RMD", "XRMD", "MFMT", "SITE":
		return ss.reply("550 This server is read-only")
	}
	return ss.reply("502 %s not implemented", verb)
}

// resolve makes a command's path argument absolute and clean.
func (ss *session) resolve(arg string) string {
	if arg == "" {
		return ss.cwd
	}
	if !strings.HasPrefix(arg, "/") {
		arg = ss.cwd + "/" + arg
	}
	return path.Clean(arg)
}

// rootName is an absolute served path as a name beneath the root.
func rootName(p string) string {
	if p == "/" {
		return "."
	}
	return strings.TrimPrefix(p, "/")
}

func (ss *session) stat(p string) (fs.FileInfo, error) { return ss.s.root.Stat(rootName(p)) }

func (ss *session) cd(dir string) bool {
	if fi, err := ss.stat(dir); err != nil || !fi.IsDir() {
		return ss.reply("550 No such directory")
	}
	ss.cwd = dir
	return ss.reply("250 Directory changed to %s", dir)
}

func (ss *session) mlst(p string) bool {
	fi, err := ss.stat(p)
	if err != nil {
		return ss.reply("550 No such file or directory")
	}
	return ss.reply("250-Listing %s\r\n %s\r\n250 End", p, mlsdFacts(fi)+" "+p)
}
