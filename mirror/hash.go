package mirror

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"
	"strings"
)

// The server's own content digests: the HASH command
// (draft-bryan-ftpext-hash) and the older XSHA256, XSHA1, XMD5 and XCRC
// (proftpd's mod_digest serves them all). A sync compares a file changed on
// both sides with them before calling the two one version; --checksum and
// `ftpmirror check` are meant to build on the same calls.
//
//	hs, _ := conn.HashSupport(ctx)        // one FEAT, cache it per server
//	m, ok := hs.Best()                    // the strongest method offered
//	sum, _ := conn.HashWith(ctx, path, m) // HASH or XSHA256 ... on one file
//	local, _ := HashFile(localPath, m.Alg) // or HashReader

// HashAlgorithm names a digest as the HASH command does.
type HashAlgorithm string

// The algorithms ftpmirror can compute locally, strongest first.
const (
	HashSHA512 HashAlgorithm = "SHA-512"
	HashSHA256 HashAlgorithm = "SHA-256"
	HashSHA1   HashAlgorithm = "SHA-1"
	HashMD5    HashAlgorithm = "MD5"
	HashCRC32  HashAlgorithm = "CRC32"
)

// hashStrength lists the algorithms strongest first.
var hashStrength = [...]HashAlgorithm{HashSHA512, HashSHA256, HashSHA1, HashMD5, HashCRC32}

// NewHash returns a fresh hash.Hash computing alg, or ok false for an
// algorithm ftpmirror does not know.
func NewHash(alg HashAlgorithm) (h hash.Hash, ok bool) {
	switch alg {
	case HashSHA512:
		return sha512.New(), true
	case HashSHA256:
		return sha256.New(), true
	case HashSHA1:
		return sha1.New(), true
	case HashMD5:
		return md5.New(), true
	case HashCRC32:
		return crc32.NewIEEE(), true
	}
	return nil, false
}

// HashMethod is one way of asking a server for a digest: Command is "HASH"
// (then Alg is chosen with OPTS HASH unless Selected says the server uses
// it already) or one of the X commands, whose algorithm is fixed.
type HashMethod struct {
	Command  string
	Alg      HashAlgorithm
	Selected bool // HASH only: the algorithm FEAT marked with '*'
}

// xHashCommands are the older commands, each with its fixed algorithm,
// strongest first.
var xHashCommands = [...]HashMethod{
	{Command: "XSHA256", Alg: HashSHA256},
	{Command: "XSHA1", Alg: HashSHA1},
	{Command: "XMD5", Alg: HashMD5},
	{Command: "XCRC", Alg: HashCRC32},
}

// HashSupport is what a server's FEAT reply offers for content digests.
// The zero value offers nothing.
type HashSupport struct {
	// HASH lists the algorithms of the HASH feature, in the server's order.
	HASH []HashAlgorithm
	// Selected is the algorithm HASH uses now (marked '*'), if any.
	Selected HashAlgorithm
	// X holds the X commands the server lists (XSHA256, XSHA1, XMD5, XCRC).
	X map[string]bool
}

// ParseHashFeatures reads the lines of a FEAT reply (with or without the
// "211-" first and "211 End" last lines) for HASH and the X commands.
// Names are matched without regard to case.
func ParseHashFeatures(lines []string) HashSupport {
	var hs HashSupport
	for _, l := range lines {
		name, params, _ := strings.Cut(strings.TrimSpace(l), " ")
		name = strings.ToUpper(name)
		switch name {
		case "HASH":
			for _, a := range strings.Split(params, ";") {
				a = strings.ToUpper(strings.TrimSpace(a))
				sel := strings.HasSuffix(a, "*")
				alg := HashAlgorithm(strings.TrimSuffix(a, "*"))
				if alg == "" {
					continue
				}
				hs.HASH = append(hs.HASH, alg)
				if sel {
					hs.Selected = alg
				}
			}
		case "XSHA256", "XSHA1", "XMD5", "XCRC":
			if hs.X == nil {
				hs.X = make(map[string]bool, 4)
			}
			hs.X[name] = true
		}
	}
	return hs
}

// Best returns the strongest method the server offers that ftpmirror can
// check locally: HASH with its strongest known algorithm first, then
// XSHA256, XSHA1, XMD5, XCRC. ok is false when there is none.
func (hs HashSupport) Best() (m HashMethod, ok bool) {
	for _, alg := range hashStrength {
		for _, a := range hs.HASH {
			if a == alg {
				return HashMethod{Command: "HASH", Alg: alg, Selected: alg == hs.Selected}, true
			}
		}
	}
	for _, x := range xHashCommands {
		if hs.X[x.Command] {
			return x, true
		}
	}
	return HashMethod{}, false
}

// ErrNoHash means the server offers no content digest ftpmirror can use.
var ErrNoHash = errors.New("the server offers no content hash (HASH, XSHA256, XSHA1, XMD5, XCRC)")

// HashSupport asks the server what digests it offers (FEAT). One answer
// holds for the server: callers keep it rather than asking each connection.
func (c *Conn) HashSupport(ctx context.Context) (HashSupport, error) {
	var r reply
	err := c.do(ctx, func() error {
		var err error
		r, err = c.t.command("FEAT")
		return err
	})
	if err != nil {
		return HashSupport{}, err
	}
	if r.Code != 211 {
		return HashSupport{}, nil // no FEAT: no features
	}
	return ParseHashFeatures(strings.Split(r.Msg, "\n")), nil
}

// Hash returns the server's digest of the file at path with the strongest
// method it offers, or ErrNoHash. It costs a FEAT each time: for many files,
// call HashSupport once and HashWith for each.
func (c *Conn) Hash(ctx context.Context, path string) (HashAlgorithm, []byte, error) {
	hs, err := c.HashSupport(ctx)
	if err != nil {
		return "", nil, err
	}
	m, ok := hs.Best()
	if !ok {
		return "", nil, ErrNoHash
	}
	sum, err := c.HashWith(ctx, path, m)
	return m.Alg, sum, err
}

// HashWith returns the server's digest of the whole file at path by method
// m. A refusal (5xx) is returned as the server's error; a reply whose
// digest cannot be read is an error too, never a digest that matches.
func (c *Conn) HashWith(ctx context.Context, path string, m HashMethod) ([]byte, error) {
	var r reply
	err := c.do(ctx, func() error {
		if m.Command == "HASH" && !m.Selected {
			o, err := c.t.command("OPTS HASH " + string(m.Alg))
			if err != nil {
				return err
			}
			if o.Code != 200 {
				return fmt.Errorf("OPTS HASH %s: %w", m.Alg, o.err())
			}
		}
		var err error
		r, err = c.t.command(m.Command + " " + path)
		return err
	})
	if err != nil {
		return nil, err
	}
	if r.Code < 200 || r.Code > 299 {
		return nil, fmt.Errorf("%s %s: %w", m.Command, path, r.err())
	}
	sum, err := parseHashReply(m, r.Msg)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", m.Command, path, err)
	}
	return sum, nil
}

// parseHashReply finds the digest in the last line of the text of a HASH or
// X command reply: "SHA-256 0-49 <hex> name" for HASH, "<hex>" (proftpd, 250) or
// "name <hex>" for the X commands. It takes the first field that is hex of
// the algorithm's length; a HASH reply must name the algorithm asked for.
func parseHashReply(m HashMethod, msg string) ([]byte, error) {
	h, _ := NewHash(m.Alg)
	if h == nil {
		return nil, fmt.Errorf("unknown hash algorithm %q", m.Alg)
	}
	want := h.Size()
	// A multi-line reply (proftpd: "213-Computing SHA-512 digest") ends
	// with the line that holds the digest.
	if i := strings.LastIndexByte(strings.TrimRight(msg, "\n"), '\n'); i >= 0 {
		msg = msg[i+1:]
	}
	fields := strings.Fields(msg)
	if m.Command == "HASH" {
		if len(fields) < 3 || !strings.EqualFold(fields[0], string(m.Alg)) {
			return nil, fmt.Errorf("unexpected reply %q", msg)
		}
		fields = fields[2:3]
	}
	for _, f := range fields {
		if m.Alg == HashCRC32 && len(fields) == 1 && len(f) < 2*want {
			f = strings.Repeat("0", 2*want-len(f)) + f // XCRC may drop leading zeros
		}
		if len(f) != 2*want {
			continue
		}
		if sum, err := hex.DecodeString(f); err == nil {
			return sum, nil
		}
	}
	return nil, fmt.Errorf("no %s digest in the reply %q", m.Alg, msg)
}

// HashFile returns the digest of the local file at path by alg. Inside a
// mirror, open the file with openLocal and use HashReader.
func HashFile(path string, alg HashAlgorithm) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return HashReader(f, alg)
}

// HashReader returns the digest by alg of what r holds.
func HashReader(r io.Reader, alg HashAlgorithm) ([]byte, error) {
	h, ok := NewHash(alg)
	if !ok {
		return nil, fmt.Errorf("unknown hash algorithm %q", alg)
	}
	if _, err := io.Copy(h, r); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}
