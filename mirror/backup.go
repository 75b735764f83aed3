package mirror

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/textproto"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/ftpmirror/ftpmirror/plan"
)

// ErrBackupOtherFilesystem means the local backup directory is not on the
// mirror's filesystem, so files cannot be moved there by a rename.
var ErrBackupOtherFilesystem = errors.New("the backup directory is on another filesystem than the mirror")

// backups moves the files a run would delete or overwrite into the backup
// directory (RunOptions.BackupDir), under their path relative to the mirror
// root, before the run deletes or overwrites them: for a pull a local
// directory (a rename on the same filesystem), for a push a directory on the
// server (RNFR/RNTO). A name already taken there gets a numbered suffix,
// "name.~1~", as cp --backup=numbered writes. Directories are not moved:
// they are deleted only once empty. A nil *backups moves nothing.
type backups struct {
	localRoot string // the mirror root (pull)
	localDir  string // absolute local backup directory (pull), or ""
	remoteDir string // absolute remote backup directory (push), or ""
	moved     atomic.Int64
}

// newBackups returns the backups of a run, or nil without a backup
// directory. For a pull it creates the directory and checks that a rename
// can reach it from the mirror.
func newBackups(o RunOptions, d direction, localRoot string) (*backups, error) {
	if o.BackupDir == "" {
		return nil, nil
	}
	switch d.backupSide {
	case backupNone:
		return nil, errors.New("a backup directory is for pull and push, not sync")
	case backupRemote:
		// The mirrored directory is known only now when the URL gave it
		// relative to the login directory.
		dir := path.Clean("/" + o.BackupDir)
		if root := o.RemoteDir; dir == root || root == "/" || strings.HasPrefix(dir, root+"/") {
			return nil, fmt.Errorf("the backup directory %s is inside the mirrored directory %s", dir, root)
		}
		return &backups{remoteDir: dir}, nil
	}
	dir, err := filepath.Abs(o.BackupDir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("backup directory: %w", err)
	}
	if err := sameFilesystem(localRoot, dir); err != nil {
		return nil, err
	}
	return &backups{localRoot: localRoot, localDir: dir}, nil
}

// count is the number of files moved so far.
func (b *backups) count() int {
	if b == nil {
		return 0
	}
	return int(b.moved.Load())
}

// sameFilesystem checks that root (or, when it does not exist yet, its
// nearest parent) is on the filesystem of dir.
func sameFilesystem(root, dir string) error {
	var a, b unix.Stat_t
	for p := root; ; p = filepath.Dir(p) {
		err := unix.Stat(p, &a)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrNotExist) || p == filepath.Dir(p) {
			return fmt.Errorf("local directory: %w", err)
		}
	}
	if err := unix.Stat(dir, &b); err != nil {
		return fmt.Errorf("backup directory: %w", err)
	}
	if a.Dev != b.Dev {
		return fmt.Errorf("%w: %s", ErrBackupOtherFilesystem, dir)
	}
	return nil
}

// backupName is the n-th name tried for base in the backup directory.
func backupName(base string, n int) string {
	if n == 0 {
		return base
	}
	return base + ".~" + strconv.Itoa(n) + "~"
}

// maxBackupSuffix bounds the numbered names tried for one path.
const maxBackupSuffix = 1000

// keepLocal moves the local file or symlink at rel into the backup
// directory; a missing path or a directory is left where it is. Both sides
// are reached through directory handles opened beneath their roots, so
// neither a hostile path nor a symlink swapped in can lead elsewhere.
func (b *backups) keepLocal(rel string) error {
	if b == nil || b.localDir == "" {
		return nil
	}
	return inRoot(b.localRoot, false, func(r *os.Root) error {
		name, err := safeName(r, rel)
		if err != nil {
			return err
		}
		fi, err := r.Lstat(name)
		if errors.Is(err, fs.ErrNotExist) || err == nil && fi.IsDir() {
			return nil
		}
		if err != nil {
			return &PathError{Op: "backup", Path: rel, Err: err}
		}
		from, err := r.OpenFile(parentName(name), os.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NOFOLLOW, 0)
		if err != nil {
			return &PathError{Op: "backup", Path: rel, Err: err}
		}
		defer from.Close()
		to, err := openBackupParent(b.localDir, name)
		if err != nil {
			return &PathError{Op: "backup", Path: rel, Err: err}
		}
		defer to.Close()
		base := filepath.Base(name)
		for n := 0; n < maxBackupSuffix; n++ {
			err = renameNoReplace(int(from.Fd()), base, int(to.Fd()), backupName(base, n))
			if !errors.Is(err, fs.ErrExist) {
				break
			}
		}
		if errors.Is(err, syscall.EXDEV) {
			err = ErrBackupOtherFilesystem
		}
		if err != nil {
			return &PathError{Op: "backup", Path: rel, Err: err}
		}
		b.moved.Add(1)
		return nil
	})
}

// openBackupParent opens, beneath the backup directory, the directory that
// will hold the backup of the root name name, creating it as needed.
func openBackupParent(dir, name string) (*os.File, error) {
	br, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer br.Close() // the directory stays open without its root
	parent := parentName(name)
	if err := br.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	return br.OpenFile(parent, os.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NOFOLLOW, 0)
}

// renameNoReplace renames from one directory to another, failing with
// fs.ErrExist rather than replacing a file there. Where the filesystem
// cannot refuse by itself, the name is checked first.
func renameNoReplace(fromDir int, from string, toDir int, to string) error {
	err := unix.Renameat2(fromDir, from, toDir, to, unix.RENAME_NOREPLACE)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) {
		var st unix.Stat_t
		if serr := unix.Fstatat(toDir, to, &st, unix.AT_SYMLINK_NOFOLLOW); serr == nil {
			return fs.ErrExist
		}
		err = unix.Renameat(fromDir, from, toDir, to)
	}
	if errors.Is(err, unix.EEXIST) {
		return fs.ErrExist
	}
	return err
}

// keepRemote moves the remote file at target (an absolute path, rel below
// the remote root) into the remote backup directory with RNFR/RNTO. It
// reports whether a file was moved: a path the server does not have (550 on
// its SIZE) is left alone.
func (b *backups) keepRemote(ctx context.Context, c *Conn, target, rel string) (bool, error) {
	if b == nil || b.remoteDir == "" {
		return false, nil
	}
	if _, err := c.Size(ctx, target); err != nil {
		if isReplyCode(err, 550) && !c.Broken() {
			return false, nil // nothing there to keep
		}
		return false, err
	}
	dest := path.Join(b.remoteDir, rel)
	// MKD each parent; the ones that exist answer 550, which is fine.
	var parents []string
	for p := path.Dir(dest); p != "/" && p != "." && p != b.remoteDir; p = path.Dir(p) {
		parents = append(parents, p)
	}
	parents = append(parents, b.remoteDir)
	for i := len(parents) - 1; i >= 0; i-- {
		if err := c.MakeDir(ctx, parents[i]); err != nil && (c.Broken() || IsTransient(err)) {
			return false, err
		}
	}
	for n := 0; n < maxBackupSuffix; n++ {
		cand := backupName(dest, n)
		if _, err := c.Size(ctx, cand); err == nil {
			continue // taken
		} else if !isReplyCode(err, 550) || c.Broken() {
			return false, err
		}
		if err := c.Rename(ctx, target, cand); err != nil {
			return false, fmt.Errorf("backup %s to %s: %w", rel, cand, err)
		}
		b.moved.Add(1)
		return true, nil
	}
	return false, &PathError{Op: "backup", Path: rel, Err: fs.ErrExist}
}

// isReplyCode reports whether err is the server's reply with that code.
func isReplyCode(err error, code int) bool {
	var tpe *textproto.Error
	return errors.As(err, &tpe) && tpe.Code == code
}

// keepLocalKind backs up a local path the plan deletes, unless it is a
// directory.
func (b *backups) keepLocalKind(rel string, kind plan.Kind) error {
	if kind == plan.KindDir {
		return nil
	}
	return b.keepLocal(rel)
}
