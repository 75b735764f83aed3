package mirror

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jlaffaye/ftp"

	"github.com/ftpmirror/ftpmirror/plan"
)

// Conn is one logged-in control connection. It is not safe for concurrent
// use; the Pool hands each worker its own. Every method takes a context:
// cancelling it aborts the operation and leaves the Conn broken.
type Conn struct {
	t      *transport
	sc     *ftp.ServerConn
	mlsd   bool
	stat   *statMode // shared by the Dialer's connections
	buf    []byte    // for copying transfers, made on first use
	method Method    // of the last data connection

	mlsdMode *statMode       // whether MLSD agrees with LIST, shared by the Dialer's connections
	lsc      *ftp.ServerConn // parses LIST on an MLSD server whose MLSD is not trusted
}

// copyBufferSize is the size of the buffer a transfer is copied through:
// large enough that a fast link costs few system calls.
const copyBufferSize = 256 << 10

func (c *Conn) copyBuffer() []byte {
	if c.buf == nil {
		c.buf = make([]byte, copyBufferSize)
	}
	return c.buf
}

// Broken reports whether the control connection is unusable and must be
// replaced.
func (c *Conn) Broken() bool { return c.t.w.err() != nil }

// Method returns the data channel method of the last data connection.
func (c *Conn) Method() Method { return c.method }

// do runs one library call under ctx and sorts out what its failure means.
func (c *Conn) do(ctx context.Context, fn func() error) error { return c.doOp(ctx, nil, fn) }

// doOp is do with op as the call's data channel (nil: a blank one).
func (c *Conn) doOp(ctx context.Context, op *dataOp, fn func() error) error {
	if err := c.t.w.err(); err != nil {
		return fmt.Errorf("connection lost: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if op == nil {
		op = &dataOp{}
	}
	c.t.begin(op)
	stop := context.AfterFunc(ctx, c.t.abort)
	err := fn()
	cancelled := !stop()
	if cancelled {
		// The abort may still be running: mark the connection lost here.
		c.t.w.aborted.Store(true)
		c.t.w.fail(ctx.Err())
	}
	c.t.neg.endData(op, err)
	c.t.begin(nil)
	if op.method != "" {
		c.method = op.method
	}
	switch {
	case cancelled:
		return ctx.Err()
	case err == nil:
		return nil
	case op.dataErr != nil:
		return op.dataErr
	case op.acceptErr != nil && isNetworkError(err):
		// The control connection was given up because the server never
		// connected: say what was waited for.
		return fmt.Errorf("%w (%w)", op.acceptErr, err)
	}
	return err
}

// entry converts a library entry, telling how precise its time is: MLSD
// (precise) gives seconds; a LIST line gives minutes, or only a date for files older
// than six months and for files dated in the future (as ls and vsftpd show
// them). A date alone reads as midnight, which is ambiguous with a real
// "00:00" time: midnight is taken as a date alone when it is that old, or
// less than a day old (a file dated later today shows today's date).
func (c *Conn) entry(e *ftp.Entry, now time.Time, precise bool) plan.Entry {
	pe := plan.Entry{Path: e.Name, Size: int64(e.Size), ModTime: e.Time.UTC(), Target: e.Target}
	switch e.Type {
	case ftp.EntryTypeFolder:
		pe.Kind = plan.KindDir
		pe.Size = 0
	case ftp.EntryTypeLink:
		pe.Kind = plan.KindSymlink
	}
	switch {
	case e.Time.IsZero():
		pe.Precision = 0
	case precise:
		pe.Precision = time.Second
	case e.Time.Hour() == 0 && e.Time.Minute() == 0 && (now.Sub(e.Time) > 150*24*time.Hour || now.Sub(e.Time) < 24*time.Hour):
		pe.Precision = 24 * time.Hour
	default:
		pe.Precision = time.Minute
	}
	return pe
}

// Retr copies the remote file at path, from offset on, into w and returns
// the number of bytes copied. An error writing to w is returned as it is,
// wrapped in a *LocalError.
func (c *Conn) Retr(ctx context.Context, path string, offset int64, w io.Writer) (int64, error) {
	return c.retr(ctx, nil, path, offset, w)
}

func (c *Conn) retr(ctx context.Context, op *dataOp, path string, offset int64, w io.Writer) (int64, error) {
	var n int64
	err := c.doOp(ctx, op, func() error {
		resp, err := c.sc.RetrFrom(path, uint64(offset))
		if err != nil {
			return err
		}
		n, err = io.CopyBuffer(localWriter{w}, resp, c.copyBuffer())
		return errors.Join(err, resp.Close())
	})
	var le *LocalError
	if errors.As(err, &le) {
		return n, le
	}
	return n, err
}

// RetrModTime is Retr that also asks for the file's exact modification time
// (MDTM), sent ahead so that it costs no round trip of its own. ok is false
// when the server did not tell.
func (c *Conn) RetrModTime(ctx context.Context, path string, offset int64, w io.Writer) (n int64, mtime time.Time, ok bool, err error) {
	return c.retrNext(ctx, retrSpec{path: path, mtime: true}, offset, w, nil)
}

// LocalError is a failure of the local side during a transfer, such as a
// full disk; it says nothing about the connection.
type LocalError struct{ Err error }

func (e *LocalError) Error() string { return e.Err.Error() }
func (e *LocalError) Unwrap() error { return e.Err }

type localWriter struct{ w io.Writer }

func (l localWriter) Write(p []byte) (int, error) {
	n, err := l.w.Write(p)
	if err != nil {
		err = &LocalError{Err: err}
	}
	return n, err
}

// Stor uploads r to path, starting at offset when it is not zero.
func (c *Conn) Stor(ctx context.Context, path string, r io.Reader, offset int64) error {
	return c.do(ctx, func() error { return c.sc.StorFrom(path, r, uint64(offset)) })
}

// Append uploads r to the end of path (APPE), creating it if missing.
func (c *Conn) Append(ctx context.Context, path string, r io.Reader) error {
	return c.do(ctx, func() error { return c.sc.Append(path, r) })
}

// Size returns a remote file's size (SIZE).
func (c *Conn) Size(ctx context.Context, path string) (int64, error) {
	var n int64
	err := c.do(ctx, func() error {
		var err error
		n, err = c.sc.FileSize(path)
		return err
	})
	return n, err
}

// Rename renames from to to (RNFR/RNTO).
func (c *Conn) Rename(ctx context.Context, from, to string) error {
	return c.do(ctx, func() error { return c.sc.Rename(from, to) })
}

// Delete removes a file.
func (c *Conn) Delete(ctx context.Context, path string) error {
	return c.do(ctx, func() error { return c.sc.Delete(path) })
}

// MakeDir creates a directory.
func (c *Conn) MakeDir(ctx context.Context, path string) error {
	return c.do(ctx, func() error { return c.sc.MakeDir(path) })
}

// RemoveDir removes an empty directory.
func (c *Conn) RemoveDir(ctx context.Context, path string) error {
	return c.do(ctx, func() error { return c.sc.RemoveDir(path) })
}

// SetModTime sets a remote file's modification time (MFMT, or MDTM with two
// arguments); it returns an error when the server supports neither.
func (c *Conn) SetModTime(ctx context.Context, path string, t time.Time) error {
	if !c.sc.IsSetTimeSupported() {
		return errors.New("the server cannot set modification times")
	}
	return c.do(ctx, func() error { return c.sc.SetTime(path, t.UTC()) })
}

// ModTime returns a remote file's modification time to the second (MDTM).
func (c *Conn) ModTime(ctx context.Context, path string) (time.Time, error) {
	if !c.sc.IsGetTimeSupported() {
		return time.Time{}, errors.New("the server does not tell modification times (no MDTM)")
	}
	var t time.Time
	err := c.do(ctx, func() error {
		var err error
		t, err = c.sc.GetTime(path)
		return err
	})
	return t.UTC(), err
}

// Close says QUIT and closes the connection.
func (c *Conn) Close() error {
	defer c.t.neg.stop()
	if c.Broken() {
		return c.t.w.close()
	}
	_ = c.t.w.conn.SetDeadline(time.Now().Add(2 * time.Second))
	return c.sc.Quit()
}
