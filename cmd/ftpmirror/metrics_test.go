package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

// readMetricsFile parses a metrics file as node_exporter would.
func readMetricsFile(t *testing.T, path string) map[string]*dto.MetricFamily {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(f)
	if err != nil {
		t.Fatalf("the metrics file does not parse: %v", err)
	}
	return mfs
}

// gauge returns the value of the series of family name whose mirror label
// is mirrorName, and its labels; ok is false when there is none.
func gauge(mfs map[string]*dto.MetricFamily, name, mirrorName string) (v float64, labels map[string]string, ok bool) {
	for _, m := range mfs[name].GetMetric() {
		if l := labelMap(m); l["mirror"] == mirrorName {
			return m.GetGauge().GetValue(), l, true
		}
	}
	return 0, nil, false
}

func TestMetricsFileKeepsLastSuccessThroughAFailedRunAndOtherMirrors(t *testing.T) {
	f := newFixture(t, sampleTree, ftptest.Options{})
	dir := t.TempDir()
	metrics := filepath.Join(dir, "ftpmirror.prom")
	f.siteJob(t, `metrics_file = "`+metrics+`"`)
	if r := runCLI(t, "run", "site"); r.code != exitOK {
		t.Fatalf("run site: %v", r)
	}
	mfs := readMetricsFile(t, metrics)
	success, _, ok := gauge(mfs, "ftpmirror_last_success_timestamp_seconds", "site")
	lastRun, labels, _ := gauge(mfs, "ftpmirror_last_run_timestamp_seconds", "site")
	if !ok || success != lastRun || success == 0 {
		t.Fatalf("after a good run, last success %v should be the last run %v:\n%s", success, lastRun, mustRead(t, metrics))
	}
	if labels["direction"] != "pull" || labels["method"] == "" {
		t.Errorf("labels: %v", labels)
	}
	for name, want := range map[string]float64{"ftpmirror_last_run_files": 6, "ftpmirror_last_run_success": 1, "ftpmirror_last_run_failed": 0, "ftpmirror_last_run_deleted": 0} {
		if v, _, _ := gauge(mfs, name, "site"); v != want {
			t.Errorf("%s = %v, want %v", name, v, want)
		}
	}
	if v, _, _ := gauge(mfs, "ftpmirror_last_run_bytes", "site"); v < float64(len(sampleTree["docs/guide.txt"])) {
		t.Errorf("bytes = %v", v)
	}

	// Another mirror writes into the same file, from a command line.
	other := filepath.Join(t.TempDir(), "other")
	t.Setenv("FTPMIRROR_PASSWORD", f.srv.Password)
	if r := runCLI(t, "pull", "--metrics-file", metrics, "--state", filepath.Join(t.TempDir(), "s.db"), f.url, other); r.code != exitOK {
		t.Fatalf("pull: %v", r)
	}

	// The server goes away: the job fails, its last success stays.
	_ = f.srv.Close()
	if r := runCLI(t, "run", "site"); r.code != exitConnect {
		t.Fatalf("run site against a stopped server: %v", r)
	}
	mfs = readMetricsFile(t, metrics)
	if v, _, _ := gauge(mfs, "ftpmirror_last_success_timestamp_seconds", "site"); v != success {
		t.Errorf("last success after a failed run = %v, want the earlier %v", v, success)
	}
	if v, _, _ := gauge(mfs, "ftpmirror_last_run_success", "site"); v != 0 {
		t.Errorf("last_run_success after a failed run = %v", v)
	}
	if v, _, _ := gauge(mfs, "ftpmirror_last_run_timestamp_seconds", "site"); v < lastRun {
		t.Errorf("last run went back: %v < %v", v, lastRun)
	}
	if _, _, ok := gauge(mfs, "ftpmirror_last_success_timestamp_seconds", other); !ok {
		t.Errorf("the other mirror's figures were lost:\n%s", mustRead(t, metrics))
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("files beside the metrics file: %v", entries)
	}
}

func TestMetricsFileNotWrittenByADryRun(t *testing.T) {
	f := newFixture(t, sampleTree, ftptest.Options{})
	metrics := filepath.Join(t.TempDir(), "m.prom")
	if r := f.pull(t, "-n", "--metrics-file", metrics); r.code != exitOK {
		t.Fatalf("dry run: %v", r)
	}
	if _, err := os.Stat(metrics); !os.IsNotExist(err) {
		t.Errorf("a dry run wrote the metrics file: %v", err)
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}
