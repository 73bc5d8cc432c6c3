package store_test

import (
	"fmt"
	"testing"
	"time"

	"kruzhok/app"
	"kruzhok/assets"
	"kruzhok/store"
)

// The same figures as BenchmarkExecOne and BenchmarkImportChildren100k with
// the real domain command: app.RegisterChild validates age, municipality and
// consent against the store before it writes.

func registerCmd(i int, today app.Date) *app.RegisterChild {
	c := benchChild(i)
	c.SNILS = ""
	c.BirthDate = today.AddDays(-(5*366 + i%4000))
	c.ConsentDate = today
	return &app.RegisterChild{Child: c}
}

func seededBench(b *testing.B) (*store.DB, app.Date) {
	db := openBench(b, false)
	today := app.DateOf(time.Now())
	if _, err := db.Exec(assets.Seed(today)); err != nil {
		b.Fatal(err)
	}
	return db, today
}

// BenchmarkRegisterChildOne is the UI case with the real command: one
// RegisterChild per transaction, fsync on. Compare with BenchmarkBareBoltCommit.
func BenchmarkRegisterChildOne(b *testing.B) {
	db, today := seededBench(b)
	cmds := make([]app.Command, b.N)
	for i := range cmds {
		cmds[i] = registerCmd(i, today)
	}
	b.ResetTimer()
	for i := range b.N {
		if _, err := db.Exec(cmds[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
}

// BenchmarkRegisterChildren100k imports 100 000 children with the real
// command in transactions of 1 000 (fsync on). Compare with BenchmarkBareBolt100k.
func BenchmarkRegisterChildren100k(b *testing.B) {
	today := app.DateOf(time.Now())
	cmds := make([]app.Command, importTotal)
	for i := range cmds {
		cmds[i] = registerCmd(i, today)
	}
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		db, _ := seededBench(b)
		b.StartTimer()
		for i := 0; i < importTotal; i += importBatch {
			if _, err := db.ExecBatch(cmds[i : i+importBatch]); err != nil {
				b.Fatal(fmt.Errorf("batch at %d: %w", i, err))
			}
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(b.N*importTotal)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/100k")
}
