package jobs_test

import (
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"kruzhok/app"
	"kruzhok/jobs"
	"kruzhok/store"
)

// A running process answers kruzhok backup over its control socket: the
// snapshot it writes restores into a database that passes every check.
func TestRequestBackupFromRunningProcess(t *testing.T) {
	w := newWorld(t, "2026-11-10")
	w.provider()
	s, err := jobs.New(w.db, slog.New(slog.NewTextHandler(io.Discard, nil)), jobs.Options{BackupDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "copy.db.zst")
	if _, err := jobs.RequestBackup(w.db.Path(), out, time.Minute); !errors.Is(err, jobs.ErrNoControl) {
		t.Fatalf("before Start: %v, want ErrNoControl", err)
	}
	s.Start()
	n, err := jobs.RequestBackup(w.db.Path(), out, time.Minute)
	if err != nil || n <= 0 {
		t.Fatalf("RequestBackup = %d, %v", n, err)
	}
	if _, err := jobs.RequestBackup(w.db.Path(), out, time.Minute); err == nil {
		t.Fatal("a second backup overwrote the first")
	}
	if err := s.Shutdown(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(jobs.ControlPath(w.db.Path())); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("socket left after Shutdown: %v", err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	restored := filepath.Join(t.TempDir(), "restored.db")
	if err := store.Restore(f, restored); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(restored, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if b := db.Check(app.Check); len(b) > 0 {
		t.Fatalf("restored copy: %q", b)
	}
}
