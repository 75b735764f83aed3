package main

import (
	"context"
	"log/slog"

	"github.com/ftpmirror/ftpmirror/mirror"
)

// logOutcome logs the one summary record of a run (with --log-file, -v or
// --log-format json): "summary" with files, bytes, deleted, failed, duration
// and method, or "failed" with the error that stopped the run. direction is
// "pull", "push" or "sync". A dry run changes nothing, and its summary says so.
func logOutcome(logger *slog.Logger, direction string, r *mirror.Report, err error) {
	if err != nil {
		logger.LogAttrs(context.Background(), slog.LevelError, "failed",
			slog.String("direction", direction), slog.String("error", err.Error()))
		return
	}
	if r == nil {
		return
	}
	d := r.Done
	logger.LogAttrs(context.Background(), slog.LevelInfo, "summary",
		slog.String("direction", direction),
		slog.Int("files", d.Downloads+d.Uploads),
		slog.Int64("bytes", r.Bytes),
		slog.Int("deleted", d.Deletes),
		slog.Int("failed", len(r.Failed)),
		slog.Duration("duration", r.Duration),
		slog.String("method", string(r.Method)),
	)
}
