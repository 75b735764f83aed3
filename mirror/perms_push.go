package mirror

import (
	"context"
	"fmt"
	"io/fs"

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
