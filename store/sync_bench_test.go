package store_test

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.etcd.io/bbolt"

	"kruzhok/app"
	"kruzhok/store"
)

const (
	benchBatch    = 4000 // ops per ApplyRemote, as a node back from a week offline sends
	benchGroups   = 8
	benchChildren = 10 // per group
)

// benchAttendanceOpt builds a server (fsync on or off) with a provider node and
// benchGroups groups of benchChildren enrolled children, and returns the node
// and a function making batch i: benchBatch MarkAttendance ops, consecutive
// seqs, each changing one mark of a scheduled lesson (the mark alternates
// between batches, so every op of every batch writes).
func benchAttendanceOpt(b *testing.B, fsync, sealed bool) (*region, app.Node, func(i int) []app.Op) {
	w := newRegionOpt(b, fsync, sealed)
	w.must(w.server, &app.ListProgramme{Municipality: "27", Programme: w.Prog})
	type mark struct {
		group, child string
		date         app.Date
	}
	var marks []mark
	for g := range benchGroups {
		group := w.id("grp")
		w.must(w.server, w.groupCmd(group, w.Mod))
		start := app.MustDate("2026-11-15")
		var kids []string
		for range benchChildren {
			c := w.childCmd("27")
			w.must(w.server, c)
			cert := w.id("cert")
			w.must(w.server, &app.IssueCertificate{ID: cert, Child: c.Child.ID})
			w.must(w.server, w.enrolCmd(w.server, cert, group, start))
			kids = append(kids, c.Child.ID)
		}
		for d := start; d <= app.MustDate("2027-05-31"); d++ {
			if wd := d.Weekday(); wd != 2 && wd != 4 {
				continue
			}
			for _, k := range kids {
				marks = append(marks, mark{group, k, d})
			}
		}
		_ = g
	}
	if len(marks) < benchBatch {
		b.Fatalf("only %d marks to make", len(marks))
	}
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	hash := hex.EncodeToString(secret)
	w.must(w.server, &app.CreateInvite{Hash: hash, Scope: app.ProviderScope(w.Prov)})
	w.must(w.server, &app.JoinNode{Hash: hash, Node: "bench-node", Key: hex.EncodeToString(secret)})
	n := getRec[app.Node](b, w.server, "bench-node")
	// After the last lesson: a mark of a lesson still to come is refused.
	w.now = time.Date(2027, 6, 1, 9, 0, 0, 0, w.now.Location())
	batch := func(i int) []app.Op {
		m := app.MarkPresent
		if i%2 == 1 {
			m = app.MarkAbsent
		}
		ops := make([]app.Op, benchBatch)
		for j := range ops {
			mk := marks[j]
			p, err := store.EncodeCommand(&app.MarkAttendance{Group: mk.group, Date: mk.date, Start: 15 * 60, Child: mk.child, Mark: m})
			if err != nil {
				b.Fatal(err)
			}
			ops[j] = app.Op{Node: n.ID, Seq: uint64(i*benchBatch + j + 1), HLC: uint64(j), Type: "mark_attendance", Payload: p}
		}
		return ops
	}
	return w, n, batch
}

// BenchmarkApplyRemote is the server applying one push of benchBatch
// MarkAttendance ops in one transaction (fsync on): decode, authorize, the
// rule code, the lesson's record and index, its feed entry, the result and
// the journal. The sync issue asks for at least 20 % of the put rate of bare
// bbolt: after each batch, untimed, the same number of lesson-sized values is
// put into bare bbolt 1 000 per transaction (BenchmarkBareBoltPuts1000), so
// bare-puts/s and pct-of-bare compare the two under the same machine load.
func BenchmarkApplyRemote(b *testing.B) { benchApplyRemote(b, false) }

// BenchmarkApplyRemoteSealed is BenchmarkApplyRemote on a sealed server
// (Options.DataKey): issue 10 allows it to be at most 15 % slower.
func BenchmarkApplyRemoteSealed(b *testing.B) { benchApplyRemote(b, true) }

func benchApplyRemote(b *testing.B, sealed bool) { benchApplyRemoteOpt(b, true, sealed) }

// benchApplyRemoteOpt is benchApplyRemote with the server's fsync on or off.
func benchApplyRemoteOpt(b *testing.B, fsync, sealed bool) {
	w, n, batch := benchAttendanceOpt(b, fsync, sealed)
	batches := make([][]app.Op, b.N)
	for i := range batches {
		batches[i] = batch(i)
	}
	bare := newBarePuts(b)
	var bareTime time.Duration
	b.ResetTimer()
	for i := range b.N {
		_, rs, _, err := w.server.ApplyRemote(n, batches[i])
		if err != nil {
			b.Fatal(err)
		}
		if rs[len(rs)-1].Status != store.StatusApplied {
			b.Fatalf("op rejected: %+v", rs[len(rs)-1])
		}
		b.StopTimer()
		bareTime += bare.put(b, benchBatch)
		b.StartTimer()
	}
	ops := float64(b.N*benchBatch) / b.Elapsed().Seconds()
	puts := float64(b.N*benchBatch) / bareTime.Seconds()
	b.ReportMetric(ops, "ops/s")
	b.ReportMetric(puts, "bare-puts/s")
	b.ReportMetric(100*ops/puts, "pct-of-bare")
}

// barePuts puts lesson-sized values under fresh keys into bare bbolt.
type barePuts struct {
	db  *bbolt.DB
	val []byte
}

func newBarePuts(b *testing.B) *barePuts {
	rec := app.Lesson{ID: "grp-0001|2026-11-17|0900", Group: "grp-0001", Provider: uuid.NewString(),
		Date: app.MustDate("2026-11-17"), Start: 900, Marks: map[string]string{}}
	for k := range benchChildren {
		rec.Marks[fmt.Sprintf("child-%04d", k)] = app.MarkPresent
	}
	val, err := store.EncodeCommand(putRecord{rec})
	if err != nil {
		b.Fatal(err)
	}
	return &barePuts{db: openBareBolt(b), val: val}
}

// put stores n values, 1 000 per transaction, and returns the time it took.
func (p *barePuts) put(b *testing.B, n int) time.Duration {
	keys := make([][]byte, n)
	for i := range keys {
		keys[i] = []byte(uuid.Must(uuid.NewV7()).String())
	}
	start := time.Now()
	for i := 0; i < n; i += 1000 {
		if err := p.db.Update(func(tx *bbolt.Tx) error {
			bk := tx.Bucket([]byte("b"))
			for _, k := range keys[i:min(i+1000, n)] {
				if err := bk.Put(k, p.val); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(start)
}

// BenchmarkBareBoltPuts1000 is the floor under BenchmarkApplyRemote alone:
// values of a lesson's stored size, 1 000 puts per bbolt transaction, fsync on.
func BenchmarkBareBoltPuts1000(b *testing.B) {
	bare := newBarePuts(b)
	var d time.Duration
	for range b.N {
		d += bare.put(b, benchBatch)
	}
	b.ReportMetric(float64(b.N*benchBatch)/d.Seconds(), "puts/s")
	b.ReportMetric(float64(len(bare.val)), "value-B")
}
