package mirror

import (
	"context"
	"fmt"
	"path"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"

	"github.com/ftpmirror/ftpmirror/plan"
)

// Charset is the character set of a server's names (--remote-charset), for
// servers that do not speak UTF-8: Windows servers in GBK or a code page,
// old Unix servers in Latin-1. Without one, names travel as the bytes they
// are, both ways. With one, listed names are decoded to UTF-8 and every
// command line sent is encoded back, so the local tree holds UTF-8 names.
// A name that does not survive the round trip exactly (bytes invalid in the
// charset) keeps its bytes, and so does a line that is not UTF-8.
type Charset struct {
	name string
	enc  encoding.Encoding
}

// ParseCharset finds a character set by its WHATWG or IANA name ("gbk",
// "latin1", "windows-1252", "shift_jis", "iso-8859-15"). UTF-8 gives nil:
// nothing to convert.
func ParseCharset(name string) (*Charset, error) {
	enc, err := htmlindex.Get(name)
	if err != nil {
		if enc, err = ianaindex.IANA.Encoding(name); err != nil || enc == nil {
			return nil, fmt.Errorf("unknown character set %q", name)
		}
	}
	if n, _ := htmlindex.Name(enc); n == "utf-8" {
		return nil, nil
	}
	return &Charset{name: name, enc: enc}, nil
}

// String returns the name the charset was given by.
func (cs *Charset) String() string { return cs.name }

// decode returns s, read in the charset, as UTF-8; s itself when it is not
// exactly what encoding the result gives back.
func (cs *Charset) decode(s string) string {
	if cs == nil || isASCII(s) {
		return s
	}
	d, err := cs.enc.NewDecoder().String(s)
	if err != nil || !utf8.ValidString(d) {
		return s
	}
	if back, err := cs.enc.NewEncoder().String(d); err != nil || back != s {
		return s
	}
	return d
}

// encodeCommand returns the UTF-8 command line in the charset; the line
// itself when it is not UTF-8 (a name kept as its bytes), holds what the
// charset lacks, or is the login (USER and PASS go as they are).
func (cs *Charset) encodeCommand(line string) string {
	if cs == nil || isASCII(line) || !utf8.ValidString(line) || strings.HasPrefix(line, "USER ") || strings.HasPrefix(line, "PASS ") {
		return line
	}
	e, err := cs.enc.NewEncoder().String(line)
	if err != nil {
		return line
	}
	return e
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// withCharset returns l with its names decoded from cs; l itself without.
func withCharset(l plan.Lister, cs *Charset) plan.Lister {
	if cs == nil {
		return l
	}
	return &charsetLister{l: l, cs: cs}
}

// charsetLister decodes the names and symlink targets of a listing.
type charsetLister struct {
	l  plan.Lister
	cs *Charset
}

var _ plan.Lister = (*charsetLister)(nil)

func (c *charsetLister) List(ctx context.Context, dir string) ([]plan.Entry, error) {
	entries, err := c.l.List(ctx, dir)
	for i, e := range entries {
		if name := path.Base(e.Path); !isASCII(name) {
			entries[i].Path = plan.JoinPath(dir, c.cs.decode(name))
		}
		entries[i].Target = c.cs.decode(e.Target)
	}
	return entries, err
}
