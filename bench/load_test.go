package bench_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"kruzhok/app"
	"kruzhok/bench"
)

// Load test bounds.
const (
	loadNodes    = 200
	maxHeapInUse = 512 << 20
)

// loadDuration is 5 s, or KRUZHOK_LOAD_SECONDS (60 for the full run).
func loadDuration(t *testing.T) time.Duration {
	if v := os.Getenv("KRUZHOK_LOAD_SECONDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			t.Fatalf("KRUZHOK_LOAD_SECONDS=%q: want a positive number of seconds", v)
		}
		return time.Duration(n) * time.Second
	}
	return 5 * time.Second
}

// 200 provider nodes push and pull at once against a real sync server on
// loopback HTTP: every round succeeds, no op is rejected, every node ends
// equal to the server's view of its scope, the server's database passes every
// check, and the heap in use (sampled through the run; server and all 200
// nodes share this process, so it bounds the server from above) stays under
// 512 MiB.
func TestLoad(t *testing.T) {
	d := loadDuration(t)
	ctx := context.Background()
	dir := t.TempDir()
	srv, err := bench.NewServer(dir, bench.WorldOptions{Providers: 10, Groups: 1, Children: 12, Spare: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	srv.Clock.Set(app.MustDate("2026-09-30"))
	hc := srv.Client()

	t0 := time.Now()
	nodes := make([]*bench.Node, loadNodes)
	for i := range nodes {
		p := srv.Providers[i%len(srv.Providers)]
		n, err := srv.Join(ctx, filepath.Join(dir, fmt.Sprintf("node-%03d.db", i)), app.ProviderScope(p.ID), hc)
		if err != nil {
			t.Fatalf("join node %d: %v", i, err)
		}
		defer n.DB.Close()
		nodes[i] = n
	}
	t.Logf("%d nodes joined in %v", loadNodes, time.Since(t0).Round(time.Millisecond))

	peakHeap := bench.SampleHeap(50 * time.Millisecond)

	lessons := bench.Lessons(app.MonthOf(2026, time.September))
	var rounds, ops, pushed, pulled, rejected, failures atomic.Int64
	var firstErr gosync.Once
	var wg gosync.WaitGroup
	deadline := time.Now().Add(d)
	for i, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rnd := rand.New(rand.NewPCG(uint64(i), 7))
			groups := srv.Providers[i%len(srv.Providers)].Groups
			for time.Now().Before(deadline) {
				g := groups[rnd.IntN(len(groups))]
				var cmds []app.Command
				for range 1 + rnd.IntN(20) {
					cmds = append(cmds, &app.MarkAttendance{Group: g.ID, Date: lessons[rnd.IntN(len(lessons))],
						Start: 15 * 60, Child: g.Children[rnd.IntN(len(g.Children))],
						Mark: []string{app.MarkPresent, app.MarkAbsent, app.MarkExcused}[rnd.IntN(3)]})
				}
				if _, err := n.DB.ExecBatch(cmds); err != nil {
					failures.Add(1)
					firstErr.Do(func() { t.Errorf("node %d: marks: %v", i, err) })
					return
				}
				ops.Add(int64(len(cmds)))
				rep, err := n.Client.SyncOnce(ctx)
				if err != nil {
					failures.Add(1)
					firstErr.Do(func() { t.Errorf("node %d: sync: %v", i, err) })
					return
				}
				rounds.Add(1)
				pushed.Add(int64(rep.Pushed))
				pulled.Add(int64(rep.Pulled))
				rejected.Add(int64(rep.Rejected))
				time.Sleep(time.Duration(rnd.IntN(20)) * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	maxHeap := peakHeap()

	// Quiet now: one more round each, and every node equals the server's view.
	for i, n := range nodes {
		rep, err := n.Client.SyncOnce(ctx)
		if err != nil || !rep.DigestMatch {
			t.Errorf("node %d after the load: %+v, %v", i, rep, err)
		}
	}
	if b := srv.DB.Check(app.Check); len(b) > 0 {
		t.Errorf("server after the load: %q", b)
	}
	acked := 0
	for _, n := range nodes {
		a, _ := srv.DB.Acked(n.DB.Node())
		acked += int(a)
	}
	t.Logf("%v of load: %d rounds (%.0f/s), %d ops made, %d pushed, %d acked, %d records pulled, "+
		"push %d B, pull %d B; max heap in use %.1f MiB",
		d, rounds.Load(), float64(rounds.Load())/d.Seconds(), ops.Load(), pushed.Load(), acked, pulled.Load(),
		srv.Wire.PushSent.Load(), srv.Wire.PullReply.Load(), float64(maxHeap)/(1<<20))
	if failures.Load() > 0 || rejected.Load() > 0 {
		t.Errorf("%d failed rounds, %d rejected ops", failures.Load(), rejected.Load())
	}
	if int64(acked) != ops.Load() {
		t.Errorf("server acked %d ops, nodes made %d", acked, ops.Load())
	}
	if rounds.Load() < loadNodes {
		t.Errorf("only %d rounds in %v", rounds.Load(), d)
	}
	if h := maxHeap; h > maxHeapInUse {
		t.Errorf("heap in use reached %.1f MiB, bound %d MiB", float64(h)/(1<<20), maxHeapInUse>>20)
	}
}
