package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/ftpmirror/ftpmirror/mirror"
	"github.com/ftpmirror/ftpmirror/state"
)

// --metrics-file FILE writes the figures of each run in the Prometheus text
// format, for node_exporter's textfile collector:
//
//	ftpmirror_last_run_timestamp_seconds{mirror="site",direction="pull",method="EPSV"} 1.7e9
//	ftpmirror_last_success_timestamp_seconds{mirror="site",direction="pull"} 1.7e9
//	ftpmirror_last_run_success, _files, _bytes, _deleted, _failed, _duration_seconds
//
// One file may hold many mirrors (the jobs of a cron table): a run replaces
// its own series and keeps the others'. The last success of a run that
// failed is read back from the previous file, so it survives failures. The
// label is "mirror", not "job", because Prometheus sets "job" itself on
// every scraped series.

// metricsPrefix starts the name of every metric ftpmirror writes.
const metricsPrefix = "ftpmirror_"

// lastSuccessMetric is the one metric carried over from the previous file.
const lastSuccessMetric = metricsPrefix + "last_success_timestamp_seconds"

// runFigures is what a metrics file records of one run.
type runFigures struct {
	mirror    string // the job's name, or the local directory
	direction string // pull, push or sync
	method    string // the data channel method ("" when no data moved)
	end       time.Time
	success   bool // finished without an error or a failed item
	files     int
	bytes     int64
	deleted   int
	failed    int
	duration  time.Duration
}

// figuresOf summarises a run: r may be nil when the run stopped before it
// had a report.
func figuresOf(mirrorName, direction string, start, end time.Time, r *mirror.Report, err error) runFigures {
	fig := runFigures{mirror: mirrorName, direction: direction, end: end, duration: end.Sub(start), success: err == nil}
	if r != nil {
		fig.method = string(r.Method)
		fig.files = r.Done.Downloads + r.Done.Uploads
		fig.bytes = r.Bytes
		fig.deleted = r.Done.Deletes
		fig.failed = len(r.Failed)
		fig.success = fig.success && fig.failed == 0
	}
	return fig
}

// runMetric is one per-run figure, labelled mirror, direction and method.
type runMetric struct {
	name, help string
	value      func(runFigures) float64
}

func runMetrics() []runMetric {
	unix := func(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }
	b2f := func(b bool) float64 {
		if b {
			return 1
		}
		return 0
	}
	return []runMetric{
		{"last_run_timestamp_seconds", "When the last run of the mirror ended, as a Unix time.", func(f runFigures) float64 { return unix(f.end) }},
		{"last_run_success", "1 if the last run finished without an error or a failed item, else 0.", func(f runFigures) float64 { return b2f(f.success) }},
		{"last_run_files", "Files transferred by the last run.", func(f runFigures) float64 { return float64(f.files) }},
		{"last_run_bytes", "Payload bytes transferred by the last run.", func(f runFigures) float64 { return float64(f.bytes) }},
		{"last_run_deleted", "Files deleted by the last run.", func(f runFigures) float64 { return float64(f.deleted) }},
		{"last_run_failed", "Items that failed in the last run.", func(f runFigures) float64 { return float64(f.failed) }},
		{"last_run_duration_seconds", "How long the last run took.", func(f runFigures) float64 { return f.duration.Seconds() }},
	}
}

// writeMetrics records fig in the metrics file at path, atomically: the
// other mirrors' series are kept, this mirror's are replaced, and its last
// success is kept from the previous file when this run failed. A previous
// file that cannot be parsed is replaced; warn is told why.
func writeMetrics(path string, fig runFigures, warn func(string)) error {
	unlock, err := lockDir(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer unlock()
	old, err := readMetrics(path)
	if err != nil {
		warn(fmt.Sprintf("cannot read the previous metrics file, writing it afresh: %v", err))
		old = nil
	}

	reg := prometheus.NewRegistry()
	runLabels := []string{"mirror", "direction", "method"}
	vecs := map[string]*prometheus.GaugeVec{}
	for _, m := range runMetrics() {
		v := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: metricsPrefix + m.name, Help: m.help}, runLabels)
		reg.MustRegister(v)
		vecs[metricsPrefix+m.name] = v
		v.WithLabelValues(fig.mirror, fig.direction, fig.method).Set(m.value(fig))
	}
	success := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: lastSuccessMetric,
		Help: "When the last successful run of the mirror ended, as a Unix time."}, []string{"mirror", "direction"})
	reg.MustRegister(success)
	vecs[lastSuccessMetric] = success
	if fig.success {
		success.WithLabelValues(fig.mirror, fig.direction).Set(float64(fig.end.UnixNano()) / 1e9)
	}

	var foreign []*dto.MetricFamily
	for name, mf := range old {
		v, ours := vecs[name]
		if !ours {
			if !strings.HasPrefix(name, metricsPrefix) {
				foreign = append(foreign, mf) // written by someone else: kept as it is
			}
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := labelMap(m)
			same := labels["mirror"] == fig.mirror && labels["direction"] == fig.direction
			if labels["mirror"] == fig.mirror && !(same && name == lastSuccessMetric && !fig.success) {
				continue // this mirror's old figures are replaced
			}
			g, err := v.GetMetricWith(labels)
			if err != nil || m.GetGauge() == nil {
				continue // another version's labels: dropped
			}
			g.Set(m.GetGauge().GetValue())
		}
	}
	gather := prometheus.Gatherers{reg, prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) { return foreign, nil })}
	families, err := gather.Gather()
	if err != nil {
		return err
	}
	return writeFileAtomic(path, func(f *os.File) error {
		enc := expfmt.NewEncoder(f, expfmt.NewFormat(expfmt.TypeTextPlain))
		for _, mf := range families {
			if err := enc.Encode(mf); err != nil {
				return err
			}
		}
		return nil
	})
}

// readMetrics parses the metrics file at path; a missing file is empty.
func readMetrics(path string) (map[string]*dto.MetricFamily, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	return p.TextToMetricFamilies(f)
}

func labelMap(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, lp := range m.GetLabel() {
		out[lp.GetName()] = lp.GetValue()
	}
	return out
}

// writeFileAtomic writes a file through write under a temporary name beside
// path (not ending in .prom, so the textfile collector skips it), syncs it
// and renames it into place, readable by node_exporter.
func writeFileAtomic(path string, write func(*os.File) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := write(tmp); err != nil {
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// recordMetrics writes the run's figures to --metrics-file, if set. A dry
// run changes nothing and is not recorded, nor is a run refused because
// another holds the lock (that one records its own). A metrics file that
// cannot be written is a warning: the run itself is not undone.
func (a *app) recordMetrics(con *console, f *pullFlags, s *pullSetup, direction string, start time.Time, r *mirror.Report, err error) {
	var ee *exitError
	if f.metricsFile == "" || f.dryRun || errors.Is(err, state.ErrLocked) || errors.As(err, &ee) && ee.code == exitLocked {
		return
	}
	name := a.job
	if name == "" {
		name = s.localDir
	}
	warn := func(msg string) { con.Println("ftpmirror: warning: --metrics-file: %s", msg) }
	if werr := writeMetrics(f.metricsFile, figuresOf(name, direction, start, time.Now(), r, err), warn); werr != nil {
		warn(werr.Error())
	}
}
