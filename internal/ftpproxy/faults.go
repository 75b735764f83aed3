package ftpproxy

import (
	"io"
	"sync"
	"time"
)

// linkQueue is how many chunks may be in flight in one delayed direction.
// With 32 KiB chunks it bounds memory to 4 MiB per direction and throughput
// to about 4 MiB per Delay.
const linkQueue = 128

// chunkSize is the read size of every relay.
const chunkSize = 32 << 10

// link is one direction of a relayed connection: what is written to it
// reaches dst Delay later. Writes are atomic with respect to each other, so
// a whole FTP reply written at once is never interleaved with another.
type link struct {
	dst   io.Writer
	delay time.Duration
	done  <-chan struct{} // the proxy's lifetime

	mu     sync.Mutex
	closed bool
	queue  chan timedChunk // nil without delay
	failed chan struct{}   // closed when the writer goroutine gave up
	err    error           // why; read after <-failed
	exited chan struct{}   // closed when the writer goroutine returned
}

type timedChunk struct {
	at time.Time
	b  []byte
}

// newLink returns a link to dst. With a delay it starts a writer goroutine,
// which Close (or the proxy's Close) ends.
func (p *Proxy) newLink(dst io.Writer) *link {
	l := &link{dst: dst, delay: p.opts.Delay, done: p.life.Done()}
	if l.delay <= 0 {
		return l
	}
	l.queue = make(chan timedChunk, linkQueue)
	l.failed = make(chan struct{})
	l.exited = make(chan struct{})
	if !p.spawn(l.run) {
		l.err = errClosed
		close(l.failed)
		close(l.exited)
	}
	return l
}

func (l *link) run() {
	defer close(l.exited)
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	for {
		var c timedChunk
		var ok bool
		select {
		case c, ok = <-l.queue:
			if !ok {
				return
			}
		case <-l.done:
			l.fail(errClosed)
			return
		}
		if wait := time.Until(c.at.Add(l.delay)); wait > 0 {
			timer.Reset(wait)
			select {
			case <-timer.C:
			case <-l.done:
				l.fail(errClosed)
				return
			}
		}
		if _, err := l.dst.Write(c.b); err != nil {
			l.fail(err)
			return
		}
	}
}

func (l *link) fail(err error) {
	l.err = err
	close(l.failed)
}

// Write queues b (copied) for dst, or writes it at once without delay. It
// blocks while the queue is full.
func (l *link) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return 0, errClosed
	}
	if l.queue == nil {
		return l.dst.Write(b)
	}
	c := timedChunk{at: time.Now(), b: append([]byte(nil), b...)}
	select {
	case <-l.failed:
		return 0, l.err
	default:
	}
	select {
	case l.queue <- c:
		return len(b), nil
	case <-l.failed:
		return 0, l.err
	case <-l.done:
		return 0, errClosed
	}
}

// Close waits until everything written so far has reached dst (or failed)
// and refuses further writes. It returns the first write error.
func (l *link) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	if l.queue == nil {
		l.mu.Unlock()
		return nil
	}
	close(l.queue)
	l.mu.Unlock()
	<-l.exited
	select {
	case <-l.failed:
		return l.err
	default:
		return nil
	}
}

// throttle paces one direction at rate bytes per second: after n bytes in
// total it returns no earlier than start + n/rate.
type throttle struct {
	rate  int64
	start time.Time
	sent  int64
}

func newThrottle(rate int64) *throttle {
	if rate <= 0 {
		return nil
	}
	return &throttle{rate: rate, start: time.Now()}
}

// readSize is a chunk size small enough for smooth pacing.
func (t *throttle) readSize() int {
	if t == nil {
		return chunkSize
	}
	return int(min(max(t.rate/10, 512), chunkSize))
}

// wait accounts n bytes and sleeps until they are due. It reports false if
// the proxy closed meanwhile.
func (t *throttle) wait(n int, done <-chan struct{}) bool {
	if t == nil {
		return true
	}
	t.sent += int64(n)
	due := t.start.Add(time.Duration(float64(t.sent) / float64(t.rate) * float64(time.Second)))
	d := time.Until(due)
	if d <= 0 {
		return true
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-done:
		return false
	}
}

// cutPlan decides, from the seeded generator, whether the next data
// connection is cut and after how many bytes.
func (p *Proxy) cutPlan() (cut bool, after int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stats.DataConns++
	if p.opts.CutData <= 0 {
		return false, 0
	}
	cut = p.rng.Float64() < p.opts.CutData
	after = p.rng.Int64N(p.opts.CutMaxBytes)
	return cut, after
}
