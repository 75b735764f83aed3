package mirror

import (
	"context"
	"errors"
	"io"
	"net"
	"net/textproto"
	"os"
	"syscall"
)

// Fatal errors end a run: nothing more can be done with this server.
var (
	// ErrLogin means the server refused the user or password.
	ErrLogin = errors.New("login refused")
	// ErrConnect means the control connection could not be made.
	ErrConnect = errors.New("cannot connect")
)

// Kind tells how a failure should be handled.
type Kind int

// The kinds of failure.
const (
	// KindTransient failures are retried with backoff on a fresh or
	// re-established connection: FTP 4xx, resets, timeouts.
	KindTransient Kind = iota
	// KindPerFile failures concern one path (FTP 5xx): report, go on, exit
	// non-zero at the end.
	KindPerFile
	// KindFatal failures end the run: login refused, no data channel works,
	// the state or the local disk unusable.
	KindFatal
)

// Classify tells the kind of err.
func Classify(err error) Kind {
	var dce *DataChannelError
	var tpe *textproto.Error
	switch {
	case err == nil:
		return KindTransient
	case isChecksumError(err): // the transfer is done again (checksum.go)
		return KindTransient
	case errors.Is(err, ErrLogin), errors.Is(err, ErrConnect), errors.As(err, &dce),
		errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT), errors.Is(err, syscall.EROFS):
		return KindFatal
	case errors.Is(err, os.ErrPermission), errors.Is(err, os.ErrNotExist), errors.As(err, new(*PathError)),
		errors.Is(err, errListingTooLong): // the same listing would be too long again
		return KindPerFile
	case isNetworkError(err), errors.Is(err, errOutOfStep):
		// A conversation out of step (such as after commands sent ahead
		// that the server mishandled) ends the connection, not the file;
		// a data connection that broke makes the server's reply (426,
		// 451, even 551) a consequence, not a verdict on the file.
		return KindTransient
	case errors.As(err, &tpe):
		if tpe.Code >= 500 {
			return KindPerFile
		}
		return KindTransient
	}
	return KindPerFile
}

func isNetworkError(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed)
}

// IsTransient reports whether err is worth retrying.
func IsTransient(err error) bool { return err != nil && Classify(err) == KindTransient }

// PathError is a failure that concerns one path of the tree, such as a hostile
// listing entry or a local file that cannot be written.
type PathError struct {
	Op   string
	Path string
	Err  error
}

func (e *PathError) Error() string { return e.Op + " " + e.Path + ": " + e.Err.Error() }
func (e *PathError) Unwrap() error { return e.Err }
