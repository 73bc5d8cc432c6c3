//go:build !nogui

package ui

import (
	"path/filepath"
	"testing"

	"kruzhok/app"
	"kruzhok/store"
)

// newTestStore opens a real database in a temporary directory with the given
// scope; the region is its own authority. The file is checked for consistency
// and closed when the test ends.
func newTestStore(t *testing.T, scope string) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "kruzhok.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() {
		// store.Check runs bbolt's own page check too.
		for _, b := range db.Check(nil) {
			t.Errorf("store check: %s", b)
		}
		if err := db.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
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
