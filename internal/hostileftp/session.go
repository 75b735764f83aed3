package hostileftp

import (
	"bufio"
	"fmt"
	"net"
	"path"
	"strconv"
	"strings"
)

// maxCommandLen bounds one command line from the client.
const maxCommandLen = 4096

// session is one control connection, served by one goroutine.
type session struct {
	s    *Server
	c    net.Conn
	r    *bufio.Reader
	cwd  string
	hung bool         // a Hang verb arrived: never reply again
	pasv net.Listener // the data listener opened by EPSV or PASV
	rest int64        // the REST offset for the next RETR
}

func newSession(s *Server, c net.Conn) *session {
	return &session{s: s, c: c, r: bufio.NewReaderSize(c, maxCommandLen), cwd: "/"}
}

// serve runs the session until the client leaves, QUIT, or Close.
func (ss *session) serve() {
	defer func() {
		ss.closeData()
		ss.s.untrack(ss.c)
		_ = ss.c.Close()
	}()
	if ss.s.opts.hangs(Greeting) {
		ss.hung = true
	} else if !ss.reply("220 hostileftp ready") {
		return
	}
	for {
		line, err := ss.r.ReadSlice('\n')
		if err != nil {
			if err == bufio.ErrBufferFull {
				ss.reply("500 Command line too long")
			}
			return
		}
		cmd := strings.TrimRight(string(line), "\r\n")
		verb, arg, _ := strings.Cut(cmd, " ")
		verb = strings.ToUpper(verb)
		if verb == "PASS" {
			ss.s.record("PASS ****")
		} else {
			ss.s.record(cmd)
		}
		if f := ss.s.opts.OnCommand; f != nil {
			f(verb, arg)
		}
		if ss.hung {
			continue
		}
		if ss.s.opts.hangs(verb) {
			ss.hung = true
			continue
		}
		if ss.s.opts.refuses(verb) {
			if !ss.reply("502 " + verb + " refused") {
				return
			}
			continue
		}
		if echo, ok := ss.s.opts.Echo[verb]; ok {
			if !ss.reply("%s %s", echo, arg) {
				return
			}
			continue
		}
		if !ss.handle(verb, arg) {
			return
		}
	}
}

// reply writes one reply line; it returns false when the connection is gone.
func (ss *session) reply(format string, args ...any) bool {
	_, err := fmt.Fprintf(ss.c, format+"\r\n", args...)
	return err == nil
}

// stat answers "STAT [-a] DIR" from StatListings.
func (ss *session) stat(arg string) bool {
	lines, ok := ss.s.opts.StatListings[ss.resolve(strings.TrimPrefix(arg, "-a "))]
	if !ok {
		return ss.reply("502 STAT of a path is not served here")
	}
	if !ss.reply("213-Status follows:") {
		return false
	}
	for _, l := range lines {
		if !ss.reply("%s", l) {
			return false
		}
	}
	return ss.reply("213 End of status")
}

// handle answers one command; it returns false to end the session.
func (ss *session) handle(verb, arg string) bool {
	switch verb {
	case "USER":
		return ss.reply("331 Any password will do")
	case "PASS":
		return ss.reply("230 Logged in")
	case "FEAT":
		return ss.feat()
	case "SYST":
		return ss.reply("215 UNIX Type: L8")
	case "TYPE", "MODE", "STRU", "OPTS":
		return ss.reply("200 OK")
	case "NOOP":
		return ss.reply("200 NOOP ok")
	case "PWD", "XPWD":
		return ss.reply("257 %q is the current directory", ss.cwd)
	case "CWD", "XCWD":
		return ss.cd(ss.resolve(arg))
	case "CDUP", "XCUP":
		return ss.cd(path.Dir(ss.cwd))
	case "EPSV", "PASV":
		return ss.passive(verb)
	case "EPRT", "PORT":
		return ss.reply("502 Active mode is not served here")
	case "REST":
		n, err := strconv.ParseInt(arg, 10, 64)
		if err != nil || n < 0 {
			return ss.reply("501 Bad offset")
		}
		ss.rest = n
		return ss.reply("350 Restarting at %d", n)
	case "LIST", "NLST", "MLSD":
		return ss.list(verb, arg)
	case "RETR":
		return ss.retr(ss.resolve(arg))
	case "SIZE":
		f, ok := ss.s.opts.Files[ss.resolve(arg)]
		if !ok {
			return ss.reply("550 No such file")
		}
		return ss.reply("213 %d", len(f.Data))
	case "MDTM":
		f, ok := ss.s.opts.Files[ss.resolve(arg)]
		if !ok {
			return ss.reply("550 No such file")
		}
		t := f.ModTime
		if t.IsZero() {
			t = defaultModTime
		}
		return ss.reply("213 %s", t.UTC().Format("20060102150405"))
	case "STAT":
		return ss.stat(arg)
	case "HASH":
		sum, ok := ss.s.opts.SHA256[ss.resolve(arg)]
		if !ok {
			return ss.reply("550 No hash for that file")
		}
		return ss.reply("213 SHA-256 0-%d %s %s", len(ss.s.opts.Files[ss.resolve(arg)].Data), sum, arg)
	case "ABOR":
		return ss.reply("226 Nothing to abort")
	case "QUIT":
		ss.reply("221 Goodbye")
		return false
	}
	return ss.reply("502 %s not implemented", verb)
}

func (ss *session) feat() bool {
	feats := []string{"EPSV", "PASV", "SIZE", "MDTM", "UTF8", "REST STREAM"}
	if ss.s.opts.MLST {
		feats = append(feats, "MLST type*;size*;modify*;")
	}
	if ss.s.opts.SHA256 != nil {
		feats = append(feats, "HASH SHA-256*")
	}
	var b strings.Builder
	b.WriteString("211-Features:\r\n")
	for _, f := range feats {
		b.WriteString(" " + f + "\r\n")
	}
	b.WriteString("211 End")
	return ss.reply("%s", b.String())
}

// resolve makes a command's path argument absolute.
func (ss *session) resolve(arg string) string {
	if arg == "" {
		return ss.cwd
	}
	if !strings.HasPrefix(arg, "/") {
		arg = ss.cwd + "/" + arg
	}
	return path.Clean(arg)
}

func (ss *session) cd(dir string) bool {
	if !ss.isDir(dir) {
		return ss.reply("550 No such directory")
	}
	ss.cwd = dir
	return ss.reply("250 Directory changed to %s", dir)
}

func (ss *session) isDir(dir string) bool {
	_, ok := ss.s.opts.Listings[dir]
	return ok || dir == "/" || dir == ss.s.opts.InfiniteListing || ss.endless(dir)
}
