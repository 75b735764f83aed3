package mirror

import (
	"crypto/tls"
	"log/slog"
	"net"
	"strconv"
	"time"
)

// DataMode is the user's choice of data channel: auto, passive or active.
type DataMode string

// The data modes a user may choose.
const (
	ModeAuto    DataMode = "auto"    // passive first, then active
	ModePassive DataMode = "passive" // EPSV, then PASV
	ModeActive  DataMode = "active"  // EPRT, then PORT
)

// Method is one concrete way to open a data connection.
type Method string

// The data channel methods, in the order auto mode tries them.
const (
	MethodEPSV Method = "EPSV"
	MethodPASV Method = "PASV"
	MethodEPRT Method = "EPRT"
	MethodPORT Method = "PORT"
)

// Passive reports whether the client connects to the server for data.
func (m Method) Passive() bool { return m == MethodEPSV || m == MethodPASV }

// Methods returns the methods a mode tries, in order.
func (m DataMode) Methods() []Method {
	switch m {
	case ModePassive:
		return []Method{MethodEPSV, MethodPASV}
	case ModeActive:
		return []Method{MethodEPRT, MethodPORT}
	default:
		return []Method{MethodEPSV, MethodPASV, MethodEPRT, MethodPORT}
	}
}

// TLSMode is how the control and data connections are protected.
type TLSMode string

// The TLS modes.
const (
	TLSOff      TLSMode = "off"
	TLSAuto     TLSMode = "auto"     // AUTH TLS when FEAT offers it, certificate verified
	TLSExplicit TLSMode = "explicit" // AUTH TLS on port 21
	TLSImplicit TLSMode = "implicit" // TLS from the first byte, port 990
)

// Server says where and as whom to connect.
type Server struct {
	Host string
	// Port defaults to 21, or 990 with implicit TLS.
	Port     int
	User     string // "" means anonymous
	Password Secret // printed as nothing; see Secret
	TLS      TLSMode
	// TLSConfig verifies the server; nil means the system roots and Host as
	// the server name.
	TLSConfig *tls.Config
}

// Addr returns host:port with defaults applied.
func (s Server) Addr() string {
	port := s.Port
	if port == 0 {
		port = 21
		if s.TLS == TLSImplicit {
			port = 990
		}
	}
	return net.JoinHostPort(s.Host, strconv.Itoa(port))
}

// String names the server for messages; it never contains the password.
func (s Server) String() string {
	user := s.User
	if user == "" {
		user = "anonymous"
	}
	return user + "@" + s.Addr()
}

// Options tune connections. The zero value works.
type Options struct {
	// Mode chooses the data channel; zero means ModeAuto.
	Mode DataMode
	// Preferred is tried first when it belongs to Mode, usually the method
	// saved in the state by the previous run.
	Preferred Method
	// TrustPASVIP uses the address in a PASV reply even when it differs from
	// the control connection's peer.
	TrustPASVIP bool
	// ActiveAddr is the address advertised in EPRT/PORT; nil means the local
	// address of the control connection.
	ActiveAddr net.IP
	// ActivePortLow and ActivePortHigh bound the active listening port;
	// zero means any free port.
	ActivePortLow, ActivePortHigh int

	// ConnectTimeout bounds dialling the control connection (default 15s).
	ConnectTimeout time.Duration
	// DataTimeout bounds opening one data connection (default 10s).
	DataTimeout time.Duration
	// IdleTimeout bounds waiting for any reply or data byte (default 60s).
	IdleTimeout time.Duration
	// NoPipeline sends each command only after the previous reply, for
	// servers that mishandle commands sent ahead. By default, once a
	// passive method works, its command is sent together with the data
	// command, which saves a round trip per file.
	NoPipeline bool
	// NoSendAhead never sends the next download during a transfer, for a
	// server known to mishandle it (the state remembers; see ahead.go).
	NoSendAhead bool
	// Charset is the character set of the server's names
	// (--remote-charset); nil sends and reads names as their bytes. See
	// charset.go.
	Charset *Charset
	// MaxListingBytes bounds one directory listing, against a listing that
	// never ends (default 256 MiB).
	MaxListingBytes int64
	// MethodFailures is how many failed data connections in a row make the
	// Dialer give up a method that once worked (default 3).
	MethodFailures int

	// NoPerms gives downloads the default modes (0644 files, 0755
	// directories, less the umask) instead of the permission bits the
	// listing gives (listmode.go).
	NoPerms bool

	// MinRate is the least progress every data connection must make (see
	// minrate.go); the zero value is DefaultMinRate.
	MinRate MinRate

	// Bandwidth limits the bytes per second of all data connections
	// together (see bwlimit.go); nil means unlimited.
	Bandwidth *Bandwidth

	// Logger receives debug logs; nil discards them.
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.Mode == "" {
		o.Mode = ModeAuto
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 15 * time.Second
	}
	if o.DataTimeout <= 0 {
		o.DataTimeout = 10 * time.Second
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 60 * time.Second
	}
	if o.MaxListingBytes <= 0 {
		o.MaxListingBytes = 256 << 20
	}
	if o.MethodFailures <= 0 {
		o.MethodFailures = 3
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}
