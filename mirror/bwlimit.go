package mirror

import (
	"errors"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/ftpmirror/ftpmirror/plan"
)

// Rate is a bandwidth in bytes per second; 0 means unlimited.
type Rate int64

// ParseRate reads a rate as --bwlimit takes it: a number of bytes per
// second with an optional binary suffix, K (KiB/s), M (MiB/s) or G (GiB/s),
// in either case, with an optional B ("500k", "2M", "1.5MiB"); "off" or 0 is
// unlimited.
func ParseRate(s string) (Rate, error) {
	t := strings.TrimSpace(s)
	if strings.EqualFold(t, "off") || t == "0" {
		return 0, nil
	}
	n, err := plan.ParseSize(t)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("invalid rate %q: give bytes per second such as 500k, 2M or off", s)
	}
	return Rate(n), nil
}

// String writes the rate as ParseRate reads it, in the largest unit that
// keeps it short: "2M", "500K", "off".
func (r Rate) String() string {
	switch {
	case r <= 0:
		return "off"
	case r >= 1<<30 && r%(1<<30) == 0:
		return strconv.FormatInt(int64(r>>30), 10) + "G"
	case r >= 1<<20 && r%(1<<18) == 0:
		return strconv.FormatFloat(float64(r)/(1<<20), 'f', -1, 64) + "M"
	case r >= 1<<10 && r%(1<<8) == 0:
		return strconv.FormatFloat(float64(r)/(1<<10), 'f', -1, 64) + "K"
	}
	return strconv.FormatInt(int64(r), 10)
}

// ScheduleEntry is one rate of a timetable, in force from At (the time of
// day, local time) until the next entry's time.
type ScheduleEntry struct {
	At   time.Duration // since midnight
	Rate Rate
}

// Schedule is a bandwidth timetable, entries in order of time. One entry
// at midnight is a constant rate. An empty Schedule is unlimited.
type Schedule []ScheduleEntry

// ParseSchedule reads --bwlimit: a rate ("2M"), or a timetable of
// "HH:MM,RATE" entries separated by spaces ("08:00,1M 19:00,off"). Before
// the day's first entry, the last entry of the previous day is in force.
func ParseSchedule(s string) (Schedule, error) {
	fields := strings.Fields(s)
	if len(fields) == 0 {
		return nil, errors.New("empty bandwidth limit: give a rate such as 2M, or a timetable such as \"08:00,1M 19:00,off\"")
	}
	if len(fields) == 1 && !strings.Contains(fields[0], ",") {
		r, err := ParseRate(fields[0])
		if err != nil {
			return nil, err
		}
		return Schedule{{Rate: r}}, nil
	}
	var out Schedule
	seen := map[time.Duration]bool{}
	for _, f := range fields {
		at, rs, ok := strings.Cut(f, ",")
		if !ok {
			return nil, fmt.Errorf("invalid timetable entry %q: give HH:MM,RATE such as 08:00,1M", f)
		}
		tod, err := time.Parse("15:04", at)
		if err != nil {
			return nil, fmt.Errorf("invalid time %q in the timetable: give HH:MM such as 08:00", at)
		}
		d := time.Duration(tod.Hour())*time.Hour + time.Duration(tod.Minute())*time.Minute
		if seen[d] {
			return nil, fmt.Errorf("the timetable names %s twice", at)
		}
		seen[d] = true
		r, err := ParseRate(rs)
		if err != nil {
			return nil, err
		}
		out = append(out, ScheduleEntry{At: d, Rate: r})
	}
	sort.Slice(out, func(i, k int) bool { return out[i].At < out[k].At })
	return out, nil
}

// At returns the rate in force at t (by t's local time of day).
func (s Schedule) At(t time.Time) Rate {
	if len(s) == 0 {
		return 0
	}
	y, m, d := t.Date()
	tod := t.Sub(time.Date(y, m, d, 0, 0, 0, 0, t.Location()))
	r := s[len(s)-1].Rate // from the previous day
	for _, e := range s {
		if e.At <= tod {
			r = e.Rate
		}
	}
	return r
}

// Limited reports whether the schedule limits the rate at any time.
func (s Schedule) Limited() bool {
	for _, e := range s {
		if e.Rate > 0 {
			return true
		}
	}
	return false
}

// String writes the schedule as ParseSchedule reads it.
func (s Schedule) String() string {
	if len(s) == 1 && s[0].At == 0 {
		return s[0].Rate.String()
	}
	parts := make([]string, len(s))
	for i, e := range s {
		parts[i] = fmt.Sprintf("%02d:%02d,%s", int(e.At.Hours()), int(e.At.Minutes())%60, e.Rate)
	}
	return strings.Join(parts, " ")
}

// Bandwidth limits the bytes of every data connection of a run together,
// both directions, to the rate its schedule gives at the moment: one token
// bucket (golang.org/x/time/rate) shared by all connections of a Dialer.
// A nil *Bandwidth limits nothing. It is safe for use from many goroutines.
type Bandwidth struct {
	schedule Schedule
	now      func() time.Time

	mu   sync.Mutex
	cur  Rate
	lim  *rate.Limiter
	step int // the largest read or write passed on at once: the bucket's size
}

// NewBandwidth returns the limiter of a schedule, or nil when the schedule
// never limits.
func NewBandwidth(s Schedule) *Bandwidth {
	if !s.Limited() {
		return nil
	}
	return &Bandwidth{schedule: s, now: time.Now, lim: rate.NewLimiter(rate.Inf, 0), cur: -1}
}

// Rate returns the rate in force now; 0 is unlimited.
func (b *Bandwidth) Rate() Rate {
	if b == nil {
		return 0
	}
	return b.schedule.At(b.now())
}

// Schedule returns the timetable the limiter follows.
func (b *Bandwidth) Schedule() Schedule {
	if b == nil {
		return nil
	}
	return b.schedule
}

// refresh follows the timetable and returns the largest chunk to pass on at
// once (0: unlimited now).
func (b *Bandwidth) refresh() int {
	r := b.schedule.At(b.now())
	b.mu.Lock()
	defer b.mu.Unlock()
	if r != b.cur {
		b.cur = r
		if r == 0 {
			b.lim.SetLimit(rate.Inf)
			b.step = 0
		} else {
			// A tenth of a second's worth, so that connections take turns
			// finely; at least 1 KiB, so that a slow rate still moves.
			b.step = int(min(max(int64(r)/10, 1<<10), 4<<20))
			b.lim.SetBurst(b.step)
			b.lim.SetLimit(rate.Limit(r))
		}
	}
	return b.step
}

// take waits until n bytes may pass (n at most the chunk refresh gave), or
// until aborted is set: the wait is cut into slices of at most 100ms so that
// an aborted transfer never waits out its turn.
func (b *Bandwidth) take(n int, aborted *atomic.Bool) {
	res := b.lim.ReserveN(b.now(), n)
	if !res.OK() {
		return // the rate changed under us to a smaller bucket: let it pass
	}
	for d := res.Delay(); d > 0; d -= 100 * time.Millisecond {
		if aborted != nil && aborted.Load() {
			res.Cancel()
			return
		}
		time.Sleep(min(d, 100*time.Millisecond))
	}
}

// conn limits the reads and writes of c. aborted is the transport's flag
// that cuts waits short.
func (b *Bandwidth) conn(c net.Conn, aborted *atomic.Bool) net.Conn {
	if b == nil {
		return c
	}
	return &limitedConn{Conn: c, bw: b, aborted: aborted}
}

// limitedConn is a data connection whose bytes pass the Bandwidth, counted
// beneath TLS (the bytes on the wire). A read is passed on first and paid
// for after, so that a read never waits for bytes that do not come.
type limitedConn struct {
	net.Conn
	bw      *Bandwidth
	aborted *atomic.Bool
}

func (c *limitedConn) Read(p []byte) (int, error) {
	step := c.bw.refresh()
	if step > 0 && len(p) > step {
		p = p[:step]
	}
	n, err := c.Conn.Read(p)
	if step > 0 && n > 0 {
		c.bw.take(n, c.aborted)
	}
	return n, err
}

func (c *limitedConn) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		k := len(p)
		if step := c.bw.refresh(); step > 0 {
			k = min(k, step)
			c.bw.take(k, c.aborted)
		}
		n, err := c.Conn.Write(p[:k])
		written += n
		if err != nil {
			return written, err
		}
		p = p[k:]
	}
	return written, nil
}
