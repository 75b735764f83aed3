package plan

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ConflictPolicy says how Sync resolves a file changed differently on both
// sides since the last sync (or, on a first sync, present on both sides and
// not identical).
type ConflictPolicy string

// The conflict policies. Every action of a resolution carries
// ReasonConflict.
const (
	// ConflictKeepBoth loses no version. The version with the newer mtime
	// keeps the name on both sides; when the mtimes are equal within the
	// remote Precision, or the remote times are unknown, the remote version
	// keeps it. The other version is first renamed on its own side
	// (StageReplace, OpRenameLocal or OpRenameRemote, Action.To) to a
	// conflict copy in the same directory, then copied to the other side
	// under that name, while the kept version is copied over the name. Both
	// trees end identical and hold both versions.
	//
	// A conflict copy of "name.ext" is "name.conflict-<side>-<time>.ext":
	// side is "local" or "remote", the side the version comes from, and
	// time is SyncInput.Now in UTC as YYYYMMDD-HHMMSS. The extension is the
	// name's last one ("a.tar.gz" gives
	// "a.tar.conflict-local-20241126-093000.gz"); a name
	// without one, or with only a leading dot, gets the suffix at its end.
	// When an entry of either side, a record or another copy has the name,
	// a count is added: "name.conflict-local-20241126-093000-2.ext". A
	// name too long for MaxNameLen is shortened before the suffix.
	ConflictKeepBoth ConflictPolicy = "keep-both"
	// ConflictNewer copies the version with the newer mtime over the other
	// one; when the mtimes are equal within the remote Precision, or the
	// remote times are unknown, it does as ConflictKeepBoth.
	ConflictNewer ConflictPolicy = "newer"
	// ConflictLocal uploads the local version over the remote one.
	ConflictLocal ConflictPolicy = "local"
	// ConflictRemote downloads the remote version over the local one.
	ConflictRemote ConflictPolicy = "remote"
)

// ParseConflictPolicy parses the name of a policy, as --conflict takes it.
func ParseConflictPolicy(s string) (ConflictPolicy, error) {
	switch p := ConflictPolicy(s); p {
	case ConflictKeepBoth, ConflictNewer, ConflictLocal, ConflictRemote:
		return p, nil
	}
	return "", fmt.Errorf("invalid conflict policy %q: want keep-both, newer, local or remote", s)
}

// conflict plans the resolution of the conflict between the local file l
// and the remote file r at p.
func (s *syncer) conflict(p string, l, r Entry) Action {
	switch s.in.Policy {
	case ConflictLocal:
		return s.actUpload(l, ReasonConflict)
	case ConflictRemote:
		return s.actDownload(r, ReasonConflict)
	case ConflictNewer:
		switch {
		case r.Precision <= 0 || within(l.ModTime, r.ModTime, r.Precision):
			// A tie: keep both.
		case l.ModTime.After(r.ModTime):
			return s.actUpload(l, ReasonConflict)
		default:
			return s.actDownload(r, ReasonConflict)
		}
	}
	// Keep both; an unknown policy loses nothing either. The copies are
	// named once every path is decided, in path order (see keepBothActions).
	return Action{Op: opKeepBoth, Path: p, Kind: KindFile, Reason: ReasonConflict}
}

// opKeepBoth stands for a keep-both resolution until its copy is named.
const opKeepBoth Op = "keep-both"

// keepBothActions returns the actions that resolve the conflict between
// the local file l and the remote file r, at the same path, keeping both
// versions.
func (s *syncer) keepBothActions(l, r Entry) []Action {
	p := r.Path
	if r.Precision > 0 && !within(l.ModTime, r.ModTime, r.Precision) && l.ModTime.After(r.ModTime) {
		to := s.copyPath(p, "remote")
		return []Action{
			s.actRename(OpRenameRemote, r, to),
			s.actUpload(l, ReasonConflict),
			s.actDownload(entryAt(r, to), ReasonConflict),
		}
	}
	to := s.copyPath(p, "local")
	return []Action{
		s.actRename(OpRenameLocal, l, to),
		s.actDownload(r, ReasonConflict),
		s.actUpload(entryAt(l, to), ReasonConflict),
	}
}

func entryAt(e Entry, p string) Entry {
	e.Path = p
	return e
}

func (s *syncer) actRename(op Op, e Entry, to string) Action {
	return Action{
		Op: op, Path: e.Path, Kind: e.Kind, Size: e.Size, Reason: ReasonConflict,
		Source: s.sources.copyOf(e), To: to, Stage: StageReplace,
	}
}

// copyPath returns the path of a conflict copy of p from side, one that no
// entry of either side, no record and no other copy has.
func (s *syncer) copyPath(p, side string) string {
	for n := 1; ; n++ {
		to := conflictName(p, side, s.in.Now, n)
		if s.taken == nil {
			s.taken = s.takenPaths()
		}
		if !s.taken[to] {
			s.taken[to] = true
			return to
		}
	}
}

// conflictName returns the path of the n-th conflict copy (n >= 1) of the
// file at p, the version from side ("local" or "remote"), made at now:
// "dir/name.conflict-<side>-<YYYYMMDD-HHMMSS>.ext", with now in UTC and
// the extension of the name kept at the end; from the second copy on, the
// count is added ("-2" before the extension). A name without an extension,
// or starting with its only dot (".profile"), gets the suffix at its end.
// The name is shortened, on a character boundary, so as not to exceed
// MaxNameLen bytes.
func conflictName(p, side string, now time.Time, n int) string {
	dir, name := splitPath(p)
	stem, ext := name, ""
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		stem, ext = name[:i], name[i:]
	}
	suffix := ".conflict-" + side + "-" + now.UTC().Format("20060102-150405")
	if n > 1 {
		suffix += "-" + strconv.Itoa(n)
	}
	if len(suffix)+len(ext) > MaxNameLen/2 {
		stem, ext = name, "" // an absurd extension: keep it in the stem
	}
	if room := MaxNameLen - len(suffix) - len(ext); len(stem) > room {
		for room > 0 && !utf8.RuneStart(stem[room]) {
			room-- // do not cut a character in two
		}
		stem = stem[:room]
	}
	return JoinPath(dir, stem+suffix+ext)
}
