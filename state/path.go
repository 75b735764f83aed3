package state

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// maxSlug is the longest readable part of a default state file name.
const maxSlug = 48

// DefaultPath returns where the state of the mirror of remoteURL into
// localDir lives when no path is given:
// $XDG_STATE_HOME/ftpmirror/<name>.db, or ~/.local/state/ftpmirror/<name>.db
// when XDG_STATE_HOME is unset or not absolute.
//
// remoteURL must not hold a password. localDir is made absolute and clean.
// <name> is a readable slug of the URL's host and path followed by "-" and
// the first 12 hex digits of sha256(remoteURL + "\x00" + localDir), so the
// same pair always maps to the same file and two local directories mirroring
// one remote get two files.
func DefaultPath(remoteURL, localDir string) (string, error) {
	abs, err := filepath.Abs(localDir)
	if err != nil {
		return "", fmt.Errorf("state path: %w", err)
	}
	base := os.Getenv("XDG_STATE_HOME")
	if !filepath.IsAbs(base) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("state path: %w", err)
		}
		base = filepath.Join(home, ".local", "state")
	}
	sum := sha256.Sum256([]byte(remoteURL + "\x00" + abs))
	name := slug(remoteURL) + "-" + hex.EncodeToString(sum[:])[:12] + ".db"
	return filepath.Join(base, "ftpmirror", name), nil
}

// slug makes a short, file-name-safe, readable name of a URL's host and path:
// "ftp://ftp.example.org:2121/pub/linux/" gives "ftp.example.org_2121_pub_linux".
func slug(remoteURL string) string {
	text := remoteURL
	if u, err := url.Parse(remoteURL); err == nil && u.Host != "" {
		text = u.Host + "/" + u.Path
	}
	var b strings.Builder
	sep := false // a separator is due before the next safe character
	for _, c := range text {
		safe := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-'
		if !safe {
			sep = b.Len() > 0
			continue
		}
		if b.Len() >= maxSlug {
			break
		}
		if sep {
			b.WriteByte('_')
			sep = false
		}
		b.WriteRune(c)
	}
	s := strings.Trim(b.String(), ".-_")
	if s == "" {
		return "mirror"
	}
	return s
}
