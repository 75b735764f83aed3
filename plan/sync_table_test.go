package plan

import (
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// The decision table of Sync for one path "f": every pair of states of
// the local and the remote side, with and without a record of the last
// sync, and the actions each pair must plan. The states:
//
//	absent   no entry (and no record)
//	new      a file, no record; the two sides' new files differ in size
//	alike    a file changed since the record (or new, without one) to the
//	         same size and mtime as the other side's alike file: size and
//	         mtime cannot tell whether the two hold the same bytes
//	unchanged, changed (to another size and time), deleted: against the record
//	dir      a directory (turned into one, with a record)
//	link     a symlink (turned into one, with a record); the local one
//	         points to "lt", the remote one to "rt"
//
// A record is of a file synced as remote 10 bytes at t0 (MLSD) and local 10
// bytes at localT. The rows with alike on both sides are planned three
// times: content unknown (compared first), the same, different.

// tableSide returns the entry of one side in a state, or ok false.
func tableSide(state string, remote bool) (e Entry, ok bool) {
	tAlike := t0.Add(3 * time.Hour)
	switch {
	case state == "absent" || state == "deleted":
		return Entry{}, false
	case state == "dir":
		return dir("f"), true
	case state == "link" && remote:
		return link("f", "rt"), true
	case state == "link":
		return link("f", "lt"), true
	case state == "alike" && remote:
		return at("f", 13, tAlike, time.Second), true
	case state == "alike":
		return loc("f", 13, tAlike.Add(200*time.Millisecond)), true
	case state == "unchanged" && remote:
		return at("f", 10, t0, time.Second), true
	case state == "unchanged":
		return loc("f", 10, localT), true
	case remote: // new or changed
		return at("f", 12, t0.Add(time.Hour), time.Second), true
	}
	return loc("f", 11, t0.Add(2*time.Hour)), true
}

// Shorthands of the table's expected actions; "T" stands for the time of
// the run in conflict copy names.
const (
	tUpNew    = "transfer upload new f"
	tDownNew  = "transfer download new f"
	tUpChg    = "transfer upload changed f"
	tDownChg  = "transfer download changed f"
	tAdopt    = "transfer adopt adopted f"
	tCompare  = "transfer compare unverified f"
	tDelLocal = "delete delete deleted f"
	tDelRem   = "delete delete-remote deleted f"
	tForget   = "forget forget deleted f"
)

// keepBothRemoteKeeps is a keep-both conflict won by the remote version
// (the newer, or a tie): the local one is kept as a copy.
var keepBothRemoteKeeps = []string{
	"replace rename conflict f -> f.conflict-local-T",
	"transfer download conflict f",
	"transfer upload conflict f.conflict-local-T",
}

// keepBothLocalKeeps is a keep-both conflict won by the newer local version.
var keepBothLocalKeeps = []string{
	"replace rename-remote conflict f -> f.conflict-remote-T",
	"transfer upload conflict f",
	"transfer download conflict f.conflict-remote-T",
}

// The kind conflicts: the entry that is not a directory (or the symlink)
// is renamed on its side, then both travel as new.
var (
	localFileAsideForRemoteDir = []string{
		"replace rename conflict f -> f.conflict-local-T", "mkdir mkdir new f",
		"transfer upload new f.conflict-local-T",
	}
	remoteFileAsideForLocalDir = []string{
		"replace rename-remote conflict f -> f.conflict-remote-T", "mkdir mkdir-remote new f",
		"transfer download new f.conflict-remote-T",
	}
	localLinkAsideForRemoteDir = []string{"replace rename conflict f -> f.conflict-local-T", "mkdir mkdir new f"}
	remoteLinkAsideForLocalDir = []string{
		"replace rename-remote conflict f -> f.conflict-remote-T", "mkdir mkdir-remote new f",
		"transfer symlink new f.conflict-remote-T",
	}
	localLinkAsideForRemoteFile = []string{"replace rename conflict f -> f.conflict-local-T", "transfer download new f"}
	// Symlinks to different targets, the local one new or changed: it is
	// kept aside (it cannot be uploaded) and the remote one created.
	localLinkAsideForRemoteLink = []string{"replace rename conflict f -> f.conflict-local-T", "transfer symlink new f"}
	remoteLinkAsideForLocalFile = []string{
		"replace rename-remote conflict f -> f.conflict-remote-T", "transfer upload new f",
		"transfer symlink new f.conflict-remote-T",
	}
)

// syncTable is the decision table: "local/remote" without a record,
// "local/remote+record" with one, "...:same" and "...:differ" with the
// content known.
var syncTable = map[string][]string{
	// Without a record: the first sync of two trees, or paths made since.
	"absent/absent":      nil,
	"absent/new":         {tDownNew},
	"absent/alike":       {tDownNew},
	"absent/dir":         {"mkdir mkdir new f"},
	"absent/link":        {"transfer symlink new f"},
	"new/absent":         {tUpNew},
	"new/new":            keepBothLocalKeeps, // the local one is newer
	"new/alike":          keepBothRemoteKeeps,
	"new/dir":            localFileAsideForRemoteDir,
	"new/link":           remoteLinkAsideForLocalFile,
	"alike/absent":       {tUpNew},
	"alike/new":          keepBothLocalKeeps,
	"alike/alike":        {tCompare},
	"alike/alike:same":   {tAdopt},
	"alike/alike:differ": keepBothRemoteKeeps, // a tie: the remote keeps the name
	"alike/dir":          localFileAsideForRemoteDir,
	"alike/link":         remoteLinkAsideForLocalFile,
	"dir/absent":         {"mkdir mkdir-remote new f"},
	"dir/new":            remoteFileAsideForLocalDir,
	"dir/alike":          remoteFileAsideForLocalDir,
	"dir/dir":            {tAdopt},
	"dir/link":           remoteLinkAsideForLocalDir,
	"link/absent":        nil, // a local symlink is never uploaded
	"link/new":           localLinkAsideForRemoteFile,
	"link/alike":         localLinkAsideForRemoteFile,
	"link/dir":           localLinkAsideForRemoteDir,
	"link/link":          localLinkAsideForRemoteLink,

	// With a record of the file as last synced.
	"unchanged/unchanged+record": nil,
	"unchanged/changed+record":   {tDownChg},
	"unchanged/alike+record":     {tDownChg},
	"unchanged/deleted+record":   {tDelLocal},
	"unchanged/dir+record":       localFileAsideForRemoteDir,
	"unchanged/link+record":      remoteLinkAsideForLocalFile,
	"changed/unchanged+record":   {tUpChg},
	"changed/changed+record":     keepBothLocalKeeps,
	"changed/alike+record":       keepBothRemoteKeeps,
	"changed/deleted+record":     {tUpChg}, // the change wins over the deletion
	"changed/dir+record":         localFileAsideForRemoteDir,
	"changed/link+record":        remoteLinkAsideForLocalFile,
	"alike/unchanged+record":     {tUpChg},
	"alike/changed+record":       keepBothLocalKeeps,
	"alike/alike+record":         {tCompare},
	"alike/alike+record:same":    {tAdopt},
	"alike/alike+record:differ":  keepBothRemoteKeeps,
	"alike/deleted+record":       {tUpChg},
	"alike/dir+record":           localFileAsideForRemoteDir,
	"alike/link+record":          remoteLinkAsideForLocalFile,
	"deleted/unchanged+record":   {tDelRem},
	"deleted/changed+record":     {tDownChg}, // the change wins over the deletion
	"deleted/alike+record":       {tDownChg},
	"deleted/deleted+record":     {tForget},
	"deleted/dir+record":         {"mkdir mkdir changed f"},
	"deleted/link+record":        {"transfer symlink changed f"},
	"dir/unchanged+record":       remoteFileAsideForLocalDir,
	"dir/changed+record":         remoteFileAsideForLocalDir,
	"dir/alike+record":           remoteFileAsideForLocalDir,
	"dir/deleted+record":         {"mkdir mkdir-remote changed f"},
	"dir/dir+record":             {tAdopt},
	"dir/link+record":            remoteLinkAsideForLocalDir,
	"link/unchanged+record":      localLinkAsideForRemoteFile,
	"link/changed+record":        localLinkAsideForRemoteFile,
	"link/alike+record":          localLinkAsideForRemoteFile,
	"link/deleted+record":        nil, // a local symlink is never uploaded
	"link/dir+record":            localLinkAsideForRemoteDir,
	"link/link+record":           localLinkAsideForRemoteLink,
}

func TestSyncDecisionTable(t *testing.T) {
	noRecord := []string{"absent", "new", "alike", "dir", "link"}
	withRecord := []string{"unchanged", "changed", "alike", "deleted", "dir", "link"}
	base := snap(rec(at("f", 10, t0, time.Second), loc("f", 10, localT)))
	stamp := syncNow.UTC().Format("20060102-150405")
	seen := map[string]bool{}
	run := func(key string, local, remote string, b Snapshot, content Content) {
		want, ok := syncTable[key]
		if !ok {
			t.Errorf("%s: no row in the table", key)
			return
		}
		seen[key] = true
		var in SyncInput
		if l, ok := tableSide(local, false); ok {
			in.Local = []Entry{l}
		}
		if r, ok := tableSide(remote, true); ok {
			in.Remote.Entries = []Entry{r}
		}
		in.Base, in.Now = b, syncNow
		if content != ContentUnknown {
			in.Content = map[string]Content{"f": content}
		}
		p := Sync(in)
		checkSyncPlan(t, p)
		got := showSync(p)
		for i := range got {
			got[i] = strings.ReplaceAll(got[i], stamp, "T")
		}
		if len(p.Blocked) > 0 {
			t.Errorf("%s: blocked %v", key, p.Blocked)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s:\n  got  %q\n  want %q", key, got, want)
		}
	}
	for _, rows := range []struct {
		states []string
		suffix string
		base   Snapshot
	}{{noRecord, "", nil}, {withRecord, "+record", base}} {
		for _, l := range rows.states {
			for _, r := range rows.states {
				key := l + "/" + r + rows.suffix
				run(key, l, r, rows.base, ContentUnknown)
				if l == "alike" && r == "alike" {
					run(key+":same", l, r, rows.base, ContentSame)
					run(key+":differ", l, r, rows.base, ContentDiffer)
				}
			}
		}
	}
	var extra []string
	for k := range syncTable {
		if !seen[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	if len(extra) > 0 {
		t.Errorf("rows no state pair reaches: %v", extra)
	}
	if want := 5*5 + 6*6 + 4; len(seen) != want {
		t.Errorf("%d rows planned, want %d", len(seen), want)
	}
}
