package plan

// Stage is the step of a run an action belongs to. The actions of a plan are
// sorted by Stage; an executor must finish every action of one stage before it
// starts the next one.
//
// The stages exist because the order matters where one action prepares the
// ground for another: a local file must go before a directory of the same name
// is made, a directory must exist before a file is written into it, and a
// directory can be removed only once it is empty.
type Stage uint8

// The stages, in the order they run. The zero Stage is not a stage.
const (
	// StageReplace removes local entries that a remote entry of another
	// kind replaces (a file where the remote now has a directory, say), and
	// the local contents of a directory so replaced. Children come before
	// their parents; run them in order. It also holds the renames of sync
	// conflict copies (OpRenameLocal, OpRenameRemote), which must be done
	// before the transfers that reuse the names.
	StageReplace Stage = iota + 1
	// StageMkdir creates directories, parents before children. Run them in
	// order (or with MkdirAll).
	StageMkdir
	// StageTransfer holds the downloads, uploads, symlinks and adoptions,
	// sorted by path. They are independent of each other: run them in
	// parallel.
	StageTransfer
	// StageDelete removes what the source no longer has, children before
	// parents. Run them in order: a directory is deleted only after what it
	// held.
	StageDelete
	// StageForget drops state records of paths gone from both sides.
	StageForget
)

// String names the stage for logs.
func (s Stage) String() string {
	switch s {
	case StageReplace:
		return "replace"
	case StageMkdir:
		return "mkdir"
	case StageTransfer:
		return "transfer"
	case StageDelete:
		return "delete"
	case StageForget:
		return "forget"
	default:
		return "none"
	}
}
