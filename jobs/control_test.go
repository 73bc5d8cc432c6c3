package jobs_test

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"kruzhok/app"
	"kruzhok/jobs"
	"kruzhok/store"
)

// A running process answers kruzhok backup over its control socket: the
// snapshot it writes restores into a database that passes every check.
func TestRequestBackupFromRunningProcess(t *testing.T) { testRequestBackup(t) }

// The same over Windows' control point, loopback TCP with a token in a file
// beside the database.
func TestRequestBackupOverLoopbackWithToken(t *testing.T) {
	jobs.UseControlTCP(t)
	testRequestBackup(t)
}

// A request that does not carry the token from the control file is refused,
// and nothing is written.
func TestControlRefusesWrongToken(t *testing.T) {
	jobs.UseControlTCP(t)
	w := newWorld(t, "2026-11-10")
	w.provider()
	s, err := jobs.New(w.db, slog.New(slog.NewTextHandler(io.Discard, nil)), jobs.Options{BackupDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	defer s.Shutdown()
	ctl := jobs.ControlPath(w.db.Path())
	b, err := os.ReadFile(ctl)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		if fi, err := os.Stat(ctl); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("control file mode: %v, %v", fi.Mode(), err)
		}
	}
	addr, _, _ := strings.Cut(string(b), "\n")
	if !strings.HasPrefix(addr, "127.0.0.1:") {
		t.Fatalf("control file names %q, want a loopback address", addr)
	}
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	out := filepath.Join(t.TempDir(), "copy.db.zst")
	fmt.Fprintf(conn, `{"backup": %q, "token": "%s"}`+"\n", out, strings.Repeat("0", 64))
	reply, _ := io.ReadAll(conn)
	if !strings.Contains(string(reply), "неверный ключ доступа") {
		t.Fatalf("reply to a wrong token: %s", reply)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a backup was written for a wrong token: %v", err)
	}
}

func testRequestBackup(t *testing.T) {
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
