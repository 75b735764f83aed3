package main

import (
	"errors"
	"io/fs"
	"os"

	"github.com/ftpmirror/ftpmirror/mirror"
	"github.com/ftpmirror/ftpmirror/state"
)

// rootHint is the way out of a remote root that cannot be mirrored.
func rootHint(e *mirror.RootError) string {
	switch {
	case errors.Is(e.Err, mirror.ErrRemoteNotDir):
		return "ftpmirror mirrors directories: give the directory that holds the file, and --include with its name"
	case e.Synced:
		return "the state holds files synced from there: if it was removed on purpose, forget that state " +
			"('ftpmirror state list' shows it, 'ftpmirror state forget FILE' deletes it) and sync again, which creates it"
	case e.LoginDir != "" && e.LoginDir != "/":
		return "a URL path is relative to the login directory (" + e.LoginDir +
			"); write %2F first for an absolute path, e.g. ftp://host/%2Fsrv/site for /srv/site"
	}
	return "check the path in the URL; push and sync create a missing directory"
}

// newStateGuard remembers whether a run's state file exists before the run
// opens (and so creates) it, so that a run that stops at a missing remote
// root leaves no state behind: a mistyped URL must not leave a state file
// that "state list" shows as a mirror.
type newStateGuard struct {
	path    string
	existed bool
}

func guardNewState(path string) newStateGuard {
	_, err := os.Stat(path)
	return newStateGuard{path: path, existed: !errors.Is(err, fs.ErrNotExist)}
}

// discard removes the state file this run created, when runErr says that
// the remote root could not be mirrored. It runs before store is closed, so
// that the file goes while this run holds its lock.
func (g newStateGuard) discard(store *state.Store, runErr error) {
	var root *mirror.RootError
	if g.existed || store == nil || !errors.As(runErr, &root) {
		return
	}
	_ = os.Remove(g.path)
}

// rootNotes tells what a run found or did about the remote root: in a dry
// run, that a push or sync would create it; in a real run, that it did.
func rootNotes(con *console, direction string, r *mirror.Report, quiet bool) {
	switch {
	case r == nil:
	case r.RemoteDirMissing:
		con.Println("ftpmirror: warning: the remote directory %s does not exist; %s creates it", r.RemoteDir, direction)
	case r.RemoteDirCreated && !quiet:
		con.Println("created the remote directory %s", r.RemoteDir)
	}
}
