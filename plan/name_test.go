package plan

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestCheckName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"a", true},
		{"file.txt", true},
		{"with space", true},
		{"ünïcödé", true},
		{"...", true},
		{".hidden", true},
		{strings.Repeat("x", 255), true},
		{"", false},
		{".", false},
		{"..", false},
		{"a/b", false},
		{"a\\b", false},
		{"x\x00y", false},
		{"tab\there", false},
		{"new\nline", false},
		{"\x1f", false},
		{strings.Repeat("x", 256), false},
	}
	for _, tt := range tests {
		err := CheckName(tt.name)
		if (err == nil) != tt.ok {
			t.Errorf("CheckName(%q) = %v, want ok=%v", tt.name, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidName) {
			t.Errorf("CheckName(%q) = %v, does not wrap ErrInvalidName", tt.name, err)
		}
	}
}

func TestCheckPath(t *testing.T) {
	tests := []struct {
		path string
		ok   bool
	}{
		{"a", true},
		{"a/b/c.txt", true},
		{"", false},
		{"/a", false},
		{"a/", false},
		{"a//b", false},
		{"a/./b", false},
		{"a/../b", false},
		{"..", false},
		{"a/b\x00", false},
	}
	for _, tt := range tests {
		if err := CheckPath(tt.path); (err == nil) != tt.ok {
			t.Errorf("CheckPath(%q) = %v, want ok=%v", tt.path, err, tt.ok)
		}
	}
}

func TestJoinPath(t *testing.T) {
	for _, tt := range []struct{ dir, name, want string }{
		{"", "a", "a"},
		{"a", "b", "a/b"},
		{"a/b", "c", "a/b/c"},
	} {
		if got := JoinPath(tt.dir, tt.name); got != tt.want {
			t.Errorf("JoinPath(%q, %q) = %q, want %q", tt.dir, tt.name, got, tt.want)
		}
	}
}

func TestComparePathKeepsSubtreesTogether(t *testing.T) {
	paths := []string{"a-b", "a/x", "a", "a b", "b", "a/x/y", "a.txt", "a/w"}
	slices.SortFunc(paths, ComparePath)
	want := []string{"a", "a/w", "a/x", "a/x/y", "a b", "a-b", "a.txt", "b"}
	if !slices.Equal(paths, want) {
		t.Errorf("sorted = %q, want %q", paths, want)
	}
	if ComparePath("a", "a") != 0 {
		t.Error("ComparePath(a, a) != 0")
	}
}

func TestLinkInside(t *testing.T) {
	tests := []struct {
		link, target string
		want         bool
	}{
		{"ln", "file", true},
		{"ln", "dir/file", true},
		{"ln", ".", true},
		{"ln", "./x", true},
		{"a/ln", "../x", true},
		{"a/b/ln", "../../x", true},
		{"a/b/ln", "../c/../d", false}, // ".." after a name: the name could be a symlink
		{"ln", "../x", false},
		{"a/ln", "../../x", false},
		{"ln", "/etc/passwd", false},
		{"ln", "", false},
		{"ln", "a/../../x", false},
		{"ln", "a/..", false},
		{"ln", "x\x00", false},
	}
	for _, tt := range tests {
		if got := LinkInside(tt.link, tt.target); got != tt.want {
			t.Errorf("LinkInside(%q, %q) = %v, want %v", tt.link, tt.target, got, tt.want)
		}
	}
}
