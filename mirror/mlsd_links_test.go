package mirror

import (
	"maps"
	"strings"
	"testing"

	"github.com/jlaffaye/ftp"
)

func TestParseMLSDLinkReadsEveryServersForm(t *testing.T) {
	tests := []struct {
		line, name, target string
		size               uint64
		ok                 bool
	}{
		// pure-ftpd, with and without the target; a target with spaces.
		{"type=OS.unix=slink:space name.txt;size=14;modify=20240101000000;UNIX.mode=0777; link", "link", "space name.txt", 14, true},
		{"type=OS.unix=slink:;size=14;modify=20240101000000; link here", "link here", "", 14, true},
		// proftpd: RFC 3659's grammar, no target.
		{"modify=20240101000000;perm=adfr;size=14;type=OS.unix=symlink;unique=1U2; link", "link", "", 14, true},
		{"Type=os.UNIX=SLINK:/abs;Size=4; up", "up", "/abs", 4, true},
		{"type=file;size=14; link", "", "", 0, false},
		{"type=OS.unix=slink:x;size=1;", "", "", 0, false}, // no name
	}
	for _, tt := range tests {
		l, ok := parseMLSDLink(tt.line)
		if ok != tt.ok || ok && (l.entry.Name != tt.name || l.entry.Target != tt.target || l.entry.Size != tt.size || l.entry.Type != ftp.EntryTypeLink) {
			t.Errorf("parseMLSDLink(%q) = %+v, %v; want %q -> %q (%d bytes), %v", tt.line, l.entry, ok, tt.name, tt.target, tt.size, tt.ok)
		}
	}
}

// The library reads a link line as a file (or drops it when the target
// holds a space); fixMLSDLinks puts a symlink in its place, once.
func TestFixMLSDLinksReplacesTheLibrarysReading(t *testing.T) {
	var r rawLines
	listing := "type=file;size=3; a.txt\r\ntype=OS.unix=slink:a.txt;size=5; ln\r\n" +
		"type=OS.unix=slink:space name.txt;size=14; sp\r\ntype=dir; d\r\n" +
		"type=OS.unix=symlink;size=2; ln2"
	for _, chunk := range strings.SplitAfter(listing, "s") { // lines cut anywhere
		_, _ = r.Write([]byte(chunk))
	}
	lines := r.take()
	if len(lines) != 3 {
		t.Fatalf("kept %q, want the three link lines", lines)
	}
	raw := []*ftp.Entry{{Name: "a.txt", Size: 3}, {Name: "ln", Size: 5}, {Name: "d", Type: ftp.EntryTypeFolder}, {Name: "ln2", Size: 2}}
	got := map[string]string{}
	for _, e := range fixMLSDLinks(raw, lines) {
		got[e.Name] = e.Type.String() + " " + e.Target
	}
	want := map[string]string{"a.txt": "file ", "ln": "link a.txt", "sp": "link space name.txt", "d": "folder ", "ln2": "link "}
	if !maps.Equal(got, want) {
		t.Errorf("entries = %q, want %q", got, want)
	}
}

func TestLsTargetsReadsLinkLines(t *testing.T) {
	lines := []string{
		"-rw-r--r--   1 u g 1950 Jan 01  2024 space name.txt",
		"lrwxrwxrwx   1 u g   14 Jan 01  2024 link here -> ../space name.txt",
		"lrwxrwxrwx   1 u g    2 Jan 01 12:00 up -> ..",
	}
	for _, l := range lines[1:] {
		if _, _, ok := lsLink(l); !ok {
			t.Errorf("lsLink(%q) did not read it", l)
		}
	}
	if n, tg, ok := lsLink(lines[1]); n != "link here" || tg != "../space name.txt" || !ok {
		t.Errorf("lsLink = %q, %q, %v", n, tg, ok)
	}
	got := lsTargets(lines, []string{"link here", "up", "missing"})
	if want := map[string]string{"link here": "../space name.txt", "up": ".."}; !maps.Equal(got, want) {
		t.Errorf("lsTargets = %q, want %q", got, want)
	}
}
