package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/ftpmirror/ftpmirror/mirror"
)

// Every run ends. An idle timeout ends a server that stops; --min-rate ends
// a listing or transfer that trickles (a byte every 30 seconds would reset
// the idle timeout for ever); --max-duration ends the run itself, so that a
// cron job never holds the state lock past its slot.

// exitMaxDuration is the exit code of a run stopped by --max-duration.
const exitMaxDuration = 6

// errMaxDuration is the cause of a run's context ending at --max-duration.
var errMaxDuration = errors.New("--max-duration reached")

// limitFlags bound a run and its data connections.
type limitFlags struct {
	minRate     string
	maxDuration time.Duration
}

func (f *limitFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.minRate, "min-rate", mirror.DefaultMinRate.String(),
		"end a listing or transfer that moves less than `BYTES/WINDOW` (e.g. 10K/30s), or off")
	fs.DurationVar(&f.maxDuration, "max-duration", 0,
		"stop after `D` (e.g. 6h): no new transfers, the ones under way abandoned, what is done kept; exit 6")
}

// validate returns the --min-rate bound.
func (f *limitFlags) validate() (mirror.MinRate, error) {
	if f.maxDuration < 0 {
		return mirror.MinRate{}, usageErr("--max-duration must not be negative", "e.g. --max-duration 6h")
	}
	m, err := mirror.ParseMinRate(f.minRate)
	if err != nil {
		return mirror.MinRate{}, usageErr("invalid --min-rate: "+err.Error(), "e.g. --min-rate 10K/30s, or --min-rate off")
	}
	return m, nil
}

// bound returns the context a run works under: ended at --max-duration
// from now, with errMaxDuration as its cause.
func (f *limitFlags) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if f.maxDuration <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeoutCause(ctx, f.maxDuration, errMaxDuration)
}

// outcome tells a run that --max-duration stopped from one that failed:
// the run's state is committed by then (every finished transfer recorded,
// the ones abandoned left under temporary names), so it is an exit of its
// own, with what was done.
func (f *limitFlags) outcome(ctx context.Context, r *mirror.Report, err error) error {
	if context.Cause(ctx) != errMaxDuration || err == nil && (r == nil || len(r.Failed) == 0) {
		return err
	}
	done := "nothing was transferred"
	if r != nil && r.Done.Downloads+r.Done.Uploads > 0 {
		done = fmt.Sprintf("%d downloaded, %d uploaded", r.Done.Downloads, r.Done.Uploads)
	}
	return &exitError{code: exitMaxDuration,
		msg:  fmt.Sprintf("stopped by --max-duration %s: %s; the rest is left for the next run", f.maxDuration, done),
		hint: "run the same command again to go on: what is done is kept and recorded"}
}

// dryRunOutcome fails a dry run whose listing failed somewhere, as the
// real run would: the plan shown leaves out what could not be listed.
func dryRunOutcome(con *console, r *mirror.Report) error {
	for _, fe := range r.Failed {
		con.Println("ftpmirror: error: %s %s: %v", fe.Op, fe.Path, fe.Err)
	}
	if n := len(r.Failed); n > 0 {
		return &exitError{code: exitFailed,
			msg:  fmt.Sprintf("%s failed before planning: the plan above is incomplete", plural(n, "item", "items")),
			hint: "a real run would fail the same way; run again when the server lists them"}
	}
	return nil
}
