package mirror

import (
	"context"
	"errors"
	"log/slog"
	"net/textproto"
	"sync"
)

// Pool hands out up to size logged-in connections to one server, one per
// caller at a time. A server that answers 421 to a new connection while
// others are open makes the pool shrink to what the server allows.
type Pool struct {
	d     *Dialer
	log   *slog.Logger
	slots chan struct{}

	mu     sync.Mutex
	idle   []*Conn
	open   int
	limit  int
	closed bool

	warming    sync.WaitGroup
	warmCtx    context.Context // ends with Close; held only to share between Warm calls
	inWarmup   int             // Warm's connections not yet opened
	stopWarmup context.CancelFunc
}

// NewPool returns a pool of at most size connections made by d.
func NewPool(d *Dialer, size int) *Pool {
	if size < 1 {
		size = 1
	}
	return &Pool{d: d, log: d.opts.Logger, slots: make(chan struct{}, size), limit: size}
}

// Dialer returns the pool's Dialer.
func (p *Pool) Dialer() *Dialer { return p.d }

// Limit returns how many connections the pool may hold now.
func (p *Pool) Limit() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.limit
}

// Idle returns how many logged-in connections wait for work.
func (p *Pool) Idle() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.idle)
}

// Do runs fn with a connection of its own. A connection that fn leaves
// broken is closed and replaced by the next caller.
func (p *Pool) Do(ctx context.Context, fn func(*Conn) error) error {
	c, err := p.get(ctx)
	if err != nil {
		return err
	}
	err = fn(c)
	p.put(c)
	return err
}

// Warm opens, in the background, connections the pool does not have yet,
// until it has n (at most its limit), so that the work to come finds them
// logged in: logging in costs several round trips. Failures are left to the
// callers that then need a connection; Close stops the warm-up.
func (p *Pool) Warm(ctx context.Context, n int) {
	p.mu.Lock()
	n = min(n, p.limit) - p.open - p.inWarmup
	if p.closed || n <= 0 {
		p.mu.Unlock()
		return
	}
	if p.stopWarmup == nil {
		p.warmCtx, p.stopWarmup = context.WithCancel(ctx)
	}
	wctx := p.warmCtx
	p.inWarmup += n
	p.warming.Add(n)
	p.mu.Unlock()
	for range n {
		go func() {
			defer p.warming.Done()
			c, err := p.acquire(wctx, true)
			p.mu.Lock()
			p.inWarmup--
			p.mu.Unlock()
			if err == nil {
				p.put(c)
			}
		}()
	}
}

func (p *Pool) get(ctx context.Context) (*Conn, error) { return p.acquire(ctx, false) }

// acquire takes a slot and an idle connection, or dials one; fresh always
// dials.
func (p *Pool) acquire(ctx context.Context, fresh bool) (*Conn, error) {
	for {
		select {
		case p.slots <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			<-p.slots
			return nil, errors.New("pool closed")
		}
		if n := len(p.idle); n > 0 && !fresh {
			c := p.idle[n-1]
			p.idle = p.idle[:n-1]
			p.mu.Unlock()
			return c, nil
		}
		p.open++
		p.mu.Unlock()
		c, err := p.d.Dial(ctx)
		if err == nil {
			return c, nil
		}
		p.mu.Lock()
		p.open--
		shrink := isTooMany(err) && p.open > 0 && p.limit > 1
		if shrink {
			// Keep the slot taken for good: the pool is one smaller.
			p.limit--
			limit := p.limit
			p.mu.Unlock()
			p.log.Info("server refused another connection; using fewer", "connections", limit)
			continue
		}
		p.mu.Unlock()
		<-p.slots
		return nil, err
	}
}

func (p *Pool) put(c *Conn) {
	p.mu.Lock()
	if !c.reusable() || p.closed {
		p.open--
		p.mu.Unlock()
		_ = c.Close()
	} else {
		p.idle = append(p.idle, c)
		p.mu.Unlock()
	}
	<-p.slots
}

// Close quits the idle connections; connections in use are closed when
// they are returned.
func (p *Pool) Close() error {
	p.mu.Lock()
	stop := p.stopWarmup
	p.mu.Unlock()
	if stop != nil {
		stop()
		p.warming.Wait()
	}
	p.mu.Lock()
	idle := p.idle
	p.idle, p.closed = nil, true
	p.open -= len(idle)
	p.mu.Unlock()
	var errs []error
	for _, c := range idle {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// isTooMany reports whether err is the server's 421 to a new connection.
func isTooMany(err error) bool {
	var tpe *textproto.Error
	return errors.As(err, &tpe) && tpe.Code == 421
}
