package mirror

import (
	"bytes"
	"fmt"
	"sync"
)

// The library drops the listing lines it cannot parse without a word. A
// dropped line is a file we would not see: pulled with --delete, its local
// copy would be deleted. So the transport counts the lines of every listing
// as they arrive, and a directory whose listing has lines the library did
// not return fails, and with it every deletion under it.

// lineCounter counts the lines of a listing that should each give an entry:
// not blank, not the "total N" line of ls.
type lineCounter struct {
	mu    sync.Mutex
	lines int
	head  []byte    // the first bytes of the current line
	full  bool      // the current line has a non-blank byte
	raw   rawLines  // the lines kept verbatim (mlsd_links.go)
	line  []byte    // the current line, up to maxModeLine bytes
	modes listModes // the modes the lines give (listmode.go)
}

func (lc *lineCounter) Write(p []byte) (int, error) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	_, _ = lc.raw.Write(p)
	for _, b := range p {
		switch b {
		case '\n':
			lc.endLine()
		case '\r':
		default:
			if len(lc.line) <= maxModeLine {
				lc.line = append(lc.line, b)
			}
			if len(lc.head) < len("total ") {
				lc.head = append(lc.head, b)
			}
			if b != ' ' && b != '\t' {
				lc.full = true
			}
		}
	}
	return len(p), nil
}

func (lc *lineCounter) endLine() {
	if lc.full && !bytes.EqualFold(lc.head, []byte("total ")) {
		lc.lines++
	}
	if len(lc.line) <= maxModeLine {
		if lc.modes == nil {
			lc.modes = listModes{}
		}
		lc.modes.add(lc.line)
	}
	lc.head, lc.full, lc.line = lc.head[:0], false, lc.line[:0]
}

// checkListing fails a listing the library did not read whole.
func checkListing(dir string, lines, parsed int) error {
	if lines > parsed {
		return &PathError{Op: "list", Path: dir, Err: fmt.Errorf("%d of its %d lines cannot be read as entries: the directory is treated as not listed", lines-parsed, lines)}
	}
	return nil
}
