package mirror

import (
	"context"
	"strings"
)

// listLong lists abs with LIST -a, on an MLSD server too, and returns its
// lines as they came: ls -l lines, which show a symlink's target as
// "name -> target" where MLSD does not. It changes into abs and lists it
// bare, since servers that hand LIST's argument to ls split a name with a
// space.
func (c *Conn) listLong(ctx context.Context, abs string) ([]string, error) {
	op := &dataOp{limit: c.t.opts.MaxListingBytes, asList: true}
	err := c.doOp(ctx, op, func() error {
		if err := c.sc.ChangeDir(abs); err != nil {
			return err
		}
		_, err := c.sc.List("") // the library cannot read these lines: they are taken raw
		return err
	})
	return op.rawLines(), err
}

// lsTargets reads the targets of the symlinks named in names from lines of
// ls -l ("lrwxrwxrwx 1 u g 14 Jan 01 2024 name -> target"). A name that
// holds " -> " itself is read at its first such place.
func lsTargets(lines, names []string) map[string]string {
	out := make(map[string]string, len(names))
	for _, line := range lines {
		if !strings.HasPrefix(line, "l") {
			continue
		}
		for _, n := range names {
			if i := strings.Index(line, " "+n+" -> "); i >= 0 {
				if _, seen := out[n]; !seen {
					out[n] = line[i+len(n)+5:]
				}
			}
		}
	}
	return out
}

// lsLink reads a symlink's line of ls -l: the name and the target that
// follow its eight fields (mode, links, owner, group, size, month, day,
// time or year) and one space.
func lsLink(line string) (name, target string, ok bool) {
	if !strings.HasPrefix(line, "l") {
		return "", "", false
	}
	rest := line
	for range 8 {
		rest = strings.TrimLeft(rest, " ")
		i := strings.IndexByte(rest, ' ')
		if i < 0 {
			return "", "", false
		}
		rest = rest[i:]
	}
	name, target, ok = strings.Cut(rest[1:], " -> ")
	return name, target, ok && name != "" && target != ""
}
