package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftpmirror/ftpmirror/mirror"
)

func TestParseRemote(t *testing.T) {
	tests := []struct {
		raw                   string
		host                  string
		port                  int
		user, password        string
		hasPassword           bool
		path, display, scheme string
	}{
		{raw: "ftp://ftp.example.org/pub/docs", host: "ftp.example.org", path: "pub/docs",
			display: "ftp://ftp.example.org:21/pub/docs", scheme: "ftp"},
		{raw: "ftp://host", host: "host", path: "", display: "ftp://host:21/", scheme: "ftp"},
		{raw: "FTP://host/a/../b/./c/", host: "host", path: "b/c", display: "ftp://host:21/b/c", scheme: "ftp"},
		{raw: "ftp://[::1]:2121/x", host: "::1", port: 2121, path: "x", display: "ftp://[::1]:2121/x", scheme: "ftp"},
		{raw: "ftp://alice@[fe80::1]/", host: "fe80::1", user: "alice", path: "", display: "ftp://alice@[fe80::1]:21/", scheme: "ftp"},
		{raw: "ftp://al%40ice:p%40ss%3Aw@host:2121/dir%20x", host: "host", port: 2121, user: "al@ice",
			password: "p@ss:w", hasPassword: true, path: "dir x", display: "ftp://al%40ice@host:2121/dir%20x", scheme: "ftp"},
		{raw: "ftp://bob:@host/", host: "host", user: "bob", hasPassword: true, path: "", display: "ftp://bob@host:21/", scheme: "ftp"},
		{raw: "ftps://host/secure", host: "host", path: "secure", display: "ftps://host:990/secure", scheme: "ftps"},
		// RFC 1738: the path is relative to the login directory; %2F (or
		// "//", as curl reads it) first makes it absolute.
		{raw: "ftp://host/", host: "host", path: "", display: "ftp://host:21/", scheme: "ftp"},
		{raw: "ftp://host/%2Fsrv/site", host: "host", path: "/srv/site", display: "ftp://host:21/%2Fsrv/site", scheme: "ftp"},
		{raw: "ftp://host/%2fsrv/site/", host: "host", path: "/srv/site", display: "ftp://host:21/%2Fsrv/site", scheme: "ftp"},
		{raw: "ftp://host//srv/site", host: "host", path: "/srv/site", display: "ftp://host:21/%2Fsrv/site", scheme: "ftp"},
		{raw: "ftp://host/%2F", host: "host", path: "/", display: "ftp://host:21/%2F", scheme: "ftp"},
		{raw: "ftp://host/%2F../x", host: "host", path: "/x", display: "ftp://host:21/%2Fx", scheme: "ftp"},
		{raw: "ftp://host/%2Fa%20b/c%2Fd", host: "host", path: "/a b/c/d", display: "ftp://host:21/%2Fa%20b/c/d", scheme: "ftp"},
		{raw: "ftp://host/a%2Fb", host: "host", path: "a/b", display: "ftp://host:21/a/b", scheme: "ftp"},
		{raw: "ftp://host/.", host: "host", path: "", display: "ftp://host:21/", scheme: "ftp"},
		{raw: "ftp://host/../up", host: "host", path: "../up", display: "ftp://host:21/../up", scheme: "ftp"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			r, err := parseRemote(tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			if r.Host != tt.host || r.Port != tt.port || r.User != tt.user || r.Password.Reveal() != tt.password ||
				r.HasPassword != tt.hasPassword || r.Path != tt.path || r.Scheme != tt.scheme {
				t.Errorf("parseRemote = %+v", r)
			}
			if got := r.display(r.User, r.tls()); got != tt.display {
				t.Errorf("display = %q, want %q", got, tt.display)
			}
			if tt.password != "" && strings.Contains(r.display(r.User, r.tls()), tt.password) {
				t.Error("display holds the password")
			}
		})
	}
}

func TestParseRemoteErrorsNeverQuoteTheURL(t *testing.T) {
	for _, raw := range []string{
		"host/path",
		"http://host/",
		"ftp://u:S3CRETpw@host:99999/",
		"ftp://u:S3CRETpw%zz@host/",
		"ftp://u:S3CRETpw@/path",
		"ftp://u:S3CRETpw@host/a?b",
		"ftp://u:S3CRETpw@host/a#b",
	} {
		_, err := parseRemote(raw)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != exitUsage {
			t.Errorf("parseRemote(%q) = %v, want a usage error", raw, err)
			continue
		}
		if strings.Contains(ee.msg+ee.hint, "S3CRET") {
			t.Errorf("parseRemote(%q) error quotes the password: %s", raw, ee.msg)
		}
	}
}

const sampleNetrc = `# a comment
machine ftp.example.org login alice password wonderland
machine other.example.org
  login bob
  password builder account x
macdef init
  cd /pub
  machine evil.example.org login mallory password nope

default login anon password guest@
`

func TestParseNetrc(t *testing.T) {
	got := parseNetrc(sampleNetrc)
	want := []netrcMachine{
		{Name: "ftp.example.org", Login: "alice", Password: "wonderland"},
		{Name: "other.example.org", Login: "bob", Password: "builder"},
		{Name: "", Login: "anon", Password: "guest@"},
	}
	if len(got) != len(want) {
		t.Fatalf("parseNetrc = %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestResolveCredentials(t *testing.T) {
	netrc := filepath.Join(t.TempDir(), "netrc")
	if err := os.WriteFile(netrc, []byte(sampleNetrc), 0o600); err != nil {
		t.Fatal(err)
	}
	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte("from-file\nsecond line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, url, env, file, stdin string
		user, password, source      string
	}{
		{name: "file before URL and environment", url: "ftp://alice:inurl@ftp.example.org/", env: "fromenv", file: pwFile,
			user: "alice", password: "from-file", source: "--password-file"},
		{name: "URL before environment", url: "ftp://alice:inurl@ftp.example.org/", env: "fromenv",
			user: "alice", password: "inurl", source: "URL"},
		{name: "environment before netrc", url: "ftp://alice@ftp.example.org/", env: "fromenv",
			user: "alice", password: "fromenv", source: "FTPMIRROR_PASSWORD"},
		{name: "environment, user from netrc", url: "ftp://ftp.example.org/", env: "fromenv",
			user: "alice", password: "fromenv", source: "FTPMIRROR_PASSWORD"},
		{name: "stdin", url: "ftp://alice@h/", file: "-", stdin: "piped\n",
			user: "alice", password: "piped", source: "--password-file"},
		{name: "URL before netrc", url: "ftp://alice:inurl@ftp.example.org/",
			user: "alice", password: "inurl", source: "URL"},
		{name: "netrc machine gives user and password", url: "ftp://ftp.example.org/",
			user: "alice", password: "wonderland", source: "netrc"},
		{name: "netrc machine matches the user", url: "ftp://alice@FTP.example.org/",
			user: "alice", password: "wonderland", source: "netrc"},
		{name: "netrc default for other hosts", url: "ftp://unknown.example.org/",
			user: "anon", password: "guest@", source: "netrc"},
		{name: "other user skips the machine", url: "ftp://carol@ftp.example.org/",
			user: "carol", password: "", source: ""},
		{name: "macdef body is not parsed", url: "ftp://mallory@evil.example.org/",
			user: "mallory", password: "", source: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := parseRemote(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			env := map[string]string{"NETRC": netrc, "FTPMIRROR_PASSWORD": tt.env}
			c, err := resolveCredentials(r, func(k string) string { return env[k] }, tt.file, strings.NewReader(tt.stdin))
			if err != nil {
				t.Fatal(err)
			}
			if c.User != tt.user || c.Password.Reveal() != tt.password || c.Source != tt.source {
				t.Errorf("got user %q password %q source %q, want user %q password %q source %q",
					c.User, c.Password.Reveal(), c.Source, tt.user, tt.password, tt.source)
			}
		})
	}
}

func TestNoNetrcIsAnonymous(t *testing.T) {
	r, err := parseRemote("ftp://ftp.example.org/")
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	env := map[string]string{"HOME": home}
	c, err := resolveCredentials(r, func(k string) string { return env[k] }, "", strings.NewReader(""))
	if err != nil || c.User != "" || !c.Password.IsZero() {
		t.Fatalf("got %+v, %v; want anonymous", c, err)
	}
}

func TestPortDefaults(t *testing.T) {
	r := remoteURL{Scheme: "ftp", Host: "h"}
	if p := r.port(mirror.TLSOff); p != 21 {
		t.Errorf("port = %d, want 21", p)
	}
	if p := r.port(mirror.TLSImplicit); p != 990 {
		t.Errorf("implicit port = %d, want 990", p)
	}
}
