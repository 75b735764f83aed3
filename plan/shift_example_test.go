package plan_test

import (
	"fmt"
	"time"

	"github.com/ftpmirror/ftpmirror/plan"
)

// A server that lists local time moved to summer time: every file is listed
// an hour later than recorded, at the same size, except one that was
// really rewritten.
func ExampleFindShift() {
	t := time.Date(2024, 3, 30, 14, 1, 0, 0, time.UTC)
	base := plan.Snapshot{}
	var remote []plan.Entry
	for _, name := range []string{"a", "b", "c", "d"} {
		base[name] = plan.Record{Path: name, Kind: plan.KindFile, RemoteSize: 5, RemoteModTime: t, RemotePrecision: time.Minute}
		remote = append(remote, plan.Entry{Path: name, Kind: plan.KindFile, Size: 5, ModTime: t.Add(time.Hour), Precision: time.Minute})
	}
	remote[3].ModTime = t.Add(3 * time.Hour) // rewritten since

	s := plan.FindShift(remote, base)
	fmt.Println(s)
	for _, r := range s.Records {
		fmt.Println(r.Path, r.RemoteModTime.Format("15:04"))
	}
	// Output:
	// the server's times moved by +1h for 3 of 4 files; treated as a clock change
	// a 15:01
	// b 15:01
	// c 15:01
}
