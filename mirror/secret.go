package mirror

import (
	"fmt"
	"log/slog"
)

// Secret is a password. However it is printed it prints nothing: fmt with
// any verb (also as a field of a struct printed with %v or %+v), JSON,
// text marshalling and slog all give the empty string. So a Secret can
// travel in options and errors without a mask: the only way to its text is
// Reveal, called where the password is written to the server (PASS).
//
// The text is held behind a pointer so that even printing by reflection,
// which does not call these methods on unexported fields, shows an
// address and not the password.
type Secret struct{ p *string }

// NewSecret holds password; the empty password is the zero Secret.
func NewSecret(password string) Secret {
	if password == "" {
		return Secret{}
	}
	return Secret{p: &password}
}

// Reveal returns the password. Call it only to send it.
func (s Secret) Reveal() string {
	if s.p == nil {
		return ""
	}
	return *s.p
}

// IsZero reports whether there is no password (or an empty one).
func (s Secret) IsZero() bool { return s.p == nil || *s.p == "" }

// String returns "".
func (Secret) String() string { return "" }

// GoString returns "".
func (Secret) GoString() string { return "" }

// Format prints nothing, for every verb.
func (Secret) Format(fmt.State, rune) {}

// MarshalJSON returns the empty JSON string.
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`""`), nil }

// MarshalText returns nothing.
func (Secret) MarshalText() ([]byte, error) { return nil, nil }

// LogValue is the empty string.
func (Secret) LogValue() slog.Value { return slog.StringValue("") }

var (
	_ fmt.Formatter  = Secret{}
	_ fmt.Stringer   = Secret{}
	_ slog.LogValuer = Secret{}
)
