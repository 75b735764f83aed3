package mirror

import (
	"bytes"
	"io/fs"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// The library drops the permission bits a listing gives. A file the server
// lists as -rw------- must not become world-readable here, so the lines of
// every listing, counted as they arrive (linecount.go), are also read for
// their modes: "UNIX.mode=0600" in an MLSD line, "-rw-------" at the head of
// a LIST line. Downloads keep these bits (never setuid, setgid or sticky),
// masked by the umask, as lftp's mirror does; Options.NoPerms turns it off.

// maxModeLine bounds the line kept to read a mode from; a longer line has
// no mode (its file gets the default).
const maxModeLine = 8 << 10

// listModes maps the names of one listing to the permission bits its lines
// give. A name listed twice with different modes has none.
type listModes map[string]fs.FileMode

// add reads the mode of one listing line, if it has one.
func (m listModes) add(line []byte) {
	name, perm, ok := parseModeLine(string(line))
	if !ok {
		return
	}
	if old, seen := m[name]; seen && old != perm {
		perm = 0
	}
	m[name] = perm
}

// listLine is a Unix "ls -l" line: the mode, links, owner and group (or
// just an owner), size, a date and a time or year, then the name.
var listLine = regexp.MustCompile(`^[-dlbcps]([-rwxsStT]{9})[+@.]?\s+\d+\s+(?:\S+\s+){1,2}\d+\s+[A-Za-z]{3}\s+\d{1,2}\s+(?:\d{1,2}:\d{2}|\d{4})\s(.+)$`)

// parseModeLine returns the name a listing line gives and its permission
// bits (0o777 at most), from MLSD's UNIX.mode fact or LIST's mode string.
func parseModeLine(line string) (name string, perm fs.FileMode, ok bool) {
	if facts, n, found := strings.Cut(line, "; "); found && strings.Contains(facts, "=") {
		for fact := range strings.SplitSeq(facts, ";") {
			k, v, _ := strings.Cut(fact, "=")
			if strings.EqualFold(k, "unix.mode") {
				bits, err := strconv.ParseUint(v, 8, 32)
				if err != nil {
					return "", 0, false
				}
				return n, fs.FileMode(bits) & fs.ModePerm, true
			}
		}
		return "", 0, false
	}
	sub := listLine.FindStringSubmatch(line)
	if sub == nil {
		return "", 0, false
	}
	name = sub[2]
	if line[0] == 'l' {
		name, _, _ = strings.Cut(name, " -> ")
	}
	for i, c := range sub[1] {
		switch c {
		case 'r', 'w', 'x', 's', 't':
			perm |= 1 << (8 - i)
		}
	}
	return name, perm, true
}

// modes returns the modes of the operation's listing, or nil.
func (op *dataOp) modes() (m listModes) {
	op.withLines(func(lc *lineCounter) {
		if len(bytes.TrimSpace(lc.line)) > 0 {
			lc.modes.add(lc.line) // a last line without its newline
			lc.line = lc.line[:0]
		}
		m = lc.modes
	})
	return m
}

// modeFor is the mode to give a download or directory listed with mode:
// its permission bits masked by the umask, or 0 to leave the default.
func modeFor(mode fs.FileMode) fs.FileMode {
	if mode == 0 {
		return 0
	}
	return mode & fs.ModePerm &^ umask()
}

// umask reads the process's umask from /proc/self/status (Linux 4.7 and
// later), without setting it as syscall.Umask would; 022 when it cannot.
func umask() fs.FileMode {
	data, err := os.ReadFile("/proc/self/status")
	if err == nil {
		for line := range strings.SplitSeq(string(data), "\n") {
			if v, ok := strings.CutPrefix(line, "Umask:"); ok {
				if n, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32); err == nil {
					return fs.FileMode(n) & fs.ModePerm
				}
			}
		}
	}
	return 0o022
}
