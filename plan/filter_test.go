package plan

import (
	"slices"
	"strings"
	"testing"
)

func TestFilterMatch(t *testing.T) {
	type probe struct {
		path string
		kind Kind
		want bool
	}
	tests := []struct {
		name             string
		include, exclude []string
		probes           []probe
	}{
		{
			name:    "no slash matches the base name at any depth",
			exclude: []string{"*.tmp"},
			probes: []probe{
				{"x.tmp", KindFile, false},
				{"a/b/x.tmp", KindFile, false},
				{"a/b/x.txt", KindFile, true},
				{"a", KindDir, true},
			},
		},
		{
			name:    "excluded directory excludes its contents",
			exclude: []string{"build"},
			probes: []probe{
				{"build", KindDir, false},
				{"build/out/x", KindFile, false},
				{"src/build/y", KindFile, false},
				{"src/builds/y", KindFile, true},
			},
		},
		{
			name:    "slash anchors the pattern at the root",
			exclude: []string{"src/gen"},
			probes: []probe{
				{"src/gen", KindDir, false},
				{"src/gen/x.go", KindFile, false},
				{"a/src/gen/x.go", KindFile, true},
				{"src/general", KindFile, true},
			},
		},
		{
			name:    "leading slash anchors a single name",
			exclude: []string{"/build"},
			probes: []probe{
				{"build/x", KindFile, false},
				{"src/build/x", KindFile, true},
			},
		},
		{
			name:    "doublestar",
			exclude: []string{"**/cache"},
			probes: []probe{
				{"cache/x", KindFile, false},
				{"a/b/cache/x", KindFile, false},
				{"a/cachex", KindFile, true},
			},
		},
		{
			name:    "trailing slash matches directories only",
			exclude: []string{"cache/"},
			probes: []probe{
				{"cache", KindDir, false},
				{"a/cache/x", KindFile, false},
				{"cache", KindFile, true},
				{"cache", KindSymlink, true},
			},
		},
		{
			name:    "include selects files, directories are always descended",
			include: []string{"**/*.txt"},
			probes: []probe{
				{"a.txt", KindFile, true},
				{"a/b/c.txt", KindFile, true},
				{"a/b/c.bin", KindFile, false},
				{"a", KindDir, true},
				{"a/b", KindDir, true},
				{"link.bin", KindSymlink, false},
			},
		},
		{
			name:    "include without slash matches base names",
			include: []string{"*.txt"},
			probes: []probe{
				{"a/b/c.txt", KindFile, true},
				{"c.bin", KindFile, false},
			},
		},
		{
			name:    "include of a directory includes its contents",
			include: []string{"docs/"},
			probes: []probe{
				{"docs/a/b.bin", KindFile, true},
				{"src/a.go", KindFile, false},
				{"docs", KindFile, false},
			},
		},
		{
			name:    "exclude wins over include",
			include: []string{"*.txt"},
			exclude: []string{"secret"},
			probes: []probe{
				{"a.txt", KindFile, true},
				{"secret/a.txt", KindFile, false},
				{"secret", KindDir, false},
			},
		},
		{
			name:    "braces and classes",
			exclude: []string{"*.{o,a}", "core.[0-9]*"},
			probes: []probe{
				{"x/y.o", KindFile, false},
				{"y.a", KindFile, false},
				{"y.c", KindFile, true},
				{"core.123", KindFile, false},
				{"core.txt", KindFile, true},
			},
		},
		{
			name:    "root always matches",
			include: []string{"nothing"},
			exclude: []string{"*"},
			probes:  []probe{{"", KindDir, true}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := NewFilter(tt.include, tt.exclude)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range tt.probes {
				if got := f.Match(p.path, p.kind); got != p.want {
					t.Errorf("Match(%q, %v) = %v, want %v", p.path, p.kind, got, p.want)
				}
			}
		})
	}
}

func TestNilFilterMatchesEverything(t *testing.T) {
	var f *Filter
	if !f.Match("a/b.tmp", KindFile) || !f.Match("a", KindDir) {
		t.Error("nil filter refused a path")
	}
	empty, err := NewFilter(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !empty.Match("a/b.tmp", KindFile) {
		t.Error("empty filter refused a path")
	}
}

func TestNewFilterNamesTheBadPattern(t *testing.T) {
	for _, tt := range []struct{ include, exclude []string }{
		{exclude: []string{"ok", "bad["}},
		{include: []string{"bad{"}},
		{exclude: []string{"/"}},
	} {
		_, err := NewFilter(tt.include, tt.exclude)
		if err == nil {
			t.Errorf("NewFilter(%q, %q) accepted a bad pattern", tt.include, tt.exclude)
			continue
		}
		bad := slices.Concat(tt.include, tt.exclude)
		if want := bad[len(bad)-1]; !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
}

func TestParseExcludeFrom(t *testing.T) {
	text := "# comment\n*.tmp\n\n  build/  \r\n#another\n  \n**/cache"
	got := ParseExcludeFrom(text)
	want := []string{"*.tmp", "build/", "**/cache"}
	if !slices.Equal(got, want) {
		t.Errorf("ParseExcludeFrom = %q, want %q", got, want)
	}
	if got := ParseExcludeFrom(""); len(got) != 0 {
		t.Errorf("ParseExcludeFrom(\"\") = %q", got)
	}
}
