package plan_test

import (
	"fmt"
	"time"

	"github.com/ftpmirror/ftpmirror/plan"
)

func ExamplePull() {
	t := time.Date(2024, 11, 25, 14, 1, 0, 0, time.UTC)
	remote := plan.Listing{Entries: []plan.Entry{
		{Path: "docs", Kind: plan.KindDir},
		{Path: "docs/guide.txt", Kind: plan.KindFile, Size: 1200, ModTime: t, Precision: time.Minute},
		{Path: "notes.txt", Kind: plan.KindFile, Size: 80, ModTime: t.Add(time.Hour), Precision: time.Minute},
		{Path: "same.txt", Kind: plan.KindFile, Size: 5, ModTime: t, Precision: time.Minute},
	}}
	local := []plan.Entry{
		{Path: "notes.txt", Kind: plan.KindFile, Size: 70, ModTime: t.Add(30 * time.Second)},
		{Path: "same.txt", Kind: plan.KindFile, Size: 5, ModTime: t.Add(20 * time.Second)},
		{Path: "old.txt", Kind: plan.KindFile, Size: 3, ModTime: t},
	}
	base := plan.Snapshot{"notes.txt": {
		Path: "notes.txt", Kind: plan.KindFile,
		RemoteSize: 70, RemoteModTime: t, RemotePrecision: time.Minute,
		LocalSize: 70, LocalModTime: t.Add(30 * time.Second),
	}}

	p := plan.Pull(plan.PullInput{Remote: remote, Local: local, Base: base, Delete: true})
	for _, a := range p.Actions {
		fmt.Printf("%c %-8s %-8s %s\n", a.Symbol(), a.Op, a.Reason, a.Path)
	}
	fmt.Printf("%+v\n", p.Summary())
	// Output:
	// + mkdir    new      docs
	// + download new      docs/guide.txt
	// ~ download changed  notes.txt
	// = adopt    adopted  same.txt
	// - delete   deleted  old.txt
	// {Downloads:2 Uploads:0 Deletes:1 Mkdirs:1 Symlinks:0 Adopted:1 Forgets:0 Bytes:1280 LocalEdits:0 RemoteEdits:0 Conflicts:0 Renames:0}
}
