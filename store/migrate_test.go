package store_test

import (
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"go.etcd.io/bbolt"

	"kruzhok/app"
	"kruzhok/store"
)

// copyFile copies a fixture so the test never migrates the committed file.
func copyFile(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return dst
}

// testdata/v1.db is written by testdata/genv1.go in schema version 1: three
// children, two certificates, two contracts and seven ops, no index buckets.
func TestUpgradeFromV1(t *testing.T) {
	path := copyFile(t, filepath.Join("testdata", "v1.db"))
	var oldHLC uint64
	func() {
		bdb, err := bbolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer bdb.Close()
		_ = bdb.View(func(tx *bbolt.Tx) error {
			meta := tx.Bucket([]byte("meta"))
			if v := binary.BigEndian.Uint64(meta.Get([]byte("schema_version"))); v != 1 {
				t.Fatalf("fixture is at schema %d, want 1", v)
			}
			oldHLC = binary.BigEndian.Uint64(meta.Get([]byte("hlc")))
			return tx.ForEach(func(name []byte, _ *bbolt.Bucket) error {
				if string(name[:4]) == "idx/" {
					t.Fatalf("fixture already has index bucket %s", name)
				}
				return nil
			})
		})
	}()

	db := openAt(t, path, store.Options{NoSync: true})
	if v := schemaVersion(t, db); v != store.CurrentVersion {
		t.Errorf("schema_version after upgrade = %d, want %d", v, store.CurrentVersion)
	}
	mustClean(t, db)
	if db.Node() != "0190a0b1-c2d3-7e4f-8a5b-6c7d8e9f0a1b" {
		t.Errorf("node = %q, want the fixture's", db.Node())
	}

	cases := []struct {
		name       string
		kind       app.Kind
		index, key string
		want       []string
	}{
		{"ChildrenByMunicipality", app.KindChild, app.IdxMunicipality, "01", []string{"child-1", "child-2"}},
		{"ChildByName", app.KindChild, app.IdxName, "елкина анна", []string{"child-2"}},
		{"CertificateByChild", app.KindCertificate, app.IdxChild, "child-1", []string{"cert-1"}},
		{"CertificateByNumber", app.KindCertificate, app.IdxNumber, "26-01-000002", []string{"cert-2"}},
		{"ContractsByCertificate", app.KindContract, app.IdxCertificate, "cert-1", []string{"contract-1"}},
		{"ContractsByGroup", app.KindContract, app.IdxGroup, "group-1", []string{"contract-1", "contract-2"}},
		{"ActiveContracts", app.KindContract, app.IdxStatus, app.ContractActive, []string{"contract-1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := scan(t, db, tc.kind, tc.index, tc.key); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Scan(%s, %s, %q) = %v, want %v", tc.kind, tc.index, tc.key, got, tc.want)
			}
		})
	}

	n, err := db.OutboxLen()
	if err != nil || n != 7 {
		t.Fatalf("OutboxLen = %d, %v; want the fixture's 7", n, err)
	}
	op, err := db.Exec(putChild{Child: child("child-4", "Новый", "Ребёнок", "01")})
	if err != nil {
		t.Fatal(err)
	}
	if op.Seq != 8 || op.HLC <= oldHLC {
		t.Errorf("first op after upgrade: seq %d hlc %d, want seq 8 and hlc above %d", op.Seq, op.HLC, oldHLC)
	}
	if got := scan(t, db, app.KindChild, app.IdxMunicipality, "01"); len(got) != 3 {
		t.Errorf("children of 01 after a new Exec: %v", got)
	}
	mustClean(t, db)
}

// A migration that fails leaves the database at its old version, untouched.
func TestUpgradeFailureKeepsV1(t *testing.T) {
	path := copyFile(t, filepath.Join("testdata", "v1.db"))
	bdb, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = bdb.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte("rec/certificate")).Put([]byte("cert-2"), []byte{1, '['})
	})
	bdb.Close()
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(path, store.Options{NoSync: true})
	if err == nil {
		db.Close()
		t.Fatal("Open migrated a database with an undecodable record")
	}
	t.Logf("Open: %v", err)
	boltCheck(t, path)
	bdb, err = bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	_ = bdb.View(func(tx *bbolt.Tx) error {
		if v := binary.BigEndian.Uint64(tx.Bucket([]byte("meta")).Get([]byte("schema_version"))); v != 1 {
			t.Errorf("schema_version after a failed migration = %d, want 1", v)
		}
		if tx.Bucket([]byte("idx/child/municipality")) != nil {
			t.Errorf("a failed migration left index buckets behind")
		}
		return nil
	})
}
