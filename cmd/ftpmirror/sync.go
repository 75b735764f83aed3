package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/ftpmirror/ftpmirror/mirror"
	"github.com/ftpmirror/ftpmirror/plan"
)

const syncExample = `  # keep a local folder and a server folder in step, both ways
  FTPMIRROR_PASSWORD=s3cret ftpmirror sync ./notes ftp://alice@files.example.com/notes

  # see what would travel each way, and every conflict, without changing anything
  ftpmirror sync -n ./notes ftp://alice@files.example.com/notes

  # on a file changed on both sides, keep the newer version (a tie keeps both)
  ftpmirror sync --conflict newer ./notes ftp://alice@files.example.com/notes`

// syncFlags are the flags of the sync command: those of pull and push, and
// the conflict policy.
type syncFlags struct {
	pushFlags
	conflict string
}

func (a *app) syncCommand() *cobra.Command {
	var f syncFlags
	f.direction = "sync"
	cmd := &cobra.Command{
		Use:   "sync [flags] LOCAL_DIR ftp://[user@]host[:port]/remote/path",
		Short: "Sync a local and a remote directory both ways",
		Long: `Sync carries changes both ways between LOCAL_DIR and the remote directory,
with the state file as the common base: a file added, changed or deleted on
either side since the last sync is added, changed or deleted on the other.
The first sync of two trees is their union and deletes nothing. A file
changed on one side and deleted on the other is kept: the change wins.

A file changed on both sides is a conflict, and no version is lost. With
--conflict keep-both (the default) the newer version keeps the name on both
sides and the other is kept beside it as NAME.conflict-<side>-<time>.EXT, on
both sides too; local or remote make that side win, newer the newer version.

Deletions are guarded on each side as for pull (--max-delete, --force).
Symlinks are created from the remote side only: FTP cannot create them.

` + urlPathHelp,
		Example: syncExample,
		Args:    argsExactly(2, "sync needs a local directory and a remote URL"),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			return a.runSync(cmd.Context(), &f, args[0], args[1])
		}),
	}
	fs := cmd.Flags()
	fs.SortFlags = false
	f.register(fs)
	_ = fs.MarkHidden("delete") // a sync always carries deletions, under the guard
	fs.BoolVar(&f.inPlace, "inplace", false, "upload straight to the final names, for servers that refuse renames")
	fs.StringVar(&f.conflict, "conflict", string(plan.ConflictKeepBoth), "on a file changed on both sides: keep-both, newer, local or remote")
	f.out.register(fs, true)
	return cmd
}

func (a *app) runSync(ctx context.Context, f *syncFlags, localDir, rawURL string) error {
	policy, err := plan.ParseConflictPolicy(f.conflict)
	if err != nil {
		return usageErr(err.Error(), "use --conflict keep-both, newer, local or remote")
	}
	s, err := f.validate(a, rawURL, localDir)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(s.localDir); err != nil || !fi.IsDir() {
		return usageErr(fmt.Sprintf("%s is not a directory", localDir), "create it first: an empty directory syncs as a pull")
	}
	return a.runMirror(ctx, "sync", &f.pullFlags, s, func(ctx context.Context, o mirror.RunOptions) (*mirror.Report, error) {
		return mirror.Sync(ctx, mirror.SyncOptions{RunOptions: o, InPlace: f.inPlace, Conflict: policy})
	})
}
