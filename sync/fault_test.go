package sync_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"kruzhok/app"
	"kruzhok/store"
	"kruzhok/sync"
)

// work makes k new ops on a provider node: groups of its module.
func (n *node) work(k int) (ids []string) {
	n.t.Helper()
	_, id, _ := app.ParseScope(n.scope)
	for i := 0; i < k; i++ {
		ids = append(ids, n.w.id(id+"-g"))
		n.must(groupCmd(ids[i], id+"-mod"))
	}
	return ids
}

// The link breaks after N bytes of a push body, for many N: nothing is
// applied, and the next round delivers every op exactly once.
func TestPushLinkCut(t *testing.T) {
	w := newWorld(t)
	a := w.join(app.ProviderScope(w.A.ID))
	a.work(3)
	frame, err := sync.ExportBatch(a.db, a.key())
	if err != nil {
		t.Fatal(err)
	}
	L := int64(len(frame))
	for _, n := range []int64{0, 1, 3, 4, 36, 99, 100, 101, 120, L / 2, L - 2, L - 1} {
		w.cut.push.Store(n)
		if _, err := a.c.SyncOnce(context.Background()); err == nil {
			t.Fatalf("push cut after %d of %d bytes went through", n, L)
		}
		if acked, _ := w.db.Acked(a.db.Node()); acked != 0 {
			t.Fatalf("cut after %d bytes: server acked %d", n, acked)
		}
		if st, _ := a.db.SyncState(); st.Pending != 3 || st.LastError == "" {
			t.Fatalf("cut after %d bytes: node state %+v", n, st)
		}
	}
	w.cut.push.Store(-1)
	a.converged()
	a.exactlyOnce()
	if st, _ := a.db.SyncState(); st.LastError != "" || st.LastSync.IsZero() {
		t.Fatalf("state after a good round %+v", st)
	}
	w.checkClean()
}

// The link breaks in the middle of a pull reply, at many points and both as
// an error and as a clean early end: the cursor stays, and the next round
// resumes and converges.
func TestPullLinkCut(t *testing.T) {
	w := newWorld(t)
	a := w.join(app.ProviderScope(w.A.ID))
	for _, n := range []int64{0, 1, 5, 40, 200, 1000, 1 << 40} {
		for _, clean := range []bool{false, true} {
			// The server changes something the provider sees.
			w.must(groupCmd(w.id("srv-g"), w.B.Mod))
			a.work(1)
			before, _ := a.db.SyncState()
			w.cut.pull.Store(n)
			w.cut.pullCleanly.Store(clean)
			if _, err := a.c.SyncOnce(context.Background()); err == nil {
				t.Fatalf("pull cut after %d bytes (clean %v) went through", n, clean)
			}
			if st, _ := a.db.SyncState(); st.Cursor != before.Cursor {
				t.Fatalf("cut %d: cursor moved %d → %d", n, before.Cursor, st.Cursor)
			}
		}
	}
	w.cut.pull.Store(-1)
	a.converged()
	a.exactlyOnce()
}

// A bootstrap cut off after join resumes with the next sync.
func TestBootstrapResumes(t *testing.T) {
	w := newWorld(t)
	db := openDB(t, "node.db", func() time.Time { return today })
	w.cut.pull.Store(100)
	err := sync.Join(context.Background(), db, w.ts.URL, w.invite(app.MunicipalityScope("27")), w.hc)
	if err == nil {
		t.Fatal("join with a cut bootstrap succeeded")
	}
	if db.Authority() || db.Scope() != app.MunicipalityScope("27") {
		t.Fatalf("joined database: authority %v scope %s", db.Authority(), db.Scope())
	}
	w.cut.pull.Store(-1)
	c, err := sync.NewClient(db, w.hc)
	if err != nil {
		t.Fatal(err)
	}
	n := &node{t: t, w: w, db: db, c: c, scope: app.MunicipalityScope("27")}
	n.converged()
	get[app.Group](t, db, w.A.Group)
}

// The server commits a batch and dies before it answers: the node does not
// know, pushes the same ops again and gets the stored results; nothing is
// applied twice.
func TestServerDiesAfterCommit(t *testing.T) {
	w := newWorld(t)
	a := w.join(app.ProviderScope(w.A.ID))
	inner := *w.front.Load()
	var dying http.Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/push" {
			rec := httptest.NewRecorder()
			inner.ServeHTTP(rec, r) // the store commits
			panic(http.ErrAbortHandler)
		}
		inner.ServeHTTP(rw, r)
	})
	for round := 1; round <= 3; round++ {
		a.work(2)
		w.front.Store(&dying)
		if _, err := a.c.SyncOnce(context.Background()); err == nil {
			t.Fatal("sync without a reply succeeded")
		}
		if acked, _ := w.db.Acked(a.db.Node()); acked != uint64(2*round) {
			t.Fatalf("server acked %d", acked)
		}
		if st, _ := a.db.SyncState(); st.Pending != 2 {
			t.Fatalf("node state %+v", st)
		}
		w.front.Store(&inner)
		rep := a.sync()
		if rep.Pushed != 2 || rep.Applied != 2 || !rep.DigestMatch {
			t.Fatalf("round %d: %+v", round, rep)
		}
		a.exactlyOnce()
	}
	w.checkClean()
}

// The same batch delivered twice and out of order, as batch files can be:
// a later batch first is refused with need_from, each op is applied once.
func TestBatchesTwiceAndOutOfOrder(t *testing.T) {
	w := newWorld(t)
	a := w.join(app.ProviderScope(w.A.ID))
	a.work(3)
	first, err := sync.ExportBatch(a.db, a.key())
	if err != nil {
		t.Fatal(err)
	}
	a.work(3)
	ops, err := a.db.Outbox(4, 0)
	if err != nil || len(ops) != 3 {
		t.Fatalf("outbox %d %v", len(ops), err)
	}
	second, err := sync.EncodeBatch(a.key(), sync.NewBatch(a.db.Node(), ops))
	if err != nil {
		t.Fatal(err)
	}
	all, err := sync.ExportBatch(a.db, a.key())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	deliver := func(frame []byte, wantAcked uint64, wantCode string) {
		t.Helper()
		reply, err := sync.Deliver(ctx, w.hc, w.ts.URL, frame)
		if app.ErrorCode(err) != wantCode {
			t.Fatalf("deliver: %v, want code %q", err, wantCode)
		}
		if reply.AckedThrough != wantAcked {
			t.Fatalf("acked %d, want %d", reply.AckedThrough, wantAcked)
		}
		for _, r := range reply.Results {
			if r.Status != store.StatusApplied {
				t.Fatalf("result %+v", r)
			}
		}
	}
	deliver(second, 0, sync.CodeNeedFrom)
	deliver(first, 3, "")
	deliver(first, 3, "")
	deliver(second, 6, "")
	deliver(second, 6, "")
	deliver(all, 6, "")
	deliver(first, 6, "")
	if j := w.journal(a.db.Node()); len(j) != 6 {
		t.Fatalf("journal %v", j)
	}
	rep := a.sync()
	if rep.Pushed != 6 || rep.Applied != 6 || !rep.DigestMatch {
		t.Fatalf("node after its batches were delivered: %+v", rep)
	}
	a.exactlyOnce()
}

// A node whose clock is a year ahead syncs all the same: it signs in the
// server's time, learned from /v1/health, and nothing depends on its clock.
func TestNodeClockAYearOff(t *testing.T) {
	for _, off := range []time.Duration{365 * 24 * time.Hour, -365 * 24 * time.Hour} {
		t.Run(fmt.Sprint(off), func(t *testing.T) {
			w := newWorld(t)
			skewed := func() time.Time { return time.Now().Add(off) }
			a := w.joinAt(app.ProviderScope(w.A.ID), func() time.Time { return today.Add(off) })
			a.c.Now = skewed
			ids := a.work(2)
			a.converged()
			a.exactlyOnce()
			if g := get[app.Group](t, w.db, ids[1]); g.Provider != w.A.ID {
				t.Fatalf("group %+v", g)
			}
		})
	}
}

// A restored server (a new epoch, an older ack) makes the node reset, push
// again what the server lost and pull everything from 0.
func TestServerRestoredFromBackup(t *testing.T) {
	w := newWorld(t)
	a := w.join(app.ProviderScope(w.A.ID))
	a.work(2)
	a.converged()
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := w.db.Bolt().View(func(tx *bbolt.Tx) error { return tx.CopyFile(backup, 0o600) }); err != nil {
		t.Fatal(err)
	}
	a.work(3) // lost with the server
	a.converged()
	w.must(groupCmd("lost-too", w.B.Mod))
	old := w.db.Epoch()

	restored := w.restore(backup)
	if restored.Epoch() == old {
		t.Fatal("restore kept the epoch")
	}

	rep := a.sync()
	if rep.Pushed != 3 || rep.Applied != 3 || !rep.DigestMatch {
		t.Fatalf("after restore: %+v", rep)
	}
	a.converged()
	a.exactlyOnce()
	if st, _ := a.db.SyncState(); st.Epoch != restored.Epoch() {
		t.Fatalf("node epoch %s", st.Epoch)
	}
	if err := a.db.View(func(r app.Reader) error { _, err := app.Get[app.Group](r, "lost-too"); return err }); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("the node keeps a record the restored server lost: %v", err)
	}
	w.checkClean()
}

// More pending ops than one batch holds go in several batches, in order.
func TestManyOpsInSeveralBatches(t *testing.T) {
	w := newWorld(t)
	a := w.join(app.ProviderScope(w.A.ID))
	cmds := make([]app.Command, sync.MaxOps+300)
	for i := range cmds {
		g := groupCmd("grp-many", w.A.Mod)
		g.Capacity = int64(1 + i%100)
		cmds[i] = g
	}
	if _, err := a.db.ExecBatch(cmds); err != nil {
		t.Fatal(err)
	}
	before := w.cut.pushes.Load()
	rep := a.sync()
	if rep.Pushed != len(cmds) || rep.Applied != len(cmds) || !rep.DigestMatch {
		t.Fatalf("report %+v", rep)
	}
	if n := w.cut.pushes.Load() - before; n != 2 {
		t.Fatalf("%d pushes for %d ops", n, len(cmds))
	}
	if g := get[app.Group](t, w.db, "grp-many"); g.Capacity != int64(1+(len(cmds)-1)%100) {
		t.Fatalf("the last edit did not win: capacity %d", g.Capacity)
	}
	a.exactlyOnce()
}

// A server restored from a backup older than what its nodes keep needs ops a
// node has trimmed: every sync round answers OUTBOX_TRIMMED in Russian and
// changes nothing on the node, rather than resetting into a state it cannot
// finish.
func TestServerRestoredBeyondOutboxKeep(t *testing.T) {
	w := newWorld(t)
	a := w.join(app.ProviderScope(w.A.ID))
	a.work(2)
	a.converged()
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := w.db.Bolt().View(func(tx *bbolt.Tx) error { return tx.CopyFile(backup, 0o600) }); err != nil {
		t.Fatal(err)
	}
	a.work(3) // lost with the server, and trimmed on the node
	a.converged()
	if n, err := a.db.TrimOutbox(today.Add(time.Hour)); err != nil || n != 5 {
		t.Fatalf("TrimOutbox = %d, %v; want 5", n, err)
	}
	w.restore(backup)

	before, _ := a.db.SyncState()
	for round := range 2 {
		_, err := a.c.SyncOnce(context.Background())
		if app.ErrorCode(err) != app.OUTBOX_TRIMMED || !strings.Contains(app.ErrorMessage(err), "уже удалены") {
			t.Fatalf("round %d after a restore beyond the kept ops: %v, want OUTBOX_TRIMMED", round, err)
		}
	}
	after, _ := a.db.SyncState()
	if after.Epoch != before.Epoch || after.Acked != before.Acked || after.Cursor != before.Cursor ||
		!strings.Contains(after.LastError, "уже удалены") {
		t.Errorf("sync state %+v → %+v", before, after)
	}
	if b := a.db.Check(app.CheckNode); len(b) > 0 {
		t.Errorf("node check: %q", b)
	}
}

// restore makes the world's server run on the database copied to backup, as
// an operator restoring it would: a new epoch, the same address.
func (w *world) restore(backup string) *store.DB {
	w.t.Helper()
	restored, err := store.Open(backup, store.Options{NoSync: true, Now: func() time.Time { return today }})
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { restored.Close() })
	if err := restored.NewEpoch(); err != nil {
		w.t.Fatal(err)
	}
	w.db = restored
	h := sync.NewServer(restored, nil).Handler()
	w.front.Store(&h)
	return restored
}
