package store_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"kruzhok/app"
	"kruzhok/store"
)

// numbered lists the numbers of every contract and invoice of db by id.
func numbered(t *testing.T, db *store.DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := db.View(func(r app.Reader) error {
		ks, err := app.List[app.Contract](r, "", "", 0)
		for _, k := range ks {
			out["contract "+k.ID] = k.Number
		}
		if err != nil {
			return err
		}
		invs, err := app.List[app.Invoice](r, "", "", 0)
		for _, inv := range invs {
			out["invoice "+inv.ID] = inv.Number
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// atVersion4 copies db's file and makes the copy what a schema-4 database
// with the same records was: no numbers, no number counters. authority
// sets the copy's meta/authority.
func atVersion4(t *testing.T, db *store.DB, authority bool) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "v4.db")
	if err := db.Bolt().View(func(tx *bbolt.Tx) error { return tx.CopyFile(path, 0o600) }); err != nil {
		t.Fatal(err)
	}
	bdb, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	err = bdb.Update(func(tx *bbolt.Tx) error {
		for _, kind := range []app.Kind{app.KindContract, app.KindInvoice} {
			b := tx.Bucket([]byte("rec/" + kind))
			type kv struct{ k, v []byte }
			var strip []kv
			err := b.ForEach(func(k, v []byte) error {
				rec, err := store.DecodeRecord(kind, v)
				if err != nil {
					return err
				}
				switch r := rec.(type) {
				case *app.Contract:
					r.Number = ""
				case *app.Invoice:
					r.Number = ""
				}
				nv, err := store.Encode(rec)
				strip = append(strip, kv{append([]byte(nil), k...), nv})
				return err
			})
			if err != nil {
				return err
			}
			for _, e := range strip {
				if err := b.Put(e.k, e.v); err != nil {
					return err
				}
			}
		}
		serial := tx.Bucket([]byte("serial"))
		var counters [][]byte
		_ = serial.ForEach(func(k, _ []byte) error {
			if s := string(k); strings.HasPrefix(s, "contract/") || strings.HasPrefix(s, "invoice/") {
				counters = append(counters, append([]byte(nil), k...))
			}
			return nil
		})
		for _, k := range counters {
			if err := serial.Delete(k); err != nil {
				return err
			}
		}
		meta := tx.Bucket([]byte("meta"))
		flag := byte(0)
		if authority {
			flag = 1
		}
		if err := meta.Put([]byte("authority"), []byte{flag}); err != nil {
			return err
		}
		return meta.Put([]byte("schema_version"), []byte{0, 0, 0, 0, 0, 0, 0, 4})
	})
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// Migration 5 numbers the contracts and invoices of an authority database in
// the order the authority numbers them when it makes them: the same numbers,
// and later documents continue the series. A node's database numbers nothing.
func TestMigrate0005Numbers(t *testing.T) {
	w := newRegion(t)
	start := app.DateOf(w.now)
	for _, group := range []string{w.Group, w.OGroup, w.Group} {
		_, cert, _ := w.financed()
		w.must(w.server, w.enrolCmd(w.server, cert, group, start))
		w.now = w.now.Add(24 * time.Hour)
	}
	w.must(w.server, &app.CloseMonth{Month: app.MonthOf(2026, time.November)})
	w.must(w.server, &app.CloseMonth{Month: app.MonthOf(2026, time.December)})
	_, spare, _ := w.financed() // enrolled after the migration
	want := numbered(t, w.server)
	if len(want) != 3+2+2+2 {
		t.Fatalf("the fixture has %d contracts and invoices: %v", len(want), want)
	}
	for id, n := range want {
		if n == "" {
			t.Fatalf("%s has no number on the authority", id)
		}
	}

	db := openAt(t, atVersion4(t, w.server, true), store.Options{NoSync: true, Now: func() time.Time { return w.now }})
	if v := schemaVersion(t, db); v != store.CurrentVersion {
		t.Fatalf("schema_version %d after the upgrade", v)
	}
	got := numbered(t, db)
	for id, n := range want {
		if got[id] != n {
			t.Errorf("%s: migrated number %q, numbered when made %q", id, got[id], n)
		}
	}
	if b := db.Check(app.Check); len(b) > 0 {
		t.Errorf("check after the migration: %q", b)
	}
	// The series continues: the next contract of 27 in 2026 is the fourth.
	enrol := w.enrolCmd(db, spare, w.Group, start.AddDays(3))
	w.must(db, enrol)
	if n := getRec[app.Contract](t, db, enrol.ID).Number; n != "ДД-27-2026-000004" {
		t.Errorf("the first contract after the migration is %q", n)
	}

	node := openAt(t, atVersion4(t, w.server, false), store.Options{NoSync: true, Now: func() time.Time { return w.now }})
	for id, n := range numbered(t, node) {
		if n != "" {
			t.Errorf("a node's migration numbered %s: %q", id, n)
		}
	}
}
