package mirror

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ftpmirror/ftpmirror/internal/ftpproxy"
	"github.com/ftpmirror/ftpmirror/internal/ftptest"
)

func TestProbeExplainsPassiveRefusedAndPicksActive(t *testing.T) {
	s, _ := startServer(t, ftptest.Options{Disable: []string{"EPSV", "PASV"}})
	rep, err := Probe(context.Background(), serverFor(s), Options{})
	if err != nil {
		t.Fatal(err)
	}
	ok := map[Method]bool{}
	for _, r := range rep.Results {
		ok[r.Method] = r.OK
	}
	if ok[MethodEPSV] || ok[MethodPASV] || !ok[MethodEPRT] || !ok[MethodPORT] {
		t.Fatalf("results = %+v", rep.Results)
	}
	if rep.Chosen != MethodEPRT {
		t.Fatalf("chosen = %q, want EPRT", rep.Chosen)
	}
	for _, want := range []string{"refuses EPSV", "active mode works", "will use EPRT"} {
		if !strings.Contains(rep.Diagnosis, want) {
			t.Errorf("diagnosis %q lacks %q", rep.Diagnosis, want)
		}
	}
}

// Behind a firewall that drops passive data connections, EPSV and PASV each
// wait out the data timeout. The probe tries the methods side by side, so
// it is over after about one data timeout: it must finish before a second
// one could have passed, which probing one method after another cannot.
func TestProbeBehindAPassiveFirewallTakesOneDataTimeout(t *testing.T) {
	const dataTimeout = 3 * time.Second
	f := newPullFixture(t, sampleTree, ftptest.Options{})
	proxied(t, f, ftpproxy.Options{Passive: ftpproxy.PassiveBlackhole})
	ctx, cancel := context.WithTimeout(context.Background(), 2*dataTimeout-time.Second)
	defer cancel()
	rep, err := Probe(ctx, f.srv, Options{DataTimeout: dataTimeout})
	if ctx.Err() != nil {
		t.Fatalf("the probe was still going after %s, more than one data timeout (%v)", 2*dataTimeout-time.Second, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if rep.Chosen != MethodEPRT {
		t.Fatalf("chosen %q, want EPRT; results %+v", rep.Chosen, rep.Results)
	}
	for _, r := range rep.Results {
		if r.OK == r.Method.Passive() {
			t.Errorf("%s: ok %v, want passive methods to time out and active ones to work", r.Method, r.OK)
		}
	}
	if !strings.Contains(rep.Diagnosis, "time out") {
		t.Errorf("diagnosis %q does not say the passive connections time out", rep.Diagnosis)
	}
}

// A wrong password is tried once, not once for each method.
func TestProbeTriesAWrongPasswordOnce(t *testing.T) {
	f := newPullFixture(t, sampleTree, ftptest.Options{})
	p := proxied(t, f, ftpproxy.Options{})
	f.srv.Password = NewSecret("wrong")
	f.srv.TLS = TLSOff // so that the proxy sees PASS
	_, err := Probe(context.Background(), f.srv, Options{})
	if !errors.Is(err, ErrLogin) {
		t.Fatalf("err = %v, want ErrLogin", err)
	}
	n := 0
	for _, verb := range p.Commands() {
		if verb == "PASS" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("PASS sent %d times, want 1 (commands %v)", n, p.Commands())
	}
}
