package main

import (
	"bytes"
	"encoding/json"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/ftpmirror/ftpmirror/mirror"
)

// The program's own words never hold the password: it is a mirror.Secret
// from the moment it is parsed, which prints as nothing. What may hold it is
// text a server wrote, which errors carry into messages, logs and --json: a
// server that echoes the password in an error reply. serverMask is the last
// resort against that, and touches nothing else: it looks only at server
// replies as errors print them, a 4xx or 5xx code followed by a space
// where an error puts one (after ": ", or at the start of a line or a
// string), from the code to the end of the line, or to the end of the
// quoted string the reply sits in (a log value, a JSON string). There it
// replaces the password, standing as a whole word, with "***", in every
// form the quoting on the way may have given it.

// serverMask masks passwords in server replies; the zero value masks
// nothing.
type serverMask struct {
	forms []string // the password as sent and as escaped, longest first
}

// add makes the mask cover pw.
func (m *serverMask) add(pw mirror.Secret) {
	if pw.IsZero() {
		return
	}
	raw := pw.Reveal()
	goQ := quoteInner(raw)
	for _, f := range []string{raw, goQ, quoteInner(goQ), jsonInner(raw, true), jsonInner(raw, false), jsonInner(goQ, true), jsonInner(goQ, false)} {
		if !slices.Contains(m.forms, f) {
			m.forms = append(m.forms, f)
		}
	}
	slices.SortFunc(m.forms, func(a, b string) int { return len(b) - len(a) })
}

// merge makes m cover what o covers.
func (m *serverMask) merge(o *serverMask) {
	for _, f := range o.forms {
		if !slices.Contains(m.forms, f) {
			m.forms = append(m.forms, f)
		}
	}
	slices.SortFunc(m.forms, func(a, b string) int { return len(b) - len(a) })
}

func quoteInner(s string) string { q := strconv.Quote(s); return q[1 : len(q)-1] }

func jsonInner(s string, escapeHTML bool) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(s)
	q := strings.TrimSpace(b.String())
	return q[1 : len(q)-1]
}

// apply returns s with the password masked in every server reply it holds.
func (m *serverMask) apply(s string) string {
	if len(m.forms) == 0 {
		return s
	}
	var out strings.Builder
	for line := range strings.SplitAfterSeq(s, "\n") {
		out.WriteString(m.applyLine(line))
	}
	return out.String()
}

func (m *serverMask) applyLine(line string) string {
	var out strings.Builder
	quoted := false // inside a quoted string
	for i := 0; i < len(line); {
		if line[i] == '"' && !escaped(line, i) {
			quoted = !quoted
		}
		if !replyAt(line, i) {
			out.WriteByte(line[i])
			i++
			continue
		}
		end := len(line)
		if quoted {
			end = closingQuote(line, i)
		}
		out.WriteString(m.mask(line[i:end]))
		i = end
	}
	return out.String()
}

// replyAt reports whether a server reply starts at line[i]: a 4xx or 5xx
// code followed by a space or '-', where errors put one: at the start of
// the line or of a string, or after the ": " that wraps an error.
func replyAt(line string, i int) bool {
	if i+4 > len(line) || line[i] != '4' && line[i] != '5' || !isDigit(line[i+1]) || !isDigit(line[i+2]) || line[i+3] != ' ' && line[i+3] != '-' {
		return false
	}
	return i == 0 || line[i-1] == '"' || strings.HasSuffix(line[:i], ": ")
}

// closingQuote returns the index of the unescaped '"' closing the string
// that holds line[i], or len(line).
func closingQuote(line string, i int) int {
	for j := i; j < len(line); j++ {
		if line[j] == '"' && !escaped(line, j) {
			return j
		}
	}
	return len(line)
}

// escaped reports whether line[i] follows an odd number of backslashes.
func escaped(line string, i int) bool {
	n := 0
	for j := i - 1; j >= 0 && line[j] == '\\'; j-- {
		n++
	}
	return n%2 == 1
}

// mask replaces the password's forms in seg, where they stand as whole words.
func (m *serverMask) mask(seg string) string {
	for _, f := range m.forms {
		var out strings.Builder
		rest := seg
		for {
			k := strings.Index(rest, f)
			if k < 0 {
				out.WriteString(rest)
				break
			}
			before, after := byte(' '), byte(' ')
			if k > 0 {
				before = rest[k-1]
			} else if out.Len() > 0 {
				before = out.String()[out.Len()-1]
			}
			if k+len(f) < len(rest) {
				after = rest[k+len(f)]
			}
			whole := !(isWord(f[0]) && isWord(before)) && !(isWord(f[len(f)-1]) && isWord(after))
			out.WriteString(rest[:k])
			if whole {
				out.WriteString("***")
			} else {
				out.WriteString(f)
			}
			rest = rest[k+len(f):]
		}
		seg = out.String()
	}
	return seg
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

func isWord(b byte) bool {
	return isDigit(b) || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || b == '_' || b >= 0x80
}

// redactWriter applies the server mask to what is written through it. Every
// write of this command is a whole line or document, so a reply is never
// split across two writes.
type redactWriter struct {
	w io.Writer
	a *app
}

func (r *redactWriter) Write(p []byte) (int, error) {
	if len(r.a.mask.forms) == 0 {
		return r.w.Write(p)
	}
	if _, err := io.WriteString(r.w, r.a.mask.apply(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
