package state

import (
	"path/filepath"
	"testing"
	"time"
)

func TestPartials(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.Partial("a"); ok || err != nil {
		t.Fatalf("Partial of nothing: %v, %v", ok, err)
	}
	want := []Partial{
		{Path: "a/big.iso", Size: 4 << 30, ModTime: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), Temp: "a/.big.iso.ftpmirror-123"},
		{Path: "b", Size: 0, Temp: ""},
		{Path: "c", Size: 10, ModTime: time.Unix(0, 7), Temp: ".c.part"},
	}
	for _, p := range want {
		if err := s.PutPartial(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutPartial(Partial{}); err == nil {
		t.Error("PutPartial of an empty path succeeded")
	}
	if err := s.DeletePartial("c"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeletePartial("never there"); err != nil {
		t.Errorf("DeletePartial of a missing path: %v", err)
	}
	s.Close()

	s, err = Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Partials()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("Partials() = %+v, want 2", got)
	}
	for i, p := range want[:2] {
		if !samePartial(got[i], p) {
			t.Errorf("Partials()[%d] = %+v, want %+v", i, got[i], p)
		}
		one, ok, err := s.Partial(p.Path)
		if err != nil || !ok || !samePartial(one, p) {
			t.Errorf("Partial(%q) = %+v, %v, %v; want %+v", p.Path, one, ok, err, p)
		}
	}
	if !got[1].ModTime.IsZero() {
		t.Errorf("zero ModTime came back as %v", got[1].ModTime)
	}
}

func samePartial(a, b Partial) bool {
	return a.Path == b.Path && a.Size == b.Size && a.ModTime.Equal(b.ModTime) && a.Temp == b.Temp
}
