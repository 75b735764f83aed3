package main

import "github.com/spf13/pflag"

// registerCopyLinks adds --copy-links (-L) to pull: mirror what remote
// symlinks point to instead of the links, as lftp's --dereference and
// rsync's -L do. Push has no use for it (FTP cannot make a link, and local
// links are skipped), nor sync (a link's target would be written back
// through the link).
func registerCopyLinks(fs *pflag.FlagSet, f *pullFlags) {
	fs.BoolVarP(&f.copyLinks, "copy-links", "L", false,
		"download what remote symlinks point to (a file's bytes, a directory's contents) instead of making links; loops are skipped")
}
