package demoserver

import (
	"bufio"
	"fmt"
	"io"
	"io/fs"
	"net"
	"strings"
	"time"
)

// transfer runs one data transfer through a 64 KiB buffer: 226 when send
// and the flush succeed, else 426.
func (ss *session) transfer(send func(w io.Writer) error) bool {
	return ss.Transfer(func(dc net.Conn) string {
		bw := bufio.NewWriterSize(dc, 64<<10)
		err := send(bw)
		if err == nil {
			err = bw.Flush()
		}
		if err != nil {
			return "426 Transfer aborted"
		}
		return "226 Transfer complete"
	})
}

// list serves LIST, NLST or MLSD of a directory.
func (ss *session) list(verb, arg string) bool {
	if verb != "MLSD" {
		for strings.HasPrefix(arg, "-") { // options such as "-a"
			_, arg, _ = strings.Cut(arg, " ")
		}
	}
	dir := ss.Resolve(arg)
	f, err := ss.s.root.Open(rootName(dir))
	if err != nil {
		return ss.Reply("550 No such directory")
	}
	entries, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		return ss.Reply("550 Not a directory")
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
	rest := ss.TakeRest()
	f, err := ss.s.root.Open(rootName(p))
	if err != nil {
		return ss.Reply("550 No such file")
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return ss.Reply("550 Not a plain file")
	}
	if rest > fi.Size() {
		return ss.Reply("551 Offset beyond the end of the file")
	}
	return ss.transfer(func(w io.Writer) error {
		_, err := io.Copy(w, io.NewSectionReader(f, rest, fi.Size()-rest))
		return err
	})
}
