package mirror

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"os"
	"path"
	"sync"

	"github.com/ftpmirror/ftpmirror/plan"
)

// comparer answers the OpCompare actions of a sync plan: whether the local
// and the remote file at a path hold the same bytes. It asks the server for
// a digest when FEAT offers one (hash.go), else it downloads the remote file
// and compares it with the local one as it arrives. A download of at least
// keepFrom bytes (0: none) is written to the download's temporary name too,
// and kept in kept when the files differ, for the conflict's download to
// take; anything else is removed at once. It changes nothing else on either
// side: a run killed while comparing leaves at most a temporary file, which
// the next run removes.
type comparer struct {
	pool      *Pool
	o         RunOptions // with defaults applied
	localRoot string     // absolute
	keepFrom  int64
	kept      *prefetchSet

	once   sync.Once
	method HashMethod // zero: compare by download
}

// compareAll answers every compare of p, over the pool's connections. The
// paths it cannot answer are returned as failures and left ContentUnknown.
func (c *comparer) compareAll(ctx context.Context, p plan.Plan) (map[string]plan.Content, []FileError, error) {
	acts := p.Compares()
	content := make(map[string]plan.Content, len(acts))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu     sync.Mutex
		failed []FileError
		fatal  error
		wg     sync.WaitGroup
	)
	work := make(chan plan.Action)
	for range min(c.o.Parallel, len(acts)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for a := range work {
				v, err := c.compareOne(ctx, a)
				mu.Lock()
				switch {
				case err == nil:
					content[a.Path] = v
				case Classify(err) == KindFatal:
					if fatal == nil {
						fatal = err
						cancel() // the rest would fail alike
					}
				default:
					failed = append(failed, FileError{Path: a.Path, Op: plan.OpCompare, Err: err})
				}
				mu.Unlock()
			}
		}()
	}
	for _, a := range acts {
		if ctx.Err() != nil {
			break
		}
		work <- a
	}
	close(work)
	wg.Wait()
	if fatal == nil && ctx.Err() != nil {
		fatal = ctx.Err()
	}
	return content, failed, fatal
}

// compareOne compares the two sides of a.Path, retrying transient failures.
func (c *comparer) compareOne(ctx context.Context, a plan.Action) (plan.Content, error) {
	remote := path.Join(c.o.RemoteDir, a.Path)
	var v plan.Content
	err := retry(ctx, c.o.Retries, c.o.Logger, "compare "+a.Path, func() error {
		return c.pool.Do(ctx, func(conn *Conn) error {
			c.once.Do(func() { c.pickMethod(ctx, conn) })
			f, _, err := openLocal(c.localRoot, a.Path)
			if err != nil {
				return err
			}
			defer f.Close()
			if c.method.Command != "" {
				var herr error
				v, herr = compareByHash(ctx, conn, remote, f, c.method)
				if herr == nil || !refusedCommand(herr) {
					return herr
				}
				c.o.Logger.Debug("the server refused its digest; comparing by download", "path", a.Path, "err", herr)
			}
			var derr error
			v, derr = c.compareByDownload(ctx, conn, remote, f, *a.Source)
			return derr
		})
	})
	return v, err
}

// pickMethod asks the server once which digest it offers.
func (c *comparer) pickMethod(ctx context.Context, conn *Conn) {
	hs, err := conn.HashSupport(ctx)
	if err != nil {
		c.o.Logger.Debug("cannot ask the server for its features; comparing by download", "err", err)
		return
	}
	if m, ok := hs.Best(); ok {
		c.method = m
		c.o.Logger.Debug("comparing content with the server's digests", "command", m.Command, "algorithm", m.Alg)
	}
}

// refusedCommand reports whether err is the server saying it does not
// implement a command or its parameter (500, 501, 502, 504).
func refusedCommand(err error) bool {
	var tpe *textproto.Error
	return errors.As(err, &tpe) && (tpe.Code == 500 || tpe.Code == 501 || tpe.Code == 502 || tpe.Code == 504)
}

// compareByHash compares the server's digest of remote with the local
// file's.
func compareByHash(ctx context.Context, conn *Conn, remote string, local *os.File, m HashMethod) (plan.Content, error) {
	rsum, err := conn.HashWith(ctx, remote, m)
	if err != nil {
		return plan.ContentUnknown, err
	}
	lsum, err := HashReader(local, m.Alg)
	if err != nil {
		return plan.ContentUnknown, &LocalError{Err: err}
	}
	if bytes.Equal(rsum, lsum) {
		return plan.ContentSame, nil
	}
	return plan.ContentDiffer, nil
}

// compareByDownload reads the remote file src and compares it with the
// local one, byte by byte, as it arrives; see comparer for what it keeps.
func (c *comparer) compareByDownload(ctx context.Context, conn *Conn, remote string, f *os.File, src plan.Entry) (v plan.Content, err error) {
	cw := &compareWriter{local: bufio.NewReaderSize(f, 64<<10)}
	var w io.Writer = cw
	var part *fileWriter
	if c.keepFrom > 0 && src.Size >= c.keepFrom {
		if part, _, err = createPart(c.localRoot, src.Path, 0); err != nil {
			return plan.ContentUnknown, &LocalError{Err: err}
		}
		w = io.MultiWriter(cw, part)
	}
	n, mtime, exact, err := conn.RetrModTime(ctx, remote, 0, w)
	v, err = compared(cw, n, src.Size, err)
	if part == nil {
		return v, err
	}
	if err != nil || v != plan.ContentDiffer {
		_ = part.Abort()
		return v, err
	}
	if !exact {
		mtime = src.ModTime
	}
	if err := part.Keep(); err != nil {
		return plan.ContentUnknown, &LocalError{Err: err}
	}
	c.kept.add(src.Path, prefetched{size: src.Size, mtime: mtime})
	return v, nil
}

// compared tells what a comparison by download found, once n bytes of a
// file of size arrived (or err).
func compared(cw *compareWriter, n, size int64, err error) (plan.Content, error) {
	if err != nil {
		return plan.ContentUnknown, err
	}
	if cw.err != nil {
		return plan.ContentUnknown, &LocalError{Err: cw.err}
	}
	if n != size {
		return plan.ContentUnknown, fmt.Errorf("got %d bytes, the listing said %d: the file changed during the comparison", n, size)
	}
	if cw.differ {
		return plan.ContentDiffer, nil
	}
	// The local file may be longer than what arrived.
	if _, err := cw.local.ReadByte(); err != io.EOF {
		if err != nil {
			return plan.ContentUnknown, &LocalError{Err: err}
		}
		return plan.ContentDiffer, nil
	}
	return plan.ContentSame, nil
}

// compareWriter compares what is written to it with the bytes of local.
// It never fails a write: a transfer cut short would leave the connection
// in doubt, so the remote file is read to its end whatever it holds.
type compareWriter struct {
	local  *bufio.Reader
	buf    []byte
	differ bool
	err    error // reading the local file
}

func (w *compareWriter) Write(p []byte) (int, error) {
	if w.differ || w.err != nil {
		return len(p), nil
	}
	if cap(w.buf) < len(p) {
		w.buf = make([]byte, len(p))
	}
	b := w.buf[:len(p)]
	n, err := io.ReadFull(w.local, b)
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		w.differ = true // the local file is shorter
	case err != nil:
		w.err = err
	case !bytes.Equal(b[:n], p):
		w.differ = true
	}
	return len(p), nil
}
