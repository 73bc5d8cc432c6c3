package store_test

import (
	"encoding/binary"
	"strings"
	"testing"

	"go.etcd.io/bbolt"

	"kruzhok/app"
	"kruzhok/store"
)

// seeded returns a clean database with a few children and their ops.
func seeded(t *testing.T) *store.DB {
	t.Helper()
	db := openTemp(t)
	_, err := db.ExecBatch([]app.Command{
		putChild{Child: child("c1", "Иванов", "Пётр", "01")},
		putChild{Child: child("c2", "Петрова", "Анна", "01")},
		putChild{Child: child("c3", "Сидоров", "Иван", "02")},
	})
	if err != nil {
		t.Fatal(err)
	}
	mustClean(t, db)
	return db
}

// corrupt changes the database behind the store's back.
func corrupt(t *testing.T, db *store.DB, fn func(tx *bbolt.Tx) error) {
	t.Helper()
	if err := db.Bolt().Update(fn); err != nil {
		t.Fatal(err)
	}
}

// wantBreach asserts that Check reports a line containing every fragment.
func wantBreach(t *testing.T, db *store.DB, fragments ...string) {
	t.Helper()
	lines := db.Check(nil)
	for _, l := range lines {
		ok := true
		for _, f := range fragments {
			ok = ok && strings.Contains(l, f)
		}
		if ok {
			t.Logf("Check: %s", l)
			return
		}
	}
	t.Errorf("Check = %q, want a line with %q", lines, fragments)
}

func TestCheckFindsBreaches(t *testing.T) {
	key := func(k, id string) []byte { return append(append([]byte(k), 0), id...) }
	cases := []struct {
		name   string
		breaks func(tx *bbolt.Tx) error
		want   []string
	}{
		{"IndexEntryMissing", func(tx *bbolt.Tx) error {
			return tx.Bucket([]byte("idx/child/name")).Delete(key("иванов петр", "c1"))
		}, []string{"c1", "index entry missing"}},
		{"IndexEntryOfMissingRecord", func(tx *bbolt.Tx) error {
			return tx.Bucket([]byte("idx/child/municipality")).Put(key("01", "ghost"), nil)
		}, []string{"ghost", "missing record"}},
		{"IndexEntryNotListed", func(tx *bbolt.Tx) error {
			return tx.Bucket([]byte("idx/child/municipality")).Put(key("05", "c1"), nil)
		}, []string{"c1", "does not list"}},
		{"RecordUndecodable", func(tx *bbolt.Tx) error {
			return tx.Bucket([]byte("rec/child")).Put([]byte("c2"), []byte{9, '{', '}'})
		}, []string{"c2", "undecodable"}},
		{"RecordUnderWrongKey", func(tx *bbolt.Tx) error {
			b := tx.Bucket([]byte("rec/child"))
			return b.Put([]byte("c9"), append([]byte(nil), b.Get([]byte("c3"))...))
		}, []string{"c9", "wrong key"}},
		{"OutboxGap", func(tx *bbolt.Tx) error {
			return tx.Bucket([]byte("outbox")).Delete(seq(2))
		}, []string{"outbox", "gap"}},
		{"OutboxTailLost", func(tx *bbolt.Tx) error {
			return tx.Bucket([]byte("outbox")).Delete(seq(3))
		}, []string{"outbox", "bucket sequence"}},
		{"OutboxUndecodable", func(tx *bbolt.Tx) error {
			return tx.Bucket([]byte("outbox")).Put(seq(1), []byte{1, 'x'})
		}, []string{"outbox 1", "undecodable"}},
		{"SchemaVersion", func(tx *bbolt.Tx) error {
			return tx.Bucket([]byte("meta")).Put([]byte("schema_version"), seq(1))
		}, []string{"schema_version 1"}},
		{"StrangeBucket", func(tx *bbolt.Tx) error {
			_, err := tx.CreateBucket([]byte("junk"))
			return err
		}, []string{"junk", "not in the schema"}},
		{"BadSerial", func(tx *bbolt.Tx) error {
			return tx.Bucket([]byte("serial")).Put([]byte("x"), []byte{1})
		}, []string{"serial", "8 bytes"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := seeded(t)
			corrupt(t, db, tc.breaks)
			wantBreach(t, db, tc.want...)
		})
	}
	t.Run("Domain", func(t *testing.T) {
		db := seeded(t)
		lines := db.Check(func(r app.Reader) []string {
			kids, err := app.List[app.Child](r, app.IdxMunicipality, "01", 0)
			if err != nil {
				return []string{err.Error()}
			}
			return []string{"domain saw " + string(rune('0'+len(kids)))}
		})
		if len(lines) != 1 || lines[0] != "domain saw 2" {
			t.Errorf("Check(domain) = %q", lines)
		}
	})
}

func seq(n uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, n)
	return b
}
