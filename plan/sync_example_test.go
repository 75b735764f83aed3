package plan_test

import (
	"fmt"
	"time"

	"github.com/ftpmirror/ftpmirror/plan"
)

func ExampleSync() {
	t := time.Date(2024, 11, 25, 14, 1, 0, 0, time.UTC)
	synced := func(p string, size int64) plan.Record {
		return plan.Record{
			Path: p, Kind: plan.KindFile,
			RemoteSize: size, RemoteModTime: t, RemotePrecision: time.Second,
			LocalSize: size, LocalModTime: t,
		}
	}
	base := plan.Snapshot{
		"notes.txt":  synced("notes.txt", 10),
		"report.txt": synced("report.txt", 10),
		"todo.txt":   synced("todo.txt", 10),
		"old.txt":    synced("old.txt", 10),
	}
	local := []plan.Entry{
		{Path: "notes.txt", Kind: plan.KindFile, Size: 12, ModTime: t.Add(time.Hour)},       // edited here
		{Path: "report.txt", Kind: plan.KindFile, Size: 11, ModTime: t.Add(2 * time.Hour)},  // edited on both sides
		{Path: "todo.txt", Kind: plan.KindFile, Size: 10, ModTime: t},                       // deleted there
		{Path: "photo.jpg", Kind: plan.KindFile, Size: 2000, ModTime: t.Add(3 * time.Hour)}, // new here
	}
	remote := plan.Listing{Entries: []plan.Entry{
		{Path: "notes.txt", Kind: plan.KindFile, Size: 10, ModTime: t, Precision: time.Second},
		{Path: "old.txt", Kind: plan.KindFile, Size: 10, ModTime: t, Precision: time.Second}, // deleted here
		{Path: "report.txt", Kind: plan.KindFile, Size: 14, ModTime: t.Add(time.Hour), Precision: time.Second},
	}}

	p := plan.Sync(plan.SyncInput{
		Local: local, Remote: remote, Base: base,
		Policy: plan.ConflictKeepBoth,
		Now:    time.Date(2024, 11, 26, 9, 30, 0, 0, time.UTC),
	})
	for _, a := range p.Actions {
		fmt.Printf("%-13s %-8s %s", a.Op, a.Reason, a.Path)
		if a.To != "" {
			fmt.Printf(" -> %s", a.To)
		}
		fmt.Println()
	}
	s := p.Summary()
	fmt.Printf("%d conflict, %d uploads, %d downloads, %d deletes\n", s.Conflicts, s.Uploads, s.Downloads, s.Deletes)
	fmt.Println(plan.CheckSyncDeletes(p, plan.DeleteBase(base, local), plan.Limit{Count: 1}))
	// Output:
	// rename-remote conflict report.txt -> report.conflict-remote-20241126-093000.txt
	// upload        changed  notes.txt
	// upload        new      photo.jpg
	// download      conflict report.conflict-remote-20241126-093000.txt
	// upload        conflict report.txt
	// delete        deleted  todo.txt
	// delete-remote deleted  old.txt
	// 1 conflict, 3 uploads, 1 downloads, 2 deletes
	// <nil>
}

// Files edited on both sides to the same size within the same second look
// alike: Sync asks for their content to be compared, and plans again with
// the answer.
func ExampleSync_compare() {
	t := time.Date(2024, 11, 25, 14, 1, 0, 0, time.UTC)
	edited := t.Add(time.Hour)
	in := plan.SyncInput{
		Base: plan.Snapshot{"notes.txt": {
			Path: "notes.txt", Kind: plan.KindFile,
			RemoteSize: 10, RemoteModTime: t, RemotePrecision: time.Second, LocalSize: 10, LocalModTime: t,
		}},
		Local:  []plan.Entry{{Path: "notes.txt", Kind: plan.KindFile, Size: 17, ModTime: edited.Add(300 * time.Millisecond)}},
		Remote: plan.Listing{Entries: []plan.Entry{{Path: "notes.txt", Kind: plan.KindFile, Size: 17, ModTime: edited, Precision: time.Second}}},
		Now:    time.Date(2024, 11, 26, 9, 30, 0, 0, time.UTC),
	}
	for _, a := range plan.Sync(in).Compares() {
		fmt.Println(a.Op, a.Reason, a.Path)
	}
	in.Content = map[string]plan.Content{"notes.txt": plan.ContentDiffer} // the caller compared them
	for _, a := range plan.Sync(in).Actions {
		if a.To != "" {
			fmt.Println(a.Op, a.Reason, a.Path, "->", a.To)
			continue
		}
		fmt.Println(a.Op, a.Reason, a.Path)
	}
	// Output:
	// compare unverified notes.txt
	// rename conflict notes.txt -> notes.conflict-local-20241126-093000.txt
	// upload conflict notes.conflict-local-20241126-093000.txt
	// download conflict notes.txt
}
