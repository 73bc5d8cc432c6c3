package sync_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"kruzhok/app"
	"kruzhok/store"
)

// A region loses its server and comes back on an OLD nightly backup while its
// nodes keep working: the backup is taken (the real compressed backup file,
// store.BackupTo), three provider nodes and a municipality node go on
// writing and syncing, the server is replaced by the restored backup in the
// middle of their rounds, and they carry on. In the end nothing a node ever
// wrote is lost (the nodes joined before the backup; one joined after it is
// unknown to the restored server, docs/SCALE.md "Losing the server"): every op of every node, those the old server had acknowledged
// after the backup included, is in the restored server's journal exactly once
// and applied, every node's digest equals the server's, and the server passes
// app.Check. docs/SCALE.md, "Losing the server", rests on this test.
func TestOldBackupRestoredUnderLiveNodes(t *testing.T) {
	w := newWorld(t)
	a1 := w.join(app.ProviderScope(w.A.ID))
	a2 := w.join(app.ProviderScope(w.A.ID))
	b := w.join(app.ProviderScope(w.B.ID))
	mun := w.join(app.MunicipalityScope("27"))
	writers := []*node{a1, a2, b}
	for _, n := range writers {
		n.work(2)
	}
	for _, n := range append(writers, mun) {
		n.converged()
	}

	// The nightly backup.
	dir := t.TempDir()
	backup := filepath.Join(dir, "nightly.kbak")
	if _, err := w.db.BackupTo(backup); err != nil {
		t.Fatal(err)
	}
	ackedAtBackup := map[*node]uint64{}
	for _, n := range writers {
		st, _ := n.db.SyncState()
		ackedAtBackup[n] = st.Acked
	}

	// The nodes go on: each writer opens groups and syncs, the municipality
	// node pulls, until stop. A round may fail while the server is swapped;
	// the next one carries on, as a node's scheduler would.
	var stop atomic.Bool
	rounds := make([]atomic.Int64, len(writers)+1)
	var wg gosync.WaitGroup
	for i, n := range append(writers, mun) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, id, _ := app.ParseScope(n.scope)
			for k := 0; !stop.Load(); k++ {
				if n != mun {
					g := groupCmd(fmt.Sprintf("%s-live%d-%d", id, i, k), id+"-mod")
					if _, err := n.db.Exec(g); err != nil {
						t.Errorf("%s: open group: %v", n.scope, err)
						return
					}
				}
				if _, err := n.c.SyncOnce(context.Background()); err != nil {
					t.Logf("%s round %d: %v (the next round carries on)", n.scope, k, err)
				}
				rounds[i].Add(1)
				time.Sleep(2 * time.Millisecond)
			}
		}()
	}
	waitRounds := func(k int64) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for i := range rounds {
			for rounds[i].Load() < k {
				if time.Now().After(deadline) {
					t.Fatalf("node %d made %d rounds, want %d", i, rounds[i].Load(), k)
				}
				time.Sleep(5 * time.Millisecond)
			}
		}
	}
	// Work the old server acknowledged after the backup: lost with it.
	waitRounds(4)
	for _, n := range writers {
		if st, _ := n.db.SyncState(); st.Acked <= ackedAtBackup[n] {
			t.Fatalf("%s: the old server acknowledged nothing after the backup (acked %d)", n.scope, st.Acked)
		}
	}

	// The server is lost; the operator restores the old backup under the
	// same address while the nodes are in their rounds.
	restoredPath := filepath.Join(dir, "restored.db")
	f, err := os.Open(backup)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Restore(f, restoredPath); err != nil {
		t.Fatal(err)
	}
	f.Close()
	old := w.db
	restored := w.restore(restoredPath)
	lostAcks := map[*node]uint64{}
	for _, n := range writers {
		st, _ := n.db.SyncState()
		lostAcks[n] = st.Acked
	}
	for i := range rounds {
		rounds[i].Store(0)
	}
	waitRounds(4)
	stop.Store(true)
	wg.Wait()
	if t.Failed() {
		return
	}

	// Quiet now: every node converges with the restored server.
	for _, n := range append(writers, mun) {
		n.converged()
		if st, _ := n.db.SyncState(); st.Epoch != restored.Epoch() {
			t.Fatalf("%s still in epoch %s, server %s", n.scope, st.Epoch, restored.Epoch())
		}
	}
	for _, n := range writers {
		// Every op of the node, those acknowledged by the lost server
		// included, is on the restored server once and applied.
		n.exactlyOnce()
		j := w.journal(n.db.Node())
		for seq := uint64(1); seq <= lostAcks[n]; seq++ {
			if j[seq] != 1 {
				t.Fatalf("%s op %d, acknowledged before the loss, is %d times on the restored server", n.scope, seq, j[seq])
			}
		}
		// And the records it made: its groups, on the restored server as
		// on the lost one.
		_, id, _ := app.ParseScope(n.scope)
		want, got := groupsOf(t, old, id), groupsOf(t, restored, id)
		for g := range want {
			if !got[g] {
				t.Fatalf("group %s of %s, on the lost server, is missing on the restored one", g, n.scope)
			}
		}
		if lostAcks[n] <= ackedAtBackup[n] {
			t.Fatalf("%s: nothing was acknowledged between the backup and the loss", n.scope)
		}
	}
	w.checkClean()
}

// groupsOf is the set of ids of the provider's groups in db.
func groupsOf(t *testing.T, db *store.DB, provider string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	err := db.View(func(r app.Reader) error {
		gs, err := app.List[app.Group](r, app.IdxProvider, provider, 0)
		for _, g := range gs {
			out[g.ID] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
