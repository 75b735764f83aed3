package ftptest

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
	"time"

	ftpserver "goftp.io/server/v2"
)

// listEntry is one line of a listing: a name and its Lstat info.
type listEntry struct {
	name   string
	info   fs.FileInfo
	target string // symlink target
}

type listFormat func(buf *bytes.Buffer, e listEntry, now time.Time)

// listCmd serves LIST, NLST and MLSD over the data connection.
type listCmd struct {
	d      *fsDriver
	format listFormat
	mlsd   bool
}

func (listCmd) IsExtend() bool     { return false }
func (listCmd) RequireParam() bool { return false }
func (listCmd) RequireAuth() bool  { return true }

func (c listCmd) Execute(sess *ftpserver.Session, param string) {
	p := param
	if !c.mlsd {
		p = stripListOptions(param)
	}
	ftpPath := sess.BuildPath(p)
	entries, err := c.entries(ftpPath)
	if err != nil {
		sess.WriteMessage(550, "Could not list: "+err.Error())
		return
	}
	var buf bytes.Buffer
	now := time.Now()
	for _, e := range entries {
		c.format(&buf, e, now)
	}
	dc := sess.DataConn()
	if dc == nil {
		sess.WriteMessage(425, "Use PORT or PASV first.")
		return
	}
	sess.WriteMessage(150, "Here comes the directory listing.")
	_, werr := dc.Write(buf.Bytes())
	cerr := dc.Close()
	mustSet(sess, "dataConn", nil)
	if werr != nil || cerr != nil {
		sess.WriteMessage(426, "Failure writing network stream.")
		return
	}
	sess.WriteMessage(226, "Directory send OK.")
}

// entries lists a directory (MLSD adds "." and ".."), or for LIST and NLST
// a single non-directory.
func (c listCmd) entries(ftpPath string) ([]listEntry, error) {
	rp := c.d.real(ftpPath)
	fi, err := os.Lstat(rp)
	if err != nil {
		return nil, err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		// A listed symlink to a directory lists the directory, as ls does.
		if st, err := os.Stat(rp); err == nil && st.IsDir() {
			fi = st
		}
	}
	if !fi.IsDir() {
		if c.mlsd {
			return nil, fmt.Errorf("not a directory")
		}
		return []listEntry{entryOf(rp, path.Base(ftpPath), fi)}, nil
	}
	var out []listEntry
	if c.mlsd {
		out = append(out, listEntry{name: ".", info: fi})
		if pfi, err := os.Stat(c.d.real(path.Dir(ftpPath))); err == nil {
			out = append(out, listEntry{name: "..", info: pfi})
		}
	}
	des, err := os.ReadDir(rp)
	if err != nil {
		return nil, err
	}
	for _, de := range des {
		efi, err := de.Info()
		if err != nil {
			continue // removed meanwhile
		}
		out = append(out, entryOf(rp+string(os.PathSeparator)+de.Name(), de.Name(), efi))
	}
	return out, nil
}

func entryOf(realPath, name string, fi fs.FileInfo) listEntry {
	e := listEntry{name: name, info: fi}
	if fi.Mode()&fs.ModeSymlink != 0 {
		e.target, _ = os.Readlink(realPath)
	}
	return e
}

// stripListOptions drops leading "-a"/"-l"-style options of LIST and NLST.
func stripListOptions(param string) string {
	for strings.HasPrefix(param, "-") {
		_, rest, _ := strings.Cut(param, " ")
		param = strings.TrimLeft(rest, " ")
	}
	return param
}

// formatLIST prints an "ls -l" line like vsftpd's, times in UTC.
func formatLIST(buf *bytes.Buffer, e listEntry, now time.Time) {
	mode := e.info.Mode()
	kind := byte('-')
	switch {
	case mode.IsDir():
		kind = 'd'
	case mode&fs.ModeSymlink != 0:
		kind = 'l'
	}
	perm := mode.Perm().String()[1:]
	mt := e.info.ModTime().UTC()
	var when string
	if mt.After(now.AddDate(0, -6, 0)) && mt.Before(now.Add(time.Hour)) {
		when = mt.Format("Jan _2 15:04")
	} else {
		when = mt.Format("Jan _2  2006")
	}
	name := e.name
	if kind == 'l' {
		name += " -> " + e.target
	}
	fmt.Fprintf(buf, "%c%s    1 ftp      ftp      %12d %s %s\r\n", kind, perm, e.info.Size(), when, name)
}

// formatNLST prints the bare name.
func formatNLST(buf *bytes.Buffer, e listEntry, _ time.Time) {
	buf.WriteString(e.name)
	buf.WriteString("\r\n")
}

// formatMLSD prints an RFC 3659 fact line.
func formatMLSD(buf *bytes.Buffer, e listEntry, _ time.Time) {
	mode := e.info.Mode()
	var typ string
	switch {
	case e.name == ".":
		typ = "cdir"
	case e.name == "..":
		typ = "pdir"
	case mode.IsDir():
		typ = "dir"
	case mode&fs.ModeSymlink != 0:
		typ = "OS.unix=slink:" + e.target
	default:
		typ = "file"
	}
	fmt.Fprintf(buf, "Type=%s;Size=%d;Modify=%s;UNIX.mode=%04o; %s\r\n",
		typ, e.info.Size(), e.info.ModTime().UTC().Format(timeVal), mode.Perm(), e.name)
}
