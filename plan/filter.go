package plan

import (
	"fmt"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// Filter decides which paths of a tree take part in a mirror run. Paths it
// does not match are not listed, not transferred and never deleted: they are
// left alone on both sides.
//
// Patterns are doublestar globs ("*", "?", "[a-z]", "{a,b}", and "**" for any
// number of directories) matched against the slash path relative to the root,
// case-sensitively. The rules, like rsync's but simpler:
//
//   - A pattern without a slash matches the base name at any depth: "*.tmp"
//     matches "x.tmp" and "a/b/x.tmp". A pattern with a slash matches the
//     whole path: "src/gen" matches "src/gen" but not "a/src/gen". A leading
//     slash only anchors the pattern at the root: "/build" matches "build"
//     but not "src/build".
//   - A trailing slash makes a pattern match directories only: "cache/"
//     matches the directory "cache/" and, by the next rule, what it holds,
//     but not a file named "cache".
//   - A path is excluded if an exclude pattern matches it or any of its
//     parent directories. Excludes win over includes.
//   - Without include patterns every path that is not excluded is included.
//     With include patterns, a directory is always included (so the walk
//     descends into it: "**/*.txt" finds text files at any depth), and a
//     file or symlink is included only if an include pattern matches it or
//     one of its parent directories ("docs/" includes everything under docs).
//
// Files can also be left out by size and age (EntryRules, sizeage.go):
// those are decided on one tree's listing (Hold), and the paths held are
// then excluded on both sides, exactly as a pattern would.
//
// A nil *Filter includes everything.
type Filter struct {
	include, exclude []pattern
	rules            EntryRules
	held             map[string]bool // files the rules left out, by path
}

type pattern struct {
	glob     string
	anchored bool // the pattern had a slash: match the whole path, else the base name
	dirOnly  bool // the pattern had a trailing slash
}

// NewFilter compiles include and exclude patterns. It fails on the first
// pattern that is not a valid glob, naming it.
func NewFilter(include, exclude []string) (*Filter, error) {
	var f Filter
	var err error
	if f.include, err = compilePatterns("include", include); err != nil {
		return nil, err
	}
	if f.exclude, err = compilePatterns("exclude", exclude); err != nil {
		return nil, err
	}
	return &f, nil
}

func compilePatterns(what string, globs []string) ([]pattern, error) {
	out := make([]pattern, 0, len(globs))
	for _, g := range globs {
		p := pattern{glob: g}
		if strings.HasPrefix(p.glob, "/") {
			p.glob = strings.TrimLeft(p.glob, "/")
			p.anchored = true
		}
		if strings.HasSuffix(p.glob, "/") {
			p.glob = strings.TrimRight(p.glob, "/")
			p.dirOnly = true
		}
		if strings.Contains(p.glob, "/") {
			p.anchored = true
		}
		if p.glob == "" || !doublestar.ValidatePattern(p.glob) {
			return nil, fmt.Errorf("invalid %s pattern %q", what, g)
		}
		out = append(out, p)
	}
	return out, nil
}

// match reports whether the pattern matches the entry at path p.
func (pt pattern) match(p string, kind Kind) bool {
	if pt.dirOnly && kind != KindDir {
		return false
	}
	name := p
	if !pt.anchored {
		_, name = splitPath(p)
	}
	return doublestar.MatchUnvalidated(pt.glob, name)
}

// matchTree reports whether one of pats matches p (of the given kind) or one
// of its parent directories.
func matchTree(pats []pattern, p string, kind Kind) bool {
	for _, pt := range pats {
		if pt.match(p, kind) {
			return true
		}
	}
	for dir := parentDir(p); dir != ""; dir = parentDir(dir) {
		for _, pt := range pats {
			if pt.match(dir, KindDir) {
				return true
			}
		}
	}
	return false
}

// Match reports whether the entry at path p, of the given kind, takes part
// in the run. The root ("") always does.
func (f *Filter) Match(p string, kind Kind) bool {
	if f == nil || p == "" {
		return true
	}
	if f.held[p] || matchTree(f.exclude, p, kind) {
		return false
	}
	if len(f.include) == 0 || kind == KindDir {
		return true
	}
	return matchTree(f.include, p, kind)
}

// ParseExcludeFrom returns the patterns of an exclude file: one pattern a
// line, with surrounding spaces trimmed; blank lines and lines starting with
// "#" are ignored. CRLF line ends are accepted.
func ParseExcludeFrom(text string) []string {
	var out []string
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	return out
}
