package plan

// Op is what an action does. The string form is used in JSON output.
type Op string

// The operations a plan can hold. Pull uses the local ones; push and sync the
// remote ones too.
const (
	OpMkdirLocal   Op = "mkdir"         // create a local directory
	OpDownload     Op = "download"      // fetch a remote file into the local tree
	OpSymlinkLocal Op = "symlink"       // create a local symlink
	OpDeleteLocal  Op = "delete"        // remove a local file, symlink or empty directory
	OpAdopt        Op = "adopt"         // record an identical existing pair in the state, no transfer
	OpForget       Op = "forget"        // drop a state record whose path is gone on both sides
	OpMkdirRemote  Op = "mkdir-remote"  // create a remote directory
	OpUpload       Op = "upload"        // send a local file to the remote tree
	OpDeleteRemote Op = "delete-remote" // remove a remote file or empty directory
	OpRenameLocal  Op = "rename"        // move a local file aside to Action.To (a sync conflict copy)
	OpRenameRemote Op = "rename-remote" // move a remote file aside to Action.To (a sync conflict copy)
)

// Reason says why an action is in the plan.
type Reason string

// The reasons an action is planned.
const (
	ReasonNew       Reason = "new"        // absent on the target side
	ReasonChanged   Reason = "changed"    // source changed since the last sync
	ReasonDeleted   Reason = "deleted"    // gone on the source side
	ReasonLocalEdit Reason = "local-edit" // target edited since the last sync; it is overwritten
	// ReasonRemoteEdit is ReasonLocalEdit for a push: the remote file was
	// edited on the server since the last sync; it is overwritten.
	ReasonRemoteEdit Reason = "remote-edit"
	ReasonAdopted    Reason = "adopted"  // already identical, recorded without transfer
	ReasonMissing    Reason = "missing"  // in the state but missing on the target side
	ReasonConflict   Reason = "conflict" // changed on both sides (sync)
)

// Action is one step of a plan.
type Action struct {
	Op     Op     `json:"op"`
	Path   string `json:"path"`
	Kind   Kind   `json:"-"`
	Size   int64  `json:"size"`
	Reason Reason `json:"reason"`
	// Source is the entry the action copies from, when it copies.
	Source *Entry `json:"-"`
	// To is the new path of a rename (OpRenameLocal, OpRenameRemote), in
	// the same directory as Path; empty for other ops.
	To string `json:"to,omitempty"`
	// Moved is, for a rename of a moved file (ReasonMoved, TrackRenames),
	// the target side's entry at Path, which keeps its size and time at To.
	Moved *Entry `json:"-"`
	// Stage is the step of the run the action belongs to; a plan's actions
	// are sorted by Stage (see Stage for what an executor may do in each).
	Stage Stage `json:"-"`
}

// Symbol is the one-character mark a human plan shows for the action:
// '+' new, '~' changed, '-' deleted, '>' target edit overwritten (local in a
// pull, remote in a push), '=' adopted.
func (a Action) Symbol() byte {
	switch {
	case a.Reason == ReasonLocalEdit || a.Reason == ReasonRemoteEdit:
		return '>'
	case a.Op == OpDeleteLocal || a.Op == OpDeleteRemote || a.Op == OpForget:
		return '-'
	case a.Reason == ReasonChanged || a.Reason == ReasonMissing:
		return '~'
	case a.Op == OpAdopt:
		return '='
	default:
		return '+'
	}
}

// Plan is the ordered list of actions a run performs, with what the planner
// could not see.
type Plan struct {
	// Actions are sorted by Stage, and within a stage as the Stage says.
	Actions []Action
	// Incomplete lists directories whose listing failed. Nothing under them
	// is deleted, and deletion guards refuse to run while it is non-empty.
	Incomplete []string
	// Blocked lists paths the source has that the plan leaves alone because
	// creating them would first delete a local entry of another kind that
	// must stay: a directory holding entries that must stay (Delete is off,
	// or they are excluded or under a failed listing), or an entry that is
	// itself excluded or under a failed listing.
	Blocked []string
}
