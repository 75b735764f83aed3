package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ftpmirror/ftpmirror/mirror"
	"github.com/ftpmirror/ftpmirror/plan"
)

// humanBytes formats n in IEC units: "512 B", "1.2 KiB", "3.4 MiB".
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// plural returns "1 file" or "2 files".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// planLine renders one action of a plan as a person reads it, or "" when
// the action is shown only with -v and verbose is 0.
func planLine(a plan.Action, verbose int) string {
	line := planLineBody(a, verbose)
	if line != "" && a.Reason == plan.ReasonConflict {
		line += " (conflict)"
	}
	return line
}

// sideOf names the side an action changes: "local" or "remote".
func sideOf(op plan.Op) string {
	switch op {
	case plan.OpUpload, plan.OpMkdirRemote, plan.OpDeleteRemote, plan.OpRenameRemote:
		return "remote"
	}
	return "local"
}

// twoWay reports whether a plan changes both sides (a sync), so that each
// line must say which side it changes.
func twoWay(p plan.Plan) bool {
	sides := map[string]bool{}
	for _, a := range p.Actions {
		if a.Op != plan.OpAdopt && a.Op != plan.OpForget {
			sides[sideOf(a.Op)] = true
		}
	}
	return len(sides) == 2
}

func planLineBody(a plan.Action, verbose int) string {
	sym := string(a.Symbol())
	p := a.Path
	if a.Kind == plan.KindDir {
		p += "/"
	}
	switch a.Op {
	case plan.OpRenameLocal, plan.OpRenameRemote:
		if a.Reason == plan.ReasonMoved {
			return "R " + p + " -> " + a.To + " (moved)"
		}
		return "R " + p + " -> " + a.To + " (kept as a conflict copy)"
	case plan.OpAdopt:
		if verbose == 0 {
			return ""
		}
		return "= " + p
	case plan.OpForget:
		if verbose == 0 {
			return ""
		}
		return "- " + p + " (forgotten: gone on both sides)"
	case plan.OpMkdirLocal, plan.OpMkdirRemote:
		return sym + " " + strings.TrimSuffix(p, "/") + "/"
	case plan.OpSymlinkLocal:
		if a.Source != nil && a.Source.Target != "" {
			return sym + " " + p + " -> " + a.Source.Target
		}
		return sym + " " + p
	case plan.OpDownload, plan.OpUpload:
		return fmt.Sprintf("%s %s (%s)", sym, p, humanBytes(a.Size))
	}
	return sym + " " + p
}

// planSummaryText is the last line of a dry run.
func planSummaryText(s plan.Summary) string {
	var parts []string
	switch {
	case s.Downloads > 0 && s.Uploads > 0:
		parts = append(parts, fmt.Sprintf("%d to download and %d to upload (%s)", s.Downloads, s.Uploads, humanBytes(s.Bytes)))
	case s.Downloads > 0:
		parts = append(parts, fmt.Sprintf("%d to download (%s)", s.Downloads, humanBytes(s.Bytes)))
	case s.Uploads > 0:
		parts = append(parts, fmt.Sprintf("%d to upload (%s)", s.Uploads, humanBytes(s.Bytes)))
	}
	if s.Conflicts > 0 {
		parts = append(parts, plural(s.Conflicts, "conflict", "conflicts")+" resolved, no version lost")
	}
	if s.Deletes > 0 {
		parts = append(parts, fmt.Sprintf("%d to delete", s.Deletes))
	}
	if s.Mkdirs > 0 {
		parts = append(parts, plural(int(s.Mkdirs), "directory", "directories")+" to create")
	}
	if s.Symlinks > 0 {
		parts = append(parts, plural(int(s.Symlinks), "symlink", "symlinks")+" to create")
	}
	if s.LocalEdits > 0 {
		parts = append(parts, plural(int(s.LocalEdits), "local edit", "local edits")+" to be overwritten")
	}
	if s.RemoteEdits > 0 {
		parts = append(parts, plural(int(s.RemoteEdits), "remote edit", "remote edits")+" to be overwritten")
	}
	if s.Adopted > 0 {
		parts = append(parts, fmt.Sprintf("%d already identical", s.Adopted))
	}
	if len(parts) == 0 {
		return "nothing to do: already up to date"
	}
	return strings.Join(parts, ", ")
}

// renderPlanText prints a dry run's plan: one line per action, at most limit
// lines (0: all) followed by "... and N more", then the summary line.
func renderPlanText(w io.Writer, p plan.Plan, verbose, limit int) {
	shown, hidden := 0, 0
	sided := twoWay(p)
	for _, a := range p.Actions {
		line := planLine(a, verbose)
		if line == "" {
			continue
		}
		if sided {
			line = line[:2] + sideOf(a.Op) + ": " + line[2:]
		}
		if limit > 0 && shown >= limit {
			hidden++
			continue
		}
		fmt.Fprintln(w, line)
		shown++
	}
	if hidden > 0 {
		fmt.Fprintf(w, "... and %d more\n", hidden)
	}
	fmt.Fprintln(w, planSummaryText(p.Summary()))
}

// planWarnings tells what the plan could not see or had to leave alone.
func planWarnings(c *console, p plan.Plan) {
	for _, d := range p.Incomplete {
		c.Println("ftpmirror: warning: could not list %s/; nothing under it is deleted", d)
	}
	for _, b := range p.Blocked {
		c.Println("ftpmirror: warning: left %s alone: a local directory with other content is in the way", b)
	}
}

// jsonPlan is the document a dry run prints with --json.
type jsonPlan struct {
	Actions    []jsonAction `json:"actions"`
	Summary    plan.Summary `json:"summary"`
	Incomplete []string     `json:"incomplete,omitempty"`
	Blocked    []string     `json:"blocked,omitempty"`
}

func renderPlanJSON(w io.Writer, p plan.Plan) error {
	doc := jsonPlan{Actions: jsonActions(p.Actions), Summary: p.Summary(), Incomplete: p.Incomplete, Blocked: p.Blocked}
	return writeJSON(w, doc)
}

// jsonFailure is one failed action in the JSON report.
type jsonFailure struct {
	Path      string  `json:"path"`
	PathBytes []byte  `json:"path_bytes,omitempty"` // see jsonAction
	Op        plan.Op `json:"op"`
	Error     string  `json:"error"`
}

// jsonReport is the document a run prints with --json.
type jsonReport struct {
	Summary    plan.Summary  `json:"summary"`
	Failed     []jsonFailure `json:"failed"`
	Method     mirror.Method `json:"method"`
	Bytes      int64         `json:"bytes"`
	DurationMS int64         `json:"duration_ms"`
	Incomplete []string      `json:"incomplete,omitempty"`
	Blocked    []string      `json:"blocked,omitempty"`
	BWLimit    string        `json:"bwlimit,omitempty"`
	BackedUp   int           `json:"backed_up"`
	Clock      jsonClock     `json:"clock"`
	Checksum   string        `json:"checksum,omitempty"`
	Verified   int           `json:"verified"`
}

func renderReportJSON(w io.Writer, r *mirror.Report) error {
	doc := jsonReport{
		Summary:    r.Done,
		Failed:     []jsonFailure{},
		Method:     r.Method,
		Bytes:      r.Bytes,
		DurationMS: r.Duration.Milliseconds(),
		Incomplete: r.Plan.Incomplete,
		Blocked:    r.Plan.Blocked,
		BackedUp:   r.BackedUp,
		Clock:      clockJSON(r.Clock),
		Checksum:   string(r.Checksum),
		Verified:   r.Verified,
	}
	if r.Bandwidth != nil {
		doc.BWLimit = r.Bandwidth.String()
	}
	for _, f := range r.Failed {
		doc.Failed = append(doc.Failed, jsonFailure{Path: f.Path, PathBytes: pathBytes(f.Path), Op: f.Op, Error: f.Err.Error()})
	}
	return writeJSON(w, doc)
}

func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode JSON: %w", err)
	}
	b = append(b, '\n')
	_, err = w.Write(b) // one write, so that redaction sees the whole document
	return err
}

// reportText is the one-line summary of a pull:
// "pulled 12 files (3.4 MiB), deleted 2, 1 failed in 2.3s via EPSV".
func reportText(r *mirror.Report) string { return reportTextFor("pulled", r) }

// reportTextFor is the one-line summary of a run whose transfers are told
// with verb, "pulled" or "pushed".
func reportTextFor(verb string, r *mirror.Report) string {
	d := r.Done
	files := d.Downloads + d.Uploads
	var parts []string
	if files > 0 || len(r.Failed) == 0 && d.Deletes == 0 {
		parts = append(parts, fmt.Sprintf("%s %s (%s)", verb, plural(files, "file", "files"), humanBytes(r.Bytes)))
	}
	if d.Deletes > 0 {
		parts = append(parts, fmt.Sprintf("deleted %d", d.Deletes))
	}
	if r.BackedUp > 0 {
		parts = append(parts, fmt.Sprintf("backed up %d", r.BackedUp))
	}
	if len(r.Failed) > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", len(r.Failed)))
	}
	s := strings.Join(parts, ", ") + " in " + roundDuration(r.Duration).String()
	if r.Method != "" {
		s += " via " + string(r.Method)
	}
	if r.Verified > 0 {
		s += fmt.Sprintf(", %d verified by %s", r.Verified, r.Checksum)
	}
	if r.Bandwidth != nil {
		s += ", " + limitText(r.Bandwidth)
	}
	if files == 0 && d.Deletes == 0 && len(r.Failed) == 0 && d.Mkdirs == 0 && d.Symlinks == 0 {
		s += " (up to date)"
	}
	return s
}

// roundDuration keeps two or three significant digits: 2.3s, 45ms.
func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Second:
		return d.Round(time.Second)
	case d >= time.Second:
		return d.Round(100 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(time.Millisecond)
	case d >= time.Microsecond:
		return d.Round(time.Microsecond)
	}
	return d
}

// limitText tells a --bwlimit in the summary: "limit 2.0 MiB/s", or the
// timetable "limit 08:00,1M 19:00,off".
func limitText(s mirror.Schedule) string {
	if len(s) == 1 && s[0].At == 0 {
		return "limit " + humanBytes(int64(s[0].Rate)) + "/s"
	}
	return "limit " + s.String()
}
