package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is the release of this build.
const version = "0.1.0-dev"

// versionString returns the version with the VCS revision and Go version
// of the build, when known: "0.1.0-dev (rev 1a2b3c4d5e6f, modified, go1.26.0)".
func versionString() string {
	extra := ""
	if info, ok := debug.ReadBuildInfo(); ok {
		var rev, modified string
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		if rev != "" {
			extra = "rev " + rev[:min(len(rev), 12)]
			if modified == "true" {
				extra += ", modified"
			}
			extra += ", "
		}
	}
	return fmt.Sprintf("%s (%s%s)", version, extra, runtime.Version())
}

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the version",
		Example: "  ftpmirror version",
		Args:    argsExactly(0, "version takes no arguments"),
		RunE: a.runE(func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(a.stdout, "ftpmirror", versionString())
			return err
		}),
	}
}
