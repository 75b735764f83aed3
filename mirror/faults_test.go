package mirror

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/internal/ftpproxy"
	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

// runBound is how long a run against a faulty server may go on before the
// test ends it: far beyond what the data timeouts allow, so that a run
// ended by it is one that no timeout bounded.
const runBound = 20 * time.Second

// boundedPull pulls under a context that ends after runBound, and fails the
// test if that context, rather than the run's own timeouts, ended the run.
func (f *pullFixture) boundedPull(mod func(*PullOptions)) (*Report, error) {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runBound)
	defer cancel()
	r, err := f.pullContext(ctx, mod)
	if ctx.Err() != nil {
		f.t.Fatalf("the run was still going after %s, when the test ended it (%v): no timeout bounded it", runBound, err)
	}
	return r, err
}

// proxied puts a fault-injecting proxy in front of f's server.
func proxied(t *testing.T, f *pullFixture, o ftpproxy.Options) *ftpproxy.Proxy {
	t.Helper()
	o.Upstream = f.srv.Addr()
	p, err := ftpproxy.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	host, port, _ := net.SplitHostPort(p.Addr)
	f.srv.Host = host
	f.srv.Port, _ = strconv.Atoi(port)
	return p
}

func TestPassiveFaultsFallBackToActiveAndStayByteIdentical(t *testing.T) {
	cases := []struct {
		name    string
		o       ftpproxy.Options
		disable []string
		want    Method
		explain string
	}{
		{"refused port", ftpproxy.Options{Passive: ftpproxy.PassiveRefuse}, nil, MethodEPRT, "refused"},
		{"port that never answers", ftpproxy.Options{Passive: ftpproxy.PassiveBlackhole}, nil, MethodEPRT, "time out"},
		{"passive commands rejected", ftpproxy.Options{RejectPassive: true}, nil, MethodEPRT, "refuses EPSV"},
		{"unroutable PASV address", ftpproxy.Options{PASVAddress: "10.0.0.5"}, []string{"EPSV"}, MethodPASV, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newPullFixture(t, sampleTree, ftptest.Options{Disable: tc.disable})
			p := proxied(t, f, tc.o)
			r, err := f.boundedPull(func(o *PullOptions) { o.Conn.DataTimeout = time.Second })
			if err != nil || len(r.Failed) > 0 {
				t.Fatalf("pull: %v, failed items %v", err, r.Failed)
			}
			ftptest.TreeEqual(t, f.remote, f.local)
			if r.Method != tc.want {
				t.Fatalf("method = %q, want %q", r.Method, tc.want)
			}
			// The next run starts with the method that worked, saved in the
			// state: it tries no other.
			before := p.Stats().Verbs
			r = f.mustPull(nil)
			if len(r.Plan.Actions) != 0 {
				t.Fatalf("second run plans %+v", r.Plan.Actions)
			}
			after := p.Stats().Verbs
			for _, m := range []Method{MethodEPSV, MethodPASV, MethodEPRT, MethodPORT} {
				if m != tc.want && after[string(m)] != before[string(m)] {
					t.Errorf("the second run tried %s again (%d -> %d), though the state says %s works", m, before[string(m)], after[string(m)], tc.want)
				}
			}
		})
	}
}

func TestActiveRejectedKeepsPassive(t *testing.T) {
	f := newPullFixture(t, sampleTree, ftptest.Options{})
	p := proxied(t, f, ftpproxy.Options{RejectActive: true})
	r := f.mustPull(nil)
	ftptest.TreeEqual(t, f.remote, f.local)
	if r.Method != MethodEPSV {
		t.Fatalf("method = %q", r.Method)
	}
	if n := p.Stats().Verbs["EPRT"] + p.Stats().Verbs["PORT"]; n != 0 {
		t.Fatalf("active mode was tried %d times though passive works", n)
	}
}

func TestNoModeWorksExplainsEveryFailure(t *testing.T) {
	f := newPullFixture(t, sampleTree, ftptest.Options{})
	proxied(t, f, ftpproxy.Options{Passive: ftpproxy.PassiveBlackhole, RejectActive: true})
	_, err := f.boundedPull(func(o *PullOptions) { o.Conn.DataTimeout = 500 * time.Millisecond })
	var dce *DataChannelError
	if !errors.As(err, &dce) {
		t.Fatalf("err = %v, want a DataChannelError", err)
	}
	for _, want := range []string{"time out", "refuses EPRT", "refuses PORT"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q: %v", want, err)
		}
	}
	if strings.Contains(err.Error(), "i/o timeout") && !strings.Contains(err.Error(), "drops") {
		t.Errorf("bare i/o timeout: %v", err)
	}
}

func TestPassiveModeAgainstPassiveBlockedServerFailsFast(t *testing.T) {
	f := newPullFixture(t, sampleTree, ftptest.Options{})
	proxied(t, f, ftpproxy.Options{Passive: ftpproxy.PassiveBlackhole})
	_, err := f.boundedPull(func(o *PullOptions) { o.Conn.Mode = ModePassive; o.Conn.DataTimeout = 500 * time.Millisecond })
	if err == nil || !strings.Contains(err.Error(), "--mode active") {
		t.Fatalf("err = %v, want a hint naming active mode", err)
	}
}

func TestCutDataConnectionsAreRetriedToByteIdentical(t *testing.T) {
	files := map[string]string{}
	for i := range 30 {
		files["d"+strconv.Itoa(i%5)+"/f"+strconv.Itoa(i)] = strings.Repeat(strconv.Itoa(i), 3000*(i+1))
	}
	f := newPullFixture(t, files, ftptest.Options{})
	p := proxied(t, f, ftpproxy.Options{CutData: 0.3, Seed: 7, CutMaxBytes: 50000})
	f.mustPull(func(o *PullOptions) { o.Retries = 10 })
	ftptest.TreeEqual(t, f.remote, f.local)
	if p.Stats().CutConns == 0 {
		t.Fatal("the proxy cut nothing: the test proves nothing")
	}
}

func TestConnectionCapShrinksPool(t *testing.T) {
	files := map[string]string{}
	for i := range 20 {
		files["f"+strconv.Itoa(i)] = strings.Repeat("x", 1000*i)
	}
	f := newPullFixture(t, files, ftptest.Options{})
	p := proxied(t, f, ftpproxy.Options{MaxConns: 2})
	f.mustPull(func(o *PullOptions) { o.Parallel = 6 })
	ftptest.TreeEqual(t, f.remote, f.local)
	if p.Stats().TooMany == 0 {
		t.Fatal("the server never refused a connection: the test proves nothing")
	}
}
