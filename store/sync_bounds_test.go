package store_test

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"kruzhok/app"
	"kruzhok/store"
)

// withSNILS is op with its child's SNILS replaced by snils.
func withSNILS(t *testing.T, op app.Op, snils string) app.Op {
	t.Helper()
	var c app.RegisterChild
	if err := json.Unmarshal(op.Payload, &c); err != nil {
		t.Fatal(err)
	}
	c.Child.SNILS = snils
	p, err := json.Marshal(&c)
	if err != nil {
		t.Fatal(err)
	}
	op.Payload = p
	return op
}

func resultsSize(rs []store.Result) int {
	n := 0
	for _, r := range rs {
		n += len(r.Code) + len(r.Message) + len(r.Detail)
	}
	return n
}

// What a node sends is never stored or answered whole: six register_child ops
// with a SNILS of 10 MB are rejected TOO_LARGE unread and journaled without
// their payloads; ops of 100 KB that the domain quotes back are rejected with
// a clipped message; a retry answers the same small results; and the journal
// reads back, so Check (the cleanup's and here) passes.
func TestApplyRemoteBoundsWhatANodeSends(t *testing.T) {
	w := newRegion(t)
	nd := w.join("mun.db", app.MunicipalityScope("27"))
	w.sync(nd)
	huge := strings.Repeat("1", 10<<20)
	mid := strings.Repeat("№", 50<<10) // 100 KB, two bytes a rune
	var ops []app.Op
	for i := range 8 {
		s := huge
		if i >= 6 {
			s = mid
		}
		ops = append(ops, withSNILS(t, w.must(nd.db, w.childCmd("27")), s))
	}
	acked, rs, _, err := w.server.ApplyRemote(nd.n, ops)
	if err != nil || acked != 8 || len(rs) != 8 {
		t.Fatalf("ApplyRemote = %d, %d results, %v", acked, len(rs), err)
	}
	for i, r := range rs {
		want := app.TOO_LARGE
		if i >= 6 {
			want = app.EINVALID
		}
		if r.Status != store.StatusRejected || r.Code != want || len(r.Message) > store.MaxResultMessage ||
			len(r.Detail) > store.MaxResultDetail || !utf8.ValidString(r.Message) || r.Message == "" {
			t.Fatalf("result %d: %s %s %d bytes %q", i, r.Status, r.Code, len(r.Message), r.Message[:min(len(r.Message), 80)])
		}
	}
	if n := resultsSize(rs); n > 8*(store.MaxResultMessage+store.MaxResultDetail+64) {
		t.Fatalf("results are %d bytes", n)
	}
	_, again, _, err := w.server.ApplyRemote(nd.n, ops)
	if err != nil || resultsSize(again) != resultsSize(rs) {
		t.Fatalf("retry: %d bytes of results, %v", resultsSize(again), err)
	}
	j, err := w.server.Journal(1, 0)
	if err != nil {
		t.Fatal(err)
	}
	cut := 0
	for _, e := range j {
		if e.Op.Node != nd.n.ID {
			continue
		}
		if e.Cut > 0 {
			cut++
			if e.Cut < 10<<20 || len(e.Op.Payload) != 0 {
				t.Fatalf("journal op %d: cut %d, payload %d bytes", e.Op.Seq, e.Cut, len(e.Op.Payload))
			}
		} else if len(e.Op.Payload) > store.MaxOpPayload || len(e.Result.Message) > store.MaxResultMessage {
			t.Fatalf("journal op %d: payload %d bytes, message %d", e.Op.Seq, len(e.Op.Payload), len(e.Result.Message))
		}
	}
	if cut != 6 {
		t.Fatalf("%d journal ops cut, want 6", cut)
	}
	if b := w.server.Check(app.Check); len(b) > 0 {
		t.Fatalf("check: %q", b)
	}
}

// A batch whose payloads together pass MaxBatchPayload, or an op type past
// its limit, is refused whole and nothing is applied.
func TestApplyRemoteRefusesOversizedBatch(t *testing.T) {
	w := newRegion(t)
	nd := w.join("mun.db", app.MunicipalityScope("27"))
	w.sync(nd)
	big := strings.Repeat("1", store.MaxOpPayload-200)
	var ops []app.Op
	for range store.MaxBatchPayload/store.MaxOpPayload + 1 {
		ops = append(ops, withSNILS(t, w.must(nd.db, w.childCmd("27")), big))
	}
	if _, _, _, err := w.server.ApplyRemote(nd.n, ops); app.ErrorCode(err) != app.TOO_LARGE {
		t.Fatalf("oversized batch: %v", err)
	}
	op := w.must(nd.db, w.childCmd("27"))
	op.Seq = 1
	op.Type = strings.Repeat("t", 201)
	if _, _, _, err := w.server.ApplyRemote(nd.n, []app.Op{op}); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("long type: %v", err)
	}
	if a, _ := w.server.Acked(nd.n.ID); a != 0 {
		t.Fatalf("acked %d", a)
	}
}

// Past the cap, the oldest rejections keep their status and code and read
// back with a fixed message; the newest keep everything.
func TestRejectionsCompacted(t *testing.T) {
	defer store.SetMaxFullRejections(3)()
	w := newRegion(t)
	nd := w.join("node.db", app.ProviderScope(w.Prov))
	w.sync(nd)
	var ops []app.Op
	for range 5 {
		ops = append(ops, w.must(nd.db, w.groupCmd(w.id("grp"), w.OMod))) // another provider's module
	}
	_, rs, _, err := w.server.ApplyRemote(nd.n, ops[:2])
	if err != nil {
		t.Fatal(err)
	}
	_, more, _, err := w.server.ApplyRemote(nd.n, ops[2:])
	if err != nil {
		t.Fatal(err)
	}
	rs = append(rs, more...)
	_, back, _, err := w.server.ApplyRemote(nd.n, ops)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range back {
		if r.Status != store.StatusRejected || r.Code != app.SCOPE_FORBIDDEN || r.Seq != ops[i].Seq {
			t.Fatalf("result %d read back as %+v", i, r)
		}
		compacted := r.Message != rs[i].Message
		if compacted != (i < 2) || compacted && (r.Detail != "" || !strings.Contains(r.Message, "10 000")) {
			t.Fatalf("result %d: %+v, first answered %+v", i, r, rs[i])
		}
	}
	if err := nd.db.RecordResults(5, back); err != nil {
		t.Fatal(err)
	}
	w.sync(nd)
	w.converged(nd)
}
