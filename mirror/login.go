package mirror

import (
	"errors"
	"fmt"
	"net/textproto"
	"regexp"
)

// The login is done by the transport, not the library, so that it goes by
// reply codes: PASS is sent only after the server asked for it (331), a
// 421 reads as a full server, a 530 that names encryption as a server
// that requires TLS, and a reply to PASS, which may echo the password,
// is never put in a message. The library's own USER is then answered
// "230" by the transport (transport.loggedIn), and the library goes on
// with FEAT and TYPE I.

// TellUser is the key of a log attribute (true) that marks a warning the
// user should see even when nothing else is logged, such as a password
// about to cross the network in clear.
const TellUser = "tell_user"

var (
	// ErrTLSRequired means the server refuses a login without TLS.
	ErrTLSRequired = errors.New("the server requires TLS: use --tls explicit")
	// ErrServerFull means the server turns connections away for now
	// (421): a transient failure, retried with backoff.
	ErrServerFull = errors.New("the server is full")
)

// ServerFullError is the 421 of a full server, to the greeting or USER.
type ServerFullError struct{ Reply *textproto.Error }

func (e *ServerFullError) Error() string {
	return fmt.Sprintf("the server is full (%d %s)", e.Reply.Code, truncate(e.Reply.Msg, 120))
}

// Unwrap gives the 421 (transient, and what the Pool shrinks on) and ErrServerFull.
func (e *ServerFullError) Unwrap() []error { return []error{e.Reply, ErrServerFull} }

// needsTLS matches a refusal that names encryption (vsftpd: "Non-anonymous
// sessions must use encryption"; others: "SSL/TLS required").
var needsTLS = regexp.MustCompile(`(?i)encrypt|\bTLS\b|\bSSL\b|secure connection|AUTH `)

// login sends USER, and PASS only after a 331. addr and user are for
// messages; the password never is.
func (t *transport) login(addr, user, pass string) error {
	r, err := t.command("USER " + user)
	if err != nil {
		return fmt.Errorf("login to %s: %w", addr, err)
	}
	switch {
	case r.Code == 230:
		return nil
	case r.Code == 331:
	case r.Code == 421:
		return &ServerFullError{Reply: &textproto.Error{Code: r.Code, Msg: r.Msg}}
	case r.Code == 530 && needsTLS.MatchString(r.Msg):
		return fmt.Errorf("%w by %s: %w (%d %s)", ErrLogin, addr, ErrTLSRequired, r.Code, truncate(r.Msg, 120))
	case r.Code >= 500:
		return fmt.Errorf("%w by %s for user %q: %w", ErrLogin, addr, user, r.err())
	default:
		return fmt.Errorf("login to %s: USER: %w", addr, r.err())
	}
	r, err = t.command("PASS " + pass)
	if err != nil {
		return fmt.Errorf("login to %s: %w", addr, err)
	}
	// The text of a reply to PASS is dropped: a server may echo the password.
	withheld := &textproto.Error{Code: r.Code, Msg: "(the reply to PASS is not shown)"}
	switch {
	case r.Code == 230 || r.Code == 202:
		return nil
	case r.Code == 421:
		return &ServerFullError{Reply: withheld}
	case r.Code == 530 && needsTLS.MatchString(r.Msg):
		return fmt.Errorf("%w by %s: %w (%d)", ErrLogin, addr, ErrTLSRequired, r.Code)
	case r.Code == 332:
		return fmt.Errorf("%w by %s for user %q: the server asks for an account (ACCT), which ftpmirror does not send", ErrLogin, addr, user)
	case r.Code >= 500:
		return fmt.Errorf("%w by %s for user %q: %w", ErrLogin, addr, user, withheld)
	default:
		return fmt.Errorf("login to %s: PASS: %w", addr, withheld)
	}
}
