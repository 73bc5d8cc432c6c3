package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kruzhok/store"
)

// A stopped database is backed up without being changed, restored into a new
// file that passes check with a new server epoch, and neither command
// replaces an existing file.
func TestBackupRestore(t *testing.T) {
	data := demoFile(t, 60)
	before, err := os.ReadFile(data)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "copy.db.zst")
	exe(t, "backup", "--data", data, "--out", out).want(t, 0, "stdout", "копия "+out)
	if after, _ := os.ReadFile(data); string(after) != string(before) {
		t.Error("backup changed the database file")
	}
	exe(t, "backup", "--data", data, "--out", out).want(t, 1, "stderr", "уже существует")

	restored := filepath.Join(dir, "restored.db")
	exe(t, "restore", "--in", out, "--data", restored).want(t, 0, "stdout", "новая эпоха сервера")
	exe(t, "check", "--data", restored).want(t, 0, "stdout", "OK: нарушений нет")
	exe(t, "restore", "--in", out, "--data", restored).want(t, 1, "stderr", "уже существует")
	exe(t, "restore", "--in", data, "--data", filepath.Join(dir, "x.db")).want(t, 1, "stderr", "restore")
	if _, err := os.Stat(filepath.Join(dir, "x.db")); err == nil {
		t.Error("a failed restore left its file")
	}
	exe(t, "backup", "--data", data).want(t, 2, "stderr", "--out")
	exe(t, "restore", "--data", restored).want(t, 2, "stderr", "--in")
}

// A database a running Kruzhok holds is not waited for: the command says
// that the running program makes its own backups.
func TestBackupOfRunningDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "busy.db")
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := filepath.Join(t.TempDir(), "copy.db.zst")
	r := exe(t, "backup", "--data", path, "--out", out)
	r.want(t, 1, "stderr", "сама делает копию каждую ночь")
	if !strings.Contains(r.stderr, filepath.Join(filepath.Dir(path), "backups")) {
		t.Errorf("no backup directory named:\n%s", r.stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed backup left its file")
	}
}
