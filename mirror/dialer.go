package mirror

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"time"

	"github.com/jlaffaye/ftp"
)

// Dialer opens control connections to one server. Its connections share
// what they learn about data channels, so the method that works is found
// once per run, and what they learn about sending commands ahead.
type Dialer struct {
	srv       Server
	opts      Options
	book      *methodBook
	pipe      *pipelinePolicy
	tls       *tls.Config
	stat      statMode
	mlsd      statMode
	clearOnce sync.Once     // the warning that a password crosses in clear
	greeting  firstGreeting // server_names.go
}

// NewDialer returns a Dialer for srv. Options' zero value works.
func NewDialer(srv Server, o Options) *Dialer {
	o = o.withDefaults()
	d := &Dialer{srv: srv, opts: o, book: newMethodBook(o.Mode, o.Preferred, o.MethodFailures), pipe: newPipelinePolicy(o)}
	if srv.TLS != TLSOff && srv.TLS != "" {
		cfg := &tls.Config{}
		if srv.TLSConfig != nil {
			cfg = srv.TLSConfig.Clone()
		}
		if cfg.ServerName == "" {
			cfg.ServerName = srv.Host
		}
		if cfg.ClientSessionCache == nil {
			cfg.ClientSessionCache = tls.NewLRUClientSessionCache(64)
		}
		d.tls = cfg
	}
	return d
}

// Method returns the data channel method that works, "" until one has.
func (d *Dialer) Method() Method { return d.book.current() }

// SendsAhead reports whether downloads are still sent during transfers:
// false once the server was seen to mishandle it (the run saves that).
func (d *Dialer) SendsAhead() bool { return d.pipe.sendsAhead() }

// Attempts returns the data channel attempts made so far, oldest first.
func (d *Dialer) Attempts() []Attempt { return d.book.history() }

// Server returns the server this Dialer connects to.
func (d *Dialer) Server() Server { return d.srv }

// Dial opens and logs in one control connection.
func (d *Dialer) Dial(ctx context.Context) (*Conn, error) {
	o := d.opts
	nd := net.Dialer{Timeout: o.ConnectTimeout}
	raw, err := nd.DialContext(ctx, "tcp", d.srv.Addr())
	if err != nil {
		return nil, fmt.Errorf("%w to %s: %w", ErrConnect, d.srv.Addr(), err)
	}
	t := newTransport(raw, o, d.book, d.pipe, d.srv.String())
	stop := context.AfterFunc(ctx, t.abort)
	defer stop()
	c, err := d.handshake(t)
	if err != nil {
		t.neg.stop()
		_ = raw.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	if ctx.Err() != nil {
		t.neg.stop()
		_ = raw.Close()
		return nil, ctx.Err()
	}
	return c, nil
}

func (d *Dialer) handshake(t *transport) (*Conn, error) {
	addr := d.srv.Addr()
	if d.srv.TLS == TLSImplicit {
		if err := d.startTLS(t); err != nil {
			return nil, err
		}
	}
	greeting, err := t.w.readReply(maxReplyLines)
	if err != nil {
		return nil, fmt.Errorf("%w to %s: no greeting (waited at most %s): %w", ErrConnect, addr, d.opts.IdleTimeout, err)
	}
	switch {
	case greeting.Code == 421:
		return nil, &ServerFullError{Reply: &textproto.Error{Code: greeting.Code, Msg: greeting.Msg}}
	case greeting.Code != 220:
		return nil, fmt.Errorf("%w: %s refused the connection: %w", ErrConnect, addr, greeting.err())
	}
	d.greeting.keep(greeting.Msg)
	if err := d.negotiateTLS(t); err != nil {
		return nil, err
	}
	user, pass := d.srv.User, d.srv.Password.Reveal()
	if user == "" {
		user, pass = "anonymous", "anonymous@"
	} else if d.srv.TLS == TLSAuto && !t.secure() {
		// Only auto wanted TLS and found none; off says clear is meant.
		d.clearOnce.Do(func() {
			t.log.Warn("the password is sent in clear: the server offers no TLS (pass --tls off if that is meant)", "server", d.srv.String(), TellUser, true)
		})
	}
	if err := t.login(addr, user, pass); err != nil {
		return nil, err
	}
	t.loggedIn = true
	t.local2lib.Write(greeting.Raw)
	sc, err := ftp.Dial(addr, ftp.DialWithDialFunc(t.dial), ftp.DialWithLocation(time.UTC), ftp.DialWithWritingMDTM(true))
	if err != nil {
		return nil, fmt.Errorf("%w to %s: %w", ErrConnect, addr, err)
	}
	if err := sc.Login(user, ""); err != nil {
		return nil, fmt.Errorf("after login to %s: %w", addr, err)
	}
	if t.secure() {
		if err := t.neg.protect(d.tls); err != nil {
			return nil, fmt.Errorf("%w: %s refuses protected data connections: %w", ErrConnect, addr, err)
		}
	}
	mlsd := sc.IsTimePreciseInList()
	t.listHidden = !mlsd
	return &Conn{t: t, sc: sc, mlsd: mlsd, stat: &d.stat, mlsdMode: &d.mlsd}, nil
}

// negotiateTLS protects the control connection as the TLS mode says:
// explicit always sends AUTH TLS; auto sends it when FEAT offers it.
func (d *Dialer) negotiateTLS(t *transport) error {
	addr := d.srv.Addr()
	switch d.srv.TLS {
	case TLSExplicit:
	case TLSAuto:
		r, err := t.command("FEAT")
		if err != nil {
			return fmt.Errorf("%w to %s: %w", ErrConnect, addr, err)
		}
		if r.Code != 211 || !offersAuthTLS(r.Msg) {
			t.log.Debug("the server does not offer TLS before login", "server", d.srv.String(), "feat", r.Code)
			return nil
		}
	default:
		return nil
	}
	r, err := t.command("AUTH TLS")
	if err != nil {
		return fmt.Errorf("%w to %s: %w", ErrConnect, addr, err)
	}
	switch {
	case r.Code == 234:
		return d.startTLS(t)
	case d.srv.TLS == TLSAuto:
		// FEAT offered what AUTH refuses (pure-ftpd built with TLS but
		// without a certificate): auto goes on in clear, as lftp does.
		t.log.Debug("the server lists AUTH TLS but refuses it; going on in clear", "server", d.srv.String(), "reply", r.Code)
		return nil
	}
	return fmt.Errorf("%w: %s does not offer explicit TLS (AUTH TLS: %w)", ErrConnect, addr, r.err())
}

// offersAuthTLS reports whether a FEAT reply lists AUTH TLS (RFC 4217).
func offersAuthTLS(feat string) bool {
	for _, l := range strings.Split(feat, "\n") {
		f := strings.Fields(strings.ToUpper(l))
		if len(f) >= 2 && f[0] == "AUTH" && strings.Contains(strings.Join(f[1:], " "), "TLS") {
			return true
		}
	}
	return false
}

// startTLS runs the TLS handshake on the control connection.
func (d *Dialer) startTLS(t *transport) error {
	tc := tls.Client(t.w.conn, d.tls)
	_ = t.w.conn.SetDeadline(time.Now().Add(d.opts.ConnectTimeout))
	if err := tc.Handshake(); err != nil {
		return fmt.Errorf("%w: TLS with %s failed: %w", ErrConnect, d.srv.Addr(), err)
	}
	_ = t.w.conn.SetDeadline(time.Time{})
	t.w.upgrade(tc)
	return nil
}
