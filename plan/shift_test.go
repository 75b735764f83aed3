package plan

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// shiftCase builds a listing and a state of n files of 10 bytes listed with
// precision prec, each listed moved by by against its record; edit changes
// some of them further.
type shiftCase struct {
	name string
	n    int
	by   time.Duration
	prec time.Duration
	// edit changes the listed entry of file i (its record stays).
	edit func(i int, e *Entry)
	// unrecorded adds files the state does not know, all moved.
	extra []Entry

	want         time.Duration // the shift seen, 0 for none
	files, cmp   int
	wantRecorded []string // the paths in Records; nil means all files whose i is not edited
}

func shiftName(i int) string { return fmt.Sprintf("f%03d", i) }

func (c shiftCase) build() ([]Entry, Snapshot, []string) {
	base := Snapshot{}
	var remote []Entry
	var unedited []string
	prec := c.prec
	if prec == 0 {
		prec = time.Minute
	}
	for i := range c.n {
		p := shiftName(i)
		was := t0.Truncate(time.Minute).Add(time.Duration(i) * time.Hour)
		base[p] = Record{Path: p, Kind: KindFile, RemoteSize: 10, RemoteModTime: was, RemotePrecision: prec}
		e := Entry{Path: p, Kind: KindFile, Size: 10, ModTime: was.Add(c.by), Precision: prec}
		before := e
		if c.edit != nil {
			c.edit(i, &e)
		}
		if e == before {
			unedited = append(unedited, p)
		}
		remote = append(remote, e)
	}
	return append(remote, c.extra...), base, unedited
}

func TestFindShiftTellsAZoneMoveFromChanges(t *testing.T) {
	editOne := func(f func(*Entry)) func(int, *Entry) {
		return func(i int, e *Entry) {
			if i == 0 {
				f(e)
			}
		}
	}
	cases := []shiftCase{
		{name: "all moved by +1h", n: 100, by: time.Hour, want: time.Hour, files: 100, cmp: 100},
		{name: "all moved by -1h", n: 100, by: -time.Hour, want: -time.Hour, files: 100, cmp: 100},
		{name: "a zone of +5h45m", n: 10, by: 5*time.Hour + 45*time.Minute, want: 5*time.Hour + 45*time.Minute, files: 10, cmp: 10},
		{name: "half an hour", n: 10, by: -30 * time.Minute, want: -30 * time.Minute, files: 10, cmp: 10},
		{name: "a whole day", n: 10, by: 24 * time.Hour, want: 24 * time.Hour, files: 10, cmp: 10},
		{name: "more than a day is no shift", n: 10, by: 25 * time.Hour, cmp: 10},
		{name: "not a quarter hour is no shift", n: 10, by: 7 * time.Minute, cmp: 10},
		{name: "unchanged is no shift", n: 10, by: 0, cmp: 10},
		{
			name: "a size changed too is a change", n: 100, by: time.Hour,
			edit: editOne(func(e *Entry) { e.Size = 11 }),
			want: time.Hour, files: 99, cmp: 99,
		},
		{
			name: "a time moved by another amount is a change", n: 100, by: time.Hour,
			edit: editOne(func(e *Entry) { e.ModTime = e.ModTime.Add(7 * time.Minute) }),
			want: time.Hour, files: 99, cmp: 100,
		},
		{
			name: "a file rewritten an exact hour later does not hide in a shift of another amount", n: 10, by: 2 * time.Hour,
			edit: editOne(func(e *Entry) { e.ModTime = e.ModTime.Add(-time.Hour) }),
			want: 2 * time.Hour, files: 9, cmp: 10,
		},
		{name: "fewer than ShiftMinFiles agreeing is no shift", n: ShiftMinFiles - 1, by: time.Hour, cmp: ShiftMinFiles - 1},
		{name: "ShiftMinFiles agreeing is a shift", n: ShiftMinFiles, by: time.Hour, want: time.Hour, files: ShiftMinFiles, cmp: ShiftMinFiles},
		{
			name: "half the files agreeing is no shift", n: 8, by: time.Hour,
			edit: func(i int, e *Entry) {
				if i%2 == 0 {
					e.ModTime = e.ModTime.Add(-time.Hour)
				}
			},
			cmp: 8,
		},
		{
			name: "more than half agreeing is a shift", n: 9, by: time.Hour,
			edit: func(i int, e *Entry) {
				if i < 4 {
					e.ModTime = e.ModTime.Add(-time.Hour)
				}
			},
			want: time.Hour, files: 5, cmp: 9,
			wantRecorded: []string{"f004", "f005", "f006", "f007", "f008"},
		},
		{
			name: "an exact second listing moved by a second more is a change", n: 10, by: time.Hour, prec: time.Second,
			edit: editOne(func(e *Entry) { e.ModTime = e.ModTime.Add(time.Second) }),
			want: time.Hour, files: 9, cmp: 10,
		},
		{
			name: "dates alone cannot show a shift", n: 10, by: 24 * time.Hour, prec: 24 * time.Hour, cmp: 0,
		},
		{
			name: "files unknown to the state, directories and symlinks are not compared", n: 5, by: time.Hour,
			extra: []Entry{
				at("new", 10, t0, time.Minute),
				{Path: "d", Kind: KindDir, ModTime: t0, Precision: time.Minute},
				{Path: "l", Kind: KindSymlink, Target: "x", ModTime: t0, Precision: time.Minute},
			},
			want: time.Hour, files: 5, cmp: 5,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			remote, base, unedited := c.build()
			s := FindShift(remote, base)
			if s.Offset != c.want || s.Files != c.files || s.Compared != c.cmp {
				t.Fatalf("FindShift = %s (offset %v, %d of %d), want offset %v, %d of %d", s, s.Offset, s.Files, s.Compared, c.want, c.files, c.cmp)
			}
			var got []string
			for _, r := range s.Records {
				got = append(got, r.Path)
			}
			want := c.wantRecorded
			if want == nil && c.want != 0 {
				want = unedited
			}
			if !slices.Equal(got, want) {
				t.Fatalf("Records hold %v, want %v", got, want)
			}
		})
	}
}

// A date alone (an old file in a LIST listing) can move to the next day when
// the server's zone moves forward: it follows a shift seen on the other
// files, and only one in the same direction.
func TestFindShiftCarriesDatesThatAgree(t *testing.T) {
	midnight := time.Date(2024, 3, 30, 0, 0, 0, 0, time.UTC)
	base := Snapshot{}
	var remote []Entry
	for i := range 4 {
		p := shiftName(i)
		base[p] = Record{Path: p, Kind: KindFile, RemoteSize: 1, RemoteModTime: t0, RemotePrecision: time.Minute}
		remote = append(remote, at(p, 1, t0.Add(time.Hour), time.Minute))
	}
	base["next-day"] = Record{Path: "next-day", Kind: KindFile, RemoteSize: 1, RemoteModTime: midnight, RemotePrecision: day}
	remote = append(remote, at("next-day", 1, midnight.Add(day), day))
	base["day-before"] = Record{Path: "day-before", Kind: KindFile, RemoteSize: 1, RemoteModTime: midnight, RemotePrecision: day}
	remote = append(remote, at("day-before", 1, midnight.Add(-day), day))

	s := FindShift(remote, base)
	if s.Offset != time.Hour || s.Files != 4 || s.Compared != 4 {
		t.Fatalf("FindShift = %s, want +1h for 4 of 4", s)
	}
	var got []string
	for _, r := range s.Records {
		got = append(got, r.Path)
	}
	if want := []string{"f000", "f001", "f002", "f003", "next-day"}; !slices.Equal(got, want) {
		t.Fatalf("Records hold %v, want %v", got, want)
	}
}

// Once applied, the shift costs no transfer, and a real change inside the
// shifted listing is still downloaded.
func TestShiftAppliedPullDownloadsOnlyTheRealChange(t *testing.T) {
	base := Snapshot{}
	var remote, local []Entry
	for i := range 10 {
		p := shiftName(i)
		r := at(p, 10, t0.Truncate(time.Minute), time.Minute)
		l := loc(p, 10, t0)
		base[p] = rec(r, l)
		r.ModTime = r.ModTime.Add(time.Hour)
		if i == 3 {
			r.Size = 12
		}
		remote, local = append(remote, r), append(local, l)
	}
	s := FindShift(remote, base)
	if s.Offset != time.Hour || s.Files != 9 {
		t.Fatalf("FindShift = %s, want +1h for 9 of 9", s)
	}
	s.Apply(base)
	p := Pull(PullInput{Remote: Listing{Entries: remote}, Local: local, Base: base})
	if got, want := show(p), []string{"transfer download changed f003"}; !slices.Equal(got, want) {
		t.Fatalf("plan after the shift:\n%v\nwant\n%v", got, want)
	}
	if got := base["f000"].RemoteModTime; !got.Equal(remote[0].ModTime) {
		t.Fatalf("record's remote time %v, want the listed %v", got, remote[0].ModTime)
	}
}

func TestShiftString(t *testing.T) {
	s := Shift{Offset: time.Hour, Files: 100, Compared: 100}
	if got, want := s.String(), "the server's times moved by +1h for 100 of 100 files; treated as a clock change"; got != want {
		t.Fatalf("String() = %q, want %q", got, want)
	}
	for d, want := range map[time.Duration]string{
		0: "0", 9 * time.Hour: "+9h", -30 * time.Minute: "-30m", 5*time.Hour + 45*time.Minute: "+5h45m", -(3*time.Hour + 30*time.Minute): "-3h30m",
	} {
		if got := FormatOffset(d); got != want {
			t.Errorf("FormatOffset(%v) = %q, want %q", d, got, want)
		}
	}
}
