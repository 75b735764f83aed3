package main

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a console.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// exercise drives a console from many goroutines, as a run's workers do.
func exercise(c *console) {
	c.Start(40, 40*1000)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5 {
				for range 10 {
					c.Bytes(100)
				}
				var err error
				if w == 3 && i == 2 {
					err = errors.New("550 permission denied")
				}
				c.Done(fmt.Sprintf("d%d/f%d", w, i), "download", err)
			}
		}()
	}
	wg.Wait()
	c.Finish()
}

func TestConsoleWithoutBarPrintsFailuresOnly(t *testing.T) {
	var out syncBuffer
	a := newApp(strings.NewReader(""), &out, &out, func(string) string { return "" })
	c := newConsole(a, &outputFlags{progress: "auto"})
	exercise(c)
	got := out.String()
	if got != "ftpmirror: error: download d3/f2: 550 permission denied\n" {
		t.Errorf("output = %q", got)
	}
	if !c.reportedFailure("download", "d3/f2") || c.reportedFailure("download", "d3/f1") {
		t.Error("reportedFailure is wrong")
	}
}

func TestConsoleBarPrintsFilesAboveIt(t *testing.T) {
	var out syncBuffer
	a := newApp(strings.NewReader(""), &out, &out, func(string) string { return "" })
	c := newConsole(a, &outputFlags{progress: "always"})
	exercise(c)
	got := out.String()
	for _, want := range []string{"40/40 files", "downloaded d7/f4\n", "ftpmirror: error: download d3/f2: 550 permission denied\n", "KiB"} {
		if !strings.Contains(got, want) {
			t.Errorf("bar output lacks %q:\n%q", want, got)
		}
	}
	// The bar is cleared at the end: the last thing written is a clearing
	// carriage return, so later lines start at column 0.
	if !strings.HasSuffix(got, "\r") {
		t.Errorf("the bar was not cleared at the end: %q", got[max(0, len(got)-80):])
	}
}

func TestHumanBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 1536: "1.5 KiB",
		3 << 20: "3.0 MiB", 5 << 30: "5.0 GiB"} {
		if got := humanBytes(n); got != want {
			t.Errorf("humanBytes(%d) = %q, want %q", n, got, want)
		}
	}
}
