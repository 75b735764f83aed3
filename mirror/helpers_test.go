package mirror

import (
	"crypto/tls"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

func tlsConfigFor(s *ftptest.Server) *tls.Config {
	return &tls.Config{RootCAs: s.CertPool, ServerName: s.Host}
}
