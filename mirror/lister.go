package mirror

import (
	"context"
	"log/slog"
	"path"

	"github.com/ftpmirror/ftpmirror/plan"
)

// Lister lists a remote tree over a Pool; it implements plan.Lister.
type Lister struct {
	Pool    *Pool
	Root    string // absolute remote directory of the mirror root
	Retries int
	Logger  *slog.Logger
}

var _ plan.Lister = (*Lister)(nil)

// List lists dir, relative to Root. Names are joined without cleaning, so
// that plan.Walk sees, and refuses, any name that is not a plain name.
func (l *Lister) List(ctx context.Context, dir string) ([]plan.Entry, error) {
	log := l.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	abs := path.Join(l.Root, dir)
	var entries []plan.Entry
	err := retry(ctx, l.Retries, log, "list "+abs, func() error {
		return l.Pool.Do(ctx, func(c *Conn) error {
			var err error
			entries, err = c.List(ctx, abs)
			return err
		})
	})
	if err != nil {
		return nil, err
	}
	for i := range entries {
		if dir != "" {
			entries[i].Path = dir + "/" + entries[i].Path
		}
	}
	return entries, nil
}
