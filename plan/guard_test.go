package plan

import (
	"errors"
	"strings"
	"testing"
)

func TestParseLimit(t *testing.T) {
	tests := []struct {
		in      string
		want    Limit
		wantErr bool
	}{
		{in: "100", want: Limit{Count: 100}},
		{in: "0", want: Limit{}},
		{in: " 7 ", want: Limit{Count: 7}},
		{in: "50%", want: Limit{Percent: 50}},
		{in: "2.5%", want: Limit{Percent: 2.5}},
		{in: "100%", want: Limit{Percent: 100}},
		{in: "0%", want: Limit{}},
		{in: "", wantErr: true},
		{in: "%", wantErr: true},
		{in: "-1", wantErr: true},
		{in: "-5%", wantErr: true},
		{in: "101%", wantErr: true},
		{in: "1.5", wantErr: true},
		{in: "abc", wantErr: true},
		{in: "50 %", wantErr: true},
		{in: "NaN%", wantErr: true},
		{in: "Inf%", wantErr: true},
		{in: "0x10%", wantErr: true},
		{in: "10%%", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseLimit(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseLimit(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestLimitString(t *testing.T) {
	for _, s := range []string{"100", "0", "50%", "2.5%"} {
		l, err := ParseLimit(s)
		if err != nil {
			t.Fatal(err)
		}
		if l.String() != s {
			t.Errorf("ParseLimit(%q).String() = %q", s, l.String())
		}
	}
}

// deletes returns a plan deleting n files and a directory.
func deletes(n int, incomplete ...string) Plan {
	p := Plan{Incomplete: incomplete}
	p.Actions = append(p.Actions, Action{Op: OpDownload, Path: "new", Kind: KindFile})
	for range n {
		p.Actions = append(p.Actions, Action{Op: OpDeleteLocal, Path: "f", Kind: KindFile})
	}
	p.Actions = append(p.Actions, Action{Op: OpDeleteLocal, Path: "d", Kind: KindDir})
	return p
}

func TestCheckDeletes(t *testing.T) {
	tests := []struct {
		name    string
		plan    Plan
		base    int
		limit   Limit
		refused bool
	}{
		{name: "no deletions pass any limit", plan: Plan{Actions: []Action{{Op: OpDownload}}}, base: 0, limit: Limit{}},
		{name: "no deletions pass an incomplete listing", plan: Plan{Incomplete: []string{"a"}}, base: 10},
		{name: "directory deletions are not counted", plan: deletes(0), base: 10, limit: Limit{}},
		{name: "zero limit refuses a deletion", plan: deletes(1), base: 10, limit: Limit{}, refused: true},
		{name: "count: at the limit", plan: deletes(5), base: 10, limit: Limit{Count: 5}},
		{name: "count: above the limit", plan: deletes(6), base: 10, limit: Limit{Count: 5}, refused: true},
		{name: "percent: at the limit", plan: deletes(500), base: 1000, limit: Limit{Percent: 50}},
		{name: "percent: above the limit", plan: deletes(812), base: 1000, limit: Limit{Percent: 50}, refused: true},
		{name: "percent is floored", plan: deletes(2), base: 5, limit: Limit{Percent: 50}},
		{name: "percent is floored, above", plan: deletes(3), base: 5, limit: Limit{Percent: 50}, refused: true},
		{name: "percent of an empty tree allows nothing", plan: deletes(1), base: 0, limit: Limit{Percent: 50}, refused: true},
		{name: "100% allows everything", plan: deletes(10), base: 10, limit: Limit{Percent: 100}},
		{name: "incomplete listing refuses whatever the limit", plan: deletes(1, "a"), base: 10, limit: Limit{Percent: 100}, refused: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckDeletes(tt.plan, tt.base, tt.limit)
			if (err != nil) != tt.refused {
				t.Fatalf("CheckDeletes = %v, want refused %v", err, tt.refused)
			}
			var ge *GuardError
			if err != nil && !errors.As(err, &ge) {
				t.Fatalf("error %v is not a *GuardError", err)
			}
			if err != nil && !strings.Contains(err.Error(), "--force") {
				t.Errorf("message %q does not name --force", err)
			}
		})
	}
}

func TestGuardErrorMessages(t *testing.T) {
	err := CheckDeletes(deletes(812), 1000, Limit{Percent: 50})
	want := "refusing to delete 812 of 1000 files (limit 50%, at most 500): use --force to proceed"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	err = CheckDeletes(deletes(1, "", "a/b", "c", "d"), 10, Limit{Percent: 100})
	want = "refusing to delete: the listing of 4 directories failed (., a/b, c, ...): use --force to proceed"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	var ge *GuardError
	if !errors.As(err, &ge) || ge.Deletes != 1 || len(ge.Incomplete) != 4 {
		t.Errorf("GuardError = %+v", ge)
	}
}

func TestDeleteBase(t *testing.T) {
	local := []Entry{file("a", 1), dir("d"), link("l", "a"), file("d/b", 1)}
	if got := DeleteBase(nil, local); got != 3 {
		t.Errorf("first run: DeleteBase = %d, want 3 local files", got)
	}
	base := snap(Record{Path: "x", Kind: KindFile}, Record{Path: "y", Kind: KindDir})
	if got := DeleteBase(base, local); got != 1 {
		t.Errorf("DeleteBase = %d, want the 1 recorded file", got)
	}
}
