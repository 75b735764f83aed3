package main

import (
	"time"

	"github.com/ftpmirror/ftpmirror/plan"
)

// withEntryRules adds --min-size, --max-size, --newer-than and --older-than
// to filter. Ages count back from now, the start of the run.
func (f *pullFlags) withEntryRules(filter *plan.Filter, now time.Time) (*plan.Filter, error) {
	var r plan.EntryRules
	var err error
	if f.minSize != "" {
		if r.MinSize, err = plan.ParseSize(f.minSize); err != nil {
			return nil, usageErr("invalid --min-size: "+err.Error(), "e.g. --min-size 1k")
		}
	}
	if f.maxSize != "" {
		if r.MaxSize, err = plan.ParseSize(f.maxSize); err != nil {
			return nil, usageErr("invalid --max-size: "+err.Error(), "e.g. --max-size 100M")
		}
		if r.MaxSize == 0 {
			return nil, usageErr("--max-size 0 would leave out every file that is not empty", "give a size such as 100M")
		}
		if r.MaxSize < r.MinSize {
			return nil, usageErr("--max-size is below --min-size: no file would take part", "")
		}
	}
	if f.newerThan != "" {
		if r.NewerThan, err = plan.ParseAge(f.newerThan, now); err != nil {
			return nil, usageErr("invalid --newer-than: "+err.Error(), "e.g. --newer-than 7d, or --newer-than 2026-01-31")
		}
	}
	if f.olderThan != "" {
		if r.OlderThan, err = plan.ParseAge(f.olderThan, now); err != nil {
			return nil, usageErr("invalid --older-than: "+err.Error(), "e.g. --older-than 36h, or --older-than 2026-01-31")
		}
	}
	if !r.NewerThan.IsZero() && !r.OlderThan.IsZero() && !r.NewerThan.Before(r.OlderThan) {
		return nil, usageErr("--newer-than and --older-than leave no time between them: no file would take part",
			"--newer-than is the older limit: --newer-than 30d --older-than 1d keeps files from 30 to 1 days old")
	}
	if r.IsZero() {
		return filter, nil
	}
	return filter.WithEntryRules(r), nil
}
