package mirror

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/ftpmirror/ftpmirror/plan"
)

// Chmod sets the permission bits of the remote file at path with SITE
// CHMOD (vsftpd with chmod_enable, proftpd, pure-ftpd, pyftpdlib). A
// refusal is returned as the server's error.
func (c *Conn) Chmod(ctx context.Context, path string, mode fs.FileMode) error {
	return c.do(ctx, func() error {
		r, err := c.t.command(fmt.Sprintf("SITE CHMOD %04o %s", mode&fs.ModePerm, path))
		if err != nil {
			return err
		}
		if r.Code < 200 || r.Code > 299 {
			return r.err()
		}
		return nil
	})
}

// setRemoteMode gives the uploaded file dest the local file's permission
// bits, unless Options.NoPerms is set or the server refused SITE CHMOD
// before (it is then not asked again). A refusal is not a failure of the
// upload; a broken connection is.
func (e *executor) setRemoteMode(ctx context.Context, c *Conn, dest string, src plan.Entry) error {
	if src.Mode == 0 || c.t.opts.NoPerms || e.push.noChmod.Load() {
		return nil
	}
	err := c.Chmod(ctx, dest, src.Mode)
	if err == nil || c.Broken() {
		return err
	}
	e.log.Debug("cannot set remote modes (SITE CHMOD)", "path", dest, "err", err)
	e.push.noChmod.Store(true)
	return nil
}

// remoteDirModes are the directories a push made on the server, with the
// modes of their local counterparts. Their modes are set after everything
// is uploaded, deepest first, since a directory without write permission
// would refuse its own contents.
type remoteDirModes struct {
	mu   sync.Mutex
	dirs []remoteDirMode
}

type remoteDirMode struct {
	abs  string // the remote directory
	mode fs.FileMode
}

// madeDir notes the remote directory abs, made for the local directory rel.
func (p *pushSettings) madeDir(abs, root, rel string) {
	mode := localDirMode(root, rel)
	if mode == 0 {
		return
	}
	p.dirModes.mu.Lock()
	p.dirModes.dirs = append(p.dirModes.dirs, remoteDirMode{abs: abs, mode: mode})
	p.dirModes.mu.Unlock()
}

// setRemoteDirModes gives the directories a push made their local modes,
// deepest first, on one connection, as setRemoteMode gives files theirs. A
// failure is logged: the files are uploaded by then.
func (e *executor) setRemoteDirModes(ctx context.Context) error {
	e.push.dirModes.mu.Lock()
	dirs := slices.Clone(e.push.dirModes.dirs)
	e.push.dirModes.mu.Unlock()
	if len(dirs) == 0 {
		return nil
	}
	slices.SortStableFunc(dirs, func(a, b remoteDirMode) int {
		return strings.Count(b.abs, "/") - strings.Count(a.abs, "/")
	})
	err := e.pool.Do(ctx, func(c *Conn) error {
		for _, d := range dirs {
			if err := e.setRemoteMode(ctx, c, d.abs, plan.Entry{Mode: d.mode}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil && ctx.Err() == nil {
		e.log.Warn("cannot set the modes of remote directories", "err", err)
		return nil
	}
	return err
}

// localDirMode returns the permission bits of the local directory rel, or
// 0 when it is not a directory (any more).
func localDirMode(root, rel string) fs.FileMode {
	var mode fs.FileMode
	_ = inRoot(root, false, func(r *os.Root) error {
		name, err := rootName(rel)
		if err != nil {
			return err
		}
		if fi, err := r.Lstat(name); err == nil && fi.IsDir() {
			mode = fi.Mode().Perm()
		}
		return nil
	})
	return mode
}
