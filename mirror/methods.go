package mirror

import (
	"slices"
	"sync"
	"time"
)

// Stage says where a data channel attempt failed.
type Stage string

// The stages of opening a data channel.
const (
	StageCommand Stage = "command" // the server answered EPSV/PASV/EPRT/PORT with an error
	StageConnect Stage = "connect" // our connection to the server's passive port failed
	StageAccept  Stage = "accept"  // the server never connected to our active port
	StageData    Stage = "data"    // the data connection broke during the transfer
	StageOK      Stage = "ok"      // the data connection carried the transfer
)

// Attempt records one try of a data channel method.
type Attempt struct {
	Method   Method
	Stage    Stage
	Target   string // the address connected to (passive) or listened on (active)
	Err      error  // nil when Stage is StageOK
	Duration time.Duration
	// Note says what the transport did about a quirk, such as a passive
	// reply naming an address other than the server's.
	Note string
}

// maxAttempts bounds the attempts a methodBook keeps.
const maxAttempts = 64

// methodBook is what a Dialer learns about data channels, shared by all its
// connections: which method works, which failed, and every attempt.
type methodBook struct {
	mu       sync.Mutex
	order    []Method
	maxFail  int
	settled  Method
	fails    map[Method]int
	dead     map[Method]bool
	attempts []Attempt
	first    []Attempt // the first failure of each method, kept for the diagnosis
}

func newMethodBook(mode DataMode, preferred Method, maxFail int) *methodBook {
	order := mode.Methods()
	if i := slices.Index(order, preferred); i > 0 {
		order = append([]Method{preferred}, slices.Delete(slices.Clone(order), i, i+1)...)
	}
	return &methodBook{order: order, maxFail: maxFail, fails: map[Method]int{}, dead: map[Method]bool{}}
}

// candidates returns the methods to try now, in order: the settled method
// alone while it has not failed too often, otherwise every method not known
// to fail. An empty result means no method is left.
func (b *methodBook) candidates() []Method {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.settled != "" && !b.dead[b.settled] {
		return []Method{b.settled}
	}
	var out []Method
	for _, m := range b.order {
		if !b.dead[m] {
			out = append(out, m)
		}
	}
	return out
}

// record notes an attempt. A success settles the method; a failure of a
// method that never worked rules it out for the run; a method that worked is
// given up only after maxFail failures in a row.
func (b *methodBook) record(a Attempt) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.attempts) == maxAttempts {
		b.attempts = slices.Delete(b.attempts, 0, 1)
	}
	b.attempts = append(b.attempts, a)
	if a.Stage == StageOK {
		b.settled = a.Method
		b.fails[a.Method] = 0
		return
	}
	if !slices.ContainsFunc(b.first, func(f Attempt) bool { return f.Method == a.Method }) {
		b.first = append(b.first, a)
	}
	b.fails[a.Method]++
	if a.Method != b.settled || b.fails[a.Method] >= b.maxFail {
		b.dead[a.Method] = true
		if a.Method == b.settled {
			b.settled = ""
		}
	}
}

// current returns the settled method, or "" when none has worked yet.
func (b *methodBook) current() Method {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.settled
}

// failures returns the first failure of each method, in the order tried.
func (b *methodBook) failures() []Attempt {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.first)
}

// history returns the recorded attempts, oldest first.
func (b *methodBook) history() []Attempt {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.attempts)
}
