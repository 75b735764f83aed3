package plan

// Summary counts what a plan does, for reports and JSON output.
type Summary struct {
	Downloads int `json:"downloads"`
	Uploads   int `json:"uploads"`
	// Deletes counts deleted entries of every kind, directories included.
	Deletes  int `json:"deletes"`
	Mkdirs   int `json:"mkdirs"`
	Symlinks int `json:"symlinks"`
	Adopted  int `json:"adopted"`
	Forgets  int `json:"forgets"`
	// Bytes is the size of the downloads and uploads.
	Bytes int64 `json:"bytes"`
	// LocalEdits counts the actions that overwrite a local edit.
	LocalEdits int `json:"local_edits"`
	// RemoteEdits counts the actions that overwrite a remote edit (push);
	// left out of JSON when zero, so that pull output keeps its shape.
	RemoteEdits int `json:"remote_edits,omitempty"`
	// Conflicts counts the paths whose sync conflict the plan resolves
	// (the conflict copies it makes are not counted again); Renames counts
	// those copies made by renaming. Both are left out of JSON when zero.
	Conflicts int `json:"conflicts,omitempty"`
	Renames   int `json:"renames,omitempty"`
}

// Summary counts the actions of p.
func (p Plan) Summary() Summary {
	var s Summary
	for _, a := range p.Actions {
		switch a.Op {
		case OpDownload:
			s.Downloads++
			s.Bytes += a.Size
		case OpUpload:
			s.Uploads++
			s.Bytes += a.Size
		case OpDeleteLocal, OpDeleteRemote:
			s.Deletes++
		case OpMkdirLocal, OpMkdirRemote:
			s.Mkdirs++
		case OpSymlinkLocal:
			s.Symlinks++
		case OpAdopt:
			s.Adopted++
		case OpForget:
			s.Forgets++
		case OpRenameLocal, OpRenameRemote:
			s.Renames++
		}
		switch a.Reason {
		case ReasonLocalEdit:
			s.LocalEdits++
		case ReasonRemoteEdit:
			s.RemoteEdits++
		}
	}
	s.Conflicts = p.conflicts()
	return s
}

// conflicts counts the paths that actions with ReasonConflict resolve, not
// counting the conflict copies that renames make.
func (p Plan) conflicts() int {
	var paths, copies map[string]bool
	for _, a := range p.Actions {
		if a.Reason == ReasonConflict {
			if paths == nil {
				paths, copies = map[string]bool{}, map[string]bool{}
			}
			paths[a.Path] = true
			if a.To != "" {
				copies[a.To] = true
			}
		}
	}
	n := 0
	for path := range paths {
		if !copies[path] {
			n++
		}
	}
	return n
}
