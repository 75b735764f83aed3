package mirror

import (
	"fmt"
	"net"
	"sync"
	"time"
)

// dataOp is one operation's data channel: what the Conn asks of it, and
// what the transport did about it. Conn.do gives each library call a fresh
// one; nothing of it outlives the call.
type dataOp struct {
	limit    int64     // the byte limit of a listing; 0 for a transfer
	stat     bool      // answer LIST with a STAT listing (statlist.go)
	useAhead string    // the download asked for, which may have been sent ahead
	next     *retrSpec // the download to send ahead during this one's transfer
	dir      string    // the directory listed
	viaLIST  bool      // list with LIST although the server offers MLSD
	cwdSent  bool      // the CWD into dir went with a batch of STATs
	cwdErr   error     // the server refused the CWD into dir

	prepared net.Conn          // what the library's next data "dial" gets
	method   Method            // the method of the data connection
	target   string            // its address
	failed   bool              // a negotiation failed: the library's PASV retry fails at once
	dataErr  *DataChannelError // no method is left
	statErr  error             // the server refused the STAT
	statConn *memConn          // the data connection of a STAT listing
	attempts []Attempt         // told to the methodBook when the operation ends
	passive  *passiveConn      // the passive connection it used
	// acceptErr is why the active data connection never came.
	acceptErr error

	mu      sync.Mutex // guards the fields below, reached by abort
	aborted bool
	current *dataConn
	active  *activeWait
	lines   *lineCounter // the lines of the listing
	// asList sends the library's MLSD as LIST -a and keeps every line of
	// it, to learn the targets of symlinks (link_targets.go).
	asList bool
}

// record notes a data channel attempt, told to the book when the
// operation ends (endData): an attempt cut short by a conversation out of
// step says nothing about the data channel.
func (op *dataOp) record(a Attempt) {
	op.mu.Lock()
	op.attempts = append(op.attempts, a)
	op.mu.Unlock()
}

func (op *dataOp) takeAttempts() []Attempt {
	op.mu.Lock()
	defer op.mu.Unlock()
	a := op.attempts
	op.attempts = nil
	return a
}

// cwdReply takes the reply to the CWD into the directory listed.
func (op *dataOp) cwdReply(r reply) {
	if r.Code < 200 || r.Code >= 300 {
		op.cwdErr = fmt.Errorf("CWD %s: %w", op.dir, r.err())
	}
}

// usePassive makes pc the operation's passive connection.
func (op *dataOp) usePassive(pc *passiveConn) {
	pc.op = op
	op.passive = pc
}

// setCurrent records the data connection in use, so abort can reach it.
func (op *dataOp) setCurrent(dc *dataConn) {
	op.mu.Lock()
	op.current = dc
	if op.aborted {
		_ = dc.SetDeadline(time.Unix(1, 0))
	}
	op.mu.Unlock()
}

func (op *dataOp) setActive(w *activeWait) {
	op.mu.Lock()
	op.active = w
	op.mu.Unlock()
}

func (op *dataOp) setLines(lc *lineCounter) {
	op.mu.Lock()
	op.lines = lc
	op.mu.Unlock()
}

// withLines runs f on the line counter of the operation's listing, with the
// counter locked; f does not run when the operation has no listing.
func (op *dataOp) withLines(f func(lc *lineCounter)) {
	op.mu.Lock()
	lc := op.lines
	op.mu.Unlock()
	if lc == nil {
		return
	}
	lc.mu.Lock()
	defer lc.mu.Unlock()
	f(lc)
}

// lineCount returns the line count of the operation's listing, the last
// line counted even without its newline, or -1.
func (op *dataOp) lineCount() int {
	n := -1
	op.withLines(func(lc *lineCounter) {
		if lc.full {
			lc.endLine()
		}
		n = lc.lines
	})
	return n
}

// abort ends the operation's data channel at once, from any goroutine.
func (op *dataOp) abort() {
	op.mu.Lock()
	defer op.mu.Unlock()
	op.aborted = true
	if op.current != nil {
		_ = op.current.SetDeadline(time.Unix(1, 0))
	}
	if op.active != nil {
		op.active.cancel()
	}
}
