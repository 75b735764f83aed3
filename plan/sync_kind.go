package plan

import "slices"

// Kind conflicts: a path that is a file on one side and a directory (or a
// symlink) on the other, or a symlink on both sides to different targets,
// both new or changed. Neither replaces the other. The entry that is not
// a directory (between a file and a symlink: the symlink) is renamed on its
// own side to a conflict copy, named as for ConflictKeepBoth; from then on
// the plan treats the copy as a new entry of that side and the path as new
// on the side that keeps it, without a record, so both travel to the other
// side as far as FTP allows (a local symlink stays local). The executor
// forgets the path's record when it renames, so that a run killed after the
// rename plans the same from the trees as they are.
//
// A kind conflict under a directory whose remote listing failed is left
// alone and Blocked, as the remote side there is not fully known.

// kindRename is a kind conflict resolved by renaming one side's entry.
type kindRename struct {
	local bool // the local entry is renamed, else the remote one
	j     int  // its index in its tree
	to    string
}

// splitKindConflicts renames, in the trees the syncer plans from, the entry
// of each kind conflict that is moved aside, and notes the renames.
func (s *syncer) splitKindConflicts() {
	var renames []kindRename
	for j, i := range mergeTrees(s.local, s.remote, false) {
		if j < 0 || i < 0 {
			continue
		}
		l, r := s.local[j], s.remote[i]
		if r.Kind == l.Kind && !s.linkClash(l, r) || s.excluded(l.Path, l, true, r, true, 0, false) {
			continue
		}
		p := l.Path
		if s.underFailed(p) {
			s.kindConflict[p] = true
			continue
		}
		moveLocal := l.Kind != KindDir && (r.Kind == KindDir || l.Kind == KindSymlink)
		if moveLocal {
			renames = append(renames, kindRename{local: true, j: j, to: s.copyPath(p, "local")})
			s.kindActs = append(s.kindActs, s.actRename(OpRenameLocal, l, "")) // To set below
		} else {
			renames = append(renames, kindRename{j: i, to: s.copyPath(p, "remote")})
			s.kindActs = append(s.kindActs, s.actRename(OpRenameRemote, r, ""))
		}
		s.kindActs[len(s.kindActs)-1].To = renames[len(renames)-1].to
		if s.unrecorded == nil {
			s.unrecorded = make(map[string]bool)
		}
		s.unrecorded[p] = true
	}
	if len(renames) == 0 {
		return
	}
	// The trees may be the caller's slices: rename in copies.
	s.local, s.remote = slices.Clone(s.local), slices.Clone(s.remote)
	for _, k := range renames {
		if k.local {
			s.local[k.j].Path = k.to
		} else {
			s.remote[k.j].Path = k.to
		}
	}
	s.local, s.remote = sortedTree(s.local, nil), sortedTree(s.remote, nil)
}

// linkClash reports whether l and r are symlinks to different targets, both
// new or changed since the record: symlinks travel from the remote side
// only, so the local one is kept aside, as a conflict copy, rather than
// replaced.
func (s *syncer) linkClash(l, r Entry) bool {
	if l.Kind != KindSymlink || r.Kind != KindSymlink || l.Target == r.Target {
		return false
	}
	b, inBase := s.in.Base[l.Path]
	return localState(l, true, b, inBase) != stUnchanged && remoteState(r, true, b, inBase) != stUnchanged
}
