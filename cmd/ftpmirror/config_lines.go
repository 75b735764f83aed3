package main

import (
	"strings"

	"github.com/BurntSushi/toml"
)

// keyLineMap maps each key of a TOML text, in toml.Key.String form, to the
// line (from 1) where it is set or its table starts. The toml package keeps
// positions to itself, so this reads them off the text: it knows table
// headers and key = value lines, which is how config files are written, and
// skips the inside of multi-line strings and arrays.
type keyLineMap map[string]int

func keyLines(text string) keyLineMap {
	m := keyLineMap{}
	var table toml.Key
	var inString string // the closing quote of a multi-line string we are in
	for i, line := range strings.Split(text, "\n") {
		n := i + 1
		if inString != "" {
			if strings.Count(line, inString)%2 == 1 {
				inString = ""
			}
			continue
		}
		s := strings.TrimSpace(line)
		if strings.HasPrefix(s, "[") {
			inner := strings.TrimPrefix(strings.TrimPrefix(s, "["), "[")
			if k, rest, ok := parseKey(inner); ok && strings.HasPrefix(strings.TrimSpace(rest), "]") {
				table = k
				setLine(m, k, n)
			}
			continue
		}
		k, rest, ok := parseKey(s)
		rest = strings.TrimSpace(rest)
		if !ok || !strings.HasPrefix(rest, "=") {
			continue
		}
		full := append(append(toml.Key{}, table...), k...)
		setLine(m, full, n)
		value := strings.TrimSpace(rest[1:])
		for _, q := range []string{`"""`, `'''`} {
			if strings.HasPrefix(value, q) && strings.Count(value, q)%2 == 1 {
				inString = q
			}
		}
	}
	return m
}

func setLine(m keyLineMap, k toml.Key, line int) {
	if _, ok := m[k.String()]; !ok {
		m[k.String()] = line
	}
}

// find returns the line of k, or of its nearest enclosing table that has
// one; 0 when none is known.
func (m keyLineMap) find(k toml.Key) int {
	for n := len(k); n > 0; n-- {
		if l, ok := m[k[:n].String()]; ok {
			return l
		}
	}
	return 0
}

// parseKey reads a dotted key (bare, "basic" or 'literal' parts) from the
// start of s and returns the rest.
func parseKey(s string) (toml.Key, string, bool) {
	var k toml.Key
	for {
		s = strings.TrimLeft(s, " \t")
		var part string
		switch {
		case strings.HasPrefix(s, `"`):
			end := 1
			var b strings.Builder
			for ; end < len(s) && s[end] != '"'; end++ {
				if s[end] == '\\' && end+1 < len(s) {
					end++
				}
				b.WriteByte(s[end])
			}
			if end >= len(s) {
				return nil, "", false
			}
			part, s = b.String(), s[end+1:]
		case strings.HasPrefix(s, "'"):
			end := strings.IndexByte(s[1:], '\'')
			if end < 0 {
				return nil, "", false
			}
			part, s = s[1:end+1], s[end+2:]
		default:
			end := 0
			for end < len(s) && isBareKeyChar(s[end]) {
				end++
			}
			if end == 0 {
				return nil, "", false
			}
			part, s = s[:end], s[end:]
		}
		k = append(k, part)
		s = strings.TrimLeft(s, " \t")
		if !strings.HasPrefix(s, ".") {
			return k, s, true
		}
		s = s[1:]
	}
}

func isBareKeyChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}
