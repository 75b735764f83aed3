package main

import (
	"path"
	"path/filepath"
	"strings"
)

// checkBackupDir checks --backup-dir for the command's direction: for a
// pull a local directory outside the mirror (made absolute), for a push an
// absolute directory on the server outside the mirrored one. Inside the
// mirror, the backups would be mirrored themselves, and deleted by the next
// --delete.
func (f *pullFlags) checkBackupDir(remoteDir, localDir string) error {
	if f.renames && f.direction == "sync" {
		return usageErr("--track-renames is for pull and push; a sync renames nothing yet", "")
	}
	if f.backupDir == "" {
		return nil
	}
	switch f.direction {
	case "pull":
		abs, err := filepath.Abs(f.backupDir)
		if err != nil {
			return usageErr("bad --backup-dir: "+err.Error(), "")
		}
		if rel, err := filepath.Rel(localDir, abs); err == nil && (rel == "." || filepath.IsLocal(rel)) {
			return usageErr("--backup-dir "+f.backupDir+" is inside the mirror", "give a directory beside it on the same filesystem, e.g. "+filepath.Join(filepath.Dir(localDir), filepath.Base(localDir)+".old"))
		}
		f.backupDir = abs
	case "push":
		example := "/backup/site"
		if path.IsAbs(remoteDir) {
			example = path.Clean(remoteDir + ".old")
		}
		if !strings.HasPrefix(f.backupDir, "/") {
			return usageErr("--backup-dir for a push is a directory on the server and must be absolute", "e.g. --backup-dir "+example)
		}
		// A remote directory relative to the login directory is checked by
		// the run, once it knows the login directory.
		dir := path.Clean(f.backupDir)
		if path.IsAbs(remoteDir) && (dir == remoteDir || remoteDir == "/" || strings.HasPrefix(dir, remoteDir+"/")) {
			return usageErr("--backup-dir "+f.backupDir+" is inside the mirrored directory on the server", "give a directory beside it, e.g. "+example)
		}
	default:
		return usageErr("--backup-dir is for pull and push, not "+f.direction, "")
	}
	return nil
}
