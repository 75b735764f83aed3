package mirror

import (
	"errors"
	"fmt"
	"strings"
)

// The control connection keeps one record of what the server owes: an
// entry per line written, in wire order, each naming who reads its reply
// (after net/textproto.Pipeline and net/http's persistConn). Every reply
// read is matched against the entry at the head, and must be one that
// command can get: a reply that cannot answer it means the conversation is
// out of step, and the connection is given up rather than read on.

// owner says who reads a reply.
type owner int

const (
	// ownerLibrary replies go to jlaffaye/ftp, through ctrlConn.Read.
	ownerLibrary owner = iota
	// ownerTransport replies go to the entry's handler.
	ownerTransport
)

// owed is one line written and the reply it is owed.
type owed struct {
	verb  string
	owner owner
	// claimed is false for a library command the transport sent ahead on
	// the library's behalf (line), until the library writes it too.
	claimed bool
	line    string
	// data marks a command that opens a data connection: its entry takes
	// the 1xx replies before its final one.
	data bool
	// during marks a command sent while a data transfer was in progress.
	during bool
	// preliminary is set once a data command has had its 1xx reply: the
	// transfer is under way.
	preliminary bool
	// handle takes a transport-owned reply.
	handle   func(reply)
	maxLines int
}

// fits reports whether code can answer the entry's command. A reply that
// does not fit is a reply to another command.
func (e *owed) fits(code int) bool {
	if e.preliminary && code >= 500 && code <= 504 {
		// Once a transfer is under way only its outcome may come (RFC 959
		// 5.4). A syntax error is the reply to commands the server read
		// during the transfer and threw away: pure-ftpd answers one 500
		// for all of them (src/ftpd.c), so their replies never come.
		return false
	}
	if code >= 400 {
		return true
	}
	switch e.verb {
	case "PRET":
		return code == 200
	case "MDTM", "SIZE":
		return code == 213
	case "EPSV":
		return code == 229
	case "PASV":
		return code == 227
	case "STAT":
		return code >= 211 && code <= 213
	case "TYPE", "PBSZ", "PROT", "EPRT", "PORT":
		return code == 200
	}
	if e.data {
		return code < 200 || code == 226 || code == 250
	}
	return true
}

// errOutOfStep means a reply came that the command at the head of the
// record cannot get: the connection cannot be used further.
var errOutOfStep = errors.New("the server's replies are out of step with the commands sent")

// ErrSendAhead means a server mishandled commands sent during a transfer:
// the transfer was cut, or its replies came out of order. The Dialer stops
// sending ahead for that server; the operation is worth retrying.
var ErrSendAhead = errors.New("the server mishandles commands sent during a transfer")

// replyQueue is the record of owed replies.
type replyQueue struct{ q []*owed }

func (rq *replyQueue) push(e *owed) { rq.q = append(rq.q, e) }

func (rq *replyQueue) head() *owed {
	if len(rq.q) == 0 {
		return nil
	}
	return rq.q[0]
}

func (rq *replyQueue) pop() { rq.q = rq.q[1:] }

func (rq *replyQueue) empty() bool { return len(rq.q) == 0 }

// claim records that the library wrote line: true when it was sent on its
// behalf already. A line sent on its behalf that the library skipped (its
// earlier command failed) has its reply read and dropped.
func (rq *replyQueue) claim(line string) bool {
	for _, e := range rq.q {
		if e.owner != ownerLibrary || e.claimed {
			continue
		}
		if e.line == line {
			e.claimed = true
			return true
		}
		e.owner, e.handle = ownerTransport, func(reply) {}
	}
	return false
}

// sentDuring reports whether a command sent during a transfer is owed.
func (rq *replyQueue) sentDuring() bool {
	for _, e := range rq.q {
		if e.during {
			return true
		}
	}
	return false
}

// mismatch returns the error for a reply that does not fit the head.
func (rq *replyQueue) mismatch(r reply) error {
	head := rq.head()
	err := fmt.Errorf("%w: reply %d to %s", errOutOfStep, r.Code, head.verb)
	if rq.sentDuring() {
		err = fmt.Errorf("%w (%w)", ErrSendAhead, err)
	}
	return err
}

// verbOf returns a command line's verb, in upper case.
func verbOf(line string) string {
	verb, _, _ := strings.Cut(line, " ")
	return strings.ToUpper(verb)
}
