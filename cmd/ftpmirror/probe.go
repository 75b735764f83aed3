package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ftpmirror/ftpmirror/mirror"
)

const probeExample = `  # which data channel methods work with this server, from here?
  ftpmirror probe ftp://ftp.example.org/

  # the same as JSON, with a longer wait for each data connection
  ftpmirror probe --json --data-timeout 30s ftp://alice@files.example.com/

  # check active mode behind NAT
  ftpmirror probe --mode active --active-addr 203.0.113.7 --active-ports 50000-50100 ftp://host/`

func (a *app) probeCommand() *cobra.Command {
	var conn connFlags
	var out outputFlags
	cmd := &cobra.Command{
		Use:   "probe [flags] ftp://[user@]host[:port]/",
		Short: "Test which data channel methods (EPSV, PASV, EPRT, PORT) work",
		Long: `Probe logs in and tries to open a data connection with each method of --mode
(auto: EPSV, PASV, EPRT, PORT), then prints what worked, how long it took and,
when something failed, a diagnosis in plain language. Last it tells how the
server reports times (UTC, or local time so many hours ahead of it), learnt by
creating an empty file in the URL's directory and removing it at once.

It exits 0 when a method that --mode allows works, and 3 when none does.`,
		Example: probeExample,
		Args:    argsExactly(1, "probe needs a remote URL"),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			return a.runProbe(cmd.Context(), &conn, &out, args[0])
		}),
	}
	fs := cmd.Flags()
	fs.SortFlags = false
	conn.register(fs)
	out.register(fs, false)
	return cmd
}

// jsonProbe is the document probe prints with --json.
type jsonProbe struct {
	Results   []jsonProbeResult `json:"results"`
	Chosen    mirror.Method     `json:"chosen"`
	Diagnosis string            `json:"diagnosis"`
	// Clock says how the server reports times (clockLine).
	Clock string `json:"clock,omitempty"`
}

type jsonProbeResult struct {
	Method     mirror.Method `json:"method"`
	OK         bool          `json:"ok"`
	Error      string        `json:"error,omitempty"`
	DurationMS int64         `json:"duration_ms"`
	Detail     string        `json:"detail,omitempty"`
}

func (a *app) runProbe(ctx context.Context, cf *connFlags, out *outputFlags, rawURL string) error {
	if err := out.validate(); err != nil {
		return err
	}
	c, err := cf.build(a, rawURL)
	if err != nil {
		return err
	}
	con := newConsole(a, out)
	logger, closeLog, err := out.logger(con)
	if err != nil {
		return err
	}
	defer closeLog()
	if c.creds.Source == "URL" {
		con.Println("ftpmirror: warning: password in URL is visible to other users; use FTPMIRROR_PASSWORD or --password-file")
	}
	opts := c.options
	opts.Logger = logger
	rep, err := mirror.Probe(ctx, c.server, opts)
	if err != nil {
		return err
	}
	clock := ""
	if rep.Chosen != "" {
		opts.Preferred = rep.Chosen
		cp, err := mirror.ProbeClock(ctx, c.server, opts, c.remote.Path)
		if err != nil {
			return err
		}
		clock = clockLine(cp, c.zone)
	}
	if out.json {
		doc := jsonProbe{Results: []jsonProbeResult{}, Chosen: rep.Chosen, Diagnosis: rep.Diagnosis, Clock: clock}
		for _, r := range rep.Results {
			doc.Results = append(doc.Results, jsonProbeResult{Method: r.Method, OK: r.OK, Error: r.Err,
				DurationMS: r.Duration.Milliseconds(), Detail: r.Detail})
		}
		if err := writeJSON(a.stdout, doc); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(a.stdout, "probing %s\n\n", c.display)
		tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "METHOD\tRESULT\tTIME\tDETAIL")
		for _, r := range rep.Results {
			result, detail := "ok", r.Detail
			if !r.OK {
				result = "failed"
				if detail == "" {
					detail = r.Err
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Method, result, roundDuration(r.Duration), detail)
		}
		_ = tw.Flush()
		fmt.Fprintln(a.stdout)
		if rep.Diagnosis != "" {
			fmt.Fprintln(a.stdout, rep.Diagnosis)
		}
		if clock != "" {
			fmt.Fprintln(a.stdout, clock)
		}
	}
	if rep.Chosen == "" {
		// No method works, or none that --mode allows.
		return &exitError{code: exitConnect, msg: "no data channel method of --mode " + string(c.options.Mode) + " works with " + c.server.String(),
			hint: "see the diagnosis above; try another --mode, or --active-addr and --active-ports"}
	}
	return nil
}
