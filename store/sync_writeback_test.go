package store_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"kruzhok/app"
	"kruzhok/store"
)

// renameMunicipality loads a municipality and puts it back under a new name;
// with Fail it then fails with a domain code, as no app command does. A
// municipality has no index entries, so on the server the put is deferred to
// the end of the batch (docs/SYNC.md "Write-back of a batch").
type renameMunicipality struct {
	Code, Name string
	Fail       bool
}

func (c *renameMunicipality) Op() string { return "test_rename_municipality" }

func (c *renameMunicipality) Apply(tx app.Tx, m app.Meta) error {
	mu, err := app.Get[app.Municipality](tx, c.Code)
	if err != nil {
		return err
	}
	mu.Name = c.Name
	if err := tx.Put(mu); err != nil {
		return err
	}
	if c.Fail {
		return app.Errorf(app.EINVALID, "after a deferred put")
	}
	return nil
}

func init() {
	app.RegisterCommand(func() app.Command { return &renameMunicipality{} }, app.Permission{Allow: app.Anyone})
}

func opOf(t *testing.T, nd *node, seq uint64, c app.Command) app.Op {
	t.Helper()
	p, err := store.EncodeCommand(c)
	if err != nil {
		t.Fatal(err)
	}
	return app.Op{Node: nd.n.ID, Seq: seq, Type: c.Op(), Payload: p}
}

// An op whose only writes were deferred is a plain rejection: its writes are
// undone, the ops before and after it keep theirs, and what the batch left is
// written once, with one feed entry, at its end.
func TestApplyRemoteDeferredWrites(t *testing.T) {
	w := newRegion(t)
	nd := w.join("region-node.db", app.ScopeRegion)
	orig := getRec[app.Municipality](t, w.server, "27").Name
	head := feedHead(t, w.server)
	ops := []app.Op{
		opOf(t, nd, 1, &renameMunicipality{Code: "27", Name: "Первое"}),
		opOf(t, nd, 2, &renameMunicipality{Code: "27", Name: "Отменённое", Fail: true}),
		opOf(t, nd, 3, &renameMunicipality{Code: "26", Name: "Другое", Fail: true}),
		opOf(t, nd, 4, &renameMunicipality{Code: "27", Name: "Итоговое"}),
	}
	acked, rs, _, err := w.server.ApplyRemote(nd.n, ops)
	if err != nil || acked != 4 {
		t.Fatalf("ApplyRemote = %d, %+v, %v; want every op run, two of them rejected", acked, rs, err)
	}
	for i, want := range []string{store.StatusApplied, store.StatusRejected, store.StatusRejected, store.StatusApplied} {
		if rs[i].Status != want {
			t.Errorf("op %d: %+v, want %s", i+1, rs[i], want)
		}
	}
	if got := getRec[app.Municipality](t, w.server, "27").Name; got != "Итоговое" {
		t.Errorf("municipality 27 is named %q after the batch, want the last applied name", got)
	}
	if got := getRec[app.Municipality](t, w.server, "26").Name; got == "Другое" {
		t.Errorf("a rejected op's deferred put was written")
	}
	if got := feedHead(t, w.server); got != head+1 {
		t.Errorf("the feed moved from %d to %d, want one entry for the one record the batch changed", head, got)
	}

	// Op 2's rename was seen by nothing: a batch whose ops put a record back
	// as it was stored writes nothing and feeds nothing.
	head = feedHead(t, w.server)
	before := dumpRecords(t, w.server)
	ops = []app.Op{
		opOf(t, nd, 5, &renameMunicipality{Code: "27", Name: "Временное"}),
		opOf(t, nd, 6, &renameMunicipality{Code: "27", Name: "Итоговое"}),
	}
	if _, rs, _, err = w.server.ApplyRemote(nd.n, ops); err != nil || rs[0].Status != store.StatusApplied || rs[1].Status != store.StatusApplied {
		t.Fatalf("ApplyRemote = %+v, %v", rs, err)
	}
	if feedHead(t, w.server) != head || dumpRecords(t, w.server) != before {
		t.Errorf("a batch that ends where it began changed records or the feed")
	}
	if orig == "Итоговое" {
		t.Fatal("the fixture's name is the test's")
	}
}

// A batch of marks writes each lesson once: the feed moves by the lessons
// it changed, not by the marks, and the lesson holds every mark (the first
// of them changed, the others added).
func TestApplyRemoteMarksWriteLessonOnce(t *testing.T) {
	w := newRegion(t)
	d := app.DateOf(w.now) // a Tuesday: the group meets at 15:00
	var kids []string
	for range 3 {
		child, cert, _ := w.financed()
		w.must(w.server, w.enrolCmd(w.server, cert, w.Group, d))
		kids = append(kids, child)
	}
	nd := w.join("prov.db", app.ProviderScope(w.Prov))
	w.sync(nd)
	w.must(nd.db, &app.MarkAttendance{Group: w.Group, Date: d, Start: 15 * 60, Child: kids[0], Mark: app.MarkAbsent})
	w.sync(nd) // the lesson is made
	head := feedHead(t, w.server)
	for _, k := range kids {
		w.must(nd.db, &app.MarkAttendance{Group: w.Group, Date: d, Start: 15 * 60, Child: k, Mark: app.MarkPresent})
	}
	rs := w.push(nd, store.MaxBatchOps)
	for _, r := range rs {
		if r.Status != store.StatusApplied {
			t.Fatalf("mark rejected: %+v", r)
		}
	}
	if got := feedHead(t, w.server); got != head+1 {
		t.Errorf("the feed moved by %d for %d marks of one lesson, want 1", got-head, len(kids))
	}
	l := getRec[app.Lesson](t, w.server, app.LessonID(w.Group, d, 15*60))
	if len(l.Marks) != len(kids) || l.Marks[kids[0]] != app.MarkPresent {
		t.Errorf("the lesson holds %d marks, want %d", len(l.Marks), len(kids))
	}
}

// The journal keeps each batch once, with each op numbered: any start reads
// the same entries, rejections keep their code, and check finds it whole.
func TestJournalOfBatches(t *testing.T) {
	w := newRegion(t)
	nd := w.join("node.db", app.ProviderScope(w.Prov))
	w.sync(nd)
	ops := offline(w, nd, 3)
	ops = append(ops, w.must(nd.db, w.groupCmd(w.id("grp"), w.OMod))) // rejected: not the provider's module
	if _, _, _, err := w.server.ApplyRemote(nd.n, ops[:2]); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := w.server.ApplyRemote(nd.n, ops); err != nil { // 1–2 again, then 3–4
		t.Fatal(err)
	}
	all, err := w.server.Journal(1, 0)
	if err != nil || len(all) != 4 {
		t.Fatalf("Journal(1, 0) = %d entries, %v; want 4", len(all), err)
	}
	for i, e := range all {
		if e.Op.Seq != uint64(i+1) || e.Op.Type != ops[i].Type || string(e.Op.Payload) != string(ops[i].Payload) || e.Time.IsZero() {
			t.Errorf("entry %d: %+v, want op %d as sent", i+1, e, i+1)
		}
	}
	if all[3].Result.Status != store.StatusRejected || all[3].Result.Code != app.SCOPE_FORBIDDEN || all[2].Result.Status != store.StatusApplied {
		t.Errorf("results in the journal: %+v, %+v", all[2].Result, all[3].Result)
	}
	for from := uint64(1); from <= 5; from++ {
		for limit := 0; limit <= 3; limit++ {
			got, err := w.server.Journal(from, limit)
			want := all[min(from-1, 4):]
			if limit > 0 && len(want) > limit {
				want = want[:limit]
			}
			if err != nil || len(got) != len(want) || len(got) > 0 && got[0].Op.Seq != want[0].Op.Seq {
				t.Errorf("Journal(%d, %d) = %d entries from %v, want %d", from, limit, len(got), got, len(want))
			}
		}
	}
	if _, rs, _, _ := w.server.ApplyRemote(nd.n, ops); rs[3].Code != app.SCOPE_FORBIDDEN || rs[0].Status != store.StatusApplied {
		t.Errorf("the stored results of a retry: %+v", rs)
	}
	mustClean(t, w.server)
}

// A journal whose numbers skip, or that lacks a node's acked ops, is a breach.
func TestCheckFindsABrokenJournal(t *testing.T) {
	w := newRegion(t)
	nd := w.join("node.db", app.ProviderScope(w.Prov))
	w.sync(nd)
	if _, _, _, err := w.server.ApplyRemote(nd.n, offline(w, nd, 2)); err != nil {
		t.Fatal(err)
	}
	mustClean(t, w.server)
	var key, val []byte
	err := w.server.Bolt().Update(func(tx *bbolt.Tx) error {
		jb := tx.Bucket([]byte("journal"))
		k, v := jb.Cursor().Last()
		key, val = bytes.Clone(k), bytes.Clone(v)
		return jb.Delete(k)
	})
	if err != nil {
		t.Fatal(err)
	}
	breaches := strings.Join(w.server.Check(nil), "\n")
	if !strings.Contains(breaches, "journal and acked differ") || !strings.Contains(breaches, "sequence behind") {
		t.Errorf("check of a journal without a node's last batch: %q", breaches)
	}
	err = w.server.Bolt().Update(func(tx *bbolt.Tx) error { return tx.Bucket([]byte("journal")).Put(key, val) })
	if err != nil {
		t.Fatal(err)
	}
	mustClean(t, w.server)
}

// feedHead is the last seq of the server's change feed.
func feedHead(t *testing.T, db *store.DB) uint64 {
	t.Helper()
	var head uint64
	_ = db.Bolt().View(func(tx *bbolt.Tx) error {
		if k, _ := tx.Bucket([]byte("changes")).Cursor().Last(); len(k) == 8 {
			head = binary.BigEndian.Uint64(k)
		}
		return nil
	})
	return head
}

// dumpRecords hashes the records and the change feed, not the sync state
// (acked, journal) that every batch moves.
func dumpRecords(t *testing.T, db *store.DB) string {
	t.Helper()
	h := sha256.New()
	_ = db.Bolt().View(func(tx *bbolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bbolt.Bucket) error {
			n := string(name)
			if !strings.HasPrefix(n, "rec/") && !strings.HasPrefix(n, "idx/") && n != "changes" &&
				!strings.HasPrefix(n, "chseq/") && !strings.HasPrefix(n, "aud/") {
				return nil
			}
			fmt.Fprintf(h, "bucket %q seq %d\n", n, b.Sequence())
			return b.ForEach(func(k, v []byte) error {
				fmt.Fprintf(h, "%x=%x\n", k, v)
				return nil
			})
		})
	})
	return hex.EncodeToString(h.Sum(nil))
}

// A journal value read from a file: a batch, an old entry of one op, or
// anything else, which is an error and never a panic. What decodes is a
// list of ops with their results.
func FuzzJournalValue(f *testing.F) {
	at := time.Date(2026, 11, 10, 6, 0, 0, 0, time.UTC)
	ops := []app.Op{{Node: "n1", Seq: 1, HLC: 7, Type: "mark_attendance", Payload: []byte(`{"Group":"g"}`)},
		{Node: "n1", Seq: 2, HLC: 8, Type: "x", Payload: []byte("not json")}}
	batch, err := store.JournalBatchValue("n1", ops, []store.Result{{Seq: 1, Status: store.StatusApplied},
		{Seq: 2, Status: store.StatusRejected, Code: app.EINVALID, Message: "плохо"}}, at)
	if err != nil {
		f.Fatal(err)
	}
	es, err := store.JournalValue(batch)
	if err != nil || len(es) != 2 || string(es[1].Op.Payload) != "not json" || es[1].Result.Code != app.EINVALID ||
		es[0].Result.Status != store.StatusApplied || !es[0].Time.Equal(at) {
		f.Fatalf("a batch read back: %+v, %v", es, err)
	}
	f.Add(batch)
	f.Add(append([]byte{1}, `{"Node":"n1","Seq":3,"HLC":1,"Type":"t","Time":"2026-11-10T06:00:00Z","Result":{"Seq":3,"Status":"applied"}}`...))
	f.Add(append([]byte{1}, `{"Node":"n1","Time":"2026-11-10T06:00:00Z","Ops":[{"Seq":1,"Type":"t"}],"Results":[{"Seq":9}]}`...))
	f.Add(batch[:len(batch)/2])
	f.Add([]byte{0x28, 0xb5, 0x2f, 0xfd, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, v []byte) {
		es, err := store.JournalValue(v)
		if err != nil {
			return
		}
		for _, e := range es {
			if e.Result.Seq != e.Op.Seq {
				t.Fatalf("entry of op %d with the result of op %d", e.Op.Seq, e.Result.Seq)
			}
		}
	})
}

// scanSeen is what the scanning test commands saw, by tag.
var scanSeen = map[string][]string{}

// scanChildren notes the children of a municipality, as an index scan
// finds them.
type scanChildren struct{ Tag, Municipality string }

func (c *scanChildren) Op() string { return "test_scan_children" }

func (c *scanChildren) Apply(tx app.Tx, m app.Meta) error {
	scanSeen[c.Tag] = nil
	return tx.Scan(app.KindChild, app.IdxMunicipality, c.Municipality, func(id string) bool {
		scanSeen[c.Tag] = append(scanSeen[c.Tag], id)
		return true
	})
}

// moveChildren moves, from inside the scan, every child of From to To: each
// put takes an entry out of the index being scanned.
type moveChildren struct{ Tag, From, To string }

func (c *moveChildren) Op() string { return "test_move_children" }

func (c *moveChildren) Apply(tx app.Tx, m app.Meta) error {
	scanSeen[c.Tag] = nil
	var ferr error
	err := tx.Scan(app.KindChild, app.IdxMunicipality, c.From, func(id string) bool {
		scanSeen[c.Tag] = append(scanSeen[c.Tag], id)
		ch, err := app.Get[app.Child](tx, id)
		if err == nil {
			ch.Municipality = c.To
			err = tx.Put(ch)
		}
		ferr = err
		return err == nil
	})
	if err != nil {
		return err
	}
	return ferr
}

func init() {
	app.RegisterCommand(func() app.Command { return &scanChildren{} }, app.Permission{Allow: app.Anyone})
	app.RegisterCommand(func() app.Command { return &moveChildren{} }, app.Permission{Allow: app.Anyone})
}

// The scans a batch keeps (docs/SYNC.md) see every write before them: a
// child made, children moved out from inside a scan of their index.
func TestApplyRemoteScansSeeTheBatchsWrites(t *testing.T) {
	w := newRegion(t)
	nd := w.join("region-node.db", app.ScopeRegion)
	for range 3 {
		w.must(w.server, w.childCmd("27"))
	}
	x := w.childCmd("27")
	ops := []app.Op{
		opOf(t, nd, 1, &scanChildren{Tag: "before", Municipality: "27"}),
		opOf(t, nd, 2, x),
		opOf(t, nd, 3, &scanChildren{Tag: "after", Municipality: "27"}),
		opOf(t, nd, 4, &scanChildren{Tag: "again", Municipality: "27"}),
		opOf(t, nd, 5, &moveChildren{Tag: "moved", From: "27", To: "01"}),
		opOf(t, nd, 6, &scanChildren{Tag: "left", Municipality: "27"}),
		opOf(t, nd, 7, &scanChildren{Tag: "arrived", Municipality: "01"}),
	}
	_, rs, _, err := w.server.ApplyRemote(nd.n, ops)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Status != store.StatusApplied {
			t.Fatalf("op %d: %+v", r.Seq, r)
		}
	}
	before, after := scanSeen["before"], scanSeen["after"]
	if len(before) != 3 || len(after) != 4 || !slices.Contains(after, x.Child.ID) || !slices.Equal(scanSeen["again"], after) {
		t.Errorf("scans of 27: %v, then after a child was made %v, then %v", before, after, scanSeen["again"])
	}
	if !slices.Equal(scanSeen["moved"], after) {
		t.Errorf("the scan that moved children visited %v, want each of %v once", scanSeen["moved"], after)
	}
	if len(scanSeen["left"]) != 0 {
		t.Errorf("27 still has %v after the move", scanSeen["left"])
	}
	for _, id := range after {
		if !slices.Contains(scanSeen["arrived"], id) {
			t.Errorf("child %s is not found in 01 after the move", id)
		}
	}
}
