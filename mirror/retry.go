package mirror

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"
)

// backoff is the wait before retry number n (1-based): exponential from
// 100 ms, capped at 5 s, with full jitter.
func backoff(n int) time.Duration {
	d := 100 * time.Millisecond << min(n-1, 6)
	d = min(d, 5*time.Second)
	return d/2 + rand.N(d/2+1)
}

// retry runs fn until it succeeds, fails with a non-transient error, or has
// failed retries+1 times.
func retry(ctx context.Context, retries int, log *slog.Logger, what string, fn func() error) error {
	var err error
	for attempt := 0; ; attempt++ {
		err = fn()
		if err == nil || !IsTransient(err) || attempt >= retries {
			return err
		}
		log.Debug("retrying", "op", what, "attempt", attempt+1, "err", err)
		t := time.NewTimer(backoff(attempt + 1))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}
