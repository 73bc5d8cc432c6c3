//go:build ignore

// genv1 writes testdata/v1.db: a database in schema version 1 (records, outbox,
// meta and serial buckets, no index buckets), written with bbolt directly so
// that it does not depend on the store code it tests. Run from store/:
//
//	go run testdata/genv1.go -o testdata/v1.db
package main

import (
	"encoding/binary"
	"encoding/json"
	"flag"
	"log"
	"os"

	"go.etcd.io/bbolt"

	"kruzhok/app"
)

const node = "0190a0b1-c2d3-7e4f-8a5b-6c7d8e9f0a1b"

func main() {
	out := flag.String("o", "testdata/v1.db", "output file")
	flag.Parse()
	_ = os.Remove(*out)
	db, err := bbolt.Open(*out, 0o600, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	d := app.MustDate
	children := []app.Child{
		{ID: "child-1", LastName: "Иванов", FirstName: "Пётр", MiddleName: "Сергеевич", BirthDate: d("2015-03-14"),
			Municipality: "01", GuardianName: "Иванова Мария", GuardianPhone: "+79280000001", ConsentDate: d("2026-09-01"),
			ConsentBy: "оператор", Registered: node},
		{ID: "child-2", LastName: "Ёлкина", FirstName: "Анна", BirthDate: d("2013-11-02"), Municipality: "01",
			ConsentDate: d("2026-09-02"), Registered: node},
		{ID: "child-3", LastName: "Петров", FirstName: "Иван", BirthDate: d("2017-06-30"), Municipality: "27",
			ConsentDate: d("2026-09-03"), Registered: node},
	}
	certs := []app.Certificate{
		{ID: "cert-1", Child: "child-1", Number: "26-01-000001", Municipality: "01", Type: app.CertFinancing,
			Status: app.CertActive, Issued: d("2026-09-01"), Period: "2026-2027",
			Ledgers: []app.Ledger{{Period: "2026-2027", Nominal: 1000000, Balance: 700000, Reserved: 300000}}},
		{ID: "cert-2", Child: "child-2", Number: "26-01-000002", Municipality: "01", Type: app.CertAccounting,
			Status: app.CertActive, Issued: d("2026-09-02")},
	}
	contracts := []app.Contract{
		{ID: "contract-1", Certificate: "cert-1", Child: "child-1", Group: "group-1", Module: "module-1",
			Programme: "prog-1", Provider: "prov-1", Municipality: "01", Direction: "tech", Period: "2026-2027",
			Funded: true, Start: d("2026-09-15"), End: d("2027-05-31"), Status: app.ContractActive, Created: d("2026-09-10")},
		{ID: "contract-2", Certificate: "cert-2", Child: "child-2", Group: "group-1", Module: "module-1",
			Programme: "prog-1", Provider: "prov-1", Municipality: "01", Direction: "tech", Period: "2026-2027",
			Start: d("2026-09-15"), End: d("2027-05-31"), Status: app.ContractRequested, Created: d("2026-09-11")},
	}
	var recs []app.Record
	for _, c := range children {
		recs = append(recs, c)
	}
	for _, c := range certs {
		recs = append(recs, c)
	}
	for _, c := range contracts {
		recs = append(recs, c)
	}

	err = db.Update(func(tx *bbolt.Tx) error {
		meta, err := tx.CreateBucket([]byte("meta"))
		if err != nil {
			return err
		}
		put(meta, "schema_version", u64(1))
		put(meta, "node", []byte(node))
		put(meta, "scope", []byte("region"))
		put(meta, "authority", []byte{1})
		for _, k := range app.Kinds {
			if _, err := tx.CreateBucket([]byte("rec/" + string(k))); err != nil {
				return err
			}
		}
		serial, err := tx.CreateBucket([]byte("serial"))
		if err != nil {
			return err
		}
		put(serial, "certificate/01", u64(2))
		outbox, err := tx.CreateBucket([]byte("outbox"))
		if err != nil {
			return err
		}
		hlc := uint64(1788220800000) << 16 // 2026-09-01T00:00:00Z
		for _, r := range recs {
			put(tx.Bucket([]byte("rec/"+string(r.Kind()))), r.RecordID(), encode(r))
			seq, err := outbox.NextSequence()
			if err != nil {
				return err
			}
			hlc++
			payload, _ := json.Marshal(map[string]any{"Kind": r.Kind(), "Record": r})
			put(outbox, string(u64(seq)), encode(struct {
				Node    string
				Seq     uint64
				HLC     uint64
				Type    string
				Payload json.RawMessage
			}{node, seq, hlc, "fixture.PutRecord", payload}))
		}
		put(meta, "hlc", u64(hlc))
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
}

// encode is the schema-1 codec: version byte 1, then JSON.
func encode(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		log.Fatal(err)
	}
	return append([]byte{1}, b...)
}

func put(b *bbolt.Bucket, k string, v []byte) {
	if err := b.Put([]byte(k), v); err != nil {
		log.Fatal(err)
	}
}

func u64(n uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	return b[:]
}
