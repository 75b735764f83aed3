package plan

// The rules Sync applies to one path, as its doc comment states them.

// syncState is how one side of a path compares with its record.
type syncState uint8

const (
	stAbsent    syncState = iota // no entry, no record
	stNew                        // entry, no record
	stUnchanged                  // entry as recorded
	stChanged                    // entry differs from the record
	stDeleted                    // record, no entry
)

// localState classifies the local side of a path against its record.
func localState(l Entry, has bool, b Record, inBase bool) syncState {
	switch {
	case !has && inBase:
		return stDeleted
	case !has:
		return stAbsent
	case !inBase:
		return stNew
	case l.Kind != b.Kind:
		return stChanged
	case l.Kind != KindDir && localChanged(l, b):
		return stChanged
	}
	return stUnchanged
}

// remoteState classifies the remote side of a path against its record.
func remoteState(r Entry, has bool, b Record, inBase bool) syncState {
	switch {
	case !has && inBase:
		return stDeleted
	case !has:
		return stAbsent
	case !inBase:
		return stNew
	case r.Kind != b.Kind:
		return stChanged
	case r.Kind != KindDir && remoteChanged(r, b):
		return stChanged
	}
	return stUnchanged
}

// sameVersion reports whether the local and remote files are the same
// version: same size, and mtimes within the remote precision.
func sameVersion(l, r Entry) bool {
	return l.Size == r.Size && r.Precision > 0 && within(l.ModTime, r.ModTime, r.Precision)
}

// The planners of one path return the one action they plan, or the zero
// Action for none.

// decideFile plans a path that is a file on the sides that have it.
func (s *syncer) decideFile(p string, l, r Entry, ls, rs syncState) Action {
	switch {
	case ls == stNew && rs == stAbsent:
		return s.actUpload(l, ReasonNew)
	case ls == stAbsent && rs == stNew:
		return s.actDownload(r, ReasonNew)
	case ls == stDeleted && rs == stUnchanged:
		return s.actRemove(OpDeleteRemote, r)
	case ls == stUnchanged && rs == stDeleted:
		return s.actRemove(OpDeleteLocal, l)
	case rs == stDeleted || ls == stChanged && rs == stUnchanged:
		return s.actUpload(l, ReasonChanged)
	case ls == stDeleted || ls == stUnchanged && rs == stChanged:
		return s.actDownload(r, ReasonChanged)
	case ls == stUnchanged && rs == stUnchanged:
		return Action{}
	case sameVersion(l, r): // new or changed on both sides
		return s.sameContent(p, l, r)
	}
	return s.conflict(p, l, r)
}

// decideDir plans a path that is a directory on the sides that have it.
func (s *syncer) decideDir(p string, l Entry, hasL bool, r Entry, hasR bool, bKind Kind, inBase bool) Action {
	wasDir := inBase && bKind == KindDir
	switch {
	case hasL && hasR:
		if !wasDir {
			return s.actTransfer(OpAdopt, r, ReasonAdopted)
		}
		return Action{}
	case hasL && !inBase:
		return s.actMkdir(OpMkdirRemote, l, ReasonNew)
	case hasL && wasDir && !under(s.stayLocal, p):
		return s.actRemove(OpDeleteLocal, l)
	case hasL:
		return s.actMkdir(OpMkdirRemote, l, ReasonChanged)
	case !inBase:
		return s.actMkdir(OpMkdirLocal, r, ReasonNew)
	case wasDir && !under(s.stayRemote, p):
		return s.actRemove(OpDeleteRemote, r)
	}
	return s.actMkdir(OpMkdirLocal, r, ReasonChanged)
}

// decideLink plans a path that is a symlink on the sides that have it.
// Symlinks travel from the remote side only.
func (s *syncer) decideLink(l Entry, hasL bool, r Entry, hasR bool, ls, rs syncState) Action {
	switch {
	case hasL && hasR && l.Target == r.Target:
		if ls == stUnchanged && rs == stUnchanged {
			return Action{}
		}
		return s.actTransfer(OpAdopt, r, ReasonAdopted)
	case hasR && rs == stNew:
		return s.actTransfer(OpSymlinkLocal, r, ReasonNew)
	case hasR && rs == stChanged:
		return s.actTransfer(OpSymlinkLocal, r, ReasonChanged)
	case ls == stDeleted: // and the remote is unchanged
		return s.actRemove(OpDeleteRemote, r)
	case ls == stUnchanged && rs == stDeleted:
		return s.actRemove(OpDeleteLocal, l)
	}
	// A local symlink that is new, or changed since the record: it is not
	// uploaded and stays as it is.
	return Action{}
}

// withholdUnknown keeps the action planned for p under a failed directory
// only if it needs no knowledge of what the remote holds there. If it
// withholds an upload or a conflict resolution, p is Blocked.
func (s *syncer) withholdUnknown(p string, a Action) Action {
	switch a.Op {
	case "":
		return a
	case OpDownload, OpMkdirLocal, OpSymlinkLocal, OpAdopt:
		if a.Reason != ReasonConflict {
			return a
		}
	case OpDeleteLocal, OpDeleteRemote, OpForget, OpMkdirRemote:
		// Withheld without blocking: Plan.Incomplete says why, and
		// an upload into the directory would be Blocked itself.
		return Action{}
	}
	s.block(p)
	return Action{}
}

// withholdAll withholds the action planned for p under a local directory
// that could not be read; p is Blocked if the action copies or resolves.
func (s *syncer) withholdAll(p string, a Action) Action {
	switch a.Op {
	case "", OpDeleteLocal, OpDeleteRemote, OpForget, OpMkdirLocal, OpMkdirRemote, OpAdopt:
	default:
		s.block(p)
	}
	return Action{}
}
