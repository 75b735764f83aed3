package mirror

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/textproto"
)

// errShortRange is returned when a ranged transfer ends, with the server's
// consent, before the range does: the file is shorter than it was listed.
var errShortRange = errors.New("the file ended before the range did: it changed during the transfer")

// RetrRange copies length bytes of the remote file at path, from offset on,
// into w, and returns the number of bytes copied. It is one segment of a
// segmented download: REST offset, RETR, and once length bytes are in, the
// data connection is closed without reading the rest of the file.
//
// Closing early leaves the server one reply to give about the transfer it
// could not finish, and that reply must be read before the connection
// carries another command, or every later reply would answer the command
// before it (the way rclone 1.60 writes corrupt files). RetrRange reads it
// before it returns. Whatever its code it is the server's account of our
// close, not a verdict on the file, since every byte asked for has arrived:
// vsftpd says 426, goftp 551, a server that had sent everything already 226.
// When the reply does not come within the idle timeout, or cannot be read,
// RetrRange returns the bytes it copied with an error and leaves the Conn
// Broken, so that a Pool drops it instead of reusing it out of step. No
// ABOR is sent: a server answers ABOR with one reply or two, and guessing
// wrong is exactly how a connection gets out of step.
//
// When the file ends before the range, with the server's 226, the error
// says the file changed during the transfer (a per-file failure). An error
// writing to w is returned wrapped in a *LocalError, as by Retr.
func (c *Conn) RetrRange(ctx context.Context, path string, offset, length int64, w io.Writer) (int64, error) {
	if offset < 0 || length <= 0 {
		return 0, fmt.Errorf("retr range of %s: bad range %d+%d", path, offset, length)
	}
	var n int64
	err := c.do(ctx, func() error {
		resp, err := c.sc.RetrFrom(path, uint64(offset))
		if err != nil {
			return err
		}
		n, err = io.CopyBuffer(localWriter{w}, io.LimitReader(resp, length), c.copyBuffer())
		switch {
		case err != nil:
			// A broken data connection or a local failure: the server's
			// reply is read as after any failed transfer.
			return errors.Join(err, resp.Close())
		case n < length:
			// The data connection ended: the transfer is complete as far
			// as the server is concerned, and its reply says so.
			if err := resp.Close(); err != nil {
				return err
			}
			return fmt.Errorf("%s: got %d of %d bytes from offset %d: %w", path, n, length, offset, errShortRange)
		}
		return c.closeEarly(resp, path)
	})
	var le *LocalError
	if errors.As(err, &le) {
		return n, le
	}
	return n, err
}

// closeEarly closes the data connection of a transfer whose bytes are all
// in and reads the server's reply; see RetrRange.
func (c *Conn) closeEarly(resp io.Closer, path string) error {
	err := resp.Close() // closes the data connection, then reads the reply
	if c.Broken() {
		// The read of the reply failed: it never came, or the connection
		// broke. The next reply on this connection could be that one.
		return fmt.Errorf("%s: no reply after a ranged transfer was closed early: %w", path, err)
	}
	if errors.As(err, new(textproto.ProtocolError)) {
		// Not an FTP reply: whatever was read, the connection is out of step.
		c.t.w.fail(err)
		return fmt.Errorf("%s: garbled reply after a ranged transfer was closed early: %w", path, err)
	}
	// A reply was read (226, 426, 451, 551...): the connection is in step.
	// An error closing the data connection itself (such as a TLS
	// close_notify the server no longer reads) does not matter.
	var tpe *textproto.Error
	if errors.As(err, &tpe) {
		c.t.log.Debug("ranged transfer closed early", "path", path, "reply", tpe.Code)
	}
	return nil
}
