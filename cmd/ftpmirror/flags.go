package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/ftpmirror/ftpmirror/mirror"
)

// connFlags are the flags that say how to connect; pull and probe share them.
type connFlags struct {
	passwordFile string
	mode         string
	dataTimeout  time.Duration
	trustPASVIP  bool
	activeAddr   string
	activePorts  string
	tls          string
	caFile       string
	tlsInsecure  bool
	noPipeline   bool
	serverZone   string
	charset      string
}

func (f *connFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.passwordFile, "password-file", "", "read the password from the first line of `FILE` (- for stdin); refused if others may read it")
	fs.StringVar(&f.mode, "mode", "auto", "data channel: auto, passive (EPSV, PASV) or active (EPRT, PORT)")
	fs.DurationVar(&f.dataTimeout, "data-timeout", 10*time.Second, "how long to wait for one data connection to open")
	fs.BoolVar(&f.trustPASVIP, "trust-pasv-ip", false, "use the address in PASV replies even when it is not the server's (unsafe: a server, or whoever alters its replies, can point data connections anywhere)")
	fs.BoolVar(&f.noPipeline, "no-pipeline", false, "send each command only after the previous reply, for servers that mishandle commands sent ahead")
	fs.StringVar(&f.serverZone, "server-timezone", "", "the server reports times in `ZONE`: an offset ahead of UTC such as +09:00, or a name such as Europe/Berlin (default: learnt)")
	fs.StringVar(&f.activeAddr, "active-addr", "", "`IP` address to advertise in active mode (e.g. your public address behind NAT)")
	fs.StringVar(&f.activePorts, "active-ports", "", "local port range `LOW-HIGH` to listen on in active mode")
	fs.StringVar(&f.tls, "tls", "", "TLS: auto (AUTH TLS when the server offers it, certificate verified), off, explicit (AUTH TLS, required) or implicit (default: implicit for ftps://, else auto)")
	fs.StringVar(&f.caFile, "ca-file", "", "trust the CA certificates in PEM `FILE` to verify the server")
	fs.BoolVar(&f.tlsInsecure, "tls-insecure", false, "do not verify the server's certificate (unsafe: anyone on the path can read the password and the files)")
	fs.StringVar(&f.charset, "remote-charset", "", "the server's names are in `CHARSET` (gbk, latin1, windows-1252, shift_jis): written locally as UTF-8 (default: the same bytes)")
}

// conn is a validated connection setup.
type conn struct {
	remote  remoteURL
	creds   credentials
	server  mirror.Server
	options mirror.Options
	// display is the remote URL without password, for messages and the
	// default state path.
	display string
	// zone is --server-timezone; nil: learnt (see mirror/clock.go).
	zone *mirror.ServerZone
}

// build validates the flags and the remote URL and returns the connection
// setup, without connecting. Errors are usage errors.
func (f *connFlags) build(a *app, rawURL string) (*conn, error) {
	r, err := parseRemote(rawURL)
	if err != nil {
		return nil, err
	}
	mode := mirror.DataMode(f.mode)
	switch mode {
	case mirror.ModeAuto, mirror.ModePassive, mirror.ModeActive:
	default:
		return nil, usageErr(fmt.Sprintf("invalid --mode %q", f.mode), "use auto, passive or active")
	}
	if f.dataTimeout <= 0 {
		return nil, usageErr("--data-timeout must be positive", "e.g. --data-timeout 30s")
	}
	opts := mirror.Options{Mode: mode, DataTimeout: f.dataTimeout, TrustPASVIP: f.trustPASVIP, NoPipeline: f.noPipeline}
	if f.charset != "" {
		cs, err := mirror.ParseCharset(f.charset)
		if err != nil {
			return nil, usageErr("invalid --remote-charset: "+err.Error(), "give a name such as gbk, latin1, windows-1252 or shift_jis")
		}
		opts.Charset = cs
	}
	if f.activeAddr != "" {
		ip := net.ParseIP(f.activeAddr)
		if ip == nil {
			return nil, usageErr(fmt.Sprintf("invalid --active-addr %q", f.activeAddr), "give an IP address such as 203.0.113.7")
		}
		opts.ActiveAddr = ip
	}
	if f.activePorts != "" {
		lo, hi, err := parsePortRange(f.activePorts)
		if err != nil {
			return nil, err
		}
		opts.ActivePortLow, opts.ActivePortHigh = lo, hi
	}

	zone, err := f.zone()
	if err != nil {
		return nil, err
	}

	tlsMode := r.tls()
	switch f.tls {
	case "":
		if tlsMode == mirror.TLSOff {
			tlsMode = mirror.TLSAuto
		}
	case string(mirror.TLSOff), string(mirror.TLSAuto), string(mirror.TLSExplicit), string(mirror.TLSImplicit):
		if r.Scheme == "ftps" && f.tls != string(mirror.TLSImplicit) {
			return nil, usageErr(fmt.Sprintf("--tls %s contradicts the ftps:// URL, which means implicit TLS", f.tls),
				"use an ftp:// URL with --tls "+f.tls)
		}
		tlsMode = mirror.TLSMode(f.tls)
	default:
		return nil, usageErr(fmt.Sprintf("invalid --tls %q", f.tls), "use auto, off, explicit or implicit")
	}
	srv := mirror.Server{Host: r.Host, Port: r.port(tlsMode), TLS: tlsMode}
	if tlsMode == mirror.TLSOff {
		if f.caFile != "" || f.tlsInsecure {
			return nil, usageErr("--ca-file and --tls-insecure need TLS", "drop --tls off, or add --tls explicit, or use an ftps:// URL for implicit TLS")
		}
	} else {
		cfg, err := f.tlsConfig(r.Host)
		if err != nil {
			return nil, err
		}
		srv.TLSConfig = cfg
	}
	f.warnUnsafe(a)

	creds, err := resolveCredentials(r, a.getenv, f.passwordFile, a.stdin)
	if err != nil {
		return nil, err
	}
	a.addSecret(creds.Password)
	srv.User, srv.Password = creds.User, creds.Password
	return &conn{remote: r, creds: creds, server: srv, options: opts, display: r.display(creds.User, tlsMode), zone: zone}, nil
}

func (f *connFlags) tlsConfig(host string) (*tls.Config, error) {
	cfg := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12, InsecureSkipVerify: f.tlsInsecure}
	if f.caFile != "" {
		pem, err := os.ReadFile(f.caFile)
		if err != nil {
			return nil, usageErr("cannot read --ca-file: "+err.Error(), "")
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, usageErr(fmt.Sprintf("--ca-file %s holds no PEM certificate", f.caFile), "give a file with -----BEGIN CERTIFICATE----- blocks")
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

func parsePortRange(s string) (lo, hi int, err error) {
	bad := usageErr(fmt.Sprintf("invalid --active-ports %q", s), "give a range LOW-HIGH within 1024-65535, e.g. 50000-50100")
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return 0, 0, bad
	}
	lo, err1 := strconv.Atoi(strings.TrimSpace(a))
	hi, err2 := strconv.Atoi(strings.TrimSpace(b))
	if err1 != nil || err2 != nil || lo < 1 || hi > 65535 || lo > hi {
		return 0, 0, bad
	}
	return lo, hi, nil
}

// outputFlags say what a command prints.
type outputFlags struct {
	json      bool
	quiet     bool
	verbose   int
	progress  string
	logFile   string
	logFormat string
}

func (f *outputFlags) register(fs *pflag.FlagSet, withProgress bool) {
	fs.BoolVar(&f.json, "json", false, "print a JSON document on stdout instead of text")
	fs.BoolVarP(&f.quiet, "quiet", "q", false, "print no progress and no summary, only warnings and errors")
	fs.CountVarP(&f.verbose, "verbose", "v", "print more: -v lists every file and logs, -vv debug logs")
	fs.StringVar(&f.logFile, "log-file", "", "append debug logs to `FILE`")
	fs.StringVar(&f.logFormat, "log-format", "text", "format of logs (-v, --log-file): text or json")
	if withProgress {
		fs.StringVar(&f.progress, "progress", "auto", "progress bar: auto (when stderr is a terminal), always or never")
	}
}

func (f *outputFlags) validate() error {
	switch f.progress {
	case "", "auto", "always", "never":
	default:
		return usageErr(fmt.Sprintf("invalid --progress %q", f.progress), "use auto, always or never")
	}
	switch f.logFormat {
	case "", "text", "json":
	default:
		return usageErr(fmt.Sprintf("invalid --log-format %q", f.logFormat), "use text or json")
	}
	if f.quiet && f.verbose > 0 {
		return usageErr("--quiet and --verbose contradict each other", "use one of them")
	}
	return nil
}

// logger returns the logger for -v, -vv and --log-file, and a function that
// closes the log file. Logs to stderr go through the console, above any
// progress bar.
func (f *outputFlags) logger(c *console) (*slog.Logger, func(), error) {
	newHandler := func(w io.Writer, o *slog.HandlerOptions) slog.Handler { return slog.NewTextHandler(w, o) }
	if f.logFormat == "json" {
		newHandler = func(w io.Writer, o *slog.HandlerOptions) slog.Handler {
			o.ReplaceAttr = quoteNonUTF8
			return slog.NewJSONHandler(w, o)
		}
	}
	var handlers []slog.Handler
	switch {
	case f.verbose >= 2:
		handlers = append(handlers, newHandler(c, &slog.HandlerOptions{Level: slog.LevelDebug}))
	case f.verbose == 1:
		handlers = append(handlers, newHandler(c, &slog.HandlerOptions{Level: slog.LevelInfo}))
	default:
		handlers = append(handlers, tellHandler{c: c}) // what the mirror marks for the user
	}
	closeFn := func() {}
	if f.logFile != "" {
		if warning := warnShared(f.logFile); warning != "" {
			c.Println("ftpmirror: warning: %s", warning)
		}
		file, err := os.OpenFile(f.logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, nil, usageErr("cannot open --log-file: "+err.Error(), "")
		}
		closeFn = func() { _ = file.Close() }
		w := &redactWriter{w: file, a: c.app}
		handlers = append(handlers, newHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	var logger *slog.Logger
	switch len(handlers) {
	case 0:
		return slog.New(slog.DiscardHandler), closeFn, nil
	case 1:
		logger = slog.New(handlers[0])
	default:
		logger = slog.New(slog.NewMultiHandler(handlers...))
	}
	if c.app.job != "" {
		logger = logger.With("job", c.app.job)
	}
	return logger, closeFn, nil
}

var _ io.Writer = (*console)(nil)
