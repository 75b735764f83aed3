package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

// The awkward tree of the interop suite: names that servers which hand
// LIST's argument to ls, or split on spaces, or expand globs, get wrong;
// names FTP can carry but that are not plain ASCII; a long name and a deep
// path; empty and hidden directories; and symlinks inside the tree, leaving
// it, and dangling. No directory name holds a '*': proftpd refuses to
// create one (MKD, modules/mod_core.c: "Invalid directory name"), and
// Debian's proftpd.conf refuses every argument with a '*' before a '/'
// (DenyFilter \*.*/), so no client can push such a tree there.
// longName is 200 bytes long.
var longName = "long-" + strings.Repeat("0123456789", 19) + "x.txt"

// awkwardMtime is every file's mtime, so that a mirror can be compared to
// the tree with mtimes.
var awkwardMtime = time.Date(2024, 2, 29, 13, 14, 15, 0, time.UTC)

// awkwardFiles are the files and directories (a key ending in "/") of the
// awkward tree; their contents differ, and one is larger than a buffer.
func awkwardFiles() map[string]string {
	files := map[string]string{
		"space name.txt":           strings.Repeat("spaced out ", 177) + "end\n", // 1950 bytes
		"tab\tname.txt":            "a tab in the name\n",
		"-dash.txt":                "a leading dash\n",
		"-dash dir/inside.txt":     "inside a directory with a leading dash\n",
		"space dir/file.txt":       "inside a directory with a space\n",
		"glob*?[x].txt":            "glob characters\n",
		"glob[dir]?/in?.txt":       "glob characters in the directory\n",
		`quote'single"double.txt`:  "quotes\n",
		"ünïcødé 日本語 🙂.txt":        "unicode\n",
		longName:                   "a 200-byte name\n",
		"empty/":                   "",
		".hidden/.dotfile":         "a dot file in a hidden directory\n",
		".hidden/visible.txt":      "visible in a hidden directory\n",
		".hidden-empty/":           "",
		"big.bin":                  strings.Repeat("0123456789abcdef", 20000), // 320 KB
		"zero.txt":                 "",
		"dir/":                     "", // holds only a link
		"link target dir/file.txt": "reached through a directory link\n",
	}
	deep := "deep"
	for i := 1; i <= 39; i++ {
		deep += fmt.Sprintf("/d%02d", i)
	}
	files[deep+"/leaf.txt"] = "40 directories down\n"
	return files
}

// awkwardLinks are the tree's symlinks and their targets.
var awkwardLinks = map[string]string{
	"link-inside":         "space name.txt",
	"dir/link-up":         "../glob*?[x].txt",
	"dir-link":            "link target dir",
	"dangling":            "nowhere.txt",
	"link-outside":        "../outside.txt",
	"link-absolute":       "/etc/hostname",
	"space dir/link here": "file.txt",
}

// leavesTree says whether a link of awkwardLinks points outside the tree.
func leavesTree(name string) bool { return name == "link-outside" || name == "link-absolute" }

// treeParts selects what writeAwkward writes.
type treeParts struct {
	links        bool // the symlinks that stay inside the tree
	outsideLinks bool // the symlinks that leave it
}

// writeAwkward writes the awkward tree under dir, and "outside.txt" beside
// dir for the link that leaves it.
func writeAwkward(t *testing.T, dir string, parts treeParts) {
	t.Helper()
	files := awkwardFiles()
	ftptest.WriteTree(t, dir, files)
	for p := range files {
		if !strings.HasSuffix(p, "/") {
			ftptest.SetMtime(t, filepath.Join(dir, filepath.FromSlash(p)), awkwardMtime)
		}
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(dir), "outside.txt"), []byte("outside the tree\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, target := range awkwardLinks {
		if leavesTree(name) && !parts.outsideLinks || !leavesTree(name) && !parts.links {
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
}

// expectAwkward writes, in a new directory, the tree a mirror must hold.
func expectAwkward(t *testing.T, parts treeParts) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "want")
	writeAwkward(t, dir, parts)
	return dir
}
