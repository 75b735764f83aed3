package mirror

import (
	"context"
	"strings"
	"testing"

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
