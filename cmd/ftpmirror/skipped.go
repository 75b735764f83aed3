package main

import (
	"log/slog"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ftpmirror/ftpmirror/mirror"
	"github.com/ftpmirror/ftpmirror/plan"
)

// skippedWarnings tells what the run left out on purpose: a warning for
// what is new, and, with -v, a note for what earlier runs already warned
// about (the state remembers it), so that a cron job does not mail about a
// name it can do nothing with on every run.
func skippedWarnings(con *console, out *outputFlags, r *mirror.Report) {
	for _, sk := range r.Skipped {
		con.Println("ftpmirror: warning: skipped %s %s: %v", sk.Op, showPath(sk.Path), sk.Err)
	}
	if out.verbose > 0 {
		for _, sk := range r.SkippedBefore {
			con.Println("ftpmirror: skipped %s %s, as before: %v", sk.Op, showPath(sk.Path), sk.Err)
		}
	}
}

// showPath returns p for a line of output: as it is, or quoted when it
// holds a control character (a tab, a line break, an escape sequence) that
// would garble the line or the terminal. Bytes that are not UTF-8 are left
// as they are, as ls leaves them in a pipe.
func showPath(p string) string {
	if strings.IndexFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f }) < 0 {
		return p
	}
	return strconv.Quote(p)
}

// jsonAction is a planned action in JSON output. JSON strings are UTF-8:
// a path that is not (a Latin-1 or GBK server's name, mirrored as its
// bytes) would reach tools with its odd bytes replaced by U+FFFD, so its
// bytes are given too, in path_bytes (base64).
type jsonAction struct {
	plan.Action
	PathBytes []byte `json:"path_bytes,omitempty"`
}

func jsonActions(as []plan.Action) []jsonAction {
	out := make([]jsonAction, len(as))
	for i, a := range as {
		out[i] = jsonAction{Action: a, PathBytes: pathBytes(a.Path)}
	}
	return out
}

// pathBytes returns p's bytes when p is not UTF-8, else nil.
func pathBytes(p string) []byte {
	if utf8.ValidString(p) {
		return nil
	}
	return []byte(p)
}

// quoteNonUTF8 is the ReplaceAttr of the JSON log: a string that is not
// UTF-8 (a Latin-1 or GBK name) would have its odd bytes replaced by
// U+FFFD; it is logged Go-quoted instead ("caf\xe9"), which keeps them.
// The text log quotes such strings by itself.
func quoteNonUTF8(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindString && !utf8.ValidString(a.Value.String()) {
		return slog.String(a.Key, strconv.Quote(a.Value.String()))
	}
	return a
}
