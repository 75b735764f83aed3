package plan

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// rclone bisync's own test scenarios (cmd/bisync/testdata) that apply to an
// FTP sync, planned from the trees and records they describe. path1 is the
// local side, path2 the remote. Left out: check-access and check-sync
// (rclone's own marker files and listings), backup-dir, resync modes other
// than the first sync (ours is always the union), rclone's arguments and
// hashes of other backends, and unicode normalization (the names helper's).

// bisyncBase is the state after "bisync resync" of files all synced as
// remote 10 bytes at t0 and local 10 bytes at localT.
func bisyncBase(paths ...string) Snapshot {
	s := Snapshot{}
	for _, p := range paths {
		s[p] = rec(at(p, 10, t0, time.Second), loc(p, 10, localT))
	}
	return s
}

// bisyncUnchanged returns the local and remote entries of paths as synced.
func bisyncUnchanged(paths ...string) (local, remote []Entry) {
	for _, p := range paths {
		local = append(local, loc(p, 10, localT))
		remote = append(remote, at(p, 10, t0, time.Second))
	}
	return local, remote
}

func TestSyncRcloneBisyncScenarios(t *testing.T) {
	t2001 := time.Date(2001, 1, 2, 0, 0, 0, 0, time.UTC)
	t2001b := time.Date(2001, 3, 4, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name        string
		local       []Entry
		remote      []Entry
		base        Snapshot
		content     map[string]Content
		want        []string
		limit       Limit
		guardRefuse bool
	}{
		{
			// test_changes: every kind of change on one side or both.
			name: "test_changes",
			local: []Entry{
				loc("file1.txt", 10, localT), // unchanged on path1
				loc("file3.txt", 10, localT), // deleted on path2
				loc("file11.txt", 20, t2001), // new on path1
				loc("file2.txt", 20, t2001),  // newer on path1
				loc("file5.txt", 21, t2001b), // changed on both
				loc("file7.txt", 20, t2001),  // newer on path1, deleted on path2
			},
			remote: func() []Entry {
				_, r := bisyncUnchanged("file2.txt", "file4.txt")
				return append(r,
					at("file10.txt", 20, t2001, time.Second), // new on path2
					at("file1.txt", 20, t2001, time.Second),  // newer on path2
					at("file5.txt", 22, t2001, time.Second),  // changed on both
					at("file6.txt", 20, t2001, time.Second),  // newer on path2, deleted on path1
				)
			}(),
			base: bisyncBase("file1.txt", "file2.txt", "file3.txt", "file4.txt", "file5.txt",
				"file6.txt", "file7.txt", "file8.txt"),
			want: []string{
				// file5: the local version (2001-03-04) is newer and keeps the name.
				"replace rename-remote conflict file5.txt -> file5.conflict-remote-20241126-093000.txt",
				"transfer download changed file1.txt",
				"transfer download new file10.txt",
				"transfer upload new file11.txt",
				"transfer upload changed file2.txt",
				"transfer download conflict file5.conflict-remote-20241126-093000.txt",
				"transfer upload conflict file5.txt",
				"transfer download changed file6.txt",
				"transfer upload changed file7.txt",
				"delete delete-remote deleted file4.txt", // deletions children first, in reverse
				"delete delete deleted file3.txt",
				"forget forget deleted file8.txt",
			},
			limit: Limit{Percent: 50},
		},
		{
			// test_equal: changed on both paths, identical or not. Here
			// both get the same size and time, the case the content
			// comparison settles.
			name:    "test_equal",
			local:   []Entry{loc("file1.txt", 20, t2001), loc("file2.txt", 20, t2001)},
			remote:  []Entry{at("file1.txt", 20, t2001, time.Second), at("file2.txt", 20, t2001, time.Second)},
			base:    bisyncBase("file1.txt", "file2.txt"),
			content: map[string]Content{"file1.txt": ContentDiffer, "file2.txt": ContentSame},
			want: []string{
				"replace rename conflict file1.txt -> file1.conflict-local-20241126-093000.txt",
				"transfer upload conflict file1.conflict-local-20241126-093000.txt",
				"transfer download conflict file1.txt",
				"transfer adopt adopted file2.txt",
			},
		},
		{
			// test_all_changed: the timestamp of every file changed on
			// path1: all are uploaded, nothing is deleted.
			name:   "test_all_changed",
			local:  []Entry{loc("file1.txt", 10, t2001), loc("file2.txt", 10, t2001), loc("subdir/file20.txt", 10, t2001)},
			remote: func() []Entry { _, r := bisyncUnchanged("file1.txt", "file2.txt", "subdir/file20.txt"); return r }(),
			base:   bisyncBase("file1.txt", "file2.txt", "subdir/file20.txt"),
			want: []string{
				"transfer upload changed file1.txt", "transfer upload changed file2.txt",
				"transfer upload changed subdir/file20.txt",
			},
		},
		{
			// test_rmdirs: a file deleted in a subdirectory on path1; the
			// directory, still on both sides, stays.
			name:   "test_rmdirs",
			local:  []Entry{dir("subdir")},
			remote: []Entry{dir("subdir"), at("subdir/file20.txt", 10, t0, time.Second)},
			base:   mergeSnaps(bisyncBase("subdir/file20.txt"), snap(syncedDir("subdir"))),
			want:   []string{"delete delete-remote deleted subdir/file20.txt"},
			limit:  Limit{Percent: 100},
		},
		{
			// test_createemptysrcdirs: an empty directory made on path1 is
			// made on path2; one deleted on path1 is deleted on path2.
			name:   "test_createemptysrcdirs",
			local:  []Entry{dir("subdir")},
			remote: []Entry{dir("gone")},
			base:   snap(syncedDir("gone")),
			want:   []string{"mkdir mkdir-remote new subdir", "delete delete-remote deleted gone"},
		},
		{
			// test_max_delete_path1: more than half the local files
			// deleted: refused at 50%, allowed at 60%.
			name:        "test_max_delete_path1 at 50%",
			local:       func() []Entry { l, _ := bisyncUnchanged("file6.txt", "file7.txt", "file8.txt", "file9.txt"); return l }(),
			remote:      func() []Entry { _, r := bisyncUnchanged(bisyncNames(9)...); return r }(),
			base:        bisyncBase(bisyncNames(9)...),
			want:        bisyncDeletes("delete-remote", 5),
			limit:       Limit{Percent: 50},
			guardRefuse: true,
		},
		{
			name:   "test_max_delete_path1 at 60%",
			local:  func() []Entry { l, _ := bisyncUnchanged("file6.txt", "file7.txt", "file8.txt", "file9.txt"); return l }(),
			remote: func() []Entry { _, r := bisyncUnchanged(bisyncNames(9)...); return r }(),
			base:   bisyncBase(bisyncNames(9)...),
			want:   bisyncDeletes("delete-remote", 5),
			limit:  Limit{Percent: 60},
		},
		{
			// test_max_delete_path2_force: the same on path2 (--force
			// is the caller's: the guard refuses).
			name:        "test_max_delete_path2",
			local:       func() []Entry { l, _ := bisyncUnchanged(bisyncNames(9)...); return l }(),
			remote:      func() []Entry { _, r := bisyncUnchanged("file6.txt", "file7.txt", "file8.txt", "file9.txt"); return r }(),
			base:        bisyncBase(bisyncNames(9)...),
			want:        bisyncDeletes("delete", 5),
			limit:       Limit{Percent: 50},
			guardRefuse: true,
		},
		{
			// test_nomodtime: a server that gives no times (Precision 0):
			// changes are seen by size alone.
			name:   "test_nomodtime",
			local:  []Entry{loc("file1.txt", 10, localT), loc("file11.txt", 5, t2001), loc("file2.txt", 15, t2001)},
			remote: []Entry{at("file1.txt", 25, time.Time{}, 0), at("file10.txt", 5, time.Time{}, 0), at("file2.txt", 10, time.Time{}, 0)},
			base: snap(
				rec(at("file1.txt", 10, time.Time{}, 0), loc("file1.txt", 10, localT)),
				rec(at("file2.txt", 10, time.Time{}, 0), loc("file2.txt", 10, localT)),
			),
			want: []string{
				"transfer download changed file1.txt", "transfer download new file10.txt",
				"transfer upload new file11.txt", "transfer upload changed file2.txt",
			},
		},
		{
			// test_extended_filenames: names with spaces, non-ASCII
			// letters and odd punctuation travel like any other.
			name: "test_extended_filenames",
			local: []Entry{
				dir("Русский"), loc("Русский/測試 file ü.txt", 3, t2001), loc("with  two spaces.txt", 3, t2001),
			},
			remote: []Entry{at("~`!@#$%^&()_-+={}[];',.txt", 3, t2001, time.Second)},
			want: []string{
				"mkdir mkdir-remote new Русский",
				"transfer upload new with  two spaces.txt",
				"transfer download new ~`!@#$%^&()_-+={}[];',.txt",
				"transfer upload new Русский/測試 file ü.txt",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Sync(SyncInput{Local: tt.local, Remote: Listing{Entries: tt.remote}, Base: tt.base, Content: tt.content, Now: syncNow})
			checkSyncPlan(t, p)
			if got := showSync(p); !slices.Equal(got, tt.want) {
				t.Errorf("plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if tt.limit == (Limit{}) {
				return
			}
			err := CheckSyncDeletes(p, DeleteBase(tt.base, tt.local), tt.limit)
			var ge *GuardError
			if refused := errors.As(err, &ge); refused != tt.guardRefuse {
				t.Errorf("guard at %s: %v, want refused %v", tt.limit, err, tt.guardRefuse)
			}
		})
	}
}

// bisyncNames returns file1.txt ... fileN.txt.
func bisyncNames(n int) []string {
	var out []string
	for i := 1; i <= n; i++ {
		out = append(out, "file"+string(rune('0'+i))+".txt")
	}
	return out
}

// bisyncDeletes returns the deletions of file1.txt ... fileN.txt by op,
// children first (all are at the root: in reverse order).
func bisyncDeletes(op string, n int) []string {
	var out []string
	for i := n; i >= 1; i-- {
		out = append(out, "delete "+op+" deleted file"+string(rune('0'+i))+".txt")
	}
	return out
}

func mergeSnaps(ss ...Snapshot) Snapshot {
	out := Snapshot{}
	for _, s := range ss {
		for k, v := range s {
			out[k] = v
		}
	}
	return out
}
