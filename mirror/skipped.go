package mirror

import (
	"errors"
	"log/slog"
	"path"
	"slices"
	"strings"

	"github.com/ftpmirror/ftpmirror/plan"
	"github.com/ftpmirror/ftpmirror/state"
)

// The ops of Report.Skipped entries for names that cannot be mirrored
// (plan.ErrUnmirrorable): one the server lists, or one in the local tree.
const (
	OpRemoteName plan.Op = "remote name"
	OpLocalName  plan.Op = "local name"
)

// localNames drops from the local scan the names that cannot be mirrored
// (a CR or LF in a name is allowed by the local file system but cannot be
// sent to an FTP server), collecting them, so that no plan touches them.
type localNames struct {
	skipped []plan.Skipped
	server  func(name string) error // serverNameRule, or nil
}

// wrap returns skip extended to leave out, and note, unmirrorable names.
func (n *localNames) wrap(skip func(string, plan.Kind) bool) func(string, plan.Kind) bool {
	return func(rel string, kind plan.Kind) bool {
		err := plan.CheckName(path.Base(rel))
		if err == nil && n.server != nil {
			err = n.server(path.Base(rel))
		}
		if errors.Is(err, plan.ErrUnmirrorable) {
			n.skipped = append(n.skipped, plan.Skipped{Path: rel, Err: err})
			return true
		}
		return skip(rel, kind)
	}
}

// skippedNames adds the names the listing and the local scan left out, and
// the symlinks the walk left out (link_lister.go), to the report, and the
// local names and the links to the listing, whose Skipped the planners
// leave alone on both sides.
func skippedNames(listing *plan.Listing, local, links []plan.Skipped, report *Report) {
	told := make(map[string]bool, len(listing.Skipped))
	for _, s := range listing.Skipped {
		told[s.Path] = true
		report.Skipped = append(report.Skipped, FileError{Path: s.Path, Op: OpRemoteName, Err: s.Err})
	}
	for _, s := range local {
		if !told[s.Path] { // the same name on both sides is told once
			report.Skipped = append(report.Skipped, FileError{Path: s.Path, Op: OpLocalName, Err: s.Err})
			listing.Skipped = append(listing.Skipped, s)
		}
	}
	for _, s := range links {
		report.Skipped = append(report.Skipped, FileError{Path: s.Path, Op: plan.OpSymlinkLocal, Err: s.Err})
		listing.Skipped = append(listing.Skipped, s)
	}
	slices.SortStableFunc(listing.Skipped, func(a, b plan.Skipped) int { return plan.ComparePath(a.Path, b.Path) })
}

// tellOnce moves the entries of report.Skipped that an earlier run already
// told to report.SkippedBefore, so that a path left out on purpose (a name
// that cannot be mirrored, a symlink that leaves the tree) is a warning the
// first time and a verbose note afterwards; a cron job does not mail about
// it forever. Unless dryRun, the state then remembers this run's set, plus
// what earlier runs told under directories whose listing failed this time.
func tellOnce(store *state.Store, dryRun bool, failed []plan.DirError, report *Report, log *slog.Logger) {
	if store == nil {
		return
	}
	known, err := store.Skipped()
	if err != nil {
		log.Warn("cannot read the skipped paths from the state", "err", err)
		return
	}
	now := make(map[string]string, len(report.Skipped))
	fresh := report.Skipped[:0:0]
	for _, s := range report.Skipped {
		now[s.Path] = string(s.Op) + ": " + s.Err.Error()
		if _, ok := known[s.Path]; ok {
			report.SkippedBefore = append(report.SkippedBefore, s)
			continue
		}
		fresh = append(fresh, s)
	}
	report.Skipped = fresh
	if dryRun {
		return
	}
	for p, why := range known {
		_, seen := now[p]
		for _, f := range failed {
			if !seen && (f.Path == "" || strings.HasPrefix(p, f.Path+"/")) {
				now[p] = why
			}
		}
	}
	if err := store.SetSkipped(now); err != nil {
		log.Warn("cannot record the skipped paths in the state", "err", err)
	}
}
