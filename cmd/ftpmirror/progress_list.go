package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ftpmirror/ftpmirror/mirror"
)

var _ mirror.ListProgress = (*console)(nil)

// Listed implements mirror.ListProgress: while the remote tree is walked,
// before the bar, a terminal shows one line of how far the listing got.
// It is redrawn at most every redrawEvery, and only where a bar would be.
func (c *console) Listed(dirs, entries int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.listDirs, c.listEntries = dirs, entries
	if !c.useBar || c.bar != nil || time.Since(c.lastDraw) < redrawEvery {
		return
	}
	c.listShown = true
	c.drawListingLocked()
}

// drawListingLocked writes the listing line over itself.
func (c *console) drawListingLocked() {
	c.lastDraw = time.Now()
	_, _ = fmt.Fprintf(c.terminal(), "\rlisting: %s, %s\x1b[K", plural(c.listDirs, "directory", "directories"), plural(c.listEntries, "entry", "entries"))
}

// clearListingLocked removes the listing line, if shown, before anything
// else is written; it reports whether there was one, to draw again after.
func (c *console) clearListingLocked() bool {
	if !c.listShown {
		return false
	}
	_, _ = io.WriteString(c.terminal(), "\r\x1b[K")
	return true
}

// terminal is where lines holding only counts go: the terminal itself,
// past redaction, as for the bar.
func (c *console) terminal() io.Writer {
	if f, ok := c.app.rawStderr.(*os.File); ok {
		return f
	}
	return c.w
}
