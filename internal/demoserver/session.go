package demoserver

import (
	"io/fs"
	"strings"

	"github.com/ftpmirror/ftpmirror/internal/ftpcore"
)

// session is one control connection, served by one goroutine.
type session struct {
	*ftpcore.Session
	s      *Server
	user   string
	authed bool
}

func newSession(s *Server, cs *ftpcore.Session) *session {
	return &session{Session: cs, s: s}
}

// serve runs the session until the client leaves, QUIT, or Close.
func (ss *session) serve() {
	if !ss.Reply("220 ftpmirror demo server ready") {
		return
	}
	for {
		cmd, ok := ss.Read()
		if !ok || !ss.handle(cmd.Verb, cmd.Arg) {
			return
		}
	}
}

// handle answers one command; it returns false to end the session.
func (ss *session) handle(verb, arg string) bool {
	switch verb {
	case "USER":
		ss.user, ss.authed = arg, false
		return ss.Reply("331 Password required for %s", arg)
	case "PASS":
		if !ss.s.login(ss.user, arg) {
			return ss.Reply("530 Login incorrect")
		}
		ss.authed = true
		return ss.Reply("230 Logged in, read-only")
	case "FEAT":
		return ss.Reply("211-Features:\r\n EPSV\r\n PASV\r\n EPRT\r\n SIZE\r\n MDTM\r\n REST STREAM\r\n UTF8\r\n MLST type*;size*;modify*;perm*;\r\n211 End")
	case "SYST":
		return ss.Reply("215 UNIX Type: L8")
	case "NOOP":
		return ss.Reply("200 NOOP ok")
	case "QUIT":
		ss.Reply("221 Goodbye")
		return false
	}
	if !ss.authed {
		return ss.Reply("530 Please log in with USER and PASS")
	}
	switch verb {
	case "TYPE", "MODE", "STRU", "OPTS":
		return ss.Reply("200 OK")
	case "PWD", "XPWD":
		return ss.Pwd()
	case "CWD", "XCWD", "CDUP", "XCUP":
		return ss.Chdir(verb, arg, ss.isDir)
	case "EPSV", "PASV":
		return ss.Passive(verb)
	case "EPRT", "PORT":
		return ss.Active(verb, arg)
	case "REST":
		return ss.Rest(arg)
	case "LIST", "NLST", "MLSD":
		return ss.list(verb, arg)
	case "MLST":
		return ss.mlst(ss.Resolve(arg))
	case "RETR":
		return ss.retr(ss.Resolve(arg))
	case "SIZE":
		fi, err := ss.stat(ss.Resolve(arg))
		if err != nil || !fi.Mode().IsRegular() {
			return ss.Reply("550 No such file")
		}
		return ss.Reply("213 %d", fi.Size())
	case "MDTM":
		fi, err := ss.stat(ss.Resolve(arg))
		if err != nil || !fi.Mode().IsRegular() {
			return ss.Reply("550 No such file")
		}
		return ss.Reply("213 %s", fi.ModTime().UTC().Format("20060102150405"))
	case "ABOR":
		ss.DropData()
		return ss.Reply("226 Nothing to abort")
	case "STOR", "STOU", "APPE", "DELE", "RNFR", "RNTO", "MKD", "XMKD", "RMD", "XRMD", "MFMT", "SITE":
		return ss.Reply("550 This server is read-only")
	}
	return ss.Reply("502 %s not implemented", verb)
}

// rootName is an absolute served path as a name beneath the root.
func rootName(p string) string {
	if p == "/" {
		return "."
	}
	return strings.TrimPrefix(p, "/")
}

func (ss *session) stat(p string) (fs.FileInfo, error) { return ss.s.root.Stat(rootName(p)) }

func (ss *session) isDir(dir string) bool {
	fi, err := ss.stat(dir)
	return err == nil && fi.IsDir()
}

func (ss *session) mlst(p string) bool {
	fi, err := ss.stat(p)
	if err != nil {
		return ss.Reply("550 No such file or directory")
	}
	return ss.Reply("250-Listing %s\r\n %s\r\n250 End", p, mlsdFacts(fi)+" "+p)
}
