package store_test

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"kruzhok/app"
	"kruzhok/store"
)

// offline makes n ops on the node (children of 27) and returns them.
func offline(w *region, nd *node, n int) []app.Op {
	w.t.Helper()
	var ops []app.Op
	for range n {
		ops = append(ops, w.must(nd.db, w.childCmd("27")))
	}
	return ops
}

// A retried batch returns the stored results and changes nothing; a batch
// that overlaps what was applied runs only its new ops.
func TestApplyRemoteRetry(t *testing.T) {
	w := newRegion(t)
	nd := w.join("node.db", app.ProviderScope(w.Prov))
	w.sync(nd)
	ops := offline(w, nd, 3)
	ops = append(ops, w.must(nd.db, w.groupCmd(w.id("grp"), w.OMod))) // rejected
	acked, rs, needFrom, err := w.server.ApplyRemote(nd.n, ops)
	if err != nil || acked != 4 || needFrom != 0 || len(rs) != 4 || rs[3].Code != app.SCOPE_FORBIDDEN {
		t.Fatalf("ApplyRemote = %d, %+v, %d, %v", acked, rs, needFrom, err)
	}
	before := dump(t, w.server)
	acked2, rs2, _, err := w.server.ApplyRemote(nd.n, ops)
	if err != nil || acked2 != acked || !reflect.DeepEqual(rs2, rs) {
		t.Fatalf("retry = %d, %+v, %v; want the stored %+v", acked2, rs2, err, rs)
	}
	if dump(t, w.server) != before {
		t.Errorf("a retried batch changed the server")
	}

	more := offline(w, nd, 2)
	acked, rs, _, err = w.server.ApplyRemote(nd.n, append(ops[2:], more...))
	if err != nil || acked != 6 || len(rs) != 4 || rs[0] != rs2[2] || rs[1] != rs2[3] ||
		rs[2].Status != store.StatusApplied || rs[3].Seq != 6 {
		t.Fatalf("overlapping batch = %d, %+v, %v", acked, rs, err)
	}
	if a, _ := w.server.Acked(nd.n.ID); a != 6 {
		t.Errorf("Acked = %d, want 6", a)
	}
	if j, _ := w.server.Journal(1, 0); len(j) != 6 {
		t.Errorf("journal has %d entries, want one per op run: 6", len(j))
	}
	if err := nd.db.RecordResults(acked, rs); err != nil {
		t.Fatal(err)
	}
	w.sync(nd)
	w.converged(nd)
}

// A batch that starts above acked+1 asks for the gap and applies nothing.
func TestApplyRemoteGap(t *testing.T) {
	w := newRegion(t)
	nd := w.join("node.db", app.ProviderScope(w.Prov))
	w.sync(nd)
	ops := offline(w, nd, 4)
	if _, _, _, err := w.server.ApplyRemote(nd.n, ops[:1]); err != nil {
		t.Fatal(err)
	}
	before := dump(t, w.server)
	acked, rs, needFrom, err := w.server.ApplyRemote(nd.n, ops[2:])
	if err != nil || acked != 1 || needFrom != 2 || rs != nil {
		t.Fatalf("ApplyRemote of a gap = %d, %+v, need %d, %v; want acked 1, need 2", acked, rs, needFrom, err)
	}
	if dump(t, w.server) != before {
		t.Errorf("a batch after a gap changed the server")
	}
	acked, rs, needFrom, err = w.server.ApplyRemote(nd.n, nil)
	if err != nil || acked != 1 || needFrom != 0 || len(rs) != 0 {
		t.Errorf("an empty batch = %d, %+v, %d, %v", acked, rs, needFrom, err)
	}
}

// What ApplyRemote refuses before it applies anything.
func TestApplyRemoteRefuses(t *testing.T) {
	w := newRegion(t)
	nd := w.join("node.db", app.ProviderScope(w.Prov))
	w.sync(nd)
	ops := offline(w, nd, 3)
	before := dump(t, w.server)
	big := make([]app.Op, store.MaxBatchOps+1)
	for i := range big {
		big[i] = app.Op{Node: nd.n.ID, Seq: uint64(i + 1), Type: ops[0].Type, Payload: ops[0].Payload}
	}
	foreign := append([]app.Op(nil), ops...)
	foreign[1].Node = "someone-else"
	skipping := []app.Op{ops[0], ops[2]}
	zero := []app.Op{ops[0]}
	zero[0].Seq = 0
	for name, tc := range map[string]struct {
		n    app.Node
		ops  []app.Op
		code string
	}{
		"TooMany":        {nd.n, big, app.EINVALID},
		"ForeignOp":      {nd.n, foreign, app.EINVALID},
		"NotConsecutive": {nd.n, skipping, app.EINVALID},
		"SeqZero":        {nd.n, zero, app.EINVALID},
		"UnknownNode":    {app.Node{ID: "ghost", Scope: nd.scope}, []app.Op{{Node: "ghost", Seq: 1, Type: "x", Payload: []byte("{}")}}, app.ENOTFOUND},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, _, err := w.server.ApplyRemote(tc.n, tc.ops)
			if codeOf(err) != tc.code {
				t.Errorf("ApplyRemote = %v, want %s", err, tc.code)
			}
		})
	}
	if dump(t, w.server) != before {
		t.Errorf("a refused batch changed the server")
	}
	// The caller's copy of the node does not decide its scope: the registry does.
	forged := nd.n
	forged.Scope = app.ScopeRegion
	_, rs, _, err := w.server.ApplyRemote(forged, append(ops, w.must(nd.db, &app.SetPriceCap{Pct: 110})))
	if err != nil || len(rs) != 4 || rs[3].Code != app.SCOPE_FORBIDDEN {
		t.Errorf("a regional op under a forged scope: %+v, %v; want SCOPE_FORBIDDEN", rs, err)
	}
	if _, _, _, err := nd.db.ApplyRemote(nd.n, ops[:1]); codeOf(err) != app.EINVALID {
		t.Errorf("ApplyRemote on a node database: %v, want EINVALID", err)
	}
}

// An op whose type is unknown or whose payload does not decode is rejected
// with INVALID and the ops after it still run.
func TestApplyRemoteUndecodable(t *testing.T) {
	w := newRegion(t)
	nd := w.join("node.db", app.ProviderScope(w.Prov))
	w.sync(nd)
	good := w.childCmd("27")
	payload, _ := store.EncodeCommand(good)
	ops := []app.Op{
		{Node: nd.n.ID, Seq: 1, Type: "launch_rocket", Payload: []byte(`{}`)},
		{Node: nd.n.ID, Seq: 2, Type: "register_child", Payload: []byte(`{"Child":{"ID":1}}`)},
		{Node: nd.n.ID, Seq: 3, Type: "register_child", Payload: []byte("not json")},
		{Node: nd.n.ID, Seq: 4, Type: "register_child", Payload: payload},
	}
	acked, rs, _, err := w.server.ApplyRemote(nd.n, ops)
	if err != nil || acked != 4 || len(rs) != 4 {
		t.Fatalf("ApplyRemote = %d, %+v, %v", acked, rs, err)
	}
	for i, r := range rs[:3] {
		if r.Status != store.StatusRejected || r.Code != app.EINVALID || r.Message == "" {
			t.Errorf("op %d: %+v, want rejected INVALID", i+1, r)
		}
	}
	if rs[3].Status != store.StatusApplied || !exists[app.Child](t, w.server, good.Child.ID) {
		t.Errorf("the good op after the bad ones: %+v", rs[3])
	}
	if ch := getRec[app.Child](t, w.server, good.Child.ID); ch.Registered != nd.n.ID ||
		!reflect.DeepEqual(ch.Providers, []string{w.Prov}) {
		t.Errorf("a node's child on the server: registered by %q, providers %v", ch.Registered, ch.Providers)
	}
	j, err := w.server.Journal(3, 1)
	if err != nil || len(j) != 1 || string(j[0].Op.Payload) != "not json" {
		t.Errorf("journal keeps a payload that is not JSON as sent: %+v, %v", j, err)
	}
}

// failAfterWrite is a command that writes a municipality and then fails with
// a domain code, which no app command does (they validate before writing);
// it proves the savepoint rule holds if one ever did.
type failAfterWrite struct{ Code string }

func (c *failAfterWrite) Op() string { return "test_fail_after_write" }

func (c *failAfterWrite) Apply(tx app.Tx, m app.Meta) error {
	if err := tx.Put(app.Municipality{Code: "99", Name: "Тест"}); err != nil {
		return err
	}
	return app.Errorf(app.EINVALID, "after a write")
}

func init() {
	for _, op := range []string{"test.Boom", "test.QuietBoom", "test.PutChild", "test.PutUnless", "test.Delete",
		"test.RenameChild", "test.ExpectChild", "test.SpoilChild", "test.TakeSerial", "test.Probe", "test.ScanRename", "test.PutRecord"} {
		app.RegisterPermission(app.Permission{Op: op, Allow: app.Anyone})
	}
	app.RegisterCommand(func() app.Command { return &failAfterWrite{} }, app.Permission{Allow: app.Anyone})
}

// The savepoint rule: an op that fails after a write aborts the whole batch,
// the ops before it included; a command failing before its first write is
// only a rejection.
func TestApplyRemoteSavepoint(t *testing.T) {
	w := newRegion(t)
	fresh := w.open("fresh.db") // an unseeded region authority
	w.server = fresh
	nd := w.join("region-node.db", app.ScopeRegion)
	badDir := &failAfterWrite{}
	// Pushed, a seed is a server job and refused; an invite is a region node's.
	empty := app.CreateInvite{Hash: "not hex", Scope: app.ScopeRegion}
	seed := &app.CreateInvite{Hash: strings.Repeat("cd", 32), Scope: app.ScopeRegion}
	op := func(seq uint64, c app.Command) app.Op {
		p, err := store.EncodeCommand(c)
		if err != nil {
			t.Fatal(err)
		}
		return app.Op{Node: nd.n.ID, Seq: seq, Type: c.Op(), Payload: p}
	}
	before := dump(t, fresh)
	invite := &app.CreateInvite{Hash: strings.Repeat("ab", 32), Scope: app.ScopeRegion}
	_, _, _, err := fresh.ApplyRemote(nd.n, []app.Op{op(1, invite), op(2, badDir)})
	var ae *app.Error
	if codeOf(err) != app.EINTERNAL || !asAppError(err, &ae) || !strings.Contains(ae.Detail, "seq=2") ||
		!strings.Contains(ae.Detail, "code=INVALID") {
		t.Fatalf("a batch with an op failing after a write: %v, want EINTERNAL naming seq 2", err)
	}
	if dump(t, fresh) != before {
		t.Errorf("an aborted batch left changes")
	}
	if a, _ := fresh.Acked(nd.n.ID); a != 0 {
		t.Errorf("acked %d after an aborted batch", a)
	}
	acked, rs, _, err := fresh.ApplyRemote(nd.n, []app.Op{op(1, &empty), op(2, seed)})
	if err != nil || acked != 2 || rs[0].Code != app.EINVALID || rs[1].Status != store.StatusApplied {
		t.Fatalf("a failure before the first write: %d, %+v, %v; want a rejection and the next op applied", acked, rs, err)
	}
	if !exists[app.Invite](t, fresh, seed.Hash) {
		t.Errorf("the invite after the rejected op did not apply")
	}
}

func asAppError(err error, target **app.Error) bool {
	e, ok := err.(*app.Error)
	if ok {
		*target = e
	}
	return ok
}

// A panic inside a command never takes the server down: before any write it
// is an INTERNAL rejection, after one it aborts the batch.
func TestApplyRemotePanic(t *testing.T) {
	restore := store.SetCommandDecoder(testDecoder)
	defer restore()
	w := newRegion(t)
	nd := w.join("node.db", app.ScopeRegion)
	op := func(seq uint64, c app.Command) app.Op {
		p, _ := store.EncodeCommand(c)
		return app.Op{Node: nd.n.ID, Seq: seq, Type: c.Op(), Payload: p}
	}
	before := dump(t, w.server)
	_, _, _, err := w.server.ApplyRemote(nd.n, []app.Op{op(1, boom{Child: child("b1", "Бум", "Бум", "27")})})
	if codeOf(err) != app.EINTERNAL {
		t.Fatalf("a panic after a write: %v, want an EINTERNAL abort", err)
	}
	if dump(t, w.server) != before {
		t.Errorf("the aborted batch left changes")
	}
	acked, rs, _, err := w.server.ApplyRemote(nd.n, []app.Op{op(1, quietBoom{}), op(2, putChild{Child: child("b2", "Тихий", "Бум", "27")})})
	if err != nil || acked != 2 || rs[0].Status != store.StatusRejected || rs[0].Code != app.EINTERNAL ||
		rs[1].Status != store.StatusApplied {
		t.Fatalf("a panic before any write: %d, %+v, %v; want an INTERNAL rejection and the next op applied", acked, rs, err)
	}
}

// quietBoom panics before it writes anything.
type quietBoom struct{}

func (quietBoom) Op() string                   { return "test.QuietBoom" }
func (quietBoom) Apply(app.Tx, app.Meta) error { panic("сбой до записи") }

// testDecoder decodes the tests' own commands besides app's.
func testDecoder(op string, payload []byte) (app.Command, error) {
	var target any
	switch op {
	case "test.Boom":
		target = &boom{}
	case "test.QuietBoom":
		return quietBoom{}, nil
	case "test.PutChild":
		target = &putChild{}
	case "test.PutUnless":
		target = &putUnless{}
	case "test.Delete":
		target = &deleteRecord{}
	default:
		return store.DecodeCommand(op, payload)
	}
	if err := json.Unmarshal(payload, target); err != nil {
		return nil, app.Errorf(app.EINVALID, "%s: %v", op, err)
	}
	return reflect.ValueOf(target).Elem().Interface().(app.Command), nil
}

// NodeByKey finds a joined node by its public key, refuses a malformed key
// and a revoked node.
func TestNodeByKey(t *testing.T) {
	w := newRegion(t)
	nd := w.join("node.db", app.ProviderScope(w.Prov))
	w.sync(nd)
	pub, _ := hex.DecodeString(nd.n.Key)
	if n, err := w.server.NodeByKey(ed25519.PublicKey(pub)); err != nil || n != nd.n {
		t.Errorf("NodeByKey = %+v, %v; want %+v", n, err, nd.n)
	}
	if _, err := w.server.NodeByKey(make([]byte, 32)); codeOf(err) != app.ENOTFOUND {
		t.Errorf("unknown key: %v, want ENOTFOUND", err)
	}
	if _, err := w.server.NodeByKey(pub[:31]); codeOf(err) != app.EINVALID {
		t.Errorf("short key: %v, want EINVALID", err)
	}
	revoked := nd.n
	revoked.Status = "revoked"
	w.must(w.server, putRecord{revoked}) // no app command revokes a node yet
	if _, err := w.server.NodeByKey(ed25519.PublicKey(pub)); codeOf(err) != app.SCOPE_FORBIDDEN {
		t.Errorf("revoked node: %v, want SCOPE_FORBIDDEN", err)
	}
	op := w.must(nd.db, w.groupCmd(w.id("grp"), w.Mod))
	if _, _, _, err := w.server.ApplyRemote(nd.n, []app.Op{op}); codeOf(err) != app.SCOPE_FORBIDDEN {
		t.Errorf("ApplyRemote of a revoked node: %v, want SCOPE_FORBIDDEN", err)
	}
}

// spoilChild loads a child, changes it in place (its slice too) and fails
// without writing.
type spoilChild struct{ ID string }

func (c spoilChild) Op() string { return "test.SpoilChild" }
func (c spoilChild) Apply(tx app.Tx, _ app.Meta) error {
	ch, err := app.Get[app.Child](tx, c.ID)
	if err != nil {
		return err
	}
	ch.LastName = "Испорчен"
	ch.Providers[0] = "spoiled"
	return app.Errorf(app.ECONFLICT, "Отказ без записи")
}

// expectChild fails unless the stored child has the last name and first
// provider, then renames it.
type expectChild struct{ ID, LastName, Provider, Rename string }

func (c expectChild) Op() string { return "test.ExpectChild" }
func (c expectChild) Apply(tx app.Tx, _ app.Meta) error {
	ch, err := app.Get[app.Child](tx, c.ID)
	if err != nil {
		return err
	}
	if ch.LastName != c.LastName || len(ch.Providers) == 0 || ch.Providers[0] != c.Provider {
		return app.Errorf(app.ECONFLICT, "ребёнок %s/%v, ожидался %s/%s", ch.LastName, ch.Providers, c.LastName, c.Provider)
	}
	ch.LastName = c.Rename
	return tx.Put(ch)
}

// Within one batch every op sees what the ops before it wrote, and nothing of
// what a failed op did to the records it loaded: the load cache hands out
// copies.
func TestApplyRemoteOpsSeeEachOther(t *testing.T) {
	restore := store.SetCommandDecoder(func(op string, payload []byte) (app.Command, error) {
		var target any
		switch op {
		case "test.SpoilChild":
			target = &spoilChild{}
		case "test.ExpectChild":
			target = &expectChild{}
		default:
			return testDecoder(op, payload)
		}
		if err := json.Unmarshal(payload, target); err != nil {
			return nil, err
		}
		return reflect.ValueOf(target).Elem().Interface().(app.Command), nil
	})
	defer restore()
	w := newRegion(t)
	nd := w.join("node.db", app.ScopeRegion)
	kid := child("k1", "Иванов", "Пётр", "27")
	kid.Providers = []string{w.Prov}
	var ops []app.Op
	for i, c := range []app.Command{
		putChild{Child: kid},
		expectChild{ID: "k1", LastName: "Иванов", Provider: w.Prov, Rename: "Петров"},
		spoilChild{ID: "k1"},
		expectChild{ID: "k1", LastName: "Петров", Provider: w.Prov, Rename: "Сидоров"},
		deleteRecord{Kind: app.KindChild, ID: "k1"},
		expectChild{ID: "k1"},
	} {
		p, err := store.EncodeCommand(c)
		if err != nil {
			t.Fatal(err)
		}
		ops = append(ops, app.Op{Node: nd.n.ID, Seq: uint64(i + 1), Type: c.Op(), Payload: p})
	}
	_, rs, _, err := w.server.ApplyRemote(nd.n, ops)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"applied", "applied", "rejected CONFLICT", "applied", "applied", "rejected NOT_FOUND"}
	for i, r := range rs {
		got := r.Status
		if r.Code != "" {
			got += " " + r.Code
		}
		if got != want[i] {
			t.Errorf("op %d: %s (%s), want %s", i+1, got, r.Message, want[i])
		}
	}
	if exists[app.Child](t, w.server, "k1") {
		t.Errorf("the deleted child is back")
	}
}
