package mirror

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

func TestParseServerZone(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Duration
		err  bool
	}{
		{in: "UTC"}, {in: "gmt"}, {in: "Z"}, {in: "+00:00"},
		{in: "+09:00", want: 9 * time.Hour},
		{in: "+0900", want: 9 * time.Hour},
		{in: "+9", want: 9 * time.Hour},
		{in: "-05:30", want: -(5*time.Hour + 30*time.Minute)},
		{in: "+05:45", want: 5*time.Hour + 45*time.Minute},
		{in: "+14:00", want: 14 * time.Hour},
		{in: "+14:30", err: true},
		{in: "+9:5", err: true},
		{in: "+09:60", err: true},
		{in: "9", err: true},
		{in: "UTC+9", err: true}, // POSIX counts the other way: refused, not guessed
		{in: "GMT-2", err: true},
		{in: "Local", err: true},
		{in: "", err: true},
		{in: "Nowhere/Atlantis", err: true},
	} {
		z, err := ParseServerZone(c.in)
		if (err != nil) != c.err || err == nil && (z.Offset != c.want || z.Location != nil) {
			t.Errorf("ParseServerZone(%q) = %+v, %v; want offset %v, error %v", c.in, z, err, c.want, c.err)
		}
	}
	z, err := ParseServerZone("Europe/Berlin")
	if err != nil {
		t.Skipf("no zone data: %v", err)
	}
	if z.Location == nil || z.String() != "Europe/Berlin" {
		t.Errorf("ParseServerZone(Europe/Berlin) = %+v", z)
	}
}

func TestServerZoneConvertsBothWays(t *testing.T) {
	winter := time.Date(2024, 1, 15, 12, 0, 0, 0, time.UTC)
	summer := time.Date(2024, 7, 15, 12, 0, 0, 0, time.UTC)
	zones := []struct {
		z              ServerZone
		winter, summer time.Duration // the zone's offset then
	}{
		{ServerZone{}, 0, 0},
		{ServerZone{Offset: 9 * time.Hour}, 9 * time.Hour, 9 * time.Hour},
		{ServerZone{Offset: -(3*time.Hour + 30*time.Minute)}, -(3*time.Hour + 30*time.Minute), -(3*time.Hour + 30*time.Minute)},
	}
	if berlin, err := time.LoadLocation("Europe/Berlin"); err == nil {
		zones = append(zones, struct {
			z              ServerZone
			winter, summer time.Duration
		}{ServerZone{Location: berlin}, time.Hour, 2 * time.Hour})
	}
	for _, c := range zones {
		for at, off := range map[time.Time]time.Duration{winter: c.winter, summer: c.summer} {
			wall := at.Add(off) // what the server shows, read as UTC
			if got := c.z.FromUTC(at); !got.Equal(wall) {
				t.Errorf("%s: FromUTC(%v) = %v, want %v", c.z, at, got, wall)
			}
			if got := c.z.ToUTC(wall); !got.Equal(at) {
				t.Errorf("%s: ToUTC(%v) = %v, want %v", c.z, wall, got, at)
			}
		}
	}
}

func TestNotInFuture(t *testing.T) {
	now := time.Date(2024, 1, 15, 12, 0, 0, 0, time.UTC)
	for in, want := range map[time.Time]time.Time{
		now.Add(-time.Hour):              now.Add(-time.Hour),
		now.Add(MaxClockSkew):            now.Add(MaxClockSkew),
		now.Add(MaxClockSkew + 1):        now,
		now.Add(9 * time.Hour):           now,
		now.Add(-9 * time.Hour).Round(0): now.Add(-9 * time.Hour),
	} {
		if got := notInFuture(in, now); !got.Equal(want) {
			t.Errorf("notInFuture(%v) = %v, want %v", in, got, want)
		}
	}
}

// Against a server that reports UTC the offset learnt is zero, and the
// file made to learn it is gone.
func TestLearnServerOffsetOfAUTCServer(t *testing.T) {
	s, root := startServer(t, ftptest.Options{})
	c, err := NewDialer(serverFor(s), Options{}).Dial(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	off, skew, err := learnServerOffset(context.Background(), c, "/", func() time.Time { return time.Now().UTC() })
	if err != nil || off != 0 || skew > MaxClockSkew || skew < -MaxClockSkew {
		t.Fatalf("learnServerOffset = %v, %v, %v; want 0 and a small skew", off, skew, err)
	}
	if _, err := os.Stat(filepath.Join(root, clockProbeName)); !os.IsNotExist(err) {
		t.Fatalf("the clock probe's file remains: %v", err)
	}
}
