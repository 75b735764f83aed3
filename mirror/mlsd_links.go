package mirror

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	"github.com/jlaffaye/ftp"
)

// MLSD servers list a symlink with a type the library does not know:
// pure-ftpd as "type=OS.unix=slink:TARGET" (TARGET may be empty), proftpd as
// "type=OS.unix=symlink" (the grammar of RFC 3659), both with the size of
// the link itself. The library reads such a line as a file (or drops it,
// when the target holds a space), and a download then gets the target's
// bytes, which differ from the listed size, on every run. So the lines of
// every listing that name a symlink in MLSD facts are kept as they arrive
// (rawLines, fed by the transport's lineCounter), and their entries are
// made again from them (fixMLSDLinks); a target the line does not give is
// learnt from LIST -a of the directory (link_targets.go).

// maxRawLine bounds a kept line; a longer one is not kept.
const maxRawLine = 8 << 10

// rawLines keeps, of the lines of a listing, those whose MLSD facts name a
// symlink, or every line when all is set.
type rawLines struct {
	all   bool
	cur   []byte
	long  bool // the current line is longer than maxRawLine
	lines []string
}

// Write takes the bytes of the listing as they arrive.
func (r *rawLines) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		chunk := p
		if i >= 0 {
			chunk = p[:i]
		}
		if !r.long {
			if len(r.cur)+len(chunk) > maxRawLine {
				r.long, r.cur = true, r.cur[:0]
			} else {
				r.cur = append(r.cur, chunk...)
			}
		}
		if i < 0 {
			break
		}
		r.endLine()
		p = p[i+1:]
	}
	return n, nil
}

func (r *rawLines) endLine() {
	line := bytes.TrimSuffix(r.cur, []byte("\r"))
	if !r.long && len(line) > 0 && (r.all || linkFacts(line)) {
		r.lines = append(r.lines, string(line))
	}
	r.cur, r.long = r.cur[:0], false
}

// take returns the lines kept, the last one counted even without its
// newline.
func (r *rawLines) take() []string {
	if r == nil {
		return nil
	}
	if len(r.cur) > 0 || r.long {
		r.endLine()
	}
	l := r.lines
	r.lines = nil
	return l
}

// linkFacts reports whether line holds, before its first space, a type
// fact naming a symlink ("type=OS.unix=slink..." or "...=symlink...").
func linkFacts(line []byte) bool {
	facts := line
	if i := bytes.IndexByte(line, ' '); i >= 0 {
		facts = line[:i]
	}
	const key = "type=os.unix=s"
	for i := 0; i+len(key) <= len(facts); i++ {
		if (i == 0 || facts[i-1] == ';') && bytes.EqualFold(facts[i:i+len(key)], []byte(key)) {
			return true
		}
	}
	return false
}

// mlsdLink is a symlink read from an MLSD line.
type mlsdLink struct {
	libName string // the name the library read: what follows the first space
	entry   ftp.Entry
}

// parseMLSDLink reads an MLSD line whose type is a symlink. The facts end
// at the first "; " (a target may hold spaces, never ";"), and the name is
// what follows.
func parseMLSDLink(line string) (mlsdLink, bool) {
	end := strings.Index(line, "; ")
	sp := strings.IndexByte(line, ' ')
	if end < 0 || sp < 0 {
		return mlsdLink{}, false
	}
	l := mlsdLink{libName: line[sp+1:], entry: ftp.Entry{Name: line[end+2:], Type: ftp.EntryTypeLink}}
	isLink := false
	for fact := range strings.SplitSeq(line[:end], ";") {
		key, value, ok := strings.Cut(fact, "=")
		if !ok {
			continue
		}
		switch strings.ToLower(key) {
		case "type":
			kind, target, _ := strings.Cut(value, ":")
			switch strings.ToLower(kind) {
			case "os.unix=slink", "os.unix=symlink":
				isLink, l.entry.Target = true, target
			}
		case "size":
			if n, err := strconv.ParseUint(value, 10, 64); err == nil {
				l.entry.Size = n
			}
		case "modify":
			if t, err := time.Parse("20060102150405", value[:min(len(value), 14)]); err == nil {
				l.entry.Time = t
			}
		}
	}
	return l, isLink && l.entry.Name != ""
}

// fixMLSDLinks makes the entries of the symlinks of an MLSD listing from
// their lines: the library's reading of such a line (a file, or nothing)
// is replaced by a symlink entry, with the target when the line gives one.
func fixMLSDLinks(raw []*ftp.Entry, lines []string) []*ftp.Entry {
	if len(lines) == 0 {
		return raw
	}
	byLibName := make(map[string]*mlsdLink, len(lines))
	var links []*mlsdLink
	for _, line := range lines {
		if l, ok := parseMLSDLink(line); ok {
			links = append(links, &l)
			byLibName[l.libName] = &l
		}
	}
	out := raw[:0]
	for _, e := range raw {
		if l := byLibName[e.Name]; l != nil && e.Type != ftp.EntryTypeFolder {
			continue // read as a file: replaced below
		}
		out = append(out, e)
	}
	for _, l := range links {
		out = append(out, &l.entry)
	}
	return out
}

// rawLines returns the lines the operation's listing kept verbatim.
func (op *dataOp) rawLines() (lines []string) {
	op.withLines(func(lc *lineCounter) { lines = lc.raw.take() })
	return lines
}
