// Command ftpmirror mirrors a directory tree from an FTP server to a local
// directory, remembering what it synced so that later runs transfer only
// what changed.
//
// It wires the plan, state and mirror packages together and owns the
// terminal: flags, credentials, progress, plan rendering and exit codes.
// Only main exits; everything below it returns errors, so deferred flushes
// and QUITs always run.
//
// Exit codes:
//
//	0  done
//	1  some items failed (the rest was done), or the run was interrupted
//	2  usage: a bad flag, argument or value
//	3  the connection, login or data channel failed, or the remote
//	   directory of a pull does not exist (or is a file)
//	4  another run holds the lock on the state file
//	5  refused by a safety guard (e.g. --max-delete); --force overrides it
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/ftpmirror/ftpmirror/mirror"
	"github.com/ftpmirror/ftpmirror/plan"
	"github.com/ftpmirror/ftpmirror/state"
)

// The exit codes, as documented above and in the root command's help.
const (
	exitOK        = 0
	exitFailed    = 1
	exitUsage     = 2
	exitConnect   = 3
	exitLocked    = 4
	exitGuard     = 5
	exitCancelled = exitFailed
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal the run winds down (flushing the state,
		// sending QUIT); a second one kills at once.
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command line and returns its exit code. It prints errors
// itself, as "ftpmirror: error: ..." and "ftpmirror: hint: ..." lines.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app := newApp(stdin, stdout, stderr, os.Getenv)
	root := app.rootCommand()
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if !app.entered && !errors.As(err, &ee) {
		// Cobra refused the command line before any command ran: an unknown
		// command or flag, a missing argument, a value of the wrong type.
		err = usageErr(err.Error(), "run '"+cmd.CommandPath()+" --help' for usage")
	}
	code, msg, hint := describe(ctx, err)
	if msg != "" {
		fmt.Fprintf(stderr, "ftpmirror: error: %s\n", app.redact(msg))
	}
	if hint != "" {
		fmt.Fprintf(stderr, "ftpmirror: hint: %s\n", app.redact(hint))
	}
	return code
}

// exitError is an error that has already been reported to the user in full
// (such as per-file failures) and only needs its exit code and a last line.
type exitError struct {
	code int
	msg  string
	hint string
}

func (e *exitError) Error() string { return e.msg }

func usageErr(msg, hint string) error { return &exitError{code: exitUsage, msg: msg, hint: hint} }

// hinter is an error that names its own way out (mirror.DataChannelError).
type hinter interface{ Hint() string }

// describe maps an error to its exit code, message and hint. It is the one
// place where errors become exit codes.
func describe(ctx context.Context, err error) (code int, msg, hint string) {
	var ee *exitError
	var dce *mirror.DataChannelError
	var guard *plan.GuardError
	var root *mirror.RootError
	switch {
	case errors.As(err, &ee):
		return ee.code, ee.msg, ee.hint
	case errors.Is(err, context.Canceled) || ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return exitCancelled, "interrupted", "run the same command again to finish: completed files are kept"
	case errors.As(err, &guard):
		return exitGuard, err.Error(), ""
	case errors.Is(err, state.ErrLocked):
		return exitLocked, err.Error(), "wait for the other run to finish, or pass --wait 10m to wait for the lock"
	case errors.As(err, &dce):
		// Its message already ends with the hint, when one is known.
		return exitConnect, err.Error(), ""
	case errors.As(err, &root):
		return exitConnect, err.Error(), rootHint(root)
	case errors.Is(err, mirror.ErrLoginDir):
		return exitConnect, err.Error(), "write the remote path as an absolute one, e.g. ftp://host/%2Fsrv/site for /srv/site"
	case errors.Is(err, mirror.ErrTLSRequired):
		return exitConnect, err.Error(), "pass --tls explicit (or implicit with an ftps:// URL); --tls auto uses TLS only when the server offers it before login"
	case errors.Is(err, mirror.ErrServerFull):
		return exitConnect, err.Error(), "try again later, or with fewer connections (--parallel)"
	case errors.Is(err, mirror.ErrLogin):
		return exitConnect, err.Error(), "check the user and password (FTPMIRROR_PASSWORD, --password-file or ~/.netrc)"
	case errors.Is(err, mirror.ErrConnect) && isCertificateError(err):
		return exitConnect, err.Error(), "trust the server's CA with --ca-file FILE, skip verification with --tls-insecure (unsafe), or use --tls off to log in without TLS"
	case errors.Is(err, mirror.ErrConnect):
		return exitConnect, err.Error(), "check the host and port, and --tls if the server needs it"
	case errors.Is(err, state.ErrSchema), errors.Is(err, state.ErrCorrupt):
		return exitFailed, err.Error(), ""
	}
	var h hinter
	if errors.As(err, &h) {
		hint = h.Hint()
	}
	return exitFailed, err.Error(), hint
}

// isCertificateError reports whether err is a failure to verify the server's
// TLS certificate.
func isCertificateError(err error) bool {
	var verify *tls.CertificateVerificationError
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	return errors.As(err, &verify) || errors.As(err, &unknown) || errors.As(err, &host) || errors.As(err, &invalid)
}
