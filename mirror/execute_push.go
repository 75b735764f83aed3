package mirror

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"os"
	"path"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ftpmirror/ftpmirror/plan"
	"github.com/ftpmirror/ftpmirror/state"
)

// pushSettings are the executor's settings and findings for uploads.
type pushSettings struct {
	// inPlace uploads straight to the final name, for servers that refuse
	// renames: a reader may then see a partial file.
	inPlace bool
	// noSetTime is set once the server refused to set a modification time,
	// so that it is not asked again for every file.
	noSetTime atomic.Bool
	// noChmod is set once the server refused SITE CHMOD (perms_push.go).
	noChmod atomic.Bool
	// dirModes are the directories made on the server and the local
	// modes they get once their contents are uploaded (perms_push.go).
	dirModes remoteDirModes
}

// upTempPath returns the temporary remote name an upload to target goes to:
// ".<base>.ftpmirror-up" beside it.
func upTempPath(target string) string {
	dir, base := path.Split(target)
	return dir + "." + base + upSuffix
}

// applyRemote carries out the remote actions of a push plan.
func (e *executor) applyRemote(ctx context.Context, a plan.Action) error {
	target := path.Join(e.remoteRoot, a.Path)
	onConn := func(what string, fn func(c *Conn) error) error {
		return retry(ctx, e.retries, e.log, what+" "+target, func() error { return e.pool.Do(ctx, fn) })
	}
	switch a.Op {
	case plan.OpMkdirRemote:
		if err := onConn("mkdir", func(c *Conn) error { return c.MakeDir(ctx, target) }); err != nil {
			return err
		}
		local := plan.Entry{Path: a.Path, Kind: plan.KindDir}
		if a.Source != nil {
			local = *a.Source
		}
		e.push.madeDir(target, e.localRoot, a.Path) // its mode is set last (perms_push.go)
		return e.record(plan.Entry{Path: a.Path, Kind: plan.KindDir}, local)
	case plan.OpDeleteRemote:
		err := onConn("delete", func(c *Conn) error {
			if a.Kind == plan.KindDir {
				return c.RemoveDir(ctx, target)
			}
			if moved, err := e.backup.keepRemote(ctx, c, target, a.Path); moved || err != nil {
				return err
			}
			return c.Delete(ctx, target)
		})
		if err != nil {
			return err
		}
		return e.forget(a.Path)
	case plan.OpUpload:
		return onConn("upload", func(c *Conn) error { return e.upload(ctx, c, *a.Source) })
	}
	return fmt.Errorf("push cannot carry out %s", a.Op)
}

// upload sends one local file to a temporary name beside its target, sets
// its modification time and renames it into place (with inPlace, straight to
// the target). It resumes a temporary file that an interrupted run left,
// when the state says it holds the start of this very version of the file.
func (e *executor) upload(ctx context.Context, c *Conn, planned plan.Entry) error {
	f, src, err := openSource(e.localRoot, planned.Path)
	if err != nil {
		return &LocalError{Err: err}
	}
	defer f.Close()
	target := path.Join(e.remoteRoot, src.Path)
	dest := target
	if !e.push.inPlace {
		dest = upTempPath(target)
	}
	resumable := e.store != nil && !e.push.inPlace && src.Size >= resumeMin
	var offset int64
	if resumable {
		if offset, err = e.uploadOffset(ctx, c, src, dest); err != nil {
			return err
		}
		if offset == 0 {
			if err := e.store.PutPartial(state.Partial{Path: src.Path, Size: src.Size, ModTime: src.ModTime, Temp: dest}); err != nil {
				return &LocalError{Err: err}
			}
		}
	}
	if dest == target {
		if _, err := e.backup.keepRemote(ctx, c, target, src.Path); err != nil {
			return err
		}
	}
	end, sent, err := e.send(ctx, c, f, dest, offset, src.Size)
	if err == nil && offset > 0 {
		// A server may still be writing the bytes of the interrupted
		// transfer when we resume it: check the result, and start again
		// if it is wrong.
		if n, serr := c.Size(ctx, dest); serr != nil && c.Broken() {
			return serr
		} else if serr == nil && n != src.Size {
			e.log.Debug("resumed upload has the wrong size; starting again", "path", dest, "size", n, "want", src.Size)
			e.progress.Bytes(-sent)
			end, sent, err = e.send(ctx, c, f, dest, 0, src.Size)
		}
	}
	if err == nil && end != src.Size {
		err = &PathError{Op: "upload", Path: src.Path, Err: fmt.Errorf("sent %d bytes of %d: the local file changed during the transfer", end, src.Size)}
	}
	if err != nil {
		if !IsTransient(err) {
			e.progress.Bytes(-sent)
		}
		if !resumable && !e.push.inPlace && !c.Broken() {
			_ = c.Delete(ctx, dest) // nothing partial is left, where we can help it
		}
		return err
	}
	if err := e.setRemoteMode(ctx, c, dest, src); err != nil {
		return err
	}
	remote, err := e.setRemoteTime(ctx, c, dest, src)
	if err != nil {
		return err
	}
	if err := e.checksum.verify(ctx, c, dest, src.Path, func() (io.ReadCloser, error) {
		f, _, err := openSource(e.localRoot, src.Path)
		return f, err
	}); err != nil {
		e.progress.Bytes(-sent)
		if isChecksumError(err) && !c.Broken() {
			_ = c.Delete(ctx, dest) // sent again from the start
			if resumable {
				_ = e.store.DeletePartial(src.Path)
			}
		}
		return err
	}
	if dest != target {
		if _, err := e.backup.keepRemote(ctx, c, target, src.Path); err != nil {
			return err
		}
		if err := e.rename(ctx, c, dest, target); err != nil {
			return err
		}
	}
	if resumable {
		if err := e.store.DeletePartial(src.Path); err != nil {
			return &LocalError{Err: err}
		}
	}
	return e.record(remote, src)
}

// openSource opens the local file at rel for reading and describes it as
// ScanLocal would, from the open file: what is sent is what is recorded.
func openSource(root, rel string) (*os.File, plan.Entry, error) {
	f, fi, err := openLocal(root, rel)
	if err != nil {
		return nil, plan.Entry{}, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, plan.Entry{}, &PathError{Op: "open", Path: rel, Err: errors.New("not a regular file")}
	}
	src := localEntry(rel, fi, "")
	src.Mode = fi.Mode().Perm() // for SITE CHMOD (perms_push.go)
	return f, src, nil
}

// uploadOffset returns how much of src the remote temporary file dest holds
// from an interrupted run, or 0 to start again. The state's partial must
// describe this very version of the local file and this temporary name.
func (e *executor) uploadOffset(ctx context.Context, c *Conn, src plan.Entry, dest string) (int64, error) {
	p, ok, err := e.store.Partial(src.Path)
	if err != nil || !ok || p.Size != src.Size || !p.ModTime.Equal(src.ModTime) || p.Temp != dest {
		return 0, nil
	}
	n, err := c.Size(ctx, dest)
	switch {
	case err != nil && c.Broken():
		return 0, err
	case err != nil || n > src.Size:
		return 0, nil
	}
	return n, nil
}

// send uploads f from offset on to dest. It returns the offset the remote
// file reaches and the bytes sent. A resume the server refuses (no REST
// before STOR) is tried again with APPE, and then from the start.
func (e *executor) send(ctx context.Context, c *Conn, f *os.File, dest string, offset, size int64) (end, sent int64, err error) {
	if offset == size && offset > 0 {
		return size, 0, nil // complete: only the rename was missing
	}
	attempt := func(from int64, appendTo bool) (int64, error) {
		if _, err := f.Seek(from, io.SeekStart); err != nil {
			return 0, &LocalError{Err: &PathError{Op: "seek", Path: dest, Err: err}}
		}
		r := &progressReader{r: io.LimitReader(f, size-from), p: e.progress}
		var err error
		if appendTo {
			err = c.Append(ctx, dest, r)
		} else {
			err = c.Stor(ctx, dest, r, from)
		}
		e.addBytes(r.n)
		return r.n, err
	}
	n, err := attempt(offset, false)
	if offset == 0 || !refusedBeforeData(err, n, c) {
		return offset + n, n, err
	}
	e.log.Debug("REST before STOR refused; appending", "path", dest, "err", err)
	if n, err = attempt(offset, true); !refusedBeforeData(err, n, c) {
		return offset + n, n, err
	}
	e.log.Debug("APPE refused; uploading from the start", "path", dest, "err", err)
	n, err = attempt(0, false)
	return n, n, err
}

// refusedBeforeData reports whether a transfer failed with a permanent reply
// before any byte was sent, on a connection that is still good.
func refusedBeforeData(err error, sent int64, c *Conn) bool {
	var tpe *textproto.Error
	return err != nil && sent == 0 && !c.Broken() && errors.As(err, &tpe) && tpe.Code >= 500
}

// setRemoteTime gives the uploaded file dest the local file's mtime (MFMT, or
// MDTM with two arguments) and returns the remote entry to record. Where the
// server cannot set times, the record holds the time MDTM reports after the
// upload, or no time at all, so that the next run compares against what the
// server shows and does not upload again.
func (e *executor) setRemoteTime(ctx context.Context, c *Conn, dest string, src plan.Entry) (plan.Entry, error) {
	remote := plan.Entry{Path: src.Path, Kind: plan.KindFile, Size: src.Size}
	mtime := src.ModTime.Truncate(time.Second)
	if !e.push.noSetTime.Load() {
		err := c.SetModTime(ctx, dest, e.times.toServer(mtime))
		if err == nil {
			remote.ModTime, remote.Precision = mtime, time.Second
			return remote, nil
		}
		if c.Broken() {
			return plan.Entry{}, err
		}
		e.log.Debug("cannot set remote modification times", "path", dest, "err", err)
		e.push.noSetTime.Store(true)
	}
	t, err := c.ModTime(ctx, dest)
	switch {
	case err == nil:
		remote.ModTime, remote.Precision = e.times.fromServer(t), time.Second
	case c.Broken():
		return plan.Entry{}, err
	}
	return remote, nil
}

// rename moves the uploaded temporary file over its target. Some servers
// refuse to rename onto an existing file: then the target is deleted first.
func (e *executor) rename(ctx context.Context, c *Conn, from, to string) error {
	err := c.Rename(ctx, from, to)
	if err == nil || c.Broken() || IsTransient(err) {
		return err
	}
	if derr := c.Delete(ctx, to); derr != nil {
		return fmt.Errorf("rename %s: %w", from, err)
	}
	return c.Rename(ctx, from, to)
}

// progressReader reports bytes as they are read. A read error is a
// *LocalError: it says nothing about the connection.
type progressReader struct {
	r io.Reader
	p Progress
	n int64
}

func (r *progressReader) Read(b []byte) (int, error) {
	n, err := r.r.Read(b)
	r.n += int64(n)
	r.p.Bytes(int64(n))
	if err != nil && err != io.EOF {
		err = &LocalError{Err: err}
	}
	return n, err
}

// cleanRemoteTemps deletes the temporary upload files left by runs that
// were killed, except those a partial in the state lets an upload of this
// plan resume. The partials of the others are dropped. Failures are logged,
// never fatal.
func (e *executor) cleanRemoteTemps(ctx context.Context, temps []string, p plan.Plan) {
	keep := map[string]bool{}
	if e.store != nil && !e.push.inPlace {
		uploads := map[string]plan.Entry{}
		for _, a := range p.Actions {
			if a.Op == plan.OpUpload {
				uploads[a.Path] = *a.Source
			}
		}
		parts, err := e.store.Partials()
		if err != nil {
			e.log.Warn("cannot read the partial transfers", "err", err)
			return
		}
		for _, part := range parts {
			src, ok := uploads[part.Path]
			if ok && part.Temp != "" && src.Size == part.Size && src.ModTime.Equal(part.ModTime) {
				keep[part.Temp] = true
			} else if part.Temp != "" {
				_ = e.store.DeletePartial(part.Path)
			}
		}
	}
	for _, rel := range temps {
		abs := path.Join(e.remoteRoot, rel)
		if keep[abs] || !strings.HasSuffix(rel, upSuffix) {
			continue
		}
		err := e.pool.Do(ctx, func(c *Conn) error { return c.Delete(ctx, abs) })
		if err != nil {
			e.log.Warn("cannot remove a stale temporary upload", "path", abs, "err", err)
		}
	}
}
