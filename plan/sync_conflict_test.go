package plan

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseConflictPolicy(t *testing.T) {
	for _, s := range []string{"keep-both", "newer", "local", "remote"} {
		if p, err := ParseConflictPolicy(s); err != nil || string(p) != s {
			t.Errorf("ParseConflictPolicy(%q) = %q, %v", s, p, err)
		}
	}
	for _, s := range []string{"", "Keep-Both", "both", " local"} {
		if p, err := ParseConflictPolicy(s); err == nil {
			t.Errorf("ParseConflictPolicy(%q) = %q, want an error", s, p)
		}
	}
}

func TestConflictName(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	long := strings.Repeat("é", 126) + ".txt" // 256 bytes
	tests := []struct {
		path, side string
		now        time.Time
		n          int
		want       string
	}{
		{"f.txt", "local", syncNow, 1, "f.conflict-local-20241126-093000.txt"},
		{"a/b/f.txt", "remote", syncNow, 1, "a/b/f.conflict-remote-20241126-093000.txt"},
		{"f.txt", "local", syncNow, 2, "f.conflict-local-20241126-093000-2.txt"},
		{"f.txt", "local", syncNow.In(paris), 1, "f.conflict-local-20241126-093000.txt"},
		{"a.tar.gz", "local", syncNow, 1, "a.tar.conflict-local-20241126-093000.gz"},
		{"Makefile", "local", syncNow, 1, "Makefile.conflict-local-20241126-093000"},
		{"d/.profile", "remote", syncNow, 1, "d/.profile.conflict-remote-20241126-093000"},
		{"x.", "local", syncNow, 1, "x.conflict-local-20241126-093000."},
	}
	for _, tt := range tests {
		if got := conflictName(tt.path, tt.side, tt.now, tt.n); got != tt.want {
			t.Errorf("conflictName(%q, %q, %v, %d) = %q, want %q", tt.path, tt.side, tt.now, tt.n, got, tt.want)
		}
	}
	got := conflictName("d/"+long, "remote", syncNow, 12)
	if err := CheckPath(got); err != nil {
		t.Errorf("conflict name of a long name: %v", err)
	}
	if !strings.HasSuffix(got, "é.conflict-remote-20241126-093000-12.txt") || !strings.HasPrefix(got, "d/éé") {
		t.Errorf("conflict name of a long name = %q", got)
	}
}

func TestSyncConflictCopyNeverCollides(t *testing.T) {
	l, r := loc("f.txt", 11, t0), at("f.txt", 12, t0.Add(time.Hour), time.Second)
	p := Sync(SyncInput{
		Local: []Entry{l, loc("f.conflict-local-20241126-093000.txt", 1, t0)},
		Remote: Listing{Entries: []Entry{r,
			file("f.conflict-local-20241126-093000-2.txt", 1),
			file("x.tmp", 1), // excluded, still a taken name
		}},
		Base:   snap(Record{Path: "f.conflict-local-20241126-093000-3.txt", Kind: KindFile}),
		Now:    syncNow,
		Filter: newSyncFilter(t, nil, []string{"*.tmp", "*-3.txt"}),
	})
	var renames []string
	for _, a := range p.Actions {
		if a.To != "" {
			renames = append(renames, a.To)
		}
	}
	if want := []string{"f.conflict-local-20241126-093000-4.txt"}; !slices.Equal(renames, want) {
		t.Errorf("conflict copy %q, want %q\nplan:\n%s", renames, want, strings.Join(showSync(p), "\n"))
	}
	checkSyncPlan(t, p)

	// Two long names that differ only where their copies' names are cut.
	long := strings.Repeat("x", 240)
	var local, remote []Entry
	for _, name := range []string{long + "1.txt", long + "2.txt"} {
		local = append(local, loc(name, 1, t0))
		remote = append(remote, at(name, 2, t0.Add(time.Hour), time.Second))
	}
	p = Sync(SyncInput{Local: local, Remote: Listing{Entries: remote}, Now: syncNow})
	var copies []string
	for _, a := range p.Actions {
		if a.To != "" {
			if err := CheckPath(a.To); err != nil {
				t.Error(err)
			}
			copies = append(copies, strings.TrimLeft(a.To, "x"))
		}
	}
	if want := []string{".conflict-local-20241126-093000.txt", ".conflict-local-20241126-093000-2.txt"}; !slices.Equal(copies, want) {
		t.Errorf("conflict copies end %q, want %q", copies, want)
	}
	checkSyncPlan(t, p)
}
