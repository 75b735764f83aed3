package mirror

import (
	"errors"

	"github.com/ftpmirror/ftpmirror/plan"
)

// maxScanFailures bounds the unreadable directories a tolerant scan goes on
// past: each costs a scan of the tree again.
const maxScanFailures = 100

// scanPastFailures runs scan, which scans the local tree leaving out the
// paths its argument reports, again and again, each time leaving out one
// more subdirectory that could not be read, until a scan succeeds. It
// returns the entries and the directories left out, whose contents are
// unknown (a sync then plans nothing under them on either side). Errors
// other than an unreadable subdirectory end it.
func scanPastFailures(scan func(leaveOut func(rel string) bool) ([]plan.Entry, error)) ([]plan.Entry, []plan.DirError, error) {
	var failed []plan.DirError
	bad := map[string]bool{}
	leaveOut := func(rel string) bool { return bad[rel] }
	for {
		entries, err := scan(leaveOut)
		if err == nil {
			return entries, failed, nil
		}
		var pe *PathError
		if !errors.As(err, &pe) || pe.Op != "scan" || pe.Path == "" || pe.Path == "." || bad[pe.Path] ||
			len(failed) >= maxScanFailures {
			return nil, nil, err
		}
		bad[pe.Path] = true
		failed = append(failed, plan.DirError{Path: pe.Path, Err: pe.Err})
	}
}
