package state

import (
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/plan"
)

func TestRecordCodecRoundTrip(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	cases := map[string]plan.Record{
		"all fields":   fileRecord("a/b.txt", 1234),
		"zero record":  {Path: "x"},
		"directory":    {Path: "d", Kind: plan.KindDir, RemoteModTime: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), RemotePrecision: 24 * time.Hour},
		"symlink":      {Path: "l", Kind: plan.KindSymlink, SyncedAt: time.Unix(1, 0)},
		"unix epoch":   {Path: "e", RemoteModTime: time.Unix(0, 0), LocalModTime: time.Unix(0, 1)},
		"before 1678":  {Path: "old", RemoteModTime: time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC)},
		"after 2262":   {Path: "new", LocalModTime: time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)},
		"negative":     {Path: "n", RemoteSize: -1, LocalSize: -1 << 62, RemotePrecision: -time.Second},
		"other zone":   {Path: "z", SyncedAt: time.Date(2024, 6, 1, 10, 0, 0, 5, paris)},
		"huge sizes":   {Path: "h", RemoteSize: 1<<63 - 1, LocalSize: 1<<63 - 1},
		"only precise": {Path: "p", RemotePrecision: time.Minute},
	}
	for name, want := range cases {
		t.Run(name, func(t *testing.T) {
			v := appendRecord(nil, want)
			got, err := decodeRecord(want.Path, v)
			if err != nil {
				t.Fatal(err)
			}
			if !sameRecord(got, want) {
				t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
			}
			for _, tm := range []struct{ got, want time.Time }{
				{got.RemoteModTime, want.RemoteModTime},
				{got.LocalModTime, want.LocalModTime},
				{got.SyncedAt, want.SyncedAt},
			} {
				if tm.got.IsZero() != tm.want.IsZero() {
					t.Errorf("IsZero changed: got %v, want %v", tm.got, tm.want)
				}
				if !tm.got.IsZero() && tm.got.Location() != time.UTC {
					t.Errorf("decoded time %v is not in UTC", tm.got)
				}
			}
		})
	}
}

func TestRecordCodecIsCompact(t *testing.T) {
	// A file listed by MLSD: whole-second times, a few sizes.
	v := appendRecord(nil, fileRecord("a", 1<<20))
	if len(v) > 40 {
		t.Errorf("record encodes to %d bytes, want at most 40", len(v))
	}
}

func TestDecodeRecordRefusesDamagedValues(t *testing.T) {
	good := appendRecord(nil, fileRecord("a", 99))
	for name, v := range map[string][]byte{
		"empty":        nil,
		"kind only":    good[:1],
		"truncated":    good[:len(good)-1],
		"trailing":     append(append([]byte(nil), good...), 0),
		"unknown kind": append([]byte{9}, good[1:]...),
		"bad nanos":    {0, flagSyncedAt, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f},
	} {
		if _, err := decodeRecord("a", v); err == nil {
			t.Errorf("%s: decoded %x without error", name, v)
		}
	}
}
