package store_test

import (
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"kruzhok/app"
	"kruzhok/store"
)

// putUnless stores a child and then fails if the record Kind/ID exists: it
// applies on a node that lacks the record and fails after a write once a pull
// brings it.
type putUnless struct {
	Child app.Child
	Kind  app.Kind
	ID    string
}

func (c putUnless) Op() string { return "test.PutUnless" }
func (c putUnless) Apply(tx app.Tx, _ app.Meta) error {
	if err := tx.Put(c.Child); err != nil {
		return err
	}
	var err error
	switch c.Kind {
	case app.KindGroup:
		_, err = app.Get[app.Group](tx, c.ID)
	default:
		panic("putUnless: kind " + c.Kind)
	}
	if err == nil {
		return app.Errorf(app.ECONFLICT, "Запись %s/%s уже есть", c.Kind, c.ID)
	}
	if app.ErrorCode(err) == app.ENOTFOUND {
		return nil
	}
	return err
}

// baseIDs lists the ids in base/<kind> of the node.
func baseIDs(t *testing.T, db *store.DB, kind app.Kind) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	err := db.Bolt().View(func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte("base/" + string(kind))).ForEach(func(k, _ []byte) error {
			out[string(k)] = true
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A node's own writes keep their pre-images; a pulled change of a record the
// node has written waits in base under the local value, and Rebase puts the
// pending op back on top of the server's value.
func TestNodeUndoLog(t *testing.T) {
	w := newRegion(t)
	nd := w.join("node.db", app.ProviderScope(w.Prov))
	w.sync(nd)
	if len(baseIDs(t, w.server, app.KindGroup)) != 0 {
		t.Fatal("the authority keeps pre-images")
	}
	rename := w.groupCmd(w.Group, w.Mod)
	rename.Name = "Роботы-2"
	w.must(nd.db, rename)
	rename.Name = "Роботы-3" // a second write keeps the first pre-image
	w.must(nd.db, rename)
	kid := w.childCmd("27")
	w.must(nd.db, kid)
	if got := baseIDs(t, nd.db, app.KindGroup); len(got) != 1 || !got[w.Group] {
		t.Fatalf("base/group = %v, want the group", got)
	}
	if got := baseIDs(t, nd.db, app.KindChild); len(got) != 1 || !got[kid.Child.ID] {
		t.Fatalf("base/child = %v, want the new child", got)
	}

	// Meanwhile the server changes the group's capacity.
	server := w.groupCmd(w.Group, w.Mod)
	server.Capacity = 25
	w.must(w.server, server)
	w.pull(nd, 0)
	if g := getRec[app.Group](t, nd.db, w.Group); g.Name != "Роботы-3" || g.Capacity != 30 {
		t.Errorf("after the pull the live group is %q/%d, want the local edit untouched", g.Name, g.Capacity)
	}
	if err := nd.db.Rebase(); err != nil {
		t.Fatal(err)
	}
	// The op re-applied on the server's value: the whole command wins again
	// (OpenGroup sets the capacity too), as it will on the server.
	if g := getRec[app.Group](t, nd.db, w.Group); g.Name != "Роботы-3" || g.Capacity != 30 {
		t.Errorf("after rebase the group is %q/%d", g.Name, g.Capacity)
	}
	if got := baseIDs(t, nd.db, app.KindGroup); len(got) != 1 {
		t.Errorf("rebase did not capture the re-applied op's pre-image: %v", got)
	}
	w.sync(nd)
	w.converged(nd)
	for _, k := range app.Kinds {
		if got := baseIDs(t, nd.db, k); len(got) != 0 {
			t.Errorf("base/%s after a full sync: %v", k, got)
		}
	}
}

// An op that fails in Rebase after it has written is undone alone: the ops
// before and after it keep their effect, it stays pending with a note.
func TestRebaseUndoesAFailedOp(t *testing.T) {
	restore := store.SetCommandDecoder(testDecoder)
	defer restore()
	w := newRegion(t)
	nd := w.join("node.db", app.ScopeRegion)
	w.sync(nd)
	later := w.id("grp")
	w.must(nd.db, putChild{Child: child("c1", "Первый", "Ребёнок", "27")})
	op := w.must(nd.db, putUnless{Child: child("c2", "Второй", "Ребёнок", "27"), Kind: app.KindGroup, ID: later})
	w.must(nd.db, putChild{Child: child("c3", "Третий", "Ребёнок", "27")})
	w.must(w.server, w.groupCmd(later, w.Mod))
	w.pull(nd, 0)
	if err := nd.db.Rebase(); err != nil {
		t.Fatal(err)
	}
	if !exists[app.Child](t, nd.db, "c1") || exists[app.Child](t, nd.db, "c2") || !exists[app.Child](t, nd.db, "c3") {
		t.Errorf("after rebase: c1 %v c2 %v c3 %v, want c2 alone undone",
			exists[app.Child](t, nd.db, "c1"), exists[app.Child](t, nd.db, "c2"), exists[app.Child](t, nd.db, "c3"))
	}
	if ids := scan(t, nd.db, app.KindChild, app.IdxName, "второй"); len(ids) != 0 {
		t.Errorf("the undone child is still in the index: %v", ids)
	}
	if got := baseIDs(t, nd.db, app.KindChild); len(got) != 2 || got["c2"] {
		t.Errorf("base/child = %v, want c1 and c3 only", got)
	}
	rs, err := nd.db.OpResults(false, 0)
	if err != nil || len(rs) != 3 {
		t.Fatalf("OpResults = %+v, %v", rs, err)
	}
	if r := rs[1]; r.Op.Seq != op.Seq || !r.Pending || r.Result.Status != store.StatusPending || r.Result.Code != app.ECONFLICT {
		t.Errorf("the failed op: %+v, want pending with a local CONFLICT", r)
	}
	if r := rs[0]; !r.Pending || r.Result.Code != "" {
		t.Errorf("the op after it: %+v, want pending without a note", r)
	}
	// On the server the same op fails after its write too: the savepoint rule
	// refuses the whole batch rather than commit half an op.
	pending, _ := nd.db.PendingOps(0)
	if _, _, _, err := w.server.ApplyRemote(nd.n, pending); codeOf(err) != app.EINTERNAL {
		t.Errorf("the server ran an op that fails after a write: %v, want an EINTERNAL abort", err)
	}
	// Had a restored server acked them all, the local note would go too.
	if err := nd.db.ResetForEpoch("0123456789abcdef0123456789abcdef", 3); err != nil {
		t.Fatal(err)
	}
	if rs, _ := nd.db.OpResults(false, 0); len(rs) != 3 || rs[1].Result.Status != "" || rs[1].Pending {
		t.Errorf("OpResults after ResetForEpoch acked all: %+v", rs)
	}
}

// A page with anything that cannot be written changes nothing.
func TestApplyPullRefusesCorruptPages(t *testing.T) {
	w := newRegion(t)
	nd := w.join("node.db", app.ProviderScope(w.Prov))
	w.sync(nd)
	w.must(w.server, w.groupCmd(w.id("grp"), w.Mod))
	st, _ := nd.db.SyncState()
	good, err := w.server.Pull(nd.scope, st.Cursor, 0)
	if err != nil || len(good.Changes) != 1 {
		t.Fatalf("Pull = %+v, %v", good, err)
	}
	grp := getRec[app.Group](t, w.server, w.Group)
	var grpBytes []byte
	_ = w.server.Bolt().View(func(tx *bbolt.Tx) error {
		grpBytes = append([]byte(nil), tx.Bucket([]byte("rec/group")).Get([]byte(grp.ID))...)
		return nil
	})
	before := dump(t, nd.db)
	for name, bad := range map[string]store.Change{
		"Garbage":      {Kind: app.KindGroup, ID: "g-x", Value: []byte{1, '['}},
		"CodecVersion": {Kind: app.KindGroup, ID: grp.ID, Value: append([]byte{9}, grpBytes[1:]...)},
		"WrongID":      {Kind: app.KindGroup, ID: "g-other", Value: grpBytes},
		"WrongKind":    {Kind: app.KindChild, ID: grp.ID, Value: []byte{1, '{', '"', 'I', 'D', '"', ':', '1', '}'}},
		"UnknownKind":  {Kind: "spaceship", ID: "s1", Value: grpBytes},
		"EmptyID":      {Kind: app.KindGroup, ID: "", Value: nil},
		"EmptyValue":   {Kind: app.KindGroup, ID: grp.ID, Value: []byte{}},
	} {
		t.Run(name, func(t *testing.T) {
			p := good
			p.Changes = append(append([]store.Change(nil), good.Changes...), bad)
			if err := nd.db.ApplyPull(p); codeOf(err) != app.EINVALID {
				t.Errorf("ApplyPull = %v, want EINVALID", err)
			}
			if dump(t, nd.db) != before {
				t.Errorf("a refused page changed the node")
			}
		})
	}
	if err := nd.db.ApplyPull(store.Page{Changes: good.Changes, Next: good.Next}); codeOf(err) != app.EINVALID {
		t.Errorf("a page without an epoch: %v, want EINVALID", err)
	}
	if err := nd.db.ApplyPull(good); err != nil {
		t.Fatal(err)
	}
	w.converged(nd)
}

// Everything a node's UI and `kruzhok sync` read: the config, the state, the
// last sync, the results; and what a node refuses.
func TestNodeSyncState(t *testing.T) {
	w := newRegion(t)
	nd := w.join("node.db", app.ProviderScope(w.Prov))
	if c, err := nd.db.SyncConfig(); err != nil || c != (store.SyncConfig{}) {
		t.Errorf("SyncConfig of a new node = %+v, %v", c, err)
	}
	cfg := store.SyncConfig{Server: "https://rmc.example:8443", Fingerprint: "ab12", NodeKey: "cd34"}
	if err := nd.db.SetSyncConfig(cfg); err != nil {
		t.Fatal(err)
	}
	if c, err := nd.db.SyncConfig(); err != nil || c != cfg {
		t.Errorf("SyncConfig = %+v, %v; want %+v", c, err, cfg)
	}
	at := time.Date(2026, 11, 10, 9, 30, 0, 0, time.UTC)
	if err := nd.db.SetLastSync(at, "сервер недоступен"); err != nil {
		t.Fatal(err)
	}
	st, _ := nd.db.SyncState()
	if !st.LastSync.Equal(at) || st.LastError != "сервер недоступен" {
		t.Errorf("SyncState after a failed sync: %+v", st)
	}
	if err := nd.db.SetLastSync(at.Add(time.Minute), ""); err != nil {
		t.Fatal(err)
	}
	if st, _ := nd.db.SyncState(); st.LastError != "" || !st.LastSync.Equal(at.Add(time.Minute)) {
		t.Errorf("SyncState after a good sync: %+v", st)
	}

	w.sync(nd)
	ops := offline(w, nd, 3)
	if err := nd.db.RecordResults(4, nil); codeOf(err) != app.ECONFLICT {
		t.Errorf("RecordResults beyond the last op: %v, want ECONFLICT", err)
	}
	if err := nd.db.RecordResults(1, []store.Result{{Seq: 9, Status: store.StatusApplied}}); codeOf(err) != app.EINVALID {
		t.Errorf("RecordResults of an unknown op: %v, want EINVALID", err)
	}
	if err := nd.db.RecordResults(1, []store.Result{{Seq: 1, Status: "maybe"}}); codeOf(err) != app.EINVALID {
		t.Errorf("RecordResults with a bad status: %v, want EINVALID", err)
	}
	rs := w.push(nd, 2)
	if err := nd.db.RecordResults(1, nil); err != nil { // acked never moves down
		t.Fatal(err)
	}
	if st, _ := nd.db.SyncState(); st.Acked != 3 || st.Pending != 0 {
		t.Errorf("SyncState after the push: %+v", st)
	}
	got, err := nd.db.OpResults(false, 2)
	if err != nil || len(got) != 2 || got[0].Op.Seq != ops[2].Seq || got[1].Op.Seq != ops[1].Seq ||
		got[0].Result != rs[2] || got[0].Pending {
		t.Errorf("OpResults(all, 2) = %+v, %v", got, err)
	}

	for name, err := range map[string]error{
		"ApplyPull":     w.server.ApplyPull(store.Page{Epoch: "e"}),
		"Rebase":        w.server.Rebase(),
		"ResetForEpoch": w.server.ResetForEpoch("e", 0),
	} {
		if codeOf(err) != app.EINVALID {
			t.Errorf("%s on the server: %v, want EINVALID", name, err)
		}
	}
	if _, err := nd.db.Pull(nd.scope, 0, 0); codeOf(err) != app.EINVALID {
		t.Errorf("Pull from a node: %v, want EINVALID", err)
	}
	if err := nd.db.ResetForEpoch("", 0); codeOf(err) != app.EINVALID {
		t.Errorf("ResetForEpoch without an epoch: %v, want EINVALID", err)
	}
}
