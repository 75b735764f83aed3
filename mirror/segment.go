package mirror

import (
	"context"
	"errors"
	"fmt"
	"net/textproto"
	"path"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/ftpmirror/ftpmirror/plan"
)

// A large file is downloaded in segments over several connections at once,
// when one connection's bandwidth is the limit (a server or link that caps
// each connection, as lftp's pget works around):
//
//	n    := segmentCount(size, SegmentMin, pool.Limit())   // 1: a single stream
//	part := createPart(...); part.setSize(size)            // pre-sized temporary file
//	for each segment [start, end), in parallel, through pool.Do:
//	    RetrRange(start, end-start) -> part.WriteAt        // the last: Retr to EOF (+ MDTM)
//	    on a transient failure: again from where it stopped
//	part.Commit(mtime)                                      // fsync, mtime, rename
//
// Resume: a kept temporary file of an earlier single-stream download gives
// the start of the file and the segments cover the rest; a segmented download
// itself records no partial (state.Partial holds one offset, and a pre-sized
// file would look complete), so when it is killed the next run starts the
// file again.

// maxSegments bounds the segments of one file, as lftp's pget-n=8.
const maxSegments = 8

// segmentCount returns how many segments a file of size bytes is downloaded
// in over a pool of limit connections: 1 (a single stream) below segmentMin,
// with segmentMin <= 0 or with one connection; else as many as the pool has
// connections, at most maxSegments, each at least segmentMin/maxSegments
// long (4 MiB by default).
func segmentCount(size, segmentMin int64, limit int) int {
	if segmentMin <= 0 || size < segmentMin || limit < 2 {
		return 1
	}
	n := min(int64(maxSegments), int64(limit), size/max(segmentMin/maxSegments, 1))
	return int(max(n, 1))
}

// segment is the byte range [start, end) of a file.
type segment struct{ start, end int64 }

// splitSegments cuts [from, size) into n ranges of nearly equal length.
func splitSegments(from, size int64, n int) []segment {
	segs := make([]segment, n)
	span := size - from
	for i := range n {
		segs[i] = segment{start: from + span*int64(i)/int64(n), end: from + span*int64(i+1)/int64(n)}
	}
	return segs
}

// downloadSegmented downloads src in segments when segmentCount says so.
// done is false when the file should go the single-stream way instead: it
// is too small, the pool has one connection, or the server refused a ranged
// transfer as a command it does not implement (no REST).
func (e *executor) downloadSegmented(ctx context.Context, src plan.Entry) (done bool, err error) {
	if src.Kind != plan.KindFile || segmentCount(src.Size, e.segmentMin, e.pool.Limit()) < 2 {
		return false, nil
	}
	err = e.segmented(ctx, src)
	var tpe *textproto.Error
	if errors.As(err, &tpe) && (tpe.Code == 500 || tpe.Code == 501 || tpe.Code == 502 || tpe.Code == 504) {
		e.log.Debug("segmented download refused; downloading in one stream", "path", src.Path, "err", err)
		return false, nil
	}
	return true, err
}

// segmented fetches src over several connections into a temporary file and
// commits it; a segment that still fails after its retries fails the file.
func (e *executor) segmented(ctx context.Context, src plan.Entry) error {
	offset := e.resumeOffset(src)
	w, offset, err := createPart(e.localRoot, src.Path, offset)
	if err != nil {
		return &LocalError{Err: err}
	}
	w.keepModeWith(src.Mode, e.umask) // the listed permission bits (listmode.go)
	w.flushWith(e.durable)
	// Once the file is pre-sized its size no longer says how much of it is
	// there: no partial record may point at it.
	if e.store != nil && src.Size >= resumeMin {
		if _, ok, _ := e.store.Partial(src.Path); ok {
			if err := e.store.DeletePartial(src.Path); err != nil {
				_ = w.Abort()
				return &LocalError{Err: err}
			}
		}
	}
	if err := w.setSize(src.Size); err != nil {
		_ = w.Abort()
		return &LocalError{Err: err}
	}
	n := segmentCount(src.Size-offset, e.segmentMin, e.pool.Limit())
	segs := splitSegments(offset, src.Size, max(n, 1))
	f := &segmentFetch{e: e, src: src, remote: path.Join(e.remoteRoot, src.Path), w: w, mtime: src.ModTime}
	g, gctx := errgroup.WithContext(ctx)
	for i, s := range segs {
		last := i == len(segs)-1
		g.Go(func() error { return f.fetch(gctx, s, last) })
	}
	err = g.Wait()
	written := f.written.Load()
	e.addBytes(written)
	if err != nil {
		_ = w.Abort()
		e.progress.Bytes(-written)
		return err
	}
	if e.checksum != nil {
		err := e.pool.Do(ctx, func(c *Conn) error { return e.checksum.verify(ctx, c, f.remote, src.Path, w.openPart) })
		if err != nil {
			_ = w.Abort()
			e.progress.Bytes(-written)
			return err
		}
	}
	if err := e.backup.keepLocal(src.Path); err != nil {
		_ = w.Abort()
		return &LocalError{Err: err}
	}
	local, err := w.Commit(e.times.local(f.mtime))
	if err != nil {
		return &LocalError{Err: err}
	}
	return e.record(src, local)
}

// segmentFetch is one segmented download in progress.
type segmentFetch struct {
	e       *executor
	src     plan.Entry
	remote  string
	w       *fileWriter
	written atomic.Int64
	mtime   time.Time // set by the last segment, read after all are done
}

// fetch downloads one segment, through the pool, until it is complete. A
// transient failure is retried from where the segment stopped; retries
// count the failed attempts in a row that brought no byte.
func (f *segmentFetch) fetch(ctx context.Context, s segment, last bool) error {
	e := f.e
	pos := s.start
	fails := 0
	askTime := last && f.src.Precision != time.Second
	for {
		before := pos
		err := e.pool.Do(ctx, func(c *Conn) error {
			sw := &segmentWriter{f: f, off: pos}
			var n int64
			var err error
			switch {
			case !last:
				n, err = c.RetrRange(ctx, f.remote, pos, s.end-pos, sw)
			case askTime:
				// The last segment reads to the end of the file, which
				// proves the file is no longer than listed, and brings
				// the exact time, as a single-stream download does.
				var t time.Time
				var ok bool
				lw := &sizeLimitWriter{w: sw, n: s.end - pos, size: f.src.Size}
				n, t, ok, err = c.RetrModTime(ctx, f.remote, pos, lw)
				if ok {
					f.mtime, askTime = e.times.fromServer(t), false
				}
			default:
				lw := &sizeLimitWriter{w: sw, n: s.end - pos, size: f.src.Size}
				n, err = c.Retr(ctx, f.remote, pos, lw)
			}
			pos += n
			if err == nil && last && pos != s.end {
				err = fmt.Errorf("got %d bytes, the listing said %d: the file changed during the transfer", pos, f.src.Size)
			}
			return err
		})
		switch {
		case err == nil:
			return nil
		case !last && pos == s.end:
			// Every byte is in; only the reply to the early close was
			// missing, and the pool has dropped that connection.
			return nil
		case !IsTransient(err):
			return err
		}
		if pos > before {
			fails = 0
		}
		fails++
		if fails > e.retries {
			return err
		}
		e.log.Debug("retrying segment", "path", f.src.Path, "from", pos, "to", s.end, "attempt", fails, "err", err)
		t := time.NewTimer(backoff(fails))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// segmentWriter writes one segment's bytes at their place in the file and
// reports them as progress.
type segmentWriter struct {
	f   *segmentFetch
	off int64
}

func (w *segmentWriter) Write(p []byte) (int, error) {
	n, err := w.f.w.WriteAt(p, w.off)
	w.off += int64(n)
	w.f.written.Add(int64(n))
	w.f.e.progress.Bytes(int64(n))
	return n, err
}
