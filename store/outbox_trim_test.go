package store_test

import (
	"encoding/binary"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"kruzhok/app"
	"kruzhok/store"
)

const day = 24 * time.Hour

// keyed returns the seqs of the keys of a node's seq-keyed bucket, by a scan
// of the bucket itself.
func keyed(t *testing.T, db *store.DB, bucket string) []uint64 {
	t.Helper()
	var seqs []uint64
	err := db.Bolt().View(func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte(bucket)).ForEach(func(k, _ []byte) error {
			seqs = append(seqs, binary.BigEndian.Uint64(k))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return seqs
}

// trim trims the node's outbox of what is older than OutboxKeepDays at the
// region's clock and requires a sound database after.
func trim(t *testing.T, w *region, db *store.DB) int {
	t.Helper()
	n, err := db.TrimOutbox(w.now.Add(-store.OutboxKeepDays * day))
	if err != nil {
		t.Fatalf("TrimOutbox: %v", err)
	}
	for _, l := range db.Check(app.CheckNode) {
		t.Errorf("Check after trim: %s", l)
	}
	return n
}

// Acked ops older than 30 days go from the outbox with their results (a
// rejected one too); younger acked ops and pending ops stay, whatever their
// age; a second trim does nothing; the node syncs on, and once the outbox
// is empty its next op still takes the next seq.
func TestTrimOutbox(t *testing.T) {
	w := newRegion(t)
	nd := w.join("node.db", app.ProviderScope(w.Prov))
	w.sync(nd)
	offline(w, nd, 3)
	w.must(nd.db, w.groupCmd(w.id("grp"), w.OMod)) // another provider's module: rejected
	w.sync(nd)
	if st, _ := nd.db.SyncState(); st.Acked != 4 || st.Rejected != 1 {
		t.Fatalf("SyncState before the trim: %+v", st)
	}
	w.now = w.now.Add(20 * day)
	offline(w, nd, 2) // 5, 6: acked, young
	w.sync(nd)
	pending := offline(w, nd, 1)[0] // 7
	w.now = w.now.Add(15 * day)

	if n := trim(t, w, nd.db); n != 4 {
		t.Errorf("trimmed %d ops, want 4", n)
	}
	if got := keyed(t, nd.db, "outbox"); len(got) != 3 || got[0] != 5 || got[2] != 7 {
		t.Errorf("outbox holds seqs %v, want 5…7", got)
	}
	for _, seq := range keyed(t, nd.db, "opresults") {
		if seq <= 4 {
			t.Errorf("opresults keeps the result of trimmed op %d", seq)
		}
	}
	if ops, err := nd.db.Outbox(0, 0); err != nil || len(ops) != 3 || ops[0].Seq != 5 {
		t.Errorf("Outbox(0) = %d ops from %v, %v", len(ops), ops, err)
	}
	if ops, err := nd.db.PendingOps(0); err != nil || len(ops) != 1 || ops[0].Seq != pending.Seq {
		t.Errorf("PendingOps = %+v, %v", ops, err)
	}
	if rs, err := nd.db.OpResults(true, 0); err != nil || len(rs) != 0 {
		t.Errorf("rejected ops after the trim: %+v, %v", rs, err)
	}
	if st, _ := nd.db.SyncState(); st.Trimmed != 4 || st.Acked != 6 || st.Pending != 1 || st.Rejected != 0 {
		t.Errorf("SyncState after the trim: %+v", st)
	}
	if n := trim(t, w, nd.db); n != 0 {
		t.Errorf("the second trim dropped %d ops", n)
	}

	w.sync(nd)
	w.converged(nd)

	// Long after, every op is old: only those the server answered go.
	w.now = w.now.Add(100 * day)
	late := offline(w, nd, 1)[0]
	w.now = w.now.Add(40 * day)
	if n := trim(t, w, nd.db); n != 3 {
		t.Errorf("trimmed %d ops, want 3 (5…7)", n)
	}
	if got := keyed(t, nd.db, "outbox"); len(got) != 1 || got[0] != late.Seq {
		t.Errorf("outbox holds %v, want the pending op %d alone", got, late.Seq)
	}
	w.sync(nd)
	w.converged(nd)
	if n := trim(t, w, nd.db); n != 1 {
		t.Errorf("trimmed %d ops, want the last one", n)
	}
	if got := keyed(t, nd.db, "outbox"); len(got) != 0 {
		t.Errorf("outbox holds %v, want nothing", got)
	}
	if st, _ := nd.db.SyncState(); st.Trimmed != late.Seq || st.Acked != late.Seq || st.Pending != 0 {
		t.Errorf("SyncState with an empty outbox: %+v", st)
	}
	next := offline(w, nd, 1)[0]
	if next.Seq != late.Seq+1 {
		t.Errorf("the op after an emptied outbox has seq %d, want %d", next.Seq, late.Seq+1)
	}
	if rs := w.sync(nd); len(rs) != 1 || rs[0].Status != store.StatusApplied {
		t.Errorf("sync after the trim: %+v", rs)
	}
	w.converged(nd)
}

// An authority's outbox is its history: TrimOutbox refuses it.
func TestTrimOutboxRefusedOnAuthority(t *testing.T) {
	w := newRegion(t)
	n, err := w.server.TrimOutbox(w.now.Add(365 * day))
	if codeOf(err) != app.EINVALID || n != 0 {
		t.Errorf("TrimOutbox on the server = %d, %v; want EINVALID", n, err)
	}
	if ops, _ := w.server.OutboxLen(); ops == 0 {
		t.Error("the server's outbox is empty")
	}
}

// More ops than one transaction drops go in several, to the same end.
func TestTrimOutboxInBatches(t *testing.T) {
	if testing.Short() {
		t.Skip("10 000 ops")
	}
	w := newRegion(t)
	nd := w.join("node.db", app.ProviderScope(w.Prov))
	w.sync(nd)
	cmds := make([]app.Command, 10_050)
	for i := range cmds {
		g := w.groupCmd("grp-many", w.Mod)
		g.Capacity = int64(1 + i%20)
		cmds[i] = g
	}
	if _, err := nd.db.ExecBatch(cmds); err != nil {
		t.Fatal(err)
	}
	w.sync(nd)
	w.now = w.now.Add(31 * day)
	if n := trim(t, w, nd.db); n != len(cmds) {
		t.Errorf("trimmed %d ops, want %d", n, len(cmds))
	}
	if n, _ := nd.db.OutboxLen(); n != 0 {
		t.Errorf("%d ops left", n)
	}
}

// A server restored from a backup older than what the node keeps needs ops
// the node has dropped: the reset refuses with OUTBOX_TRIMMED and changes
// nothing, so every sync says the same instead of going round.
func TestResetForEpochNeedsTrimmedOps(t *testing.T) {
	w := newRegion(t)
	nd := w.join("node.db", app.ProviderScope(w.Prov))
	w.sync(nd)
	offline(w, nd, 3)
	w.sync(nd)
	backup := filepath.Join(w.dir, "restored.db")
	if err := w.server.Bolt().View(func(tx *bbolt.Tx) error { return tx.CopyFile(backup, 0o600) }); err != nil {
		t.Fatal(err)
	}
	offline(w, nd, 3) // lost with the server
	w.sync(nd)
	w.now = w.now.Add(40 * day)
	if n := trim(t, w, nd.db); n != 6 {
		t.Fatalf("trimmed %d ops, want 6", n)
	}
	restored := w.open("restored.db")
	if err := restored.NewEpoch(); err != nil {
		t.Fatal(err)
	}
	acked, err := restored.Acked(nd.n.ID)
	if err != nil || acked >= 6 {
		t.Fatalf("restored server acked %d, %v", acked, err)
	}
	before, _ := nd.db.SyncState()
	err = nd.db.ResetForEpoch(restored.Epoch(), acked)
	if codeOf(err) != app.OUTBOX_TRIMMED {
		t.Fatalf("ResetForEpoch needing trimmed ops: %v, want OUTBOX_TRIMMED", err)
	}
	if msg := app.ErrorMessage(err); msg == "" || msg[0] < 0x80 {
		t.Errorf("message %q is not Russian", msg)
	}
	if after, _ := nd.db.SyncState(); after != before {
		t.Errorf("the refused reset changed the sync state: %+v → %+v", before, after)
	}
}

// Check knows the trim point: the outbox must begin right above it, and it
// is never above acked.
func TestCheckTrimmedOutbox(t *testing.T) {
	w := newRegion(t)
	nd := w.join("node.db", app.ProviderScope(w.Prov))
	w.sync(nd)
	offline(w, nd, 3)
	w.sync(nd)
	w.now = w.now.Add(31 * day)
	offline(w, nd, 2)
	w.sync(nd)
	if n := trim(t, w, nd.db); n != 3 {
		t.Fatalf("trimmed %d ops, want 3", n)
	}
	for _, c := range []struct {
		name string
		key  string
		v    uint64
		want string
	}{
		{"a gap above the trim point", "outbox_trimmed", 2, "gap"},
		{"trimmed above acked", "outbox_trimmed", 9, "trimmed above acked"},
	} {
		put := func(v uint64) {
			err := nd.db.Bolt().Update(func(tx *bbolt.Tx) error {
				return tx.Bucket([]byte("meta")).Put([]byte(c.key), binary.BigEndian.AppendUint64(nil, v))
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		put(c.v)
		lines := nd.db.Check(nil)
		found := false
		for _, l := range lines {
			found = found || strings.Contains(l, c.want)
		}
		if !found {
			t.Errorf("%s: Check = %q, want a line with %q", c.name, lines, c.want)
		}
		put(3)
	}
}
