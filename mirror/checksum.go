package mirror

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
)

// ChecksumError is a transfer whose bytes do not have the server's digest.
// It is transient: the transfer is done again, and once the retries are
// spent it is a per-file failure.
type ChecksumError struct {
	Path          string
	Alg           HashAlgorithm
	Remote, Local []byte
}

func (e *ChecksumError) Error() string {
	return fmt.Sprintf("%s differs from the server's: %s %s on the server, %s here",
		e.Alg, e.Path, hex.EncodeToString(e.Remote), hex.EncodeToString(e.Local))
}

// checksums verifies each transfer of a run against the server's own
// digest of the file (RunOptions.Checksum): HASH, XSHA256, XSHA1, XMD5 or
// XCRC, the strongest the server offers (hash.go). A server that offers
// none is logged once and the run goes on by size. A nil *checksums
// verifies nothing.
type checksums struct {
	log *slog.Logger

	mu     sync.Mutex
	known  bool // support has been asked for
	method HashMethod
	offers bool // the server offers a method ftpmirror can check

	verified atomic.Int64
}

// method returns the run's hash method, asking the server once; ok is
// false when it offers none.
func (k *checksums) methodOn(ctx context.Context, c *Conn) (HashMethod, bool, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.known {
		hs, err := c.HashSupport(ctx)
		if err != nil {
			return HashMethod{}, false, err
		}
		k.method, k.offers = hs.Best()
		k.known = true
		if !k.offers {
			k.log.Warn("--checksum: the server offers no content hash (HASH, XSHA256, XSHA1, XMD5, XCRC); files are compared by size only")
		}
	}
	return k.method, k.offers, nil
}

// verify compares the server's digest of remotePath with the digest of the
// bytes open reads. A file the server will not hash (5xx) is logged and
// passes, as it would by size.
func (k *checksums) verify(ctx context.Context, c *Conn, remotePath, rel string, open func() (io.ReadCloser, error)) error {
	if k == nil {
		return nil
	}
	m, ok, err := k.methodOn(ctx, c)
	if err != nil || !ok {
		return err
	}
	remote, err := c.HashWith(ctx, remotePath, m)
	if err != nil {
		if c.Broken() || IsTransient(err) {
			return err
		}
		k.log.Warn("--checksum: the server did not hash this file; compared by size only", "path", rel, "err", err)
		return nil
	}
	f, err := open()
	if err != nil {
		return &LocalError{Err: err}
	}
	defer f.Close()
	local, err := HashReader(f, m.Alg)
	if err != nil {
		return &LocalError{Err: err}
	}
	if !bytes.Equal(remote, local) {
		return &ChecksumError{Path: rel, Alg: m.Alg, Remote: remote, Local: local}
	}
	k.verified.Add(1)
	return nil
}

// algorithm is the algorithm the run checked with, "" when none.
func (k *checksums) algorithm() HashAlgorithm {
	if k == nil {
		return ""
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.offers {
		return ""
	}
	return k.method.Alg
}

// count is the number of transfers verified.
func (k *checksums) count() int {
	if k == nil {
		return 0
	}
	return int(k.verified.Load())
}

// openPart opens the temporary file of a download for reading, before it
// is renamed into place.
func (w *fileWriter) openPart() (io.ReadCloser, error) {
	return w.root.OpenFile(w.part, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
}

// isChecksumError reports whether err is a digest mismatch.
func isChecksumError(err error) bool {
	var ce *ChecksumError
	return errors.As(err, &ce)
}
