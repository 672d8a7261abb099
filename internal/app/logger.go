package app

import (
	"io"
	"log/slog"
)

// newLogger builds the process logger: text or JSON on w at level. It is passed explicitly to every
// package; the global slog default is not used.
func newLogger(w io.Writer, level slog.Level, format string) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
