package hostileftp

import (
	"strings"

	"github.com/ftpmirror/ftpmirror/internal/ftpcore"
)

// session is one control connection, served by one goroutine.
type session struct {
	*ftpcore.Session
	s    *Server
	hung bool // a Hang verb arrived: never reply again
}

func newSession(s *Server, cs *ftpcore.Session) *session {
	return &session{Session: cs, s: s}
}

// serve runs the session until the client leaves, QUIT, or Close.
func (ss *session) serve() {
	if ss.s.opts.hangs(Greeting) {
		ss.hung = true
	} else if !ss.Reply("220 hostileftp ready") {
		return
	}
	for {
		cmd, ok := ss.Read()
		if !ok {
			return
		}
		verb, arg := cmd.Verb, cmd.Arg
		if verb == "PASS" {
			ss.s.record("PASS ****")
		} else {
			ss.s.record(cmd.Line)
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
			if !ss.Reply("502 " + verb + " refused") {
				return
			}
			continue
		}
		if echo, ok := ss.s.opts.Echo[verb]; ok {
			if !ss.Reply("%s %s", echo, arg) {
				return
			}
			continue
		}
		if !ss.handle(verb, arg) {
			return
		}
	}
}

// stat answers "STAT [-a] DIR" from StatListings.
func (ss *session) stat(arg string) bool {
	if arg == "-a" || strings.HasPrefix(arg, "-a ") {
		arg = strings.TrimPrefix(arg[2:], " ") // "STAT -a" lists the current directory
	}
	if ss.s.opts.ArgsToLs {
		var ok bool
		if arg, ok = lsArg(arg); !ok {
			return ss.Reply("550 No files found")
		}
	}
	lines, ok := ss.s.opts.StatListings[ss.Resolve(arg)]
	if !ok {
		return ss.Reply("502 STAT of a path is not served here")
	}
	if !ss.Reply("213-Status follows:") {
		return false
	}
	for _, l := range lines {
		if !ss.Reply("%s", l) {
			return false
		}
	}
	return ss.Reply("213 End of status")
}

// handle answers one command; it returns false to end the session.
func (ss *session) handle(verb, arg string) bool {
	switch verb {
	case "USER":
		return ss.Reply("331 Any password will do")
	case "PASS":
		return ss.Reply("230 Logged in")
	case "FEAT":
		return ss.feat()
	case "SYST":
		return ss.Reply("215 UNIX Type: L8")
	case "TYPE", "MODE", "STRU", "OPTS":
		return ss.Reply("200 OK")
	case "NOOP":
		return ss.Reply("200 NOOP ok")
	case "PWD", "XPWD":
		return ss.Pwd()
	case "CWD", "XCWD", "CDUP", "XCUP":
		return ss.Chdir(verb, arg, ss.isDir)
	case "EPSV", "PASV":
		return ss.Passive(verb)
	case "EPRT", "PORT":
		return ss.Reply("502 Active mode is not served here")
	case "REST":
		return ss.Rest(arg)
	case "LIST", "NLST", "MLSD":
		return ss.list(verb, arg)
	case "RETR":
		return ss.retr(ss.Resolve(arg))
	case "SIZE":
		f, ok := ss.s.opts.Files[ss.Resolve(arg)]
		if !ok {
			return ss.Reply("550 No such file")
		}
		return ss.Reply("213 %d", len(f.Data))
	case "MDTM":
		f, ok := ss.s.opts.Files[ss.Resolve(arg)]
		if !ok {
			return ss.Reply("550 No such file")
		}
		t := f.ModTime
		if t.IsZero() {
			t = defaultModTime
		}
		return ss.Reply("213 %s", t.UTC().Format("20060102150405"))
	case "STAT":
		return ss.stat(arg)
	case "HASH":
		sum, ok := ss.s.opts.SHA256[ss.Resolve(arg)]
		if !ok {
			return ss.Reply("550 No hash for that file")
		}
		return ss.Reply("213 SHA-256 0-%d %s %s", len(ss.s.opts.Files[ss.Resolve(arg)].Data), sum, arg)
	case "ABOR":
		return ss.Reply("226 Nothing to abort")
	case "QUIT":
		ss.Reply("221 Goodbye")
		return false
	}
	return ss.Reply("502 %s not implemented", verb)
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
	return ss.Reply("%s", b.String())
}

func (ss *session) isDir(dir string) bool {
	_, ok := ss.s.opts.Listings[dir]
	return ok || dir == "/" || dir == ss.s.opts.InfiniteListing || ss.endless(dir)
}
