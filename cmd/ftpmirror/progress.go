package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/ftpmirror/ftpmirror/mirror"
)

// redrawEvery bounds how often byte counts redraw the bar.
const redrawEvery = 100 * time.Millisecond

// console owns stderr during a run: it prints messages, logs and per-file
// results, and, when enabled, one progress bar beneath them. It implements
// mirror.Progress and is safe for use from many goroutines.
type console struct {
	app     *app
	w       io.Writer
	useBar  bool // draw a bar once Start is called
	verbose int
	quiet   bool
	// bandwidth is --bwlimit, shown on the bar while it limits.
	bandwidth *mirror.Bandwidth

	mu        sync.Mutex
	bar       *progressbar.ProgressBar // nil while no bar is shown
	files     int
	filesDone int
	failed    int
	pending   int64 // bytes not yet added to the bar
	lastDraw  time.Time
	reported  map[string]bool // failures already printed, by "op path"

	// The walk's progress, shown on one line until the bar (progress_list.go).
	listDirs, listEntries int
	listShown             bool
}

var _ mirror.Progress = (*console)(nil)

// newConsole decides whether to draw a progress bar: --progress always, or
// auto when stderr is a terminal and not --quiet. Without a bar nothing it
// writes holds a '\r'.
func newConsole(a *app, out *outputFlags) *console {
	c := &console{app: a, w: a.stderr, verbose: out.verbose, quiet: out.quiet, reported: map[string]bool{}}
	switch out.progress {
	case "always":
		c.useBar = true
	case "never":
	default:
		c.useBar = !out.quiet && isTerminal(a.rawStderr)
	}
	return c
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Println prints a line above the bar.
func (c *console) Println(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.printLocked(fmt.Sprintf(format, args...) + "\n")
}

// Write prints p (whole lines, as a log handler writes them) above the bar.
func (c *console) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.printLocked(string(p))
	return len(p), nil
}

func (c *console) printLocked(s string) {
	if c.clearListingLocked() {
		_, _ = io.WriteString(c.w, s)
		c.drawListingLocked()
		return
	}
	if c.bar == nil {
		_, _ = io.WriteString(c.w, s)
		return
	}
	_ = c.bar.Clear()
	_, _ = io.WriteString(c.w, s)
	c.drawLocked()
}

// Start implements mirror.Progress.
func (c *console) Start(files int, bytes int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.files, c.filesDone, c.pending = files, 0, 0
	c.clearListingLocked()
	c.listShown = false
	if !c.useBar || (files == 0 && bytes == 0) {
		return
	}
	if c.bar != nil {
		_ = c.bar.Clear()
	}
	// The bar holds only counts, so it may bypass redaction; written to the
	// terminal itself it can fit the terminal's width.
	w := c.w
	if f, ok := c.app.rawStderr.(*os.File); ok {
		w = f
	}
	c.bar = progressbar.NewOptions64(max(bytes, 1),
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(c.describeLocked()),
		progressbar.OptionShowBytes(true),
		progressbar.OptionUseIECUnits(true),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionFullWidth(),
		progressbar.OptionThrottle(0),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetRenderBlankState(true),
	)
}

// Bytes implements mirror.Progress.
func (c *console) Bytes(n int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bar == nil {
		return
	}
	c.pending += n
	if time.Since(c.lastDraw) >= redrawEvery {
		c.drawLocked()
	}
}

// Done implements mirror.Progress: failures are printed at once; finished
// files are printed above the bar, or with -v.
func (c *console) Done(path, op string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if op == "download" || op == "upload" {
		c.filesDone++
	}
	switch {
	case err != nil:
		c.failed++
		c.reported[op+" "+path] = true
		c.printLocked(fmt.Sprintf("ftpmirror: error: %s %s: %v\n", op, path, err))
	case c.quiet:
	case c.verbose > 0 || c.bar != nil && (op == "download" || op == "upload" || op == "delete" || op == "delete-remote"):
		c.printLocked(doneLine(op, path) + "\n")
	default:
		if c.bar != nil {
			c.drawLocked()
		}
	}
}

// doneLine says in a few words what a finished action did.
func doneLine(op, path string) string {
	switch op {
	case "download":
		return "downloaded " + path
	case "upload":
		return "uploaded " + path
	case "delete":
		return "deleted " + path
	case "delete-remote":
		return "deleted on the server " + path
	case "mkdir":
		return "created " + path + "/"
	case "mkdir-remote":
		return "created on the server " + path + "/"
	case "move":
		return "moved " + path + " instead of sending it again"
	case "rename", "rename-remote":
		return "kept a conflict copy of " + path
	case "symlink":
		return "linked " + path
	case "adopt":
		return "adopted " + path
	case "forget":
		return "forgot " + path
	}
	return op + " " + path
}

// reportedFailure reports whether the failure of op on path was printed.
func (c *console) reportedFailure(op, path string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reported[op+" "+path]
}

// Finish removes the bar; later output goes straight to stderr.
func (c *console) Finish() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clearListingLocked()
	c.listShown = false
	if c.bar != nil {
		_ = c.bar.Clear()
		c.bar = nil
	}
}

func (c *console) describeLocked() string {
	s := fmt.Sprintf("%d/%d files", c.filesDone, c.files)
	if r := c.bandwidth.Rate(); r > 0 {
		s += ", limit " + humanBytes(int64(r)) + "/s"
	}
	return s
}

// drawLocked adds the pending bytes and redraws the bar.
func (c *console) drawLocked() {
	c.lastDraw = time.Now()
	st := c.bar.State()
	n := c.pending
	// Keep the count within [0, max): at max the bar would finish and
	// vanish while files may still be running.
	if cur := st.CurrentNum; cur+n > st.Max-1 {
		n = max(st.Max-1-cur, 0)
	} else if cur+n < 0 {
		n = -cur
	}
	c.pending = 0
	c.bar.Describe(c.describeLocked())
	if n != 0 {
		_ = c.bar.Add64(n)
	}
}
