package store_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"kruzhok/app"
	"kruzhok/store"
)

func TestOpenFresh(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "dir", "kruzhok.db")
	db := openAt(t, path, store.Options{NoSync: true})
	id, err := uuid.Parse(db.Node())
	if err != nil || id.Version() != 7 {
		t.Fatalf("Node() = %q (%v), want a UUIDv7", db.Node(), err)
	}
	if got := db.Scope(); got != "region" {
		t.Errorf("Scope() = %q, want region", got)
	}
	if !db.Authority() {
		t.Errorf("Authority() = false on a fresh database")
	}
	if db.Path() != path {
		t.Errorf("Path() = %q, want %q", db.Path(), path)
	}
	if v := schemaVersion(t, db); v != store.CurrentVersion {
		t.Errorf("schema_version = %d, want %d", v, store.CurrentVersion)
	}
	mustClean(t, db)
	node := db.Node()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openAt(t, path, store.Options{NoSync: true})
	if db.Node() != node {
		t.Errorf("node changed on reopen: %q → %q", node, db.Node())
	}
}

// Options.Node names a new database's node; a file that has one keeps it.
func TestOpenWithNode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kruzhok.db")
	const node = "019a0000-0000-7000-8000-00000000d3e0"
	db := openAt(t, path, store.Options{NoSync: true, Node: node})
	if db.Node() != node {
		t.Fatalf("Node() = %q, want %q", db.Node(), node)
	}
	mustClean(t, db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openAt(t, path, store.Options{NoSync: true, Node: "019a0000-0000-7000-8000-000000000001"})
	if db.Node() != node {
		t.Errorf("reopened with another Node: %q, want the stored %q", db.Node(), node)
	}
}

func schemaVersion(t *testing.T, db *store.DB) uint64 {
	t.Helper()
	var v uint64
	err := db.Bolt().View(func(tx *bbolt.Tx) error {
		v = binary.BigEndian.Uint64(tx.Bucket([]byte("meta")).Get([]byte("schema_version")))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSetScope(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kruzhok.db")
	db := openAt(t, path, store.Options{NoSync: true})
	if err := db.SetScope("municipality:27", false); err != nil {
		t.Fatal(err)
	}
	var m app.Meta
	if _, err := db.Exec(probe{&m}); err != nil {
		t.Fatal(err)
	}
	if m.Authority {
		t.Errorf("Meta.Authority = true after SetScope(…, false)")
	}
	for _, bad := range []string{"", "regio", "municipality:", "provider:", "provider:a b", "country"} {
		if err := db.SetScope(bad, true); codeOf(err) != app.EINVALID {
			t.Errorf("SetScope(%q) = %v, want EINVALID", bad, err)
		}
	}
	db.Close()
	db = openAt(t, path, store.Options{NoSync: true})
	if db.Scope() != "municipality:27" || db.Authority() {
		t.Errorf("after reopen: scope %q authority %v, want municipality:27 false", db.Scope(), db.Authority())
	}
}

func TestOpenLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kruzhok.db")
	openAt(t, path, store.Options{NoSync: true})
	start := time.Now()
	db2, err := store.Open(path, store.Options{Timeout: 200 * time.Millisecond})
	if err == nil {
		db2.Close()
		t.Fatal("second Open of a locked file succeeded")
	}
	if !errors.Is(err, store.ErrLocked) || !errors.Is(err, bolterrors.ErrTimeout) {
		t.Errorf("err = %v, want ErrLocked wrapping bbolt's ErrTimeout", err)
	}
	if !strings.Contains(err.Error(), "another Kruzhok instance") || !strings.Contains(err.Error(), path) {
		t.Errorf("message %q should name the file and the other instance", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("second Open took %v despite Timeout 200ms", d) // a hang, not a timing
	}
}

func TestOpenTooNew(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kruzhok.db")
	db, err := store.Open(path, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Bolt().Update(func(tx *bbolt.Tx) error {
		v := make([]byte, 8)
		binary.BigEndian.PutUint64(v, store.CurrentVersion+1)
		return tx.Bucket([]byte("meta")).Put([]byte("schema_version"), v)
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	before, _ := os.ReadFile(path)
	db, err = store.Open(path, store.Options{NoSync: true})
	if err == nil {
		db.Close()
		t.Fatal("Open of a newer schema succeeded")
	}
	if !errors.Is(err, store.ErrTooNew) {
		t.Errorf("err = %v, want ErrTooNew", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Errorf("a refused Open wrote to the newer database")
	}
	boltCheck(t, path)
}

func TestOpenForeignFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	bdb, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = bdb.Update(func(tx *bbolt.Tx) error {
		_, err := tx.CreateBucket([]byte("someone-else"))
		return err
	})
	bdb.Close()
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(path, store.Options{NoSync: true})
	if err == nil {
		db.Close()
		t.Fatal("Open of a foreign bbolt file succeeded")
	}
	if !errors.Is(err, store.ErrNotKruzhok) {
		t.Errorf("err = %v, want ErrNotKruzhok", err)
	}
}

func TestOpenNotADatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(path, []byte("это не база данных, а заметки"), 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(path, store.Options{NoSync: true})
	if err == nil {
		db.Close()
		t.Fatal("Open of a text file succeeded")
	}
	if !errors.Is(err, store.ErrNotKruzhok) {
		t.Errorf("err = %v, want ErrNotKruzhok", err)
	}
}

func TestMeta(t *testing.T) {
	now := time.Date(2026, 11, 27, 22, 30, 0, 0, time.UTC) // already the 28th in Moscow
	db := openAt(t, filepath.Join(t.TempDir(), "kruzhok.db"), store.Options{
		NoSync: true, Now: func() time.Time { return now }})
	var m app.Meta
	if _, err := db.Exec(probe{&m}); err != nil {
		t.Fatal(err)
	}
	want := app.Meta{Node: db.Node(), Today: app.MustDate("2026-11-28"), Authority: true, Scope: app.ScopeRegion, Time: now.Unix()}
	if m != want {
		t.Errorf("Meta = %+v, want %+v", m, want)
	}
}
