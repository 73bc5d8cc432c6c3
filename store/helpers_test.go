package store_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"kruzhok/app"
	"kruzhok/store"
)

// openAt opens the store at path; cleanup closes it and runs bbolt's page
// check on the file.
func openAt(t testing.TB, path string, opt store.Options) *store.DB {
	t.Helper()
	if opt.Timeout == 0 {
		opt.Timeout = 200 * time.Millisecond
	}
	db, err := store.Open(path, opt)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		boltCheck(t, path)
	})
	return db
}

// openTemp opens a new store in a temporary directory with fsync off.
func openTemp(t testing.TB) *store.DB {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "kruzhok.db"), store.Options{NoSync: true})
}

// boltCheck runs bbolt's consistency check on a closed database file.
func boltCheck(t testing.TB, path string) {
	t.Helper()
	bdb, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Errorf("reopen %s for tx.Check: %v", path, err)
		return
	}
	defer bdb.Close()
	err = bdb.View(func(tx *bbolt.Tx) error {
		for err := range tx.Check() {
			t.Errorf("bbolt tx.Check %s: %v", path, err)
		}
		return nil
	})
	if err != nil {
		t.Errorf("view %s: %v", path, err)
	}
}

// dump hashes every bucket's name, sequence, keys and values (nested buckets
// too): equal hashes mean nothing changed.
func dump(t testing.TB, db *store.DB) string {
	t.Helper()
	h := sha256.New()
	var walk func(prefix string, b *bbolt.Bucket)
	walk = func(prefix string, b *bbolt.Bucket) {
		fmt.Fprintf(h, "bucket %q seq %d\n", prefix, b.Sequence())
		_ = b.ForEach(func(k, v []byte) error {
			if v == nil {
				walk(prefix+"/"+string(k), b.Bucket(k))
				return nil
			}
			fmt.Fprintf(h, "%x=%x\n", k, v)
			return nil
		})
	}
	err := db.Bolt().View(func(tx *bbolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bbolt.Bucket) error {
			walk(string(name), b)
			return nil
		})
	})
	if err != nil {
		t.Fatalf("dump: %v", err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// mustClean fails the test if db.Check reports anything.
func mustClean(t testing.TB, db *store.DB) {
	t.Helper()
	for _, l := range db.Check(nil) {
		t.Errorf("Check: %s", l)
	}
}

func codeOf(err error) string {
	var e *app.Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return "not an *app.Error: " + err.Error()
}

// scan lists the ids found by Scan.
func scan(t testing.TB, db *store.DB, kind app.Kind, index, prefix string) []string {
	t.Helper()
	var ids []string
	err := db.View(func(r app.Reader) error {
		return r.Scan(kind, index, prefix, func(id string) bool {
			ids = append(ids, id)
			return true
		})
	})
	if err != nil {
		t.Fatalf("Scan(%s, %q, %q): %v", kind, index, prefix, err)
	}
	return ids
}

func child(id, last, first, mun string) app.Child {
	return app.Child{ID: id, LastName: last, FirstName: first, Municipality: mun,
		BirthDate: app.MustDate("2015-05-05"), ConsentDate: app.MustDate("2026-09-01")}
}

// Test-local commands: real implementations of app.Command that exercise the
// store independent of the domain rules.

// putChild stores a child and then fails if Fail is set, to prove the
// rollback of a write made before the error.
type putChild struct {
	Child app.Child
	Fail  bool
}

func (c putChild) Op() string { return "test.PutChild" }
func (c putChild) Apply(tx app.Tx, _ app.Meta) error {
	if err := tx.Put(c.Child); err != nil {
		return err
	}
	if c.Fail {
		return app.Errorf(app.AGE_OUT_OF_RANGE, "Возраст ребёнка вне диапазона")
	}
	return nil
}

// renameChild loads a child, changes its last name and municipality, stores it.
type renameChild struct {
	ID, LastName, Municipality string
}

func (c renameChild) Op() string { return "test.RenameChild" }
func (c renameChild) Apply(tx app.Tx, _ app.Meta) error {
	ch, err := app.Get[app.Child](tx, c.ID)
	if err != nil {
		return err
	}
	ch.LastName = c.LastName
	if c.Municipality != "" {
		ch.Municipality = c.Municipality
	}
	return tx.Put(&ch) // a pointer is a record too
}

// deleteRecord deletes one record.
type deleteRecord struct {
	Kind app.Kind
	ID   string
}

func (c deleteRecord) Op() string                        { return "test.Delete" }
func (c deleteRecord) Apply(tx app.Tx, _ app.Meta) error { return tx.Delete(c.Kind, c.ID) }

// takeSerial draws from a counter and reports what it drew.
type takeSerial struct {
	Name string
	Fail bool
	got  *uint64
}

func (c takeSerial) Op() string { return "test.TakeSerial" }
func (c takeSerial) Apply(tx app.Tx, _ app.Meta) error {
	n, err := tx.NextSerial(c.Name)
	if err != nil {
		return err
	}
	if c.Fail {
		return app.Errorf(app.ECONFLICT, "Отказ после счётчика")
	}
	*c.got = n
	return nil
}

// probe records the Meta it was given.
type probe struct{ got *app.Meta }

func (c probe) Op() string                       { return "test.Probe" }
func (c probe) Apply(_ app.Tx, m app.Meta) error { *c.got = m; return nil }

// boom panics inside Apply after a write.
type boom struct{ Child app.Child }

func (c boom) Op() string { return "test.Boom" }
func (c boom) Apply(tx app.Tx, _ app.Meta) error {
	if err := tx.Put(c.Child); err != nil {
		return err
	}
	panic("сбой в команде")
}

// scanRename renames, from inside a Scan callback, every child the scan
// visits, and counts the visits.
type scanRename struct {
	Municipality string
	visits       map[string]int
}

func (c scanRename) Op() string { return "test.ScanRename" }
func (c scanRename) Apply(tx app.Tx, _ app.Meta) error {
	var ferr error
	err := tx.Scan(app.KindChild, app.IdxMunicipality, c.Municipality, func(id string) bool {
		c.visits[id]++
		ch, err := app.Get[app.Child](tx, id)
		if err == nil {
			ch.FirstName += "-x"
			err = tx.Put(ch)
		}
		ferr = err
		return err == nil
	})
	if err != nil {
		return err
	}
	return ferr
}
