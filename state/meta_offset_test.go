package state

import (
	"testing"
	"time"
)

// The server's offset survives a reopen in each of its three states: never
// tried, tried and unknown, known (zero included, which is not unknown).
func TestMetaKeepsTheServerOffset(t *testing.T) {
	for _, want := range []Meta{
		{Remote: "never tried"},
		{Remote: "refused", ServerOffsetTried: true},
		{Remote: "utc", ServerOffsetKnown: true, ServerOffsetTried: true},
		{Remote: "tokyo", ServerOffset: 9 * time.Hour, ServerOffsetKnown: true, ServerOffsetTried: true},
		{Remote: "st johns", ServerOffset: -(3*time.Hour + 30*time.Minute), ServerOffsetKnown: true, ServerOffsetTried: true},
	} {
		s := openTemp(t)
		if err := s.SetMeta(Meta{ServerOffset: time.Hour, ServerOffsetKnown: true}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetMeta(want); err != nil {
			t.Fatal(err)
		}
		got, err := s.Meta()
		if err != nil {
			t.Fatal(err)
		}
		got.Schema = 0
		if got != want {
			t.Errorf("Meta() = %+v, want %+v", got, want)
		}
	}
}
