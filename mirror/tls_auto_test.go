package mirror

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

// With TLS auto, a server whose FEAT offers AUTH TLS is spoken to in TLS,
// its certificate verified, whether it requires TLS or only offers it.
func TestTLSAutoUsesTLSWhenVsftpdOffersIt(t *testing.T) {
	for name, cfg := range map[string][]string{
		"required": nil,
		"offered":  {"force_local_logins_ssl=NO", "force_local_data_ssl=NO"},
	} {
		t.Run(name, func(t *testing.T) {
			f, s := vsftpdFixture(t, sampleTree, ftptest.VsftpdOptions{TLS: true, Config: cfg})
			f.srv.TLS, f.srv.TLSConfig = TLSAuto, tlsConfigFor(s)
			c, err := NewDialer(f.srv, Options{}).Dial(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			secure := c.t.secure() && c.t.neg.tls != nil
			c.Close()
			if !secure {
				t.Fatal("TLS auto logged in without TLS although the server offers it")
			}
			f.mustPull(nil)
			ftptest.TreeEqual(t, f.remote, f.local)
		})
	}
}

// With TLS auto, a server without TLS is used in clear, and the password
// crossing in clear is said once for the whole run.
func TestTLSAutoWarnsOnceWhenThePasswordCrossesInClear(t *testing.T) {
	f, _ := vsftpdFixture(t, sampleTree, ftptest.VsftpdOptions{})
	f.srv.TLS = TLSAuto
	var logs strings.Builder
	f.mustPull(func(o *PullOptions) {
		o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	})
	ftptest.TreeEqual(t, f.remote, f.local)
	if n := strings.Count(logs.String(), "in clear"); n != 1 {
		t.Fatalf("warned %d times that the password crosses in clear, want once:\n%s", n, logs.String())
	}
}

// A certificate that cannot be verified stops the run: no fall back to clear.
func TestTLSAutoStopsOnACertificateItCannotVerify(t *testing.T) {
	f, _ := vsftpdFixture(t, sampleTree, ftptest.VsftpdOptions{TLS: true, Config: []string{"force_local_logins_ssl=NO", "force_local_data_ssl=NO"}})
	f.srv.TLS = TLSAuto // system roots: the test CA is not among them
	_, err := f.pull(nil)
	var verify *tls.CertificateVerificationError
	if !errors.Is(err, ErrConnect) || !errors.As(err, &verify) {
		t.Fatalf("err = %v, want a certificate verification failure", err)
	}
}

// Without TLS, a server that requires it refuses the login: the error says
// so, and is not retried.
func TestTLSOffAgainstVsftpdRequiringTLSSaysSo(t *testing.T) {
	f, _ := vsftpdFixture(t, sampleTree, ftptest.VsftpdOptions{TLS: true})
	f.srv.TLS = TLSOff
	_, err := f.pull(func(o *PullOptions) { o.Retries = 3 })
	if !errors.Is(err, ErrTLSRequired) || IsTransient(err) {
		t.Fatalf("err = %v, want ErrTLSRequired, not retried", err)
	}
}

// A server whose FEAT lists AUTH TLS but which refuses it (pure-ftpd
// without a certificate) is used in clear under auto, with the warning.
func TestTLSAutoGoesOnInClearWhenAuthTLSIsRefused(t *testing.T) {
	s := newScript(t)
	got := make(chan []string, 1)
	s.serve(func(s *script) {
		s.say("220 scripted")
		l := []string{s.line()}
		s.say("211-Features:", " AUTH TLS", "211 End")
		l = append(l, s.line())
		s.say(`500 This security scheme is not implemented`)
		got <- append(l, s.loginAfterGreeting()...)
		s.line()
	})
	s.srv.TLS = TLSAuto
	var logs strings.Builder
	c, err := NewDialer(s.srv, Options{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))}).Dial(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if g := strings.Join(<-got, "|"); g != "FEAT|AUTH TLS|USER u|PASS p|FEAT|TYPE I" {
		t.Fatalf("commands = %q", g)
	}
	if !strings.Contains(logs.String(), "in clear") {
		t.Fatalf("no warning that the password is sent in clear:\n%s", logs.String())
	}
}
