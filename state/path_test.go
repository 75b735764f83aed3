package state

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaultPathHonoursXDGStateHome(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_STATE_HOME", dir)
	got, err := DefaultPath("ftp://ftp.example.org:2121/pub/linux/", "/srv/mirror")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(got) != filepath.Join(dir, "ftpmirror") {
		t.Errorf("DefaultPath = %q, want it in %s/ftpmirror", got, dir)
	}
	name := filepath.Base(got)
	if !strings.HasPrefix(name, "ftp.example.org_2121_pub_linux-") || !strings.HasSuffix(name, ".db") {
		t.Errorf("name %q: want a slug of host and path", name)
	}
	if hash := strings.TrimSuffix(name[strings.LastIndex(name, "-")+1:], ".db"); len(hash) != 12 {
		t.Errorf("name %q: hash %q is not 12 hex digits", name, hash)
	}
}

func TestDefaultPathWithoutXDGUsesHome(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	for _, xdg := range []string{"", "relative/dir"} {
		t.Setenv("XDG_STATE_HOME", xdg)
		got, err := DefaultPath("ftp://h/", "/x")
		if err != nil {
			t.Fatal(err)
		}
		if want := filepath.Join(home, ".local", "state", "ftpmirror"); filepath.Dir(got) != want {
			t.Errorf("XDG_STATE_HOME=%q: DefaultPath = %q, want it in %s", xdg, got, want)
		}
	}
}

func TestDefaultPathIdentity(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	path := func(remote, local string) string {
		t.Helper()
		p, err := DefaultPath(remote, local)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	const remote = "ftp://ftp.example.org/pub"
	a := path(remote, "/srv/a")
	if a != path(remote, "/srv/a") {
		t.Error("equal inputs gave different paths")
	}
	if a != path(remote, "/srv//b/../a/") {
		t.Error("an unclean spelling of the same directory gave another path")
	}
	if path(remote, ".") != path(remote, cwd) {
		t.Error("a relative directory is not made absolute")
	}
	if a == path(remote, "/srv/b") {
		t.Error("different local directories share a state file")
	}
	if a == path(remote+"/other", "/srv/a") {
		t.Error("different remotes share a state file")
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"ftp://ftp.example.org/pub/linux/":   "ftp.example.org_pub_linux",
		"ftp://[::1]:21/a b/c":               "1_21_a_b_c",
		"ftp://h/" + strings.Repeat("x", 99): "h_" + strings.Repeat("x", maxSlug-2),
		"ftp://h/über/../%2e%2e/x":           "h_ber_.._.._x",
		"not a url at all!":                  "not_a_url_at_all",
		"ftp:///":                            "ftp",
		"":                                   "mirror",
		"ftp://user@host/p":                  "host_p",
	} {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
}
