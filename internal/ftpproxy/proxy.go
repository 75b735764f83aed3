package ftpproxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"time"
)

// PassiveFault is what the proxy does with the server's passive replies
// (227 to PASV, 229 to EPSV).
type PassiveFault int

const (
	// PassiveOK relays the data connection through a one-shot listener of
	// the proxy.
	PassiveOK PassiveFault = iota
	// PassiveRefuse names a port where nothing listens: the client's data
	// dial fails with "connection refused".
	PassiveRefuse
	// PassiveBlackhole names a port whose connect never completes: the
	// client's data dial hangs until its own timeout.
	PassiveBlackhole
)

func (f PassiveFault) String() string {
	switch f {
	case PassiveOK:
		return "ok"
	case PassiveRefuse:
		return "refuse"
	case PassiveBlackhole:
		return "blackhole"
	}
	return fmt.Sprintf("PassiveFault(%d)", int(f))
}

// Options configure a Proxy. Only Upstream is required; the zero value of
// every other field means "no fault".
type Options struct {
	// Upstream is the FTP server, "127.0.0.1:port" (a loopback IP).
	Upstream string
	// Passive is what the proxy does with passive replies.
	Passive PassiveFault
	// RejectPassive answers EPSV and PASV with "500" itself; the server
	// never sees them.
	RejectPassive bool
	// RejectActive answers EPRT and PORT with "500" itself.
	RejectActive bool
	// PASVAddress, if set, is the IPv4 address written into 227 replies
	// instead of 127.0.0.1, while the port still leads to the proxy. It
	// simulates a NATed server announcing a private address. The proxy
	// never connects to it. 229 replies carry no address and are unchanged.
	PASVAddress string
	// CutData is the share (0..1) of data connections cut (reset) after a
	// random number of bytes, drawn uniformly from [0, CutMaxBytes) and
	// counted over both directions.
	CutData float64
	// CutMaxBytes bounds the cut point; default 64 KiB.
	CutMaxBytes int64
	// Seed seeds the cut decisions, so a test run is reproducible for a
	// given sequence of data connections.
	Seed int64
	// MaxConns, if positive, is how many control connections may be open at
	// once; the next ones get "421 Too many connections" and are closed. A
	// connection stops counting when the proxy reads its QUIT (so a client
	// that waits for the 221 can reconnect at once) or when it closes.
	MaxConns int
	// Delay is added to every chunk in each direction, control and data
	// (RTT = 2*Delay). A chunk read at t is written at t+Delay; chunks queue
	// per direction, so throughput is not serialised by the delay.
	Delay time.Duration
	// BytesPerSec, if positive, caps each direction of each data connection.
	BytesPerSec int64
	// AcceptTimeout bounds how long a data listener of the proxy waits for
	// its one connection; default 30s.
	AcceptTimeout time.Duration
	// DialTimeout bounds the proxy's own dials (upstream, data targets);
	// default 10s.
	DialTimeout time.Duration
	// Logger receives debug diagnostics; nil discards them.
	Logger *slog.Logger
}

func (o *Options) applyDefaults() {
	if o.CutMaxBytes <= 0 {
		o.CutMaxBytes = 64 << 10
	}
	if o.AcceptTimeout <= 0 {
		o.AcceptTimeout = 30 * time.Second
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = 10 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// Stats are the proxy's counters since Start.
type Stats struct {
	ControlConns int            // control connections relayed
	TooMany      int            // control connections refused with 421
	DataConns    int            // data connections relayed (passive and active)
	CutConns     int            // data connections cut by CutData
	Verbs        map[string]int // EPSV, PASV, EPRT, PORT sent by clients (rejected ones too)
}

// Proxy is a running proxy listening on Addr ("127.0.0.1:port").
type Proxy struct {
	Addr string

	opts         Options
	upstreamHost string // loopback IP, dialled for every server data port
	ln           net.Listener
	refuse       *holdSocket // bound, never listening
	blackhole    *holdSocket // listening, accept queue full

	// life is cancelled by Close. It is the proxy's lifetime, kept in the
	// struct the way net/http.Server keeps its base context, so that dials
	// made by background goroutines end on Close.
	life   context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	closed   bool
	closers  map[io.Closer]struct{}
	active   int // open control sessions
	stats    Stats
	commands []string
	rng      *rand.Rand
}

var errClosed = errors.New("ftpproxy: closed")

// Start validates o, listens on 127.0.0.1:0 and serves until Close.
func Start(o Options) (*Proxy, error) {
	o.applyDefaults()
	host, _, err := net.SplitHostPort(o.Upstream)
	if err != nil {
		return nil, fmt.Errorf("ftpproxy: upstream %q: %w", o.Upstream, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("ftpproxy: upstream %q is not a loopback IP", o.Upstream)
	}
	if o.PASVAddress != "" {
		if ip := net.ParseIP(o.PASVAddress); ip == nil || ip.To4() == nil {
			return nil, fmt.Errorf("ftpproxy: PASVAddress %q is not an IPv4 address", o.PASVAddress)
		}
	}
	if o.CutData < 0 || o.CutData > 1 {
		return nil, fmt.Errorf("ftpproxy: CutData %v outside 0..1", o.CutData)
	}
	p := &Proxy{
		opts:         o,
		upstreamHost: host,
		closers:      map[io.Closer]struct{}{},
		stats:        Stats{Verbs: map[string]int{}},
		rng:          rand.New(rand.NewPCG(uint64(o.Seed), 0x9e3779b97f4a7c15)),
	}
	p.life, p.cancel = context.WithCancel(context.Background())
	switch o.Passive {
	case PassiveOK:
	case PassiveRefuse:
		p.refuse, err = refusingPort()
	case PassiveBlackhole:
		p.blackhole, err = blackholePort(o.DialTimeout)
	default:
		err = fmt.Errorf("ftpproxy: unknown passive fault %d", int(o.Passive))
	}
	if err != nil {
		p.cancel()
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		p.cancel()
		p.closeHeld()
		return nil, fmt.Errorf("ftpproxy: listen: %w", err)
	}
	p.ln = ln
	p.Addr = ln.Addr().String()
	p.spawn(p.acceptLoop)
	return p, nil
}

// Close stops the proxy, closes every connection and listener it opened and
// waits for all its goroutines. It is safe to call more than once.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	closers := make([]io.Closer, 0, len(p.closers))
	for c := range p.closers {
		closers = append(closers, c)
	}
	clear(p.closers)
	p.mu.Unlock()

	p.cancel()
	err := p.ln.Close()
	for _, c := range closers {
		_ = c.Close()
	}
	p.wg.Wait()
	p.closeHeld()
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}

func (p *Proxy) closeHeld() {
	if p.refuse != nil {
		p.refuse.Close()
	}
	if p.blackhole != nil {
		p.blackhole.Close()
	}
}

// Stats returns a copy of the counters.
func (p *Proxy) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.stats
	s.Verbs = maps.Clone(p.stats.Verbs)
	return s
}

// Commands returns the verbs clients sent, upper-cased, in the order the
// proxy read them (over all control connections; nothing after AUTH).
func (p *Proxy) Commands() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.commands...)
}

func (p *Proxy) recordVerb(verb string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.commands = append(p.commands, verb)
	switch verb {
	case "EPSV", "PASV", "EPRT", "PORT":
		p.stats.Verbs[verb]++
	}
}

// spawn runs f in a goroutine that Close waits for. It reports false, and
// runs nothing, once the proxy is closed.
func (p *Proxy) spawn(f func()) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		f()
	}()
	return true
}

// track registers c to be closed by Close. If the proxy is already closed,
// it closes c and reports false.
func (p *Proxy) track(c io.Closer) bool {
	p.mu.Lock()
	if !p.closed {
		p.closers[c] = struct{}{}
		p.mu.Unlock()
		return true
	}
	p.mu.Unlock()
	_ = c.Close()
	return false
}

// release closes c and forgets it.
func (p *Proxy) release(c io.Closer) {
	p.mu.Lock()
	delete(p.closers, c)
	p.mu.Unlock()
	_ = c.Close()
}

// dial connects to a loopback address, giving up on Close or DialTimeout.
func (p *Proxy) dial(addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("ftpproxy: refusing to dial non-loopback %s", addr)
	}
	ctx, cancel := context.WithTimeout(p.life, p.opts.DialTimeout)
	defer cancel()
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("ftpproxy: dial %s: %w", addr, err)
	}
	if !p.track(c) {
		return nil, errClosed
	}
	return c, nil
}

func (p *Proxy) acceptLoop() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			if p.life.Err() != nil {
				return
			}
			p.opts.Logger.Debug("ftpproxy: accept", "err", err)
			select {
			case <-p.life.Done():
				return
			case <-time.After(20 * time.Millisecond):
			}
			continue
		}
		p.mu.Lock()
		over := p.opts.MaxConns > 0 && p.active >= p.opts.MaxConns
		if over {
			p.stats.TooMany++
		} else {
			p.active++
			p.stats.ControlConns++
		}
		p.mu.Unlock()
		if over {
			// The client has sent nothing yet (it waits for the greeting),
			// so closing right after the write is a clean FIN.
			_ = c.SetWriteDeadline(time.Now().Add(time.Second))
			_, _ = io.WriteString(c, "421 Too many connections\r\n")
			_ = c.Close()
			continue
		}
		if !p.track(c) {
			return
		}
		leave := sync.OnceFunc(func() {
			p.mu.Lock()
			p.active--
			p.mu.Unlock()
		})
		ok := p.spawn(func() {
			defer leave()
			p.serveControl(c, leave)
		})
		if !ok {
			p.release(c)
			return
		}
	}
}

// verbOf returns the upper-cased first word of a command line.
func verbOf(line string) string {
	line = strings.TrimRight(line, "\r\n")
	if i := strings.IndexByte(line, ' '); i >= 0 {
		line = line[:i]
	}
	return strings.ToUpper(line)
}
