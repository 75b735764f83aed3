package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/ftpmirror/ftpmirror/mirror"
)

const pushExample = `  # publish a local site to the server; the password comes from the environment
  FTPMIRROR_PASSWORD=s3cret ftpmirror push ./site ftp://alice@files.example.com/site

  # show what would change on the server, without changing anything
  ftpmirror push -n --delete ./site ftp://alice@files.example.com/site

  # also delete remote files that are gone locally
  ftpmirror push --delete ./site ftp://alice@files.example.com/site

  # a server that refuses renames: upload straight to the final names
  ftpmirror push --inplace ./out ftp://bob@host/incoming`

// pushFlags are the flags of the push command: those of pull, which mean
// the same with the sides swapped, and the upload settings.
type pushFlags struct {
	pullFlags
	inPlace bool
}

func (a *app) pushCommand() *cobra.Command {
	var f pushFlags
	f.direction = "push"
	cmd := &cobra.Command{
		Use:   "push [flags] LOCAL_DIR ftp://[user@]host[:port]/remote/path",
		Short: "Mirror a local directory onto a remote directory",
		Long: `Push mirrors LOCAL_DIR onto the remote directory: it uploads new and changed
files, creates remote directories, and with --delete removes remote files that
are gone locally. Remote files edited on the server since the last run are
overwritten (shown with '>' in a dry run). Symlinks are not uploaded: FTP
cannot create them.

Each file is uploaded to a temporary name beside its target and renamed into
place, so that nobody downloading sees half a file (--inplace for servers that
refuse renames), and gets the local modification time where the server allows
it (MFMT, or MDTM with two arguments). An interrupted upload is resumed by the
next run when the local file has not changed.

What was synced is kept in a state file, as for pull: a push with nothing
changed lists the server and uploads nothing.

` + urlPathHelp,
		Example: pushExample,
		Args:    argsExactly(2, "push needs a local directory and a remote URL"),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			return a.runPush(cmd.Context(), &f, args[0], args[1])
		}),
	}
	fs := cmd.Flags()
	fs.SortFlags = false
	f.register(fs)
	fs.Lookup("delete").Usage = "delete remote files that are gone locally"
	fs.BoolVar(&f.inPlace, "inplace", false, "upload straight to the final names, for servers that refuse renames")
	f.out.register(fs, true)
	return cmd
}

func (a *app) runPush(ctx context.Context, f *pushFlags, localDir, rawURL string) error {
	s, err := f.validate(a, rawURL, localDir)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(s.localDir); err != nil || !fi.IsDir() {
		return usageErr(fmt.Sprintf("%s is not a directory", localDir), "give the existing directory to upload from")
	}
	return a.runMirror(ctx, "push", &f.pullFlags, s, func(ctx context.Context, o mirror.RunOptions) (*mirror.Report, error) {
		return mirror.Push(ctx, mirror.PushOptions{RunOptions: o, InPlace: f.inPlace})
	})
}
