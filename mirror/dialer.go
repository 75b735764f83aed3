package mirror

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"time"

	"github.com/jlaffaye/ftp"
)

// Dialer opens control connections to one server. Its connections share
// what they learn about data channels, so the method that works is found
// once per run.
type Dialer struct {
	srv  Server
	opts Options
	book *methodBook
	tls  *tls.Config
	stat statMode
}

// NewDialer returns a Dialer for srv. Options' zero value works.
func NewDialer(srv Server, o Options) *Dialer {
	o = o.withDefaults()
	d := &Dialer{srv: srv, opts: o, book: newMethodBook(o.Mode, o.Preferred, o.MethodFailures)}
	if srv.TLS == TLSExplicit || srv.TLS == TLSImplicit {
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
	t := &transport{opts: o, book: d.book, log: o.Logger, server: d.srv.String(), pipeline: !o.NoPipeline, raw: raw, tcp: raw}
	stop := context.AfterFunc(ctx, t.abort)
	defer stop()
	c, err := d.handshake(t)
	if err != nil {
		_ = raw.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	if ctx.Err() != nil {
		_ = raw.Close()
		return nil, ctx.Err()
	}
	return c, nil
}

func (d *Dialer) handshake(t *transport) (*Conn, error) {
	raw := t.raw
	t.peer, _ = raw.RemoteAddr().(*net.TCPAddr)
	t.local, _ = raw.LocalAddr().(*net.TCPAddr)
	if d.srv.TLS == TLSImplicit {
		tc, err := d.startTLS(raw)
		if err != nil {
			return nil, err
		}
		raw = tc
	}
	t.raw, t.br = raw, bufio.NewReader(raw)
	greeting, err := t.readReply()
	if err != nil {
		return nil, fmt.Errorf("%w to %s: no greeting: %w", ErrConnect, d.srv.Addr(), err)
	}
	if greeting.Code != 220 {
		// 421 here means the server is full: transient, the pool shrinks.
		return nil, fmt.Errorf("%s refused the connection: %w", d.srv.Addr(), greeting.err())
	}
	if d.srv.TLS == TLSExplicit {
		r, err := t.command("AUTH TLS")
		if err != nil {
			return nil, fmt.Errorf("%w to %s: %w", ErrConnect, d.srv.Addr(), err)
		}
		if r.Code != 234 {
			return nil, fmt.Errorf("%w: %s does not offer explicit TLS (AUTH TLS: %w)", ErrConnect, d.srv.Addr(), r.err())
		}
		tc, err := d.startTLS(raw)
		if err != nil {
			return nil, err
		}
		t.raw, t.br = tc, bufio.NewReader(tc)
	}
	t.lib = &ctrlConn{t: t}
	t.pending.Write(greeting.Raw)
	sc, err := ftp.Dial(d.srv.Addr(), ftp.DialWithDialFunc(t.dial), ftp.DialWithLocation(time.UTC), ftp.DialWithWritingMDTM(true))
	if err != nil {
		return nil, fmt.Errorf("%w to %s: %w", ErrConnect, d.srv.Addr(), err)
	}
	user, pass := d.srv.User, d.srv.Password.Reveal()
	if user == "" {
		user, pass = "anonymous", "anonymous@"
	}
	// What jlaffaye's Login sends after USER, sent with it (pipeline.go).
	t.login = []string{"PASS " + pass, "FEAT", "TYPE I"}
	if err := sc.Login(user, pass); err != nil {
		var tpe *textproto.Error
		if errors.As(err, &tpe) && tpe.Code >= 500 || t.broken == nil && !errors.As(err, &tpe) {
			return nil, fmt.Errorf("%w by %s for user %q: %w", ErrLogin, d.srv.Addr(), user, err)
		}
		return nil, fmt.Errorf("login to %s: %w", d.srv.Addr(), err)
	}
	if d.tls != nil {
		if err := t.protect(d.tls); err != nil {
			return nil, fmt.Errorf("%w: %s refuses protected data connections: %w", ErrConnect, d.srv.Addr(), err)
		}
	}
	mlsd := sc.IsTimePreciseInList()
	t.listHidden = !mlsd
	return &Conn{t: t, sc: sc, mlsd: mlsd, stat: &d.stat}, nil
}

// startTLS runs the TLS handshake on the control connection.
func (d *Dialer) startTLS(raw net.Conn) (*tls.Conn, error) {
	tc := tls.Client(raw, d.tls)
	_ = raw.SetDeadline(time.Now().Add(d.opts.ConnectTimeout))
	if err := tc.Handshake(); err != nil {
		return nil, fmt.Errorf("%w: TLS with %s failed: %w", ErrConnect, d.srv.Addr(), err)
	}
	_ = raw.SetDeadline(time.Time{})
	return tc, nil
}
