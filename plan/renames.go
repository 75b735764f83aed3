package plan

import "slices"

// ReasonMoved is the reason of a rename that --track-renames makes of a
// file moved on the source side (TrackRenames).
const ReasonMoved Reason = "moved"

// TrackRenames finds, in a pull (toLocal) or push plan made with Delete,
// the files that moved on the source side since the last sync, and renames
// them on the target instead of sending them again and deleting the old
// path. A copy of a new source file (ReasonNew) and the deletion of an old
// file (ReasonDeleted) become one rename of the old target file (OpRenameLocal
// or OpRenameRemote, ReasonMoved, Path the old path, To the new, Source the
// new source entry, Moved the target entry at the old path) when:
//
//   - the old path has a record in base whose source side the new source
//     file still matches (same size, and the same time within the
//     listing's precision), and
//   - the target file at the old path is unchanged since that record.
//
// Each old path serves one new path; among several candidates of one size
// the first by path is taken. Contents are not compared here: two files of
// the same size and time are taken for one (mirror confirms each move with
// the server's hash where it offers one, and refuses the others with
// TrackRenamesExcept). The rename takes the copy's place
// in StageTransfer; the target's new directories are made before it
// (StageMkdir) and its emptied old ones deleted after (StageDelete).
func TrackRenames(p Plan, base Snapshot, target []Entry, toLocal bool) Plan {
	return TrackRenamesExcept(p, base, target, toLocal, nil)
}

// Move names one rename TrackRenames may make: the old target path and the
// new source path.
type Move struct{ From, To string }

// TrackRenamesExcept is TrackRenames that never makes the moves in refused
// (those whose contents were found to differ): their new file is copied and
// their old one deleted, unless another old file of the same size and time
// is taken for the move instead.
func TrackRenamesExcept(p Plan, base Snapshot, target []Entry, toLocal bool, refused map[Move]bool) Plan {
	copyOp, deleteOp, renameOp := OpUpload, OpDeleteRemote, OpRenameRemote
	sourceChanged, targetChanged := localChanged, remoteChanged
	if toLocal {
		copyOp, deleteOp, renameOp = OpDownload, OpDeleteLocal, OpRenameLocal
		sourceChanged, targetChanged = remoteChanged, localChanged
	}
	if len(base) == 0 {
		return p
	}
	targets := make(map[string]Entry)
	for _, t := range target {
		if t.Kind == KindFile {
			targets[t.Path] = t
		}
	}
	// The old files that may have moved, by their recorded source size.
	type candidate struct {
		index  int // of the delete action
		record Record
		target Entry
	}
	bySize := map[int64][]candidate{}
	for i, a := range p.Actions {
		if a.Op != deleteOp || a.Kind != KindFile || a.Reason != ReasonDeleted {
			continue
		}
		b, ok := base[a.Path]
		t, onTarget := targets[a.Path]
		if !ok || b.Kind != KindFile || !onTarget || targetChanged(t, b) {
			continue
		}
		size := b.RemoteSize
		if !toLocal {
			size = b.LocalSize
		}
		bySize[size] = append(bySize[size], candidate{index: i, record: b, target: t})
	}
	if len(bySize) == 0 {
		return p
	}
	drop := map[int]bool{}
	renames := map[int]Action{} // by the index of the copy they replace
	for i, a := range p.Actions {
		if a.Op != copyOp || a.Reason != ReasonNew || a.Kind != KindFile || a.Source == nil {
			continue
		}
		cands := bySize[a.Source.Size]
		k := slices.IndexFunc(cands, func(c candidate) bool {
			return !drop[c.index] && !sourceChanged(*a.Source, c.record) && !refused[Move{From: c.target.Path, To: a.Path}]
		})
		if k < 0 {
			continue
		}
		c := cands[k]
		drop[c.index] = true
		src, moved := *a.Source, c.target
		renames[i] = Action{Op: renameOp, Path: c.target.Path, To: a.Path, Kind: KindFile, Size: a.Size,
			Reason: ReasonMoved, Source: &src, Moved: &moved, Stage: StageTransfer}
	}
	if len(renames) == 0 {
		return p
	}
	out := make([]Action, 0, len(p.Actions)-len(renames))
	for i, a := range p.Actions {
		switch {
		case drop[i]:
		case renames[i].Op != "":
			out = append(out, renames[i])
		default:
			out = append(out, a)
		}
	}
	p.Actions = out
	return p
}
