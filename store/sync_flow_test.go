package store_test

import (
	"strings"
	"testing"

	"go.etcd.io/bbolt"

	"kruzhok/app"
	"kruzhok/store"
)

// A new node pulls its scope from 0 in small pages and ends with the server's
// digest of that scope; it holds the public registries and its own node
// record, and none of the personal data of other scopes.
func TestSyncBootstrap(t *testing.T) {
	w := newRegion(t)
	kid, cert, _ := w.financed() // a child of 27 that never applied to the provider
	nd := w.join("node.db", app.ProviderScope(w.Prov))

	pages := w.pull(nd, 2000)
	if len(pages) < 3 {
		t.Fatalf("bootstrap in %d pages of 2000 bytes, want several", len(pages))
	}
	for i, p := range pages {
		if p.Epoch != w.server.Epoch() {
			t.Errorf("page %d epoch %q, want the server's %q", i, p.Epoch, w.server.Epoch())
		}
		if len(p.Changes) == 0 {
			t.Errorf("page %d is empty", i)
		}
		if p.More != (i < len(pages)-1) {
			t.Errorf("page %d More = %v", i, p.More)
		}
		size := 0
		for _, c := range p.Changes {
			size += len(c.Kind) + len(c.ID) + len(c.Value)
		}
		if size > 2000 && len(p.Changes) > 1 {
			t.Errorf("page %d holds %d bytes in %d changes, above 2000", i, size, len(p.Changes))
		}
	}
	w.converged(nd)
	st, err := nd.db.SyncState()
	if err != nil {
		t.Fatal(err)
	}
	if st.Epoch != w.server.Epoch() || st.Cursor != pages[len(pages)-1].Next || st.Cursor == 0 {
		t.Errorf("SyncState after bootstrap %+v, want epoch %s cursor %d", st, w.server.Epoch(), pages[len(pages)-1].Next)
	}
	if !exists[app.Group](t, nd.db, w.OGroup) || !exists[app.Municipality](t, nd.db, "27") {
		t.Errorf("the public registries did not reach the node")
	}
	if got := getRec[app.Node](t, nd.db, nd.n.ID); got.Key != nd.n.Key {
		t.Errorf("the node's own record: %+v", got)
	}
	if exists[app.Child](t, nd.db, kid) || exists[app.Certificate](t, nd.db, cert) {
		t.Errorf("a provider node received a child that never applied to it")
	}
	if exists[app.Quota](t, nd.db, "27/2026-2027") {
		t.Errorf("a provider node received the municipality's quota")
	}
	// Nothing changed: a second pull brings nothing.
	p, err := w.server.Pull(nd.scope, st.Cursor, 0)
	if err != nil || len(p.Changes) != 0 || p.More || p.Next != st.Cursor {
		t.Errorf("pull after the end: %+v, %v", p, err)
	}
}

// The whole cycle with a provider working offline: ops pending on the node,
// applied or rejected by the server in order of arrival, results on the node,
// pull and rebase, and equal digests with nothing pending.
func TestSyncRoundTrip(t *testing.T) { testSyncRoundTrip(t, newRegion(t)) }

// TestSealedSyncRoundTrip is TestSyncRoundTrip with every database sealed under a key of
// its own: the digests and the feed work on plaintext.
func TestSealedSyncRoundTrip(t *testing.T) { testSyncRoundTrip(t, newRegionSealed(t, false)) }

func testSyncRoundTrip(t *testing.T, w *region) {
	kid1, cert1, number1 := w.financed()
	nd := w.join("node.db", app.ProviderScope(w.Prov))
	w.sync(nd)
	w.converged(nd)

	// Offline: the child with certificate cert1 applies to the provider (the
	// node cannot see cert1, the server checks), the provider registers a
	// child of its own and issues its certificate (the server numbers it),
	// opens a group, and opens one in another provider's module (forbidden).
	kid2 := w.childCmd("27")
	cert2 := w.id("cert")
	mine, theirs := w.id("grp"), w.id("grp")
	cmds := []app.Command{
		&app.ApplyChild{Number: number1, Code: testCode, Provider: w.Prov},
		kid2,
		&app.IssueCertificate{ID: cert2, Child: kid2.Child.ID},
		w.groupCmd(mine, w.Mod),
		w.groupCmd(theirs, w.OMod),
	}
	for _, c := range cmds {
		w.must(nd.db, c)
	}
	if n := getRec[app.Certificate](t, nd.db, cert2).Number; n != "" {
		t.Fatalf("the node numbered a certificate: %s", n)
	}
	pending, err := nd.db.PendingOps(0)
	if err != nil || len(pending) != len(cmds) {
		t.Fatalf("PendingOps = %d ops, %v; want %d", len(pending), err, len(cmds))
	}
	if ops, _ := nd.db.PendingOps(2); len(ops) != 2 || ops[0].Seq != pending[0].Seq {
		t.Errorf("PendingOps(2) = %d ops", len(ops))
	}
	st, _ := nd.db.SyncState()
	if st.Pending != len(cmds) || st.Acked != 0 {
		t.Errorf("SyncState before push: %+v", st)
	}
	rs := w.push(nd, 3) // two batches
	want := []string{store.StatusApplied, store.StatusApplied, store.StatusApplied, store.StatusApplied, store.StatusRejected}
	if len(rs) != len(want) {
		t.Fatalf("results %+v", rs)
	}
	for i, r := range rs {
		if r.Seq != pending[i].Seq || r.Status != want[i] {
			t.Errorf("result %d = %+v, want seq %d %s", i, r, pending[i].Seq, want[i])
		}
	}
	if r := rs[4]; r.Code != app.SCOPE_FORBIDDEN || r.Message == "" {
		t.Errorf("the foreign group: %+v, want SCOPE_FORBIDDEN with a message", r)
	}
	if exists[app.Group](t, w.server, theirs) {
		t.Errorf("the server opened a group in another provider's module")
	}
	if getRec[app.Certificate](t, w.server, cert2).Number == "" {
		t.Errorf("the server did not number the node's certificate")
	}
	w.pull(nd, 0)
	if err := nd.db.Rebase(); err != nil {
		t.Fatal(err)
	}
	w.converged(nd)
	if exists[app.Group](t, nd.db, theirs) {
		t.Errorf("the rejected group is still on the node after rebase")
	}
	if n := getRec[app.Certificate](t, nd.db, cert2).Number; !strings.HasPrefix(n, "26-27-") {
		t.Errorf("the node's certificate after sync has number %q, want the server's", n)
	}
	if !exists[app.Child](t, nd.db, kid1) || !exists[app.Certificate](t, nd.db, cert1) {
		t.Errorf("the child who applied did not reach the provider")
	}
	bad, err := nd.db.OpResults(true, 0)
	if err != nil || len(bad) != 1 || bad[0].Op.Seq != pending[4].Seq || bad[0].Result.Code != app.SCOPE_FORBIDDEN || bad[0].Pending {
		t.Fatalf("OpResults(rejected) = %+v, %v", bad, err)
	}

	// Round two. The municipality enrols cert1 elsewhere first; the node,
	// offline, enrols it at the figures it still sees.
	w.must(w.server, w.enrolCmd(w.server, cert1, w.OGroup, app.MustDate("2026-11-15")))
	enrol := w.enrolCmd(nd.db, cert1, w.Group, app.MustDate("2026-11-15"))
	op := w.must(nd.db, enrol)
	if k := getRec[app.Contract](t, nd.db, enrol.ID); k.Status != app.ContractRequested {
		t.Fatalf("offline contract status %q, want requested", k.Status)
	}
	// A pull before the push: the server's ledger arrives, the enrolment no
	// longer fits locally and waits, noted, for the server's word.
	w.pull(nd, 0)
	if err := nd.db.Rebase(); err != nil {
		t.Fatal(err)
	}
	if exists[app.Contract](t, nd.db, enrol.ID) {
		t.Errorf("an enrolment that no longer applies is still on the node")
	}
	all, err := nd.db.OpResults(false, 1)
	if err != nil || len(all) != 1 {
		t.Fatalf("OpResults(all, 1) = %+v, %v", all, err)
	}
	if got := all[0]; got.Op.Seq != op.Seq || !got.Pending || got.Result.Status != store.StatusPending || got.Result.Code != app.BALANCE_CHANGED {
		t.Errorf("the waiting enrolment: %+v, want pending with a local BALANCE_CHANGED", got)
	}
	rs = w.sync(nd)
	if len(rs) != 1 || rs[0].Status != store.StatusRejected || rs[0].Code != app.BALANCE_CHANGED ||
		!strings.Contains(rs[0].Detail, "available=") {
		t.Fatalf("the server's answer to the enrolment: %+v", rs)
	}
	w.converged(nd)
	bad, _ = nd.db.OpResults(true, 0)
	if len(bad) != 2 || bad[0].Op.Seq != op.Seq || bad[0].Result.Code != app.BALANCE_CHANGED || bad[0].Pending {
		t.Errorf("OpResults(rejected) newest first = %+v", bad)
	}
	st, _ = nd.db.SyncState()
	if st.Rejected != 2 || st.Pending != 0 || st.Acked != op.Seq {
		t.Errorf("SyncState at the end: %+v", st)
	}
	l := getRec[app.Certificate](t, nd.db, cert1).LedgerOf("2026-2027")
	if l != getRec[app.Certificate](t, w.server, cert1).LedgerOf("2026-2027") {
		t.Errorf("the node's ledger %+v is not the server's", l)
	}

	// Every op of the node is in the server's journal, attributed.
	j, err := w.server.Journal(1, 0)
	if err != nil || len(j) != len(cmds)+1 {
		t.Fatalf("Journal = %d entries, %v", len(j), err)
	}
	for i, e := range j {
		if e.Op.Node != nd.n.ID || e.Op.Seq != uint64(i+1) || e.Time.IsZero() || e.Result.Seq != e.Op.Seq {
			t.Errorf("journal %d: %+v", i, e)
		}
	}
	if j[4].Result.Code != app.SCOPE_FORBIDDEN || j[5].Op.Type != "enrol" {
		t.Errorf("journal results: %+v / %+v", j[4], j[5])
	}
}

// A record that leaves a scope reaches that scope's node as a removal: a
// listing the municipality deletes (UnlistProgramme) is gone from every node,
// and a child who moves to another municipality is gone from the old one's.
func TestSyncRemoval(t *testing.T) { testSyncRemoval(t, newRegion(t)) }

// TestSealedSyncRemoval is TestSyncRemoval with every database sealed under a key of
// its own: the digests and the feed work on plaintext.
func TestSealedSyncRemoval(t *testing.T) { testSyncRemoval(t, newRegionSealed(t, false)) }

func testSyncRemoval(t *testing.T, w *region) {
	w.must(w.server, &app.ListProgramme{Municipality: "28", Programme: w.Prog, Places: 5})
	moving := w.childCmd("27")
	w.must(w.server, moving)
	prov := w.join("prov.db", app.ProviderScope(w.Prov))
	mun := w.join("mun.db", app.MunicipalityScope("27"))
	other := w.join("mun28.db", app.MunicipalityScope("28"))
	for _, nd := range []*node{prov, mun, other} {
		w.sync(nd)
		w.converged(nd)
	}
	listing := "28/" + w.Prog
	if !exists[app.Listing](t, prov.db, listing) || !exists[app.Child](t, mun.db, moving.Child.ID) {
		t.Fatal("the listing or the child did not reach the nodes")
	}
	if exists[app.Child](t, other.db, moving.Child.ID) {
		t.Fatal("a child of 27 reached municipality 28")
	}

	w.must(w.server, &app.UnlistProgramme{Municipality: "28", Programme: w.Prog})
	moved := moving.Child
	moved.Municipality = "28"
	w.must(w.server, &app.UpdateChild{Child: moved})

	removals := func(nd *node) map[string]bool {
		st, _ := nd.db.SyncState()
		p, err := w.server.Pull(nd.scope, st.Cursor, 0)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, c := range p.Changes {
			out[string(c.Kind)+"/"+c.ID] = c.Value == nil
		}
		return out
	}
	if got := removals(prov); len(got) != 1 || !got["listing/"+listing] {
		t.Errorf("provider's pull after the changes: %v, want only the listing's removal", got)
	}
	if got := removals(mun); len(got) != 2 || !got["listing/"+listing] || !got["child/"+moving.Child.ID] {
		t.Errorf("municipality 27's pull: %v, want removals of the listing and the child", got)
	}
	if got := removals(other); len(got) != 2 || !got["listing/"+listing] || got["child/"+moving.Child.ID] {
		t.Errorf("municipality 28's pull: %v, want the listing's removal and the child itself", got)
	}
	for _, nd := range []*node{prov, mun, other} {
		w.sync(nd)
		w.converged(nd)
	}
	if exists[app.Listing](t, prov.db, listing) || exists[app.Child](t, mun.db, moving.Child.ID) ||
		!exists[app.Child](t, other.db, moving.Child.ID) {
		t.Errorf("after the pulls: the listing or the child is where it no longer belongs")
	}
	// Indexes follow: municipality 27's node no longer finds the child by name.
	if ids := scan(t, mun.db, app.KindChild, app.IdxMunicipality, "27"); len(ids) != 0 {
		t.Errorf("children of 27 on its node after the move: %v", ids)
	}
}

// A server restored from an older backup (a copy with a new epoch) makes the
// node pull everything again and push once more the ops the copy lacks; they
// converge.
func TestSyncServerRestored(t *testing.T) {
	w := newRegion(t)
	nd := w.join("node.db", app.ProviderScope(w.Prov))
	w.sync(nd)
	w.must(nd.db, w.childCmd("27"))
	w.sync(nd)

	backup := w.dir + "/backup.db"
	if err := w.server.Bolt().View(func(tx *bbolt.Tx) error { return tx.CopyFile(backup, 0o600) }); err != nil {
		t.Fatal(err)
	}
	late := w.childCmd("27")
	w.must(nd.db, late)
	w.sync(nd)
	local := w.childCmd("27")
	w.must(nd.db, local) // pending when the server goes back in time

	restored := w.open("backup.db")
	if err := restored.NewEpoch(); err != nil {
		t.Fatal(err)
	}
	if restored.Epoch() == w.server.Epoch() {
		t.Fatal("NewEpoch kept the epoch")
	}
	w.server = restored
	if a, _ := restored.Acked(nd.n.ID); a != 1 {
		t.Fatalf("the backup acked %d of the node's ops, want 1", a)
	}

	st, _ := nd.db.SyncState()
	p, err := restored.Pull(nd.scope, st.Cursor, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := nd.db.ApplyPull(p); codeOf(err) != app.ECONFLICT {
		t.Fatalf("ApplyPull of a page of another epoch: %v, want ECONFLICT", err)
	}
	if err := nd.db.ResetForEpoch(p.Epoch, 1); err != nil {
		t.Fatal(err)
	}
	st, _ = nd.db.SyncState()
	if st.Cursor != 0 || st.Acked != 1 || st.Pending != 2 || st.Epoch != p.Epoch {
		t.Errorf("SyncState after ResetForEpoch: %+v, want cursor 0, acked 1, 2 pending", st)
	}
	if exists[app.Region](t, nd.db, "region") {
		t.Errorf("ResetForEpoch kept the records")
	}
	if ops, _ := nd.db.OpResults(false, 0); len(ops) != 3 || !ops[0].Pending || !ops[1].Pending || ops[1].Result.Status != store.StatusPending || ops[2].Pending {
		t.Errorf("OpResults after ResetForEpoch: %+v", ops)
	}
	w.pull(nd, 3000)
	if err := nd.db.Rebase(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*app.RegisterChild{late, local} {
		if !exists[app.Child](t, nd.db, c.Child.ID) {
			t.Errorf("the pending child %s is not on the node after rebase", c.Child.ID)
		}
	}
	rs := w.sync(nd)
	if len(rs) != 2 || rs[0].Seq != 2 || rs[0].Status != store.StatusApplied || rs[1].Status != store.StatusApplied {
		t.Errorf("results of the re-push: %+v", rs)
	}
	w.converged(nd)
	if !exists[app.Child](t, restored, late.Child.ID) {
		t.Errorf("the op the backup lacked did not reach the restored server")
	}
}
