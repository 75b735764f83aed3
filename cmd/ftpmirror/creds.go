package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ftpmirror/ftpmirror/mirror"
)

// remoteURL is a parsed ftp:// or ftps:// URL.
type remoteURL struct {
	Scheme string // "ftp" or "ftps"
	Host   string // without brackets for IPv6
	Port   int    // 0 when the URL has none
	User   string // "" when the URL has none
	// Password is the URL's password, taken out of the URL as it is parsed
	// so that no string of ours holds it; HasPassword tells an empty one
	// from none.
	Password    mirror.Secret
	HasPassword bool
	// Path is the remote directory as the URL names it (see remoteDir):
	// "" for the login directory, "pub/data" under it, or the absolute
	// "/srv/site" for a URL written ftp://host/%2Fsrv/site.
	Path string
}

// parseRemote parses the remote argument. Its errors never quote the
// argument, which may hold a password.
func parseRemote(raw string) (remoteURL, error) {
	var r remoteURL
	scheme, _, ok := strings.Cut(raw, "://")
	if !ok {
		return r, usageErr("the remote must be an ftp:// or ftps:// URL",
			"write it as ftp://[user@]host[:port]/path")
	}
	switch strings.ToLower(scheme) {
	case "ftp", "ftps":
		r.Scheme = strings.ToLower(scheme)
	default:
		return r, usageErr(fmt.Sprintf("unsupported URL scheme %q", scheme),
			"ftpmirror speaks ftp:// and ftps:// (implicit TLS); use --tls explicit for AUTH TLS")
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		msg := "invalid remote URL"
		var ee url.EscapeError
		if errors.As(err, &ue) && !errors.As(err, &ee) {
			msg += ": " + ue.Err.Error()
		}
		return r, usageErr(msg, "percent-encode special characters in the user and path, e.g. '@' as %40")
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return r, usageErr("the remote URL has a query or fragment ('?' or '#')",
			"percent-encode '?' as %3F and '#' as %23 in the path")
	}
	r.Host = u.Hostname()
	if r.Host == "" {
		return r, usageErr("the remote URL has no host", "write it as ftp://[user@]host[:port]/path")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return r, usageErr(fmt.Sprintf("invalid port %q in the remote URL", p), "ports run from 1 to 65535")
		}
		r.Port = n
	}
	if u.User != nil {
		r.User = u.User.Username()
		pw, has := u.User.Password()
		r.Password, r.HasPassword = mirror.NewSecret(pw), has
		u.User = nil // nothing below may print it
	}
	r.Path = remoteDir(u)
	return r, nil
}

// tls returns the TLS mode the scheme implies.
func (r remoteURL) tls() mirror.TLSMode {
	if r.Scheme == "ftps" {
		return mirror.TLSImplicit
	}
	return mirror.TLSOff
}

// port returns the URL's port, or the default for tls.
func (r remoteURL) port(tls mirror.TLSMode) int {
	switch {
	case r.Port != 0:
		return r.Port
	case tls == mirror.TLSImplicit:
		return 990
	}
	return 21
}

// display returns the URL without any password, with the given user and an
// explicit port: ftp://user@host:21/path. It names the mirror in messages and
// in the default state path.
func (r remoteURL) display(user string, tls mirror.TLSMode) string {
	u := url.URL{
		Scheme: r.Scheme,
		Host:   net.JoinHostPort(r.Host, strconv.Itoa(r.port(tls))),
	}
	u.Path, u.RawPath = urlPath(r.Path)
	if user != "" {
		u.User = url.User(user)
	}
	return u.String()
}

// credentials are the user and password to log in with, and where the
// password came from.
type credentials struct {
	User     string
	Password mirror.Secret
	Source   string // "--password-file", "URL", "FTPMIRROR_PASSWORD", "netrc" or ""
}

// resolveCredentials finds the password, the explicit before the ambient:
// --password-file (its first line; "-" reads stdin), the URL,
// FTPMIRROR_PASSWORD, then ~/.netrc ($NETRC names another file). Without a
// user anywhere it is anonymous. A password file or netrc file that others
// may read is refused (see checkPrivate).
func resolveCredentials(r remoteURL, getenv func(string) string, passwordFile string, stdin io.Reader) (credentials, error) {
	c := credentials{User: r.User}
	switch {
	case passwordFile != "":
		pw, err := readPasswordFile(passwordFile, stdin)
		if err != nil {
			return c, err
		}
		c.Password, c.Source = pw, "--password-file"
	case r.HasPassword:
		c.Password, c.Source = r.Password, "URL"
	case getenv("FTPMIRROR_PASSWORD") != "":
		c.Password, c.Source = mirror.NewSecret(getenv("FTPMIRROR_PASSWORD")), "FTPMIRROR_PASSWORD"
	}
	if c.Source != "" && c.User != "" {
		return c, nil
	}
	// The netrc file can supply the user, the password or both.
	file := netrcPath(getenv)
	m, err := lookupNetrc(file, r.Host, c.User)
	if err != nil {
		return c, err
	}
	if m == nil {
		return c, nil
	}
	if c.User == "" {
		c.User = m.Login
	}
	if c.Source == "" && m.Password != "" {
		if err := checkPrivate(file, "the netrc file"); err != nil {
			return c, err
		}
		c.Password, c.Source = mirror.NewSecret(m.Password), "netrc"
	}
	return c, nil
}

func readPasswordFile(name string, stdin io.Reader) (mirror.Secret, error) {
	var rd io.Reader
	if name == "-" {
		rd = stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return mirror.Secret{}, usageErr("cannot read the password file: "+err.Error(), "")
		}
		defer f.Close()
		if err := checkPrivate(name, "the password file"); err != nil {
			return mirror.Secret{}, err
		}
		rd = f
	}
	line, err := bufio.NewReader(rd).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return mirror.Secret{}, usageErr("cannot read the password file: "+err.Error(), "")
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return mirror.Secret{}, usageErr(fmt.Sprintf("the password file %s is empty", name), "put the password on its first line")
	}
	return mirror.NewSecret(line), nil
}

// netrcPath returns $NETRC, or ~/.netrc; "" when neither can be named.
func netrcPath(getenv func(string) string) string {
	if p := getenv("NETRC"); p != "" {
		return p
	}
	home := getenv("HOME")
	if home == "" {
		return ""
	}
	return filepath.Join(home, ".netrc")
}

// netrcMachine is one entry of a netrc file.
type netrcMachine struct {
	Name            string // "" for the default entry
	Login, Password string
}

// lookupNetrc returns the entry for host (and user, when not ""), falling
// back to the default entry; nil when there is none or no file.
func lookupNetrc(file, host, user string) (*netrcMachine, error) {
	if file == "" {
		return nil, nil
	}
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read netrc: %w", err)
	}
	var def *netrcMachine
	for _, m := range parseNetrc(string(data)) {
		if user != "" && m.Login != "" && m.Login != user {
			continue
		}
		if m.Name == "" {
			if def == nil {
				def = &m
			}
			continue
		}
		if strings.EqualFold(m.Name, host) {
			return &m, nil
		}
	}
	return def, nil
}

// parseNetrc reads the machine, default, login and password tokens of a
// netrc file; it skips account tokens and macdef bodies.
func parseNetrc(text string) []netrcMachine {
	var out []netrcMachine
	var cur *netrcMachine
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		fields := strings.Fields(lines[i])
		for j := 0; j < len(fields); j++ {
			tok := fields[j]
			if strings.HasPrefix(tok, "#") {
				break // a comment to the end of the line
			}
			next := func() string {
				if j+1 < len(fields) {
					j++
					return fields[j]
				}
				return ""
			}
			switch tok {
			case "machine":
				out = append(out, netrcMachine{Name: next()})
				cur = &out[len(out)-1]
			case "default":
				out = append(out, netrcMachine{})
				cur = &out[len(out)-1]
			case "login":
				if v := next(); cur != nil {
					cur.Login = v
				}
			case "password":
				if v := next(); cur != nil {
					cur.Password = v
				}
			case "account":
				next()
			case "macdef":
				// The macro runs to the next empty line.
				for i+1 < len(lines) && strings.TrimSpace(lines[i+1]) != "" {
					i++
				}
				j = len(fields)
				cur = nil
			}
		}
	}
	return out
}
