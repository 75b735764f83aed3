package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/ftpmirror/ftpmirror/mirror"
)

// warnUnsafe says once per run which flags weaken the connection's safety.
func (f *connFlags) warnUnsafe(a *app) {
	if f.tlsInsecure {
		fmt.Fprintln(a.stderr, "ftpmirror: warning: --tls-insecure: the server's certificate is not verified (unsafe)")
	}
	if f.trustPASVIP {
		fmt.Fprintln(a.stderr, "ftpmirror: warning: --trust-pasv-ip: data connections go wherever the server's PASV replies say (unsafe)")
	}
}

// tellHandler prints, at the default verbosity, the log records that the
// mirror marks for the user (mirror.TellUser) as "ftpmirror: warning: ...".
type tellHandler struct{ c *console }

func (h tellHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }

func (h tellHandler) Handle(_ context.Context, r slog.Record) error {
	tell := false
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == mirror.TellUser && a.Value.Bool() {
			tell = true
			return false
		}
		return true
	})
	if tell {
		h.c.Println("ftpmirror: warning: %s", r.Message)
	}
	return nil
}

func (h tellHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h tellHandler) WithGroup(string) slog.Handler      { return h }
