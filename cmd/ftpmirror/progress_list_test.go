package main

import (
	"strings"
	"testing"
)

// Regression: a long listing printed nothing until the plan was known; on a
// terminal it now shows how far it got, above which messages still print,
// and which the bar (or the end) clears.
func TestConsoleShowsListingProgressUntilTheBar(t *testing.T) {
	var out syncBuffer
	a := newApp(strings.NewReader(""), &out, &out, func(string) string { return "" })
	c := newConsole(a, &outputFlags{progress: "always"})
	c.Listed(1, 7)
	c.Println("ftpmirror: warning: something")
	c.Listed(2, 9) // within redrawEvery of the last draw: not drawn
	c.Start(1, 10)
	c.Finish()
	got := out.String()
	want := "\rlisting: 1 directory, 7 entries\x1b[K" + // the first directory listed
		"\r\x1b[K" + "ftpmirror: warning: something\n" + "\rlisting: 1 directory, 7 entries\x1b[K" + // a message above it
		"\r\x1b[K" // Start clears it
	if !strings.HasPrefix(got, want) {
		t.Errorf("output = %q\nwant it to start with %q", got, want)
	}
	if strings.Count(got, "listing:") != 2 {
		t.Errorf("the listing line was drawn again after the bar started: %q", got)
	}
}

func TestConsoleWithoutTerminalShowsNoListingProgress(t *testing.T) {
	var out syncBuffer
	a := newApp(strings.NewReader(""), &out, &out, func(string) string { return "" })
	c := newConsole(a, &outputFlags{progress: "never"})
	c.Listed(1, 7)
	c.Println("x")
	c.Finish()
	if got := out.String(); got != "x\n" {
		t.Errorf("output = %q, want only the message", got)
	}
}
