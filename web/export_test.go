package web

import (
	"log/slog"
	"net/http"
	"time"

	"kruzhok/app"
)

// NewWithClock is New on a clock of the test's own, so that a test can make
// the snapshot stale without waiting.
func NewWithClock(st app.Store, log *slog.Logger, now func() time.Time) http.Handler {
	return newCatalogue(st, log, now)
}
