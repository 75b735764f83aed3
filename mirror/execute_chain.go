package mirror

import (
	"context"
	"path"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/ftpmirror/ftpmirror/plan"
)

// Small downloads go in chains: each worker holds one connection and, while
// a file arrives, has the next one's commands sent ahead (ahead.go). A file
// that fails in a chain is done again the ordinary way, with retries and
// its failure reported as usual.

// chainable reports whether a is a small download fetched in one stream,
// from the start: the kind a chain can send ahead.
func (e *executor) chainable(a plan.Action) bool {
	return e.checksum == nil && a.Op == plan.OpDownload && a.Source != nil && a.Size < resumeMin &&
		segmentCount(a.Size, e.segmentMin, e.pool.Limit()) < 2
}

// parallel runs independent actions: the small downloads in chains, one per
// connection, then the others (and whatever failed in a chain) over as many
// workers as the pool has connections.
func (e *executor) parallel(ctx context.Context, acts []plan.Action) error {
	var chain, rest []plan.Action
	for _, a := range acts {
		if e.chainable(a) {
			chain = append(chain, a)
		} else {
			rest = append(rest, a)
		}
	}
	rest = append(rest, e.chains(ctx, chain)...)
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(e.pool.Limit())
	for _, a := range rest {
		g.Go(func() error { return e.one(ctx, a) })
	}
	return g.Wait()
}

// chains downloads acts over chained workers and returns the actions left
// to do the ordinary way.
func (e *executor) chains(ctx context.Context, acts []plan.Action) []plan.Action {
	if len(acts) == 0 {
		return nil
	}
	q := make(chan plan.Action, len(acts))
	for _, a := range acts {
		q <- a
	}
	close(q)
	var mu sync.Mutex
	var left []plan.Action
	leave := func(a plan.Action) {
		mu.Lock()
		left = append(left, a)
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for range min(e.pool.Limit(), len(acts)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.chainWorker(ctx, q, leave)
		}()
	}
	wg.Wait()
	for a := range q { // what no worker could take
		leave(a)
	}
	return left
}

// chainWorker downloads from q over one connection at a time until q is
// empty, sending each next file ahead; a failure leaves the file (and the
// one sent ahead) for the ordinary way and goes on with a fresh connection.
func (e *executor) chainWorker(ctx context.Context, q <-chan plan.Action, leave func(plan.Action)) {
	for ctx.Err() == nil {
		a, ok := <-q
		if !ok {
			return
		}
		err := e.pool.Do(ctx, func(c *Conn) error {
			for {
				b, more := <-q
				var next *plan.Entry
				if more {
					next = b.Source
				}
				if err := e.download(ctx, c, *a.Source, next); err != nil {
					leave(a)
					if more {
						leave(b)
					}
					return nil
				}
				e.count(a)
				e.progress.Done(a.Path, string(a.Op), nil)
				if !more {
					return nil
				}
				a = b
			}
		})
		if err != nil { // no connection: the ordinary way will tell why
			leave(a)
			return
		}
	}
}

// retrSpecOf is how a planned download is asked for: its remote path, and
// its exact time when the listing's is coarse (LIST).
func (e *executor) retrSpecOf(src plan.Entry) retrSpec {
	return retrSpec{path: path.Join(e.remoteRoot, src.Path), mtime: src.Precision != time.Second}
}
