package ftptest

import (
	"crypto/tls"
	"fmt"
	"os"
	"strings"
	"time"

	ftpserver "goftp.io/server/v2"
)

// commandTable is goftp's command table (copied: DefaultCommands returns
// goftp's own map) with our replacements, the TLS mode's adjustments and
// the disabled verbs.
func commandTable(o Options, d *fsDriver, tlsConf *tls.Config) (map[string]ftpserver.Command, error) {
	t := make(map[string]ftpserver.Command, len(ftpserver.DefaultCommands())+8)
	for k, v := range ftpserver.DefaultCommands() {
		t[k] = v
	}
	t["LIST"] = listCmd{d: d, format: formatLIST}
	t["NLST"] = listCmd{d: d, format: formatNLST}
	t["MLSD"] = listCmd{d: d, format: formatMLSD, mlsd: true}
	t["MDTM"] = mdtmCmd{d: d}
	t["MFMT"] = mfmtCmd{d: d}
	t["SIZE"] = sizeCmd{d: d}
	t["STAT"] = statCmd{}
	dataCmds{tls: tlsConf}.install(t)

	if o.TLS == TLSImplicit {
		t["AUTH"] = disabledCmd{}
		for k, v := range t {
			t[k] = implicitTLSCmd{v}
		}
	}
	for _, verb := range o.Disable {
		verb = strings.ToUpper(strings.TrimSpace(verb))
		if verb == "" {
			return nil, fmt.Errorf("ftptest: empty verb in Options.Disable")
		}
		t[verb] = disabledCmd{}
		if verb == "MLSD" {
			t["MLST"] = disabledCmd{}
		}
	}
	return t, nil
}

// cmdBase holds the Command flags most commands share: logged in, with a
// parameter, not advertised in FEAT.
type cmdBase struct{}

func (cmdBase) IsExtend() bool     { return false }
func (cmdBase) RequireParam() bool { return true }
func (cmdBase) RequireAuth() bool  { return true }

// disabledCmd answers any use with 502, before login checks.
type disabledCmd struct{}

func (disabledCmd) IsExtend() bool     { return false }
func (disabledCmd) RequireParam() bool { return false }
func (disabledCmd) RequireAuth() bool  { return false }
func (disabledCmd) Execute(sess *ftpserver.Session, _ string) {
	sess.WriteMessage(502, "Command not implemented")
}

// implicitTLSCmd marks the session as TLS before running a command, since
// goftp only does so on AUTH TLS; PBSZ, PROT and TLS data connections then
// work on an implicit TLS listener.
type implicitTLSCmd struct{ ftpserver.Command }

func (c implicitTLSCmd) Execute(sess *ftpserver.Session, param string) {
	if !sessionTLS(sess) {
		mustSet(sess, "tls", true)
	}
	c.Command.Execute(sess, param)
}

const timeVal = "20060102150405"

// parseTimeVal parses an RFC 3659 time-val (UTC, optional fraction).
func parseTimeVal(s string) (time.Time, error) {
	frac := ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		s, frac = s[:i], s[i:]
	}
	t, err := time.ParseInLocation(timeVal, s, time.UTC)
	if err != nil {
		return time.Time{}, err
	}
	if frac != "" {
		d, err := time.ParseDuration("0" + frac + "s")
		if err != nil {
			return time.Time{}, err
		}
		t = t.Add(d)
	}
	return t, nil
}

// splitTimeArg splits "YYYYMMDDHHMMSS[.fff] path" into its parts.
func splitTimeArg(param string) (time.Time, string, bool) {
	ts, p, ok := strings.Cut(param, " ")
	if !ok || len(ts) < 14 || p == "" {
		return time.Time{}, "", false
	}
	for _, r := range ts[:14] {
		if r < '0' || r > '9' {
			return time.Time{}, "", false
		}
	}
	t, err := parseTimeVal(ts)
	if err != nil {
		return time.Time{}, "", false
	}
	return t, p, true
}

// mdtmCmd answers MDTM path with the file's UTC time, and sets it with the
// vsftpd form "MDTM YYYYMMDDHHMMSS path".
type mdtmCmd struct {
	cmdBase
	d *fsDriver
}

func (mdtmCmd) IsExtend() bool { return true }

func (c mdtmCmd) Execute(sess *ftpserver.Session, param string) {
	if _, err := os.Stat(c.d.real(sess.BuildPath(param))); err != nil {
		if t, p, ok := splitTimeArg(param); ok {
			setTime(sess, c.d, t, p, "MDTM")
			return
		}
	}
	fi, err := os.Stat(c.d.real(sess.BuildPath(param)))
	if err != nil || !fi.Mode().IsRegular() {
		sess.WriteMessage(550, "Could not get file modification time.")
		return
	}
	sess.WriteMessage(213, fi.ModTime().UTC().Format(timeVal))
}

// mfmtCmd sets a file's modification time: "MFMT YYYYMMDDHHMMSS path".
type mfmtCmd struct {
	cmdBase
	d *fsDriver
}

func (mfmtCmd) IsExtend() bool { return true }

func (c mfmtCmd) Execute(sess *ftpserver.Session, param string) {
	t, p, ok := splitTimeArg(param)
	if !ok {
		sess.WriteMessage(501, "Syntax: MFMT YYYYMMDDHHMMSS path")
		return
	}
	setTime(sess, c.d, t, p, "MFMT")
}

func setTime(sess *ftpserver.Session, d *fsDriver, t time.Time, p, verb string) {
	rp := d.real(sess.BuildPath(p))
	fi, err := os.Stat(rp)
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("not a plain file")
	}
	if err == nil {
		err = os.Chtimes(rp, t, t)
	}
	if err != nil {
		sess.WriteMessage(550, "Could not set file modification time.")
		return
	}
	if verb == "MDTM" {
		sess.WriteMessage(213, "File modification time set.")
		return
	}
	sess.WriteMessage(213, "Modify="+t.UTC().Format(timeVal)+"; "+p)
}

// sizeCmd answers SIZE for plain files (following symlinks) only.
type sizeCmd struct {
	cmdBase
	d *fsDriver
}

func (sizeCmd) IsExtend() bool { return true }

func (c sizeCmd) Execute(sess *ftpserver.Session, param string) {
	fi, err := os.Stat(c.d.real(sess.BuildPath(param)))
	if err != nil || !fi.Mode().IsRegular() {
		sess.WriteMessage(550, "Could not get file size.")
		return
	}
	sess.WriteMessage(213, fmt.Sprint(fi.Size()))
}

// statCmd replaces goftp's STAT, which writes to the standard logger on
// errors; STAT of a path is not supported.
type statCmd struct{ cmdBase }

func (statCmd) RequireParam() bool { return false }

func (statCmd) Execute(sess *ftpserver.Session, param string) {
	if param != "" {
		sess.WriteMessage(504, "STAT of a path is not supported.")
		return
	}
	sess.WriteMessage(211, "ftptest: logged in as "+sess.LoginUser())
}
