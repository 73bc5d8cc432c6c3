package store_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/uuid"
	"go.etcd.io/bbolt"

	"kruzhok/app"
	"kruzhok/store"
)

// benchChild is a child record of realistic size with a unique id.
func benchChild(i int) app.Child {
	last := []string{"Иванов", "Петрова", "Сидоренко", "Кузнецова", "Смирнов", "Попова"}
	first := []string{"Александр", "Мария", "Дмитрий", "Анна", "Артём", "София"}
	c := child(uuid.Must(uuid.NewV7()).String(), last[i%len(last)], first[i/7%len(first)],
		fmt.Sprintf("%02d", i%33+1))
	c.MiddleName = "Сергеевич"
	c.GuardianName = "Иванова Мария Петровна"
	c.GuardianPhone = "+79280000000"
	c.ConsentBy = "оператор МОЦ"
	c.SNILS = "123-456-789 00"
	c.Registered = "0190a0b1-c2d3-7e4f-8a5b-6c7d8e9f0a1b"
	return c
}

// recordSize is the stored size of a bench child, for the bare-bbolt twins.
func recordSize(b *testing.B) int {
	rec, err := store.EncodeCommand(putChild{Child: benchChild(0)})
	if err != nil {
		b.Fatal(err)
	}
	return len(rec)
}

func openBench(b *testing.B, noSync bool) *store.DB { return openBenchKey(b, noSync, nil) }

func openBenchKey(b *testing.B, noSync bool, key []byte) *store.DB {
	b.Helper()
	path := filepath.Join(b.TempDir(), "kruzhok.db")
	db, err := store.Open(path, store.Options{NoSync: noSync, DataKey: key})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

func openBareBolt(b *testing.B) *bbolt.DB {
	b.Helper()
	bdb, err := bbolt.Open(filepath.Join(b.TempDir(), "bare.db"), 0o600,
		&bbolt.Options{FreelistType: bbolt.FreelistMapType})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { bdb.Close() })
	if err := bdb.Update(func(tx *bbolt.Tx) error {
		_, err := tx.CreateBucket([]byte("b"))
		return err
	}); err != nil {
		b.Fatal(err)
	}
	return bdb
}

// BenchmarkExecOne is the UI case: one command, one transaction, one fsync.
// It stores the record, two index entries, the op and the HLC.
func BenchmarkExecOne(b *testing.B) { benchExecOne(b, nil) }

// BenchmarkExecOneSealed is BenchmarkExecOne on a sealed database.
func BenchmarkExecOneSealed(b *testing.B) { benchExecOne(b, sealKey("bench")) }

func benchExecOne(b *testing.B, key []byte) {
	db := openBenchKey(b, false, key)
	cmds := make([]app.Command, b.N)
	for i := range cmds {
		cmds[i] = putChild{Child: benchChild(i)}
	}
	b.ResetTimer()
	for i := range b.N {
		if _, err := db.Exec(cmds[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
}

// BenchmarkExecOneNoSync is BenchmarkExecOne without fsync: the CPU cost of
// one Exec (encoding, index upkeep, op, commit).
func BenchmarkExecOneNoSync(b *testing.B) { benchExecOneNoSync(b, nil) }

// BenchmarkExecOneNoSyncSealed is BenchmarkExecOneNoSync on a sealed
// database: the CPU cost of the seal (issue 10: at most 15 % slower).
func BenchmarkExecOneNoSyncSealed(b *testing.B) { benchExecOneNoSync(b, sealKey("bench")) }

func benchExecOneNoSync(b *testing.B, key []byte) {
	db := openBenchKey(b, true, key)
	cmds := make([]app.Command, b.N)
	for i := range cmds {
		cmds[i] = putChild{Child: benchChild(i)}
	}
	b.ResetTimer()
	for i := range b.N {
		if _, err := db.Exec(cmds[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
}

// BenchmarkBareBoltCommit is the floor under BenchmarkExecOne: one bbolt
// Update putting one value of the same size, fsync on.
func BenchmarkBareBoltCommit(b *testing.B) {
	bdb := openBareBolt(b)
	val := make([]byte, recordSize(b))
	keys := make([][]byte, b.N)
	for i := range keys {
		keys[i] = []byte(uuid.Must(uuid.NewV7()).String())
	}
	b.ResetTimer()
	for i := range b.N {
		if err := bdb.Update(func(tx *bbolt.Tx) error {
			return tx.Bucket([]byte("b")).Put(keys[i], val)
		}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
}

const (
	importTotal = 100_000
	importBatch = 1_000
)

// BenchmarkImportChildren100k imports 100 000 children through ExecBatch in
// transactions of 1 000 commands (fsync on): records, indexes and ops.
func BenchmarkImportChildren100k(b *testing.B) {
	cmds := make([]app.Command, importTotal)
	for i := range cmds {
		cmds[i] = putChild{Child: benchChild(i)}
	}
	var size int64
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		db := openBench(b, false)
		b.StartTimer()
		for i := 0; i < importTotal; i += importBatch {
			if _, err := db.ExecBatch(cmds[i : i+importBatch]); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		if fi, err := os.Stat(db.Path()); err == nil {
			size = fi.Size()
		}
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(b.N*importTotal)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(size)/importTotal, "file-B/record")
}

// BenchmarkBareBolt100k is the floor under the import: 100 000 values of the
// record's size in bare bbolt transactions of 1 000 puts.
func BenchmarkBareBolt100k(b *testing.B) {
	val := make([]byte, recordSize(b))
	keys := make([][]byte, importTotal)
	for i := range keys {
		keys[i] = []byte(uuid.Must(uuid.NewV7()).String())
	}
	var size int64
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		bdb := openBareBolt(b)
		b.StartTimer()
		for i := 0; i < importTotal; i += importBatch {
			if err := bdb.Update(func(tx *bbolt.Tx) error {
				bk := tx.Bucket([]byte("b"))
				for _, k := range keys[i : i+importBatch] {
					if err := bk.Put(k, val); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		if fi, err := os.Stat(bdb.Path()); err == nil {
			size = fi.Size()
		}
		bdb.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(b.N*importTotal)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(size)/importTotal, "file-B/record")
}
