package plan

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestCheckNameAllowsEveryByteButNULSlashCRAndLF(t *testing.T) {
	tests := []struct {
		name string
		want error // nil, ErrInvalidName or ErrUnmirrorable
	}{
		{"a", nil},
		{"file.txt", nil},
		{"with space", nil},
		{"ünïcödé", nil},
		{"...", nil},
		{".hidden", nil},
		{strings.Repeat("x", 255), nil},
		{"tab\there", nil},
		{"a\\b", nil},
		{"\x1f", nil},
		{"\x7f del", nil},
		{"gbk \xc4\xe3\xba\xc3", nil},  // not UTF-8: the same bytes are written
		{"latin1 caf\xe9", nil},        // not UTF-8 either
		{"", ErrInvalidName},           // no name at all
		{".", ErrInvalidName},          // the directory itself
		{"..", ErrInvalidName},         // its parent: would escape
		{"a/b", ErrInvalidName},        // two names
		{"x\x00y", ErrInvalidName},     // NUL ends a path in every system call
		{"a/b\n", ErrInvalidName},      // hostile first
		{"new\nline", ErrUnmirrorable}, // FTP cannot carry it
		{"carriage\rreturn", ErrUnmirrorable},
		{strings.Repeat("x", 256), ErrUnmirrorable}, // longer than NAME_MAX
	}
	for _, tt := range tests {
		err := CheckName(tt.name)
		switch {
		case tt.want == nil && err != nil:
			t.Errorf("CheckName(%q) = %v, want nil", tt.name, err)
		case tt.want != nil && !errors.Is(err, tt.want):
			t.Errorf("CheckName(%q) = %v, want an error wrapping %v", tt.name, err, tt.want)
		case errors.Is(err, ErrInvalidName) && errors.Is(err, ErrUnmirrorable):
			t.Errorf("CheckName(%q) = %v wraps both kinds", tt.name, err)
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
