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
		}
		switch a.Reason {
		case ReasonLocalEdit:
			s.LocalEdits++
		case ReasonRemoteEdit:
			s.RemoteEdits++
		}
	}
	return s
}
