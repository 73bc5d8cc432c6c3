package store_test

import (
	"testing"

	"kruzhok/app"
	"kruzhok/store"
)

// BenchmarkExecBatchMarksNode is a provider's node recording attendance
// through ExecBatch, 1 000 MarkAttendance commands a transaction (no fsync),
// the way `kruzhok bench region` measures node_record_ops_per_s: the group,
// region, lesson and contracts of every mark are read, and the lessons
// written, inside one transaction.
func BenchmarkExecBatchMarksNode(b *testing.B) {
	w, _, batch := benchAttendanceOpt(b, false, false)
	nd := w.join("node", app.ProviderScope(w.Prov))
	w.pull(nd, 0)
	cmds := make([][]app.Command, 2)
	for i := range cmds {
		for _, op := range batch(i) {
			c, err := store.DecodeCommand(op.Type, op.Payload)
			if err != nil {
				b.Fatal(err)
			}
			cmds[i] = append(cmds[i], c)
		}
	}
	b.ResetTimer()
	for i := range b.N {
		cs := cmds[i%2]
		for lo := 0; lo < len(cs); lo += 1000 {
			if _, err := nd.db.ExecBatch(cs[lo:min(lo+1000, len(cs))]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "ops/s")
}
