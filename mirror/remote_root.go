package mirror

import (
	"context"
	"errors"
	"fmt"
	"net/textproto"
	"path"
	"strings"

	"github.com/jlaffaye/ftp"

	"github.com/ftpmirror/ftpmirror/plan"
)

// The remote root of a run is checked before anything is listed: servers
// such as vsftpd answer LIST and STAT of a path that does not exist with an
// empty listing, which would read as "nothing to do".
var (
	// ErrNoRemoteDir means the remote directory of the mirror does not
	// exist (CWD into it failed and it is not a file).
	ErrNoRemoteDir = errors.New("does not exist")
	// ErrRemoteNotDir means the remote root is a file, not a directory.
	ErrRemoteNotDir = errors.New("is a file, not a directory")
	// ErrLoginDir means the server's reply to PWD does not tell the login
	// directory as an absolute path, so a relative remote path cannot be
	// resolved.
	ErrLoginDir = errors.New("cannot tell the login directory")
)

// RootError is a remote root that cannot be mirrored. It is fatal: nothing
// is listed, transferred or recorded.
type RootError struct {
	// Path is the absolute remote directory.
	Path string
	// LoginDir is the login directory the path was resolved against; ""
	// when the path was given as absolute.
	LoginDir string
	// Err is ErrNoRemoteDir or ErrRemoteNotDir.
	Err error
	// Synced is set when a sync refused to create a missing root because
	// its state holds files synced from there.
	Synced bool
	// Reply is the server's answer to CWD, when it gave one.
	Reply error
}

func (e *RootError) Error() string {
	msg := "remote directory " + e.Path + " " + e.Err.Error()
	if errors.Is(e.Err, ErrRemoteNotDir) {
		msg = "remote path " + e.Path + " " + e.Err.Error()
	}
	if e.Reply != nil {
		msg += " (the server said: " + e.Reply.Error() + ")"
	}
	return msg
}

func (e *RootError) Unwrap() error { return e.Err }

// remoteRoot is the remote directory of a run, resolved and checked.
type remoteRoot struct {
	path string // absolute and clean
	// missing means the directory did not exist and was not created: a
	// dry run of a push or sync plans as if it were empty.
	missing bool
	// created means this run created it (and any missing parents).
	created bool
}

// lister returns l, or for a root still to be created (by a dry run of a
// push or sync) a lister of an empty tree: listing a missing directory
// fails on some servers and proves nothing on others.
func (r remoteRoot) lister(l plan.Lister) plan.Lister {
	if r.missing {
		return emptyTree{}
	}
	return l
}

// emptyTree is the plan.Lister of a directory that does not exist yet.
type emptyTree struct{}

func (emptyTree) List(context.Context, string) ([]plan.Entry, error) { return nil, nil }

// rootCreation says when a run creates a missing remote root.
type rootCreation int

const (
	// createNever: a missing root is an error (pull).
	createNever rootCreation = iota
	// createAlways: the local tree is the truth (push).
	createAlways
	// createFirstRun: only when the state knows no file under the root
	// (sync). Once a sync has seen files there, a root that is gone would
	// read as "everything deleted on the server" and be carried to the
	// local side: it is an error instead.
	createFirstRun
)

// allowed reports whether a missing root may be created, given the state.
func (c rootCreation) allowed(base plan.Snapshot) bool {
	return c == createAlways || c == createFirstRun && len(base) == 0
}

// rootCheck says how to resolve and check the remote root.
type rootCheck struct {
	dir    string // RunOptions.RemoteDir: absolute, or relative to the login directory
	create bool   // a missing root is created (push, sync), not an error (pull)
	synced bool   // the state holds files from the root (told in the error)
	dryRun bool   // a missing root to create is only reported
}

// openRemoteRoot resolves the remote root against the login directory and checks
// that it is a directory. A missing one is created with its parents when
// rc.create is set (unless rc.dryRun), and is a *RootError otherwise; so is
// a root that is a file.
func openRemoteRoot(ctx context.Context, o RunOptions, pool *Pool, rc rootCheck) (remoteRoot, error) {
	var root remoteRoot
	err := retry(ctx, o.Retries, o.Logger, "check the remote directory", func() error {
		return pool.Do(ctx, func(c *Conn) error {
			var err error
			root, err = checkRoot(ctx, c, rc)
			return err
		})
	})
	if err != nil {
		return remoteRoot{}, err
	}
	if root.path != rc.dir {
		o.Logger.Info("remote directory resolved against the login directory", "url_path", rc.dir, "dir", root.path)
	}
	switch {
	case root.created:
		o.Logger.Info("created the remote directory", "dir", root.path)
	case root.missing:
		o.Logger.Info("the remote directory does not exist; a run creates it", "dir", root.path)
	}
	return root, nil
}

// checkRoot is openRemoteRoot on one connection.
func checkRoot(ctx context.Context, c *Conn, rc rootCheck) (remoteRoot, error) {
	abs, login := rc.dir, ""
	if !path.IsAbs(abs) {
		var err error
		if login, err = c.loginDir(ctx); err != nil {
			return remoteRoot{}, err
		}
		abs = path.Join(login, abs)
	}
	abs = path.Clean(abs)
	root := remoteRoot{path: abs}
	cwdErr := c.changeDir(ctx, abs)
	if cwdErr == nil {
		return root, nil
	}
	if !refused(cwdErr) {
		return remoteRoot{}, cwdErr
	}
	rootErr := &RootError{Path: abs, LoginDir: login, Err: ErrNoRemoteDir, Reply: cwdErr, Synced: rc.synced}
	kind, err := c.pathKind(ctx, abs)
	switch {
	case err != nil:
		return remoteRoot{}, err
	case kind == pathDir:
		// A directory that cannot be entered: its listing tells more.
		return root, nil
	case kind == pathFile:
		rootErr.Err = ErrRemoteNotDir
		return remoteRoot{}, rootErr
	}
	switch {
	case !rc.create:
		return remoteRoot{}, rootErr
	case rc.dryRun:
		root.missing = true
		return root, nil
	}
	if err := c.makeDirAll(ctx, abs, login); err != nil {
		return remoteRoot{}, err
	}
	root.created = true
	return root, nil
}

// refused reports whether err is the server's permanent refusal (5xx) of a
// command, as opposed to a lost connection or a busy server.
func refused(err error) bool {
	var tpe *textproto.Error
	return errors.As(err, &tpe) && tpe.Code >= 500
}

// makeDirAll creates abs and its missing parents: it finds the deepest
// directory that exists (stopping at known, the login directory, when not
// ""), then creates the rest downwards. A parent that cannot be entered is
// taken as missing, and its MKD's refusal tells why.
func (c *Conn) makeDirAll(ctx context.Context, abs, known string) error {
	var missing []string
	for dir := abs; dir != "/" && dir != known; dir = path.Dir(dir) {
		if dir != abs {
			err := c.changeDir(ctx, dir)
			if err == nil {
				break
			}
			if !refused(err) {
				return err
			}
		}
		missing = append(missing, dir)
	}
	for i := len(missing) - 1; i >= 0; i-- {
		if err := c.MakeDir(ctx, missing[i]); err != nil {
			if refused(err) {
				return fmt.Errorf("cannot create the remote directory %s: %w", missing[i], err)
			}
			return err
		}
	}
	return nil
}

// changeDir changes the working directory (CWD). Every path of a run is
// absolute, so the working directory matters to nothing else.
func (c *Conn) changeDir(ctx context.Context, dir string) error {
	return c.do(ctx, func() error { return c.sc.ChangeDir(dir) })
}

// pathKind is what a remote path is, as far as the server tells.
type pathKind int

const (
	pathNone pathKind = iota // not found, or the server does not say
	pathFile
	pathDir
)

// pathKind tells what abs, which CWD refused, is: MLST says where the
// server lists with MLSD, SIZE answers for a file elsewhere. A refusal
// means pathNone.
func (c *Conn) pathKind(ctx context.Context, abs string) (pathKind, error) {
	var entry *ftp.Entry
	err := c.do(ctx, func() error {
		if c.mlsd {
			var err error
			entry, err = c.sc.GetEntry(abs)
			return err
		}
		_, err := c.sc.FileSize(abs)
		return err
	})
	var tpe *textproto.Error
	switch {
	case err == nil && entry != nil && entry.Type == ftp.EntryTypeFolder:
		return pathDir, nil
	case err == nil:
		return pathFile, nil
	case refused(err):
		return pathNone, nil
	case errors.As(err, &tpe) || isNetworkError(err) || c.Broken():
		return pathNone, err
	}
	// A reply the library could not read (SIZE not a number, an odd MLST
	// line): nothing is known.
	return pathNone, nil
}

// loginDir asks the server for the working directory (PWD), which is the
// login directory as long as nothing has changed it, and checks that it is
// an absolute path.
func (c *Conn) loginDir(ctx context.Context) (string, error) {
	var quoted string
	err := c.do(ctx, func() error {
		var err error
		quoted, err = c.sc.CurrentDir()
		return err
	})
	var tpe *textproto.Error
	switch {
	case err == nil:
	case errors.As(err, &tpe) && tpe.Code >= 500:
		return "", fmt.Errorf("%w: PWD was refused: %w", ErrLoginDir, err)
	case errors.As(err, &tpe) || isNetworkError(err) || c.Broken():
		return "", err
	default: // a reply with no quoted path
		return "", fmt.Errorf("%w: the reply to PWD holds no quoted path (%w)", ErrLoginDir, err)
	}
	dir := unquotePWD(quoted)
	if !strings.HasPrefix(dir, "/") {
		return "", fmt.Errorf("%w: the reply to PWD names %q, not an absolute path", ErrLoginDir, dir)
	}
	return path.Clean(dir), nil
}

// unquotePWD reads the directory of a PWD reply as RFC 959 quotes it (a
// quote inside the name is doubled). The library hands over what lies
// between the first and the last quote of the reply, which for a reply such
// as `257 "/a ""b""" is the "current" directory` also holds text after the
// name: the name ends at the first quote that is not doubled.
func unquotePWD(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			if i+1 < len(s) && s[i+1] == '"' {
				b.WriteByte('"')
				i++
				continue
			}
			break
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
