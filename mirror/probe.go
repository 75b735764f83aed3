package mirror

import (
	"context"
	"errors"
	"strings"
	"time"
)

// ProbeResult is how one data channel method fared.
type ProbeResult struct {
	Method   Method        `json:"method"`
	OK       bool          `json:"ok"`
	Err      string        `json:"error,omitempty"`
	Duration time.Duration `json:"duration_ns"`
	// Detail says what happened in plain language.
	Detail string `json:"detail"`
}

// ProbeReport is the outcome of Probe.
type ProbeReport struct {
	Server  string        `json:"server"`
	Results []ProbeResult `json:"results"`
	// Chosen is the method a run would use, "" when none works.
	Chosen    Method `json:"chosen,omitempty"`
	Diagnosis string `json:"diagnosis"`
}

// Probe logs in and lists the root directory once with each data channel
// method (EPSV, PASV, EPRT, PORT), then says which one a run would use and
// why the others fail. A refused login or an unreachable server is returned
// as an error; data channel failures are part of the report.
func Probe(ctx context.Context, srv Server, o Options) (*ProbeReport, error) {
	o = o.withDefaults()
	rep := &ProbeReport{Server: srv.String()}
	var failures []Attempt
	for _, m := range ModeAuto.Methods() {
		d := NewDialer(srv, o)
		d.book = newMethodBook(DataMode(""), "", 1)
		d.book.order = []Method{m}
		start := time.Now()
		err := probeOne(ctx, d)
		res := ProbeResult{Method: m, OK: err == nil, Duration: time.Since(start)}
		switch {
		case errors.Is(err, ErrLogin), errors.Is(err, ErrConnect), ctx.Err() != nil:
			return nil, err
		case err == nil:
			res.Detail = explain(Attempt{Method: m, Stage: StageOK})
			if notes := attemptNotes(d.Attempts()); notes != "" {
				res.Detail += " (" + notes + ")"
			}
			if rep.Chosen == "" && inMode(o.Mode, m) {
				rep.Chosen = m
			}
		default:
			res.Err = err.Error()
			if f := d.book.failures(); len(f) > 0 {
				res.Detail = explain(f[0])
				failures = append(failures, f[0])
			} else {
				res.Detail = err.Error()
			}
		}
		rep.Results = append(rep.Results, res)
	}
	rep.Diagnosis = diagnose(rep, failures, o.Mode)
	return rep, nil
}

func probeOne(ctx context.Context, d *Dialer) error {
	c, err := d.Dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.List(ctx, "/")
	return err
}

func inMode(mode DataMode, m Method) bool {
	for _, x := range mode.Methods() {
		if x == m {
			return true
		}
	}
	return false
}

func attemptNotes(as []Attempt) string {
	for _, a := range as {
		if a.Note != "" {
			return a.Note
		}
	}
	return ""
}

// diagnose says in plain language what the probe found.
func diagnose(rep *ProbeReport, failures []Attempt, mode DataMode) string {
	var passiveOK, activeOK bool
	for _, r := range rep.Results {
		if r.OK && r.Method.Passive() {
			passiveOK = true
		} else if r.OK {
			activeOK = true
		}
	}
	var parts []string
	switch {
	case passiveOK:
		parts = append(parts, "passive mode works")
		if !activeOK {
			parts = append(parts, "active mode does not, which is common and harmless")
		}
	case activeOK:
		if len(failures) > 0 {
			parts = append(parts, explain(failures[0]))
		}
		parts = append(parts, "active mode works")
	default:
		return (&DataChannelError{Server: rep.Server, Attempts: failures}).Error()
	}
	if rep.Chosen != "" {
		parts = append(parts, "ftpmirror will use "+string(rep.Chosen))
	} else {
		parts = append(parts, "but --mode "+string(mode)+" rules out every method that works: use --mode auto")
	}
	return strings.Join(parts, "; ")
}
