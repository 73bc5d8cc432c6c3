//go:build !nogui

package ui

import (
	"path/filepath"
	"testing"
	"time"

	"kruzhok/app"
	"kruzhok/store"
)

// newTestStore opens a real database in a temporary directory with the given
// scope; the region is its own authority. The file is checked for consistency
// and closed when the test ends.
func newTestStore(t *testing.T, scope string) *store.DB {
	t.Helper()
	db := openChecked(t, nil, nil)
	if err := db.SetScope(scope, scope == "region"); err != nil {
		t.Fatalf("set scope %s: %v", scope, err)
	}
	return db
}

// reopenAs turns db into a node of another scope, as if it had joined with
// that scope after the region's data reached it.
func reopenAs(t *testing.T, db *store.DB, scope string) app.Store {
	t.Helper()
	if err := db.SetScope(scope, false); err != nil {
		t.Fatalf("set scope %s: %v", scope, err)
	}
	return db
}

// openChecked opens a real database in a temporary directory on the clock
// (nil: the real one). When the test ends it must pass store.Check (bbolt's
// page check included, and domain when not nil), then it is closed.
func openChecked(t *testing.T, now func() time.Time, domain func(app.Reader) []string) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "kruzhok.db"), store.Options{NoSync: true, Now: now})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() {
		for _, b := range db.Check(domain) {
			t.Errorf("store check: %s", b)
		}
		if err := db.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	return db
}

// worldBase is what the screen tests' worlds share: a checked store on a
// clock the test sets, fixed ordered ids (lists sort by id, and golden images
// need a stable order), and commands that must apply.
type worldBase struct {
	t   *testing.T
	db  *store.DB
	now time.Time
	seq int
}

// clock is the store's and the screens' clock.
func (w *worldBase) clock() time.Time { return w.now }

func (w *worldBase) setToday(s string) {
	y, m, d := app.MustDate(s).Parts()
	w.now = time.Date(y, m, d, 10, 0, 0, 0, time.FixedZone("MSK", 3*3600))
}

func (w *worldBase) id(prefix string) string {
	w.seq++
	return prefix + "-" + twoDigits(w.seq/100) + twoDigits(w.seq%100)
}

func (w *worldBase) must(c app.Command) {
	w.t.Helper()
	if _, err := w.db.Exec(c); err != nil {
		w.t.Fatalf("%s: %v", c.Op(), err)
	}
}
