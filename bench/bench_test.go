package bench_test

import (
	"context"
	"crypto/ed25519"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"kruzhok/app"
	"kruzhok/bench"
	"kruzhok/sync"
)

// The sizes the design promises hold on the real frames; the rates are
// logged, never judged here (a timing is no test's pass/fail).
func TestSyncFigures(t *testing.T) {
	res, err := bench.Sync(context.Background(), bench.Options{Dir: t.TempDir(), BarePuts: 20_000, Runs: 3, Warmup: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Runs) != 3 || res.WarmupRuns != 1 {
		t.Fatalf("%d runs reported after %d warm-up runs, want 3 after 1", len(res.Runs), res.WarmupRuns)
	}
	below, above := 0, 0
	for _, r := range res.Runs {
		if r.ApplyPctOfBare < res.ApplyPctOfBare {
			below++
		} else if r.ApplyPctOfBare > res.ApplyPctOfBare {
			above++
		}
		if r.ApplyOpsPerSec <= 0 || r.BarePutsPerSec <= 0 {
			t.Errorf("a run without its rates: %+v", r)
		}
	}
	if below > 1 || above > 1 {
		t.Errorf("the result's %.1f %% is not the median of %+v", res.ApplyPctOfBare, res.Runs)
	}
	if !res.WireMatches || !res.Converged {
		t.Errorf("the HTTP push carried %d bytes, the frames are %d + %d; converged %v",
			res.WirePushBytes, res.MarkPushBytes, res.MonthPushBytes, res.Converged)
	}
	if res.MarkOps != 4000 || res.MarkBytesPerOp > bench.TargetBytesPerOp {
		t.Errorf("%d marks at %.1f B/op, target ≤ %d", res.MarkOps, res.MarkBytesPerOp, bench.TargetBytesPerOp)
	}
	if res.MonthOps < 4000 || res.MonthPushBytes > bench.TargetMonthBytes {
		t.Errorf("provider month of %d ops: %d B, target ≤ %d", res.MonthOps, res.MonthPushBytes, bench.TargetMonthBytes)
	}
	for _, op := range []string{"mark_attendance", "cancel_lesson", "enrol", "terminate"} {
		if res.MonthMix[op] == 0 {
			t.Errorf("the month has no %s: %v", op, res.MonthMix)
		}
	}
	t.Logf("marks %.1f B/op, month %d B (%.1f s at 128 kbit/s), apply %.0f ops/s = %.1f %% of bare %.0f puts/s",
		res.MarkBytesPerOp, res.MonthPushBytes, res.MonthTransferSeconds, res.ApplyOpsPerSec, res.ApplyPctOfBare, res.BarePutsPerSec)
}

// benchWorld is a server with one provider and its joined node, the clock
// at the end of September 2026.
func benchWorld(b *testing.B) (*bench.Server, *bench.Node) {
	b.Helper()
	dir := b.TempDir()
	srv, err := bench.NewServer(dir, bench.WorldOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	srv.Clock.Set(app.MustDate("2026-09-30"))
	n, err := srv.Join(context.Background(), filepath.Join(dir, "node.db"),
		app.ProviderScope(srv.Providers[0].ID), srv.Client())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { n.DB.Close() })
	return srv, n
}

// marks makes n pending marks on the node and returns them as the node's ops.
func marks(b *testing.B, srv *bench.Server, n *bench.Node, count int, rnd *rand.Rand) []app.Op {
	b.Helper()
	all := bench.MarkCommands(srv.Providers[0].Groups, bench.Lessons(app.MonthOf(2026, time.September)), nil, rnd)
	first, err := n.DB.OutboxLen()
	if err != nil {
		b.Fatal(err)
	}
	for len(all) < count {
		all = append(all, all...)
	}
	for i := 0; i < count; i += 1000 {
		if _, err := n.DB.ExecBatch(all[i:min(i+1000, count)]); err != nil {
			b.Fatal(err)
		}
	}
	ops, err := n.DB.Outbox(uint64(first)+1, 0)
	if err != nil {
		b.Fatal(err)
	}
	return ops
}

// BenchmarkPushFrameMarks encodes the push frame of 4 000 marks, as the
// client does; wire-B/op is the frame's bytes per mark.
func BenchmarkPushFrameMarks(b *testing.B) {
	srv, n := benchWorld(b)
	ops := marks(b, srv, n, 4000, rand.New(rand.NewPCG(1, 2)))
	var size int
	for b.Loop() {
		frame, err := sync.EncodeBatch(n.Client.Key, sync.NewBatch(n.DB.Node(), ops))
		if err != nil {
			b.Fatal(err)
		}
		size = len(frame)
	}
	b.ReportMetric(float64(size)/float64(len(ops)), "wire-B/op")
}

// BenchmarkApplyRemoteMarks is the server's ApplyRemote of decoded push
// frames of 1 000 marks, one transaction (with fsync) each.
func BenchmarkApplyRemoteMarks(b *testing.B) {
	srv, n := benchWorld(b)
	rnd := rand.New(rand.NewPCG(1, 2))
	node, err := srv.DB.NodeByKey(n.Client.Key.Public().(ed25519.PublicKey))
	if err != nil {
		b.Fatal(err)
	}
	applied := 0
	var spent time.Duration
	for b.Loop() {
		b.StopTimer()
		ops := marks(b, srv, n, 1000, rnd)
		frame, err := sync.EncodeBatch(n.Client.Key, sync.NewBatch(n.DB.Node(), ops))
		if err != nil {
			b.Fatal(err)
		}
		_, batch, err := sync.DecodeBatch(frame)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		t := time.Now()
		_, rs, need, err := srv.DB.ApplyRemote(node, batch.Ops)
		spent += time.Since(t)
		if err != nil || need != 0 || len(rs) != len(ops) {
			b.Fatalf("apply: %v, need %d, %d results", err, need, len(rs))
		}
		applied += len(ops)
		// The node hears the results, as after a push, so its next ops follow on.
		b.StopTimer()
		if err := n.DB.RecordResults(ops[len(ops)-1].Seq, rs); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(applied)/spent.Seconds(), "ops/s")
}

// BenchmarkBareBoltPuts is the reference: 1 000 puts of 128 bytes per
// transaction, with fsync.
func BenchmarkBareBoltPuts(b *testing.B) {
	path := filepath.Join(b.TempDir(), "bare.db")
	var rate float64
	for b.Loop() {
		r, err := bench.BarePuts(path, 100_000, 1000)
		if err != nil {
			b.Fatal(err)
		}
		rate = r
	}
	b.ReportMetric(rate, "puts/s")
}

// BenchmarkSync is `kruzhok bench sync` as a Go benchmark (-benchtime 1x).
func BenchmarkSync(b *testing.B) {
	var res bench.SyncResult
	for b.Loop() {
		var err error
		res, err = bench.Sync(context.Background(), bench.Options{Dir: b.TempDir(), Runs: 1, Warmup: -1})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(res.MarkBytesPerOp, "mark-B/op")
	b.ReportMetric(float64(res.MonthPushBytes), "month-B")
	b.ReportMetric(res.ApplyOpsPerSec, "apply-ops/s")
	b.ReportMetric(res.ApplyPctOfBare, "apply-%bare")
}
