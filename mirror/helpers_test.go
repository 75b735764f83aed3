package mirror

import (
	"crypto/tls"
	"errors"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
	"github.com/ftpmirror/ftpmirror/plan"
)

func tlsConfigFor(s *ftptest.Server) *tls.Config {
	return &tls.Config{RootCAs: s.CertPool, ServerName: s.Host}
}

func asGuard(err error, target **plan.GuardError) bool { return errors.As(err, target) }
