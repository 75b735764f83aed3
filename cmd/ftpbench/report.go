package main

import (
	"cmp"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// row is one tool in one scenario, over all its repetitions.
type row struct {
	scenario  scenario
	tool      string
	runs      int
	median    time.Duration
	rssKB     int64 // the largest peak over the runs
	identical bool  // every run exited 0 and left a byte-identical tree
	notes     []string
	last      result // for the proxy's counters
}

// aggregate folds results into rows, in scenario then tool order.
func aggregate(results []result, tools []*tool) []row {
	var rows []row
	index := map[[2]string]int{}
	for _, r := range results {
		key := [2]string{r.scenario.id, r.tool}
		i, ok := index[key]
		if !ok {
			i = len(rows)
			index[key] = i
			rows = append(rows, row{scenario: r.scenario, tool: r.tool, identical: true})
		}
		rows[i].runs++
		rows[i].last = r
		rows[i].rssKB = max(rows[i].rssKB, r.rssKB)
		ok = r.err == "" && r.verifyErr == "" && r.verdict.identical()
		rows[i].identical = rows[i].identical && ok
		for _, n := range []string{r.err, r.verifyErr, r.verdict.notes()} {
			if n != "" && !slices.Contains(rows[i].notes, n) {
				rows[i].notes = append(rows[i].notes, n)
			}
		}
	}
	for i := range rows {
		var walls []time.Duration
		for _, r := range results {
			if r.scenario.id == rows[i].scenario.id && r.tool == rows[i].tool {
				walls = append(walls, r.wall)
			}
		}
		rows[i].median = median(walls)
	}
	return rows
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// timeOf returns the median time of tool in scenario, if it ran cleanly.
func timeOf(rows []row, scenarioID, tool string) (time.Duration, bool) {
	for _, r := range rows {
		if r.scenario.id == scenarioID && r.tool == tool && r.last.err == "" {
			return r.median, true
		}
	}
	return 0, false
}

func ratio(rows []row, r row, vs string) string {
	base, ok := timeOf(rows, r.scenario.id, vs)
	if !ok || base <= 0 || r.last.err != "" {
		return "-"
	}
	return fmt.Sprintf("%.2fx", r.median.Seconds()/base.Seconds())
}

// verdictOnTarget says whether ftpmirror's row meets its scenario's goal.
func verdictOnTarget(rows []row, r row) string {
	t := r.scenario.target
	if r.tool != toolFtpmirror || t.text == "" {
		return ""
	}
	met := r.identical
	if t.maxRatio > 0 {
		base, ok := timeOf(rows, r.scenario.id, t.vs)
		if !ok {
			return t.text + ": no " + t.vs + " to compare"
		}
		met = met && r.median.Seconds() <= t.maxRatio*base.Seconds()
	}
	if t.maxRSSMB > 0 {
		met = met && float64(r.rssKB)/1024 < t.maxRSSMB
	}
	if t.maxWall > 0 {
		met = met && r.median <= t.maxWall
	}
	if met {
		return t.text + ": met"
	}
	return t.text + ": NOT met"
}

// writeReport prints the configuration, the results table, the notes and
// the proxy's command counts.
func writeReport(w io.Writer, cfg config, tools []*tool, results []result) {
	rows := aggregate(results, tools)
	fmt.Fprintf(w, "ftpbench: server %s, %d connections per tool, %d rep(s), median time shown; %s/%s, %d CPUs\n",
		cfg.server, cfg.parallel, cfg.reps, runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	for _, t := range tools {
		fmt.Fprintf(w, "  %-9s %s (%s)\n", t.name, t.version, t.bin)
	}
	fmt.Fprintln(w)
	var seen []string
	for _, r := range rows {
		if !slices.Contains(seen, r.scenario.id) {
			seen = append(seen, r.scenario.id)
			fmt.Fprintf(w, "  (%s) %s\n", r.scenario.id, r.scenario.title)
		}
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight|tabwriter.Debug)
	fmt.Fprintln(tw, "scenario\ttool\tseconds\tvs rclone\tvs lftp\tpeak RSS MB\tidentical\ttarget for ftpmirror\t")
	for _, r := range rows {
		ident := "yes"
		if !r.identical {
			ident = "NO"
		}
		secs := fmt.Sprintf("%.2f", r.median.Seconds())
		if r.last.err != "" {
			secs = "failed"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.1f\t%s\t%s\t\n", r.scenario.id, r.tool, secs,
			ratio(rows, r, toolRclone), ratio(rows, r, toolLftp), float64(r.rssKB)/1024, ident, verdictOnTarget(rows, r))
	}
	tw.Flush()

	var notes []string
	for _, r := range rows {
		for _, n := range r.notes {
			notes = append(notes, fmt.Sprintf("  (%s) %s: %s", r.scenario.id, r.tool, oneLine(n)))
		}
	}
	if len(notes) > 0 {
		fmt.Fprintln(w, "\nnotes (identical = every file present with the same bytes, nothing extra):")
		fmt.Fprintln(w, strings.Join(notes, "\n"))
	}
	writeCommandCounts(w, rows)
}

// writeCommandCounts prints, for scenarios run through the proxy, the
// connections and FTP commands each tool used (last repetition): where the
// round trips go.
func writeCommandCounts(w io.Writer, rows []row) {
	var proxied []row
	for _, r := range rows {
		if r.last.proxied {
			proxied = append(proxied, r)
		}
	}
	if len(proxied) == 0 {
		return
	}
	fmt.Fprintln(w, "\nround trips, counted by the proxy (last run): control and data connections, FTP commands")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "scenario\ttool\tctrl conns\tdata conns\tcommands\tper file\tcommands by verb")
	for _, r := range proxied {
		total := 0
		type vc struct {
			verb string
			n    int
		}
		var verbs []vc
		for v, n := range r.last.verbs {
			total += n
			verbs = append(verbs, vc{v, n})
		}
		slices.SortFunc(verbs, func(a, b vc) int { return cmp.Or(b.n-a.n, strings.Compare(a.verb, b.verb)) })
		parts := make([]string, 0, len(verbs))
		for _, v := range verbs {
			parts = append(parts, fmt.Sprintf("%s %d", v.verb, v.n))
		}
		perFile := "-"
		if f := r.last.verdict.files; f > 0 {
			perFile = fmt.Sprintf("%.2f", float64(total)/float64(f))
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\t%s\n", r.scenario.id, r.tool, r.last.controlConns, r.last.dataConns,
			total, perFile, strings.Join(parts, ", "))
	}
	tw.Flush()
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}
