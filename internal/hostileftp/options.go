package hostileftp

import (
	"fmt"
	"slices"
	"time"
)

// Greeting stands for the server's greeting in Options.Hang: the connection
// is accepted and the 220 never comes.
const Greeting = "GREETING"

// Options script the server. The zero value is a well-behaved, empty server
// without MLST: the root "/" is listed empty and every file is missing.
type Options struct {
	// MLST offers MLST in the FEAT reply, so that clients list with MLSD;
	// without it they use LIST.
	MLST bool
	// Listings holds, per absolute directory path ("/", "/sub"), the raw
	// lines sent for LIST, NLST or MLSD of that directory, each followed by
	// CRLF. A directory is known, for CWD, when it is here; "/" always is.
	// MLSDLine and LISTLine help to write them.
	Listings map[string][]string
	// LISTListings, if set, holds what LIST and NLST answer, by directory,
	// while MLSD answers Listings: a server whose MLSD and LIST disagree
	// (Serv-U versions whose MLSD leaves entries out).
	LISTListings map[string][]string
	// ArgsToLs makes LIST, NLST and STAT hand their argument to ls, as
	// some servers do: options ("-a") are taken off, a path with *, ? or [
	// is a pattern that matches nothing, and a path with a space is cut at
	// the space (ls got two names).
	ArgsToLs bool
	// StatListings holds, per directory, the lines "STAT -a DIR" answers
	// on the control connection (a 213 multi-line reply); a directory not
	// here gets 502, as from a server whose STAT does not list. Lines that
	// differ from Listings make a server whose STAT cannot be trusted.
	StatListings map[string][]string
	// Files holds the files RETR, SIZE and MDTM serve, by absolute path.
	Files map[string]File
	// SHA256 holds, by absolute path, the hex digest "HASH path" answers
	// (FEAT then offers "HASH SHA-256*"): a digest that differs from the
	// file's makes a server whose hashes lie. Paths not here get 550.
	SHA256 map[string]string
	// InfiniteListing, if not empty, is the absolute path of a directory
	// whose listing never ends: distinct lines are streamed until the client
	// closes the data connection or the server is closed.
	InfiniteListing string
	// EndlessDepth, if not empty, is the absolute path of a directory
	// whose every directory holds another, without end: it and each
	// directory below it list one subdirectory, "d" (in the format of the
	// command), and nothing else.
	EndlessDepth string
	// TrickleListing, if not empty, is the absolute path of a directory of
	// Listings whose listing is sent a byte at a time, one every
	// TrickleEvery: never idle long enough for an idle timeout, and never
	// done in reasonable time.
	TrickleListing string
	// TrickleEvery is the pause between two bytes of a trickled listing or
	// file (default 10ms).
	TrickleEvery time.Duration
	// Hang lists verbs (upper case, as "RETR", "LIST", "MLSD", "EPSV", or
	// Greeting) to which the server never replies: from then on the
	// connection reads and drops commands until the client goes away.
	Hang []string
	// Refuse lists verbs answered "502 refused" at once.
	Refuse []string
	// Echo answers a verb with the reply given here, followed by a space
	// and the command's argument, as servers do that quote what they were
	// sent: {"PASS": "530 Login incorrect for"} echoes the password.
	Echo map[string]string
	// MaxConns bounds the control connections open at once; more are
	// answered "421" and closed (default 32).
	MaxConns int
	// AcceptTimeout bounds waiting for the client's passive data
	// connection (default 10s); then the command gets "425".
	AcceptTimeout time.Duration
	// OnCommand, if set, is called with every command as it arrives, from
	// the connection's goroutine and before the command is handled. It must
	// not block.
	OnCommand func(verb, arg string)
	// OnStall, if set, is called with the path of a RETR that stalls (see
	// File.StallAfter), once the bytes before the stall are written.
	OnStall func(path string)
}

// File is one served file and how RETR misbehaves on it. What a listing says
// about it is up to the listing lines: list a size other than len(Data) to
// make the server lie.
type File struct {
	Data []byte
	// ModTime is what MDTM answers; zero means 2024-01-01 00:00:00 UTC.
	ModTime time.Time
	// CloseAfter, if positive, cuts a RETR after that many bytes of data
	// (counted from the REST offset): the data connection is closed and
	// the reply is "426".
	CloseAfter int64
	// StallAfter, if positive, stops a RETR after that many bytes without
	// closing anything or replying, until the client closes the data
	// connection or the server is closed.
	StallAfter int64
	// Trickle makes RETR send Data a byte at a time, one every
	// Options.TrickleEvery.
	Trickle bool
	// Endless makes RETR send Data (or zero bytes, if Data is empty) over
	// and over, until the client closes the data connection.
	Endless bool
}

// defaultModTime is the time the line helpers list and MDTM answers when a
// File has none.
var defaultModTime = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// MLSDLine returns an RFC 3659 listing line:
// "type=<kind>;size=<size>;modify=20240101000000; <name>". kind is "file",
// "dir", "cdir", "pdir" or anything a test wants; size is written as given,
// so it may be "-5" or "99999999999999999999".
func MLSDLine(kind, size, name string) string {
	return fmt.Sprintf("type=%s;size=%s;modify=%s; %s", kind, size, defaultModTime.Format("20060102150405"), name)
}

// LISTLine returns a Unix "ls -l" listing line:
// "<mode> 1 owner group <size> Jan 01  2024 <name>". mode is "-rw-r--r--",
// "drwxr-xr-x", "lrwxrwxrwx" and the like; a symlink's name is written
// "name -> target".
func LISTLine(mode, size, name string) string {
	return fmt.Sprintf("%s 1 owner group %12s %s %s", mode, size, defaultModTime.Format("Jan 02  2006"), name)
}

func (o Options) withDefaults() Options {
	if o.TrickleEvery <= 0 {
		o.TrickleEvery = 10 * time.Millisecond
	}
	return o
}

func (o Options) hangs(verb string) bool   { return slices.Contains(o.Hang, verb) }
func (o Options) refuses(verb string) bool { return slices.Contains(o.Refuse, verb) }
