package mirror

import (
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

func TestParseRate(t *testing.T) {
	for in, want := range map[string]Rate{
		"2M": 2 << 20, "500k": 500 << 10, "1.5MiB": 3 << 19, "64KB": 64 << 10, "1G": 1 << 30,
		"1000": 1000, "off": 0, "OFF": 0, "0": 0,
	} {
		got, err := ParseRate(in)
		if err != nil || got != want {
			t.Errorf("ParseRate(%q) = %v, %v; want %v", in, got, err, want)
		}
		if back, err := ParseRate(got.String()); err != nil || back != got {
			t.Errorf("%q: String %q does not read back: %v, %v", in, got.String(), back, err)
		}
	}
	for _, in := range []string{"", "fast", "-1M", "2X", "0.1"} {
		if _, err := ParseRate(in); err == nil {
			t.Errorf("ParseRate(%q) accepted", in)
		}
	}
}

func TestScheduleRateByTimeOfDayWrapsFromThePreviousDay(t *testing.T) {
	s, err := ParseSchedule("19:00,off 08:00,1M 12:30,256k")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.String(); got != "08:00,1M 12:30,256K 19:00,off" {
		t.Errorf("String = %q", got)
	}
	at := func(hhmm string) time.Time {
		tod, _ := time.Parse("15:04", hhmm)
		return time.Date(2026, 3, 29, tod.Hour(), tod.Minute(), 0, 0, time.Local)
	}
	for hhmm, want := range map[string]Rate{
		"00:00": 0, "07:59": 0, "08:00": 1 << 20, "12:29": 1 << 20, "12:30": 256 << 10, "18:59": 256 << 10, "19:00": 0, "23:59": 0,
	} {
		if got := s.At(at(hhmm)); got != want {
			t.Errorf("at %s: %v, want %v", hhmm, got, want)
		}
	}
	// Before the first entry, the previous day's last one holds.
	night, _ := ParseSchedule("08:00,off 22:00,100k")
	if got := night.At(at("03:00")); got != 100<<10 {
		t.Errorf("at 03:00: %v, want 100K", got)
	}
	for _, bad := range []string{"", "08:00", "25:00,1M", "08:00,1M 08:00,2M", "08:00,fast"} {
		if _, err := ParseSchedule(bad); err == nil {
			t.Errorf("ParseSchedule(%q) accepted", bad)
		}
	}
	if NewBandwidth(Schedule{{Rate: 0}}) != nil {
		t.Error("a schedule that never limits should need no limiter")
	}
}

// byteClock is a Progress that records when each payload byte arrived.
type byteClock struct {
	mu    sync.Mutex
	times []time.Time
	total []int64
}

func (b *byteClock) Start(int, int64)           {}
func (b *byteClock) Done(string, string, error) {}
func (b *byteClock) Bytes(n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	sum := n
	if k := len(b.total); k > 0 {
		sum += b.total[k-1]
	}
	b.times, b.total = append(b.times, time.Now()), append(b.total, sum)
}

// checkRate fails when the bytes seen after the first report exceed what
// rate allows over the window they took, plus the bucket and one chunk in
// flight. Without a limit, loopback carries them a hundred times faster.
func (b *byteClock) checkRate(t *testing.T, rate Rate, wantBytes int64) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	n := len(b.total)
	if n < 2 || b.total[n-1] != wantBytes {
		t.Fatalf("%d byte reports, %d bytes; want %d bytes", n, b.total[n-1], wantBytes)
	}
	window := b.times[n-1].Sub(b.times[0])
	moved := b.total[n-1] - b.total[0]
	step := int64(rate) / 10
	allowed := int64(float64(rate)*window.Seconds()*1.05) + 2*step
	t.Logf("%d bytes in %v: %.0f bytes/s against a limit of %d", moved, window, float64(moved)/window.Seconds(), rate)
	if moved > allowed {
		t.Errorf("%d bytes passed in %v, more than the %d a limit of %v/s allows", moved, window, allowed, rate)
	}
}

func bwTree() (map[string]string, int64) {
	files := map[string]string{}
	var total int64
	for _, name := range []string{"a.bin", "b.bin", "c.bin", "d/e.bin"} {
		files[name] = strings.Repeat(name[:1], 160<<10)
		total += 160 << 10
	}
	return files, total
}

func TestBandwidthLimitsAllConnectionsTogetherMeasuredOverAWindow(t *testing.T) {
	const limit = Rate(256 << 10)
	files, total := bwTree()
	sched, _ := ParseSchedule(limit.String())

	pulls := map[string]func(t *testing.T, root string) Server{
		"in-process": func(t *testing.T, root string) Server { return serverFor(ftptest.Start(t, root, ftptest.Options{})) },
		"in-process TLS": func(t *testing.T, root string) Server {
			s := ftptest.Start(t, root, ftptest.Options{TLS: ftptest.TLSExplicit})
			srv := serverFor(s)
			srv.TLS, srv.TLSConfig = TLSExplicit, tlsConfigFor(s)
			return srv
		},
		"vsftpd": func(t *testing.T, root string) Server {
			return serverFor(ftptest.StartVsftpd(t, root, ftptest.VsftpdOptions{}))
		},
	}
	for name, start := range pulls {
		t.Run("pull/"+name, func(t *testing.T) {
			t.Parallel() // each run has its own limit
			remote := t.TempDir()
			ftptest.WriteTree(t, remote, files)
			f := &pullFixture{t: t, remote: remote, local: filepath.Join(t.TempDir(), "m"), state: filepath.Join(t.TempDir(), "s.db"), srv: start(t, remote)}
			clock := &byteClock{}
			r := f.mustPull(func(o *PullOptions) {
				o.Parallel = 4
				o.Progress = clock
				o.Conn.Bandwidth = NewBandwidth(sched)
			})
			ftptest.TreeEqual(t, f.remote, f.local)
			if r.Bandwidth.String() != "256K" {
				t.Errorf("report's limit: %q", r.Bandwidth)
			}
			clock.checkRate(t, limit, total)
		})
	}
	t.Run("push", func(t *testing.T) {
		t.Parallel()
		f := newPushFixture(t, files, inProcess(ftptest.Options{}))
		clock := &byteClock{}
		f.mustPush(func(o *PushOptions) {
			o.Parallel = 4
			o.Progress = clock
			o.Conn.Bandwidth = NewBandwidth(sched)
		})
		ftptest.TreeEqual(t, f.local, f.remote)
		clock.checkRate(t, limit, total)
	})
}

func TestBandwidthWaitEndsWhenTheTransferIsAborted(t *testing.T) {
	// 16 bytes/s with a 1 KiB bucket: a second chunk waits 64 s for its turn.
	bw := NewBandwidth(Schedule{{Rate: 16}})
	step := bw.refresh()
	var aborted atomic.Bool
	bw.take(step, &aborted) // the bucket starts full
	aborted.Store(true)
	done := make(chan struct{})
	go func() { bw.take(step, &aborted); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("an aborted transfer kept waiting for its turn")
	}
}
