package mirror

import (
	"errors"
	"os"
	"slices"
	"testing"

	"github.com/ftpmirror/ftpmirror/plan"
)

func TestScanPastFailuresLeavesOutEachUnreadableDirectory(t *testing.T) {
	unreadable := []string{"a/locked", "b"}
	calls := 0
	scan := func(leaveOut func(string) bool) ([]plan.Entry, error) {
		calls++
		for _, d := range unreadable {
			if !leaveOut(d) {
				return nil, &PathError{Op: "scan", Path: d, Err: os.ErrPermission}
			}
		}
		return []plan.Entry{{Path: "a", Kind: plan.KindDir}}, nil
	}
	entries, failed, err := scanPastFailures(scan)
	if err != nil || len(entries) != 1 {
		t.Fatalf("entries %v, err %v", entries, err)
	}
	var paths []string
	for _, f := range failed {
		paths = append(paths, f.Path)
		if !errors.Is(f.Err, os.ErrPermission) {
			t.Errorf("%s: error %v", f.Path, f.Err)
		}
	}
	if !slices.Equal(paths, unreadable) || calls != 3 {
		t.Fatalf("failed %v after %d scans, want %v after 3", paths, calls, unreadable)
	}
}

func TestScanPastFailuresStopsOnOtherErrors(t *testing.T) {
	for _, err := range []error{
		errors.New("the root cannot be read"),
		&PathError{Op: "readlink", Path: "l", Err: os.ErrPermission},
	} {
		_, _, got := scanPastFailures(func(func(string) bool) ([]plan.Entry, error) { return nil, err })
		if got != err {
			t.Errorf("scan error %v returned as %v", err, got)
		}
	}
}
