package main

import (
	"net/url"
	"path"
	"strings"
)

// The path of an ftp:// URL is read as RFC 1738 (3.2.2) says, and as curl,
// lftp, wget and rclone read it: the "/" after the host only separates, and
// what follows is relative to the login directory.
//
//	ftp://host/            the login directory
//	ftp://host/site        site under the login directory
//	ftp://host/%2Fsrv/site /srv/site (%2F is an encoded "/")
//	ftp://host//srv/site   /srv/site too, as curl reads it
//
// A "/" encoded as %2F further on is a "/" like any other.

// remoteDir returns the directory a parsed URL names: "" for the login
// directory, a clean relative path under it ("pub/data"), or a clean
// absolute path ("/srv/site") for a path written with %2F (or "//") first.
func remoteDir(u *url.URL) string {
	p := strings.TrimPrefix(u.Path, "/") // u.Path is decoded: %2F is "/" here
	if p == "" {
		return ""
	}
	if strings.HasPrefix(p, "/") {
		return path.Clean(p)
	}
	if p = path.Clean(p); p == "." {
		return ""
	}
	return p
}

// urlPath returns dir written as the path of a URL, with its escaped form
// (for url.URL's Path and RawPath): "/pub/data" for the relative "pub/data",
// "/%2Fsrv/site" for the absolute "/srv/site", "/" for the login directory.
// It is remoteDir's inverse, and names the mirror in the default state path,
// so that ftp://host/pub keeps the name it always had.
func urlPath(dir string) (p, raw string) {
	if !strings.HasPrefix(dir, "/") {
		return "/" + dir, ""
	}
	rest := (&url.URL{Path: strings.TrimPrefix(dir, "/")}).EscapedPath()
	return "/" + dir, "/%2F" + rest
}

// urlPathHelp ends the help of pull, push and sync.
const urlPathHelp = `The path in the URL is read as RFC 1738, curl, lftp and wget read it:
  ftp://host/              the login directory (the user's home, or "/" on a
                           server that chroots its users)
  ftp://host/site          site under the login directory
  ftp://host/%2Fsrv/site   the absolute path /srv/site (%2F is an encoded "/";
                           ftp://host//srv/site means the same)
A pull of a remote directory that does not exist fails with exit 3 and
changes nothing; push creates it with its parents, and so does the first sync
(a later sync refuses: its state holds files from there). A remote path that
is a file is refused (exit 3) by all three.`
