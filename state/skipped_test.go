package state

import (
	"maps"
	"path/filepath"
	"testing"
)

func TestSkippedPathsAreRememberedAsTheirBytes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	st, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := st.Skipped(); err != nil || len(got) != 0 {
		t.Fatalf("Skipped of a new file = %v, %v; want none", got, err)
	}
	want := map[string]string{"a/cr\rname": "line break", "gbk \xc4\xe3": "x"}
	if err := st.SetSkipped(maps.Clone(want)); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, err = Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got, err := st.Skipped()
	if err != nil || !maps.Equal(got, want) {
		t.Fatalf("Skipped = %q, %v; want %q", got, err, want)
	}
}

func TestSetSkippedReplacesTheSet(t *testing.T) {
	st, err := Open(filepath.Join(t.TempDir(), "s.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.SetSkipped(map[string]string{"old": "x"}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetSkipped(map[string]string{"new": "y"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Skipped(); !maps.Equal(got, map[string]string{"new": "y"}) {
		t.Errorf("Skipped = %q, want only new", got)
	}
	if err := st.SetSkipped(nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Skipped(); len(got) != 0 {
		t.Errorf("Skipped = %q, want none", got)
	}
}
