package plan

// Content is what a comparison of the bytes of the two sides of a path
// found. Sync asks for one (OpCompare) where size and mtime cannot tell two
// versions apart, and takes the answers in SyncInput.Content.
type Content uint8

// The answers of a content comparison.
const (
	ContentUnknown Content = iota // not compared (yet), or the comparison failed
	ContentSame                   // the two files hold the same bytes
	ContentDiffer                 // the two files hold different bytes
)

// OpCompare asks the executor to compare the content of the local and the
// remote file at Path, which have the same size and mtimes within the
// remote precision but changed on both sides since the last sync (or are
// both new). It changes nothing: the answer goes into SyncInput.Content and
// Sync plans again. Its Source is the remote entry.
const OpCompare Op = "compare"

// ReasonUnverified is the reason of OpCompare: the sides look alike by size
// and mtime, which cannot tell two edits made within the same second apart.
const ReasonUnverified Reason = "unverified"

// Compares returns the OpCompare actions of p: the paths whose content must
// be compared before the plan can be carried out.
func (p Plan) Compares() []Action {
	var out []Action
	for _, a := range p.Actions {
		if a.Op == OpCompare {
			out = append(out, a)
		}
	}
	return out
}

// WithoutCompares returns p without its OpCompare actions: what can be
// carried out while the content of those paths is unknown. Their paths are
// left as they are on both sides, with their records.
func (p Plan) WithoutCompares() Plan {
	out := p
	out.Actions = make([]Action, 0, len(p.Actions))
	for _, a := range p.Actions {
		if a.Op != OpCompare {
			out.Actions = append(out.Actions, a)
		}
	}
	return out
}

// sameContent plans a path changed (or new) on both sides whose size and
// mtime agree: adopted when the content is known to be the same, a
// conflict when it is known to differ, else compared first.
func (s *syncer) sameContent(p string, l, r Entry) Action {
	switch s.in.Content[p] {
	case ContentSame:
		return s.actTransfer(OpAdopt, r, ReasonAdopted)
	case ContentDiffer:
		return s.conflict(p, l, r)
	}
	return s.actTransfer(OpCompare, r, ReasonUnverified)
}
