package mirror

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestSecretPrintsNothingAnywhere(t *testing.T) {
	const pw = `Zq"x\9<Pw>&Y`
	s := NewSecret(pw)
	srv := Server{Host: "h", User: "u", Password: s}
	type inner struct{ pw Secret } // unexported: fmt cannot call its methods
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "pw", s, "srv", srv)
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "pw", s, "srv", srv)
	js, err := json.Marshal(srv)
	if err != nil {
		t.Fatal(err)
	}
	for _, got := range []string{
		fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s %q %x %d", s, s, s, s, s, s, s),
		fmt.Sprintf("%v %+v %#v", srv, srv, srv), fmt.Sprintf("%v %+v %#v", inner{s}, inner{s}, inner{s}),
		fmt.Errorf("login: %v", s).Error(), string(js), logged.String(),
	} {
		if strings.Contains(got, pw) || strings.Contains(got, `Zq`) {
			t.Errorf("printed the password: %s", got)
		}
	}
	if s.Reveal() != pw || NewSecret("").Reveal() != "" || !NewSecret("").IsZero() || s.IsZero() {
		t.Error("Reveal does not give back the password")
	}
}
