package mirror

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
)

// fakeControl is the control connection as a negotiator sees it: it
// answers each command from a script and records what was sent. Replies
// not waited for are given when the test calls flush.
type fakeControl struct {
	answer  func(line string) reply
	sent    []string
	later   []func()
	brokenE error
}

func (f *fakeControl) ask(line string, handle func(reply), wait bool) error {
	f.sent = append(f.sent, line)
	r := f.answer(line)
	if wait {
		handle(r)
	} else {
		f.later = append(f.later, func() { handle(r) })
	}
	return nil
}

func (f *fakeControl) broken() error { return f.brokenE }

var _ controlLine = (*fakeControl)(nil)

// addrConn gives a negotiator the ends of a control connection.
type addrConn struct {
	net.Conn
	local, remote net.Addr
}

func (a addrConn) LocalAddr() net.Addr  { return a.local }
func (a addrConn) RemoteAddr() net.Addr { return a.remote }

func newTestNegotiator(t *testing.T, ctl controlLine, mode DataMode, pipelined bool) *negotiator {
	t.Helper()
	lo := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 2121}
	raw := addrConn{local: &net.TCPAddr{IP: lo.IP, Port: 40000}, remote: lo}
	o := Options{Mode: mode}.withDefaults()
	n := newNegotiator(ctl, raw, o, newMethodBook(mode, "", 3), pipelined, new(atomic.Bool), "user@127.0.0.1:2121")
	t.Cleanup(n.stop)
	return n
}

// passiveListener is a data port that sends data to whoever connects.
func passiveListener(t *testing.T, data string) (port int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		_, _ = io.WriteString(c, data)
		_ = c.Close()
	}()
	return ln.Addr().(*net.TCPAddr).Port
}

func pasvReply(port int) reply {
	return reply{Code: 227, Msg: fmt.Sprintf("Entering Passive Mode (127,0,0,1,%d,%d)", port>>8, port&0xff)}
}

func TestNegotiatorFallsBackFromRefusedEPSVToPASVAndTellsTheBook(t *testing.T) {
	port := passiveListener(t, "hello")
	ctl := &fakeControl{answer: func(line string) reply {
		if line == "PASV" {
			return pasvReply(port)
		}
		return reply{Code: 500, Msg: "EPSV not understood"}
	}}
	n := newTestNegotiator(t, ctl, ModePassive, false)
	op := &dataOp{}
	if got := n.negotiate(op, "EPSV"); got != okEPSV {
		t.Fatalf("the library is told %q, want %q whatever method worked", got, okEPSV)
	}
	if !slices.Equal(ctl.sent, []string{"EPSV", "PASV"}) {
		t.Fatalf("sent %q, want EPSV then PASV", ctl.sent)
	}
	if op.method != MethodPASV || op.prepared == nil {
		t.Fatalf("method %q prepared %v, want PASV and a connection", op.method, op.prepared)
	}
	data, err := io.ReadAll(op.prepared)
	if err != nil || string(data) != "hello" {
		t.Fatalf("read %q, %v from the prepared connection", data, err)
	}
	n.endData(op, nil)
	if m := n.book.current(); m != MethodPASV {
		t.Fatalf("the book settles on %q, want PASV", m)
	}
	var stages []string
	for _, a := range n.book.history() {
		stages = append(stages, string(a.Method)+"/"+string(a.Stage))
	}
	if !slices.Equal(stages, []string{"EPSV/command", "PASV/ok"}) {
		t.Fatalf("the book holds %q, want EPSV/command then PASV/ok", stages)
	}
}

func TestNegotiatorSendsAKnownMethodWithoutWaitingWhenPipelined(t *testing.T) {
	port := passiveListener(t, "x")
	ctl := &fakeControl{answer: func(string) reply { return pasvReply(port) }}
	n := newTestNegotiator(t, ctl, ModePassive, true)
	n.book.record(Attempt{Method: MethodPASV, Stage: StageOK})
	op := &dataOp{}
	if got := n.negotiate(op, "PASV"); got != okPASV {
		t.Fatalf("the library is told %q, want %q", got, okPASV)
	}
	if len(ctl.later) != 1 {
		t.Fatalf("%d replies left to read later, want PASV's", len(ctl.later))
	}
	ctl.later[0]() // the library reads its data command's reply
	data, err := io.ReadAll(op.prepared)
	if err != nil || string(data) != "x" {
		t.Fatalf("read %q, %v", data, err)
	}
	n.endData(op, nil)
}

func TestNegotiatorReportsEveryMethodsFirstFailureWhenNoneWorks(t *testing.T) {
	ctl := &fakeControl{answer: func(line string) reply { return reply{Code: 502, Msg: line + " not implemented"} }}
	n := newTestNegotiator(t, ctl, ModePassive, false)
	op := &dataOp{}
	if got := n.negotiate(op, "EPSV"); got != failReply {
		t.Fatalf("the library is told %q, want %q", got, failReply)
	}
	var dce *DataChannelError
	if !errors.As(op.dataErr, &dce) {
		t.Fatalf("dataErr = %v, want a *DataChannelError", op.dataErr)
	}
	var methods []Method
	for _, a := range dce.Attempts {
		methods = append(methods, a.Method)
	}
	if !slices.Equal(methods, []Method{MethodEPSV, MethodPASV}) || dce.Mode != ModePassive {
		t.Fatalf("diagnosis names %v in mode %q, want EPSV and PASV in passive", methods, dce.Mode)
	}
	if got := n.negotiate(op, "EPSV"); got != failReply || len(ctl.sent) != 2 {
		t.Fatalf("a failed operation tries again: %q after %q", got, ctl.sent)
	}
}

func TestNegotiatorStopsTryingWhenTheControlConnectionBreaks(t *testing.T) {
	ctl := &fakeControl{}
	ctl.answer = func(string) reply {
		ctl.brokenE = errors.New("connection reset")
		return reply{Code: 421, Msg: "bye"}
	}
	n := newTestNegotiator(t, ctl, ModePassive, false)
	if got := n.negotiate(&dataOp{}, "EPSV"); got != failReply {
		t.Fatalf("the library is told %q, want %q", got, failReply)
	}
	if !slices.Equal(ctl.sent, []string{"EPSV"}) {
		t.Fatalf("sent %q on a broken connection, want EPSV alone", ctl.sent)
	}
}

func TestNegotiatorActiveModeNamesItsListeningPort(t *testing.T) {
	ctl := &fakeControl{answer: func(string) reply { return reply{Code: 200, Msg: "ok"} }}
	n := newTestNegotiator(t, ctl, ModeActive, false)
	op := &dataOp{}
	if got := n.negotiate(op, "EPSV"); got != okEPSV {
		t.Fatalf("the library is told %q", got)
	}
	if len(ctl.sent) != 1 || !strings.HasPrefix(ctl.sent[0], "EPRT |1|127.0.0.1|") {
		t.Fatalf("sent %q, want one EPRT naming 127.0.0.1", ctl.sent)
	}
	if op.method != MethodEPRT || op.target == "" {
		t.Fatalf("method %q target %q", op.method, op.target)
	}
	n.closePrepared(op)
	op.mu.Lock()
	w := op.active
	op.mu.Unlock()
	if w != nil {
		w.cancel()
	}
}

func TestNegotiatorProtectsDataOnlyWhenPROTPIsAccepted(t *testing.T) {
	cfg := &tls.Config{ServerName: "example"}
	ok := &fakeControl{answer: func(string) reply { return reply{Code: 200, Msg: "ok"} }}
	n := newTestNegotiator(t, ok, ModePassive, false)
	if err := n.protect(cfg); err != nil || n.tls != cfg {
		t.Fatalf("protect: %v, tls config %v", err, n.tls)
	}
	if !slices.Equal(ok.sent, []string{"PBSZ 0", "PROT P"}) {
		t.Fatalf("sent %q, want PBSZ 0 then PROT P", ok.sent)
	}

	refused := &fakeControl{answer: func(line string) reply {
		if line == "PROT P" {
			return reply{Code: 534, Msg: "PROT P refused"}
		}
		return reply{Code: 200, Msg: "ok"}
	}}
	n = newTestNegotiator(t, refused, ModePassive, false)
	err := n.protect(cfg)
	if err == nil || !strings.Contains(err.Error(), "PROT P") || n.tls != nil {
		t.Fatalf("protect after a refused PROT P: %v, tls config %v; want an error and clear data", err, n.tls)
	}
}
