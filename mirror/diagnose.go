package mirror

import (
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"strings"
	"syscall"
)

// DataChannelError means no data channel method could carry data. Its message
// explains, in plain language, what failed and what to try.
type DataChannelError struct {
	Server   string
	Mode     DataMode
	Attempts []Attempt // the first failure of each method tried
}

func (e *DataChannelError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "no data connection could be opened to %s", e.Server)
	for _, a := range e.Attempts {
		b.WriteString("; ")
		b.WriteString(explain(a))
	}
	if h := e.Hint(); h != "" {
		b.WriteString("; ")
		b.WriteString(h)
	}
	return b.String()
}

// Hint names the way out, when one is known.
func (e *DataChannelError) Hint() string {
	switch e.Mode {
	case ModePassive:
		return "active mode may work: try --mode active (or --mode auto)"
	case ModeActive:
		return "passive mode may work: try --mode passive (or --mode auto)"
	}
	for _, a := range e.Attempts {
		if !a.Method.Passive() && a.Stage == StageAccept {
			return "for active mode behind NAT, set --active-addr to your public address and --active-ports to forwarded ports"
		}
	}
	return ""
}

// explain says in a sentence why one attempt failed.
func explain(a Attempt) string {
	switch a.Stage {
	case StageOK:
		if a.Method.Passive() {
			return "passive mode (" + string(a.Method) + ") works"
		}
		return "active mode (" + string(a.Method) + ") works"
	case StageCommand:
		var tpe *textproto.Error
		if errors.As(a.Err, &tpe) {
			return fmt.Sprintf("the server refuses %s (%d %s)", a.Method, tpe.Code, truncate(tpe.Msg, 60))
		}
		return fmt.Sprintf("%s failed: %v", a.Method, a.Err)
	case StageConnect:
		switch cause(a.Err) {
		case causeTimeout:
			return fmt.Sprintf("passive data connections to %s time out (%s): something between you and the server drops outgoing connections to its high ports", a.Target, a.Method)
		case causeRefused:
			return fmt.Sprintf("passive data connections to %s are refused (%s): the server's passive ports are closed or firewalled", a.Target, a.Method)
		}
		return fmt.Sprintf("passive data connection to %s failed (%s): %v", a.Target, a.Method, a.Err)
	case StageAccept:
		var tpe *textproto.Error
		if errors.As(a.Err, &tpe) {
			return fmt.Sprintf("the server could not connect back to %s for active mode (%s: %d %s): a firewall or NAT in front of you blocks incoming connections", a.Target, a.Method, tpe.Code, truncate(tpe.Msg, 60))
		}
		return fmt.Sprintf("the server never connected back to %s for active mode (%s): a firewall or NAT in front of you blocks incoming connections", a.Target, a.Method)
	case StageData:
		return fmt.Sprintf("data connections with %s break during transfers (%s): %v", a.Target, a.Method, a.Err)
	}
	return fmt.Sprintf("%s: %v", a.Method, a.Err)
}

type errCause int

const (
	causeOther errCause = iota
	causeTimeout
	causeRefused
)

func cause(err error) errCause {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return causeRefused
	case errors.As(err, &ne) && ne.Timeout():
		return causeTimeout
	}
	return causeOther
}
