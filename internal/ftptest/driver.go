package ftptest

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"time"

	ftpserver "goftp.io/server/v2"
)

// fsDriver serves a local directory with the semantics of a typical Unix
// FTP server (goftp's driver/file removes recursively, creates parents and
// truncates on APPE). FTP paths are absolute and cleaned by goftp; they are
// cleaned again here so no path leaves the root (symlinks are followed by
// RETR as on any server).
type fsDriver struct {
	root string
}

var _ ftpserver.Driver = (*fsDriver)(nil)

func (d *fsDriver) real(p string) string {
	return filepath.Join(d.root, filepath.FromSlash(path.Clean("/"+p)))
}

// utcInfo reports ModTime in UTC, so every goftp formatter prints UTC.
type utcInfo struct{ fs.FileInfo }

func (u utcInfo) ModTime() time.Time { return u.FileInfo.ModTime().UTC() }

func (d *fsDriver) Stat(_ *ftpserver.Context, p string) (os.FileInfo, error) {
	fi, err := os.Lstat(d.real(p))
	if err != nil {
		return nil, err
	}
	return utcInfo{fi}, nil
}

func (d *fsDriver) ListDir(_ *ftpserver.Context, p string, fn func(os.FileInfo) error) error {
	des, err := os.ReadDir(d.real(p))
	if err != nil {
		return err
	}
	for _, de := range des {
		fi, err := de.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed meanwhile
		}
		if err != nil {
			return err
		}
		if err := fn(utcInfo{fi}); err != nil {
			return err
		}
	}
	return nil
}

func (d *fsDriver) DeleteDir(_ *ftpserver.Context, p string) error {
	rp := d.real(p)
	fi, err := os.Lstat(rp)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return errors.New("not a directory")
	}
	return os.Remove(rp) // fails on a non-empty directory, as RMD should
}

func (d *fsDriver) DeleteFile(_ *ftpserver.Context, p string) error {
	rp := d.real(p)
	fi, err := os.Lstat(rp)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return errors.New("is a directory")
	}
	return os.Remove(rp)
}

func (d *fsDriver) Rename(_ *ftpserver.Context, from, to string) error {
	if from == "" {
		return errors.New("RNFR required first")
	}
	return os.Rename(d.real(from), d.real(to))
}

func (d *fsDriver) MakeDir(_ *ftpserver.Context, p string) error {
	return os.Mkdir(d.real(p), 0o755)
}

func (d *fsDriver) GetFile(_ *ftpserver.Context, p string, offset int64) (int64, io.ReadCloser, error) {
	f, err := os.Open(d.real(p))
	if err != nil {
		return 0, nil, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = errors.New("not a plain file")
	}
	if err == nil && offset > fi.Size() {
		err = fmt.Errorf("offset %d beyond size %d", offset, fi.Size())
	}
	if err == nil {
		_, err = f.Seek(offset, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return 0, nil, err
	}
	return fi.Size() - offset, f, nil
}

// PutFile serves STOR (offset -1: create or truncate), REST n + STOR (write
// from n, keep the rest) and APPE (append).
func (d *fsDriver) PutFile(ctx *ftpserver.Context, p string, data io.Reader, offset int64) (int64, error) {
	if data == nil {
		return 0, errors.New("no data connection")
	}
	rp := d.real(p)
	if fi, err := os.Lstat(rp); err == nil && fi.IsDir() {
		return 0, errors.New("a directory has that name")
	}
	var f *os.File
	var err error
	switch {
	case ctx != nil && ctx.Cmd == "APPE":
		f, err = os.OpenFile(rp, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	case offset < 0:
		f, err = os.OpenFile(rp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	default:
		f, err = os.OpenFile(rp, os.O_WRONLY|os.O_CREATE, 0o644)
		if err == nil {
			var fi os.FileInfo
			if fi, err = f.Stat(); err == nil && offset > fi.Size() {
				err = fmt.Errorf("offset %d beyond size %d", offset, fi.Size())
			}
			if err == nil {
				_, err = f.Seek(offset, io.SeekStart)
			}
			if err != nil {
				f.Close()
			}
		}
	}
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(f, data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return n, err
}
