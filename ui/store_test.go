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
