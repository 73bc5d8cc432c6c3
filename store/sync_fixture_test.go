package store_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"kruzhok/app"
	"kruzhok/assets"
	"kruzhok/store"
)

// region is a server database (a fresh store: the region's authority) seeded
// with the reference data, financing parameters for municipality 27 and two
// active providers of 27, each with a certified programme, a module and a
// group. Its clock is the test's.
type region struct {
	t      testing.TB
	noSync bool
	sealed bool // every database gets its own DataKey (sealKey)
	dir    string
	now    time.Time
	server *store.DB
	seq    int

	Prov, Prog, Mod, Group     string // the provider the tests' node belongs to
	Other, OProg, OMod, OGroup string // another provider of the same municipality
}

func newRegion(t testing.TB) *region { return newRegionSync(t, false) }

// newRegionSync is newRegion with fsync on or off: the benchmarks of a
// server want it on.
func newRegionSync(t testing.TB, fsync bool) *region { return newRegionOpt(t, fsync, false) }

// newRegionSealed is newRegion whose databases are all sealed, each with a
// key of its own.
func newRegionSealed(t testing.TB, fsync bool) *region { return newRegionOpt(t, fsync, true) }

func newRegionOpt(t testing.TB, fsync, sealed bool) *region {
	t.Helper()
	w := &region{t: t, noSync: !fsync, sealed: sealed, dir: t.TempDir(), now: time.Date(2026, 11, 10, 9, 0, 0, 0, time.FixedZone("MSK", 3*3600))}
	w.server = w.open("server.db")
	w.must(w.server, assets.Seed(app.DateOf(w.now)))
	w.must(w.server, &app.SetPriceCap{Pct: 120})
	w.must(w.server, &app.SetParams{Params: app.Params{Municipality: "27", Period: "2026-2027",
		Mode: app.ModeFinancing, Quota: 100, Nominal: 10_000_00, DaysToRequest: 30, Population: 1000,
		BudgetLimit: 100_000_000_00}})
	w.Prov, w.Prog, w.Mod, w.Group = w.provider("АНО ДО «Робототехника»", "2634000001")
	w.Other, w.OProg, w.OMod, w.OGroup = w.provider("ООО «Шахматы»", "2634000002")
	return w
}

// open opens a database of the region's clock in the test's directory; the
// cleanup checks it (app.Check on an authority, app.CheckNode on a node)
// before it is closed.
func (w *region) open(name string) *store.DB {
	w.t.Helper()
	opt := store.Options{NoSync: w.noSync, Now: func() time.Time { return w.now }}
	if w.sealed {
		opt.DataKey = sealKey(name)
	}
	db := openAt(w.t, filepath.Join(w.dir, name), opt)
	if w.sealed {
		_ = db.Bolt().View(func(tx *bbolt.Tx) error {
			if tx.Bucket([]byte("meta")).Get([]byte("seal_check")) == nil {
				w.t.Fatalf("%s is not sealed", name)
			}
			return nil
		})
	}
	w.t.Cleanup(func() {
		domain := app.CheckNode
		if db.Authority() {
			domain = app.Check
		}
		for _, l := range db.Check(domain) {
			w.t.Errorf("Check %s: %s", name, l)
		}
	})
	return db
}

func (w *region) id(prefix string) string {
	w.seq++
	return fmt.Sprintf("%s-%04d", prefix, w.seq)
}

func (w *region) must(db *store.DB, c app.Command) app.Op {
	w.t.Helper()
	op, err := db.Exec(c)
	if err != nil {
		w.t.Fatalf("%s: %v", c.Op(), err)
	}
	return op
}

// provider registers an active provider of 27 with a certified programme,
// a module (P = 12 000,00 ₽, NS = 10 000,00 ₽) and a group for ages 5–17.
func (w *region) provider(name, inn string) (prov, prog, mod, group string) {
	prov, prog, mod, group = w.id("prov"), w.id("prog"), w.id("mod"), w.id("grp")
	for _, c := range []app.Command{
		&app.RegisterProvider{ID: prov, Name: name, Type: app.ProviderTraining, Municipality: "27",
			INN: inn, Licence: "26Л01-0001"},
		&app.SetProviderStatus{Provider: prov, Status: app.ProviderActive},
		&app.SaveProgramme{ID: prog, Provider: prov, Title: "Программа " + name, Direction: "tech",
			AgeMin: 5, AgeMax: 17, Form: "очная"},
		&app.SaveModule{ID: mod, Programme: prog, Name: "Базовый", Hours: 72, Months: 9,
			MinChildren: 1, MaxChildren: 30, Price: 12_000_00, NormPrice: 10_000_00},
		&app.SubmitProgramme{Programme: prog},
		&app.CertifyProgramme{Programme: prog},
		w.groupCmd(group, mod),
	} {
		w.must(w.server, c)
	}
	return prov, prog, mod, group
}

func (w *region) groupCmd(id, mod string) *app.OpenGroup {
	return &app.OpenGroup{ID: id, Module: mod, Name: "Группа " + id, Start: app.MustDate("2026-09-01"),
		End: app.MustDate("2027-05-31"), Capacity: 30, AgeMin: 5, AgeMax: 17,
		Schedule:  []app.Slot{{Weekday: 2, Start: 15 * 60, End: 16*60 + 30, Room: "12"}, {Weekday: 4, Start: 15 * 60, End: 16*60 + 30, Room: "12"}},
		EnrolFrom: app.MustDate("2026-08-15"), EnrolTo: app.MustDate("2027-04-30")}
}

func (w *region) childCmd(mun string) *app.RegisterChild {
	return &app.RegisterChild{Child: app.Child{ID: w.id("child"), LastName: "Петров", FirstName: "Иван",
		BirthDate: app.MustDate("2015-03-10"), Municipality: mun, GuardianName: "Петрова Анна Ивановна",
		ConsentDate: app.MustDate("2026-09-01"), ConsentBy: "Сидорова М. П."}}
}

// financed registers a child of 27 on the server and gives it a financing
// certificate; it returns the child, the certificate and its number.
// testCode is the certificate code of every certificate financed() makes.
const testCode = "ABCD2345"

func (w *region) financed() (child, cert, number string) {
	w.t.Helper()
	c := w.childCmd("27")
	w.must(w.server, c)
	cert = w.id("cert")
	w.must(w.server, &app.IssueCertificate{ID: cert, Child: c.Child.ID, CodeHash: app.CodeHash(cert, testCode)})
	w.must(w.server, &app.RequestFinancing{ID: w.id("req"), Certificate: cert})
	k := getRec[app.Certificate](w.t, w.server, cert)
	if k.Type != app.CertFinancing {
		w.t.Fatalf("certificate %s is %s, want financing", cert, k.Type)
	}
	return c.Child.ID, cert, k.Number
}

// enrolCmd is an enrolment at the figures db's state quotes today.
func (w *region) enrolCmd(db *store.DB, cert, group string, start app.Date) *app.Enrol {
	w.t.Helper()
	var q app.Quote
	err := db.View(func(r app.Reader) error {
		e, err := app.PrepareEnrolment(r, cert, group, start, app.DateOf(w.now))
		q = e.Quote
		return err
	})
	if err != nil {
		w.t.Fatalf("quote of %s in %s: %v", cert, group, err)
	}
	return &app.Enrol{ID: w.id("contract"), Certificate: cert, Group: group, Start: start,
		QuotedCert: q.Cert, QuotedParent: q.Parent, ParentConfirmed: true}
}

// node is a node database joined to the region's server.
type node struct {
	db    *store.DB
	n     app.Node
	scope string
}

// join makes a node database of scope and registers it on the server the way
// `kruzhok join` does: an invite of the server, spent by JoinNode with the
// node's id and a fresh ed25519 key.
func (w *region) join(name, scope string) *node {
	w.t.Helper()
	return w.joinDB(w.open(name), scope)
}

// joinDB is join of a database the caller opened.
func (w *region) joinDB(db *store.DB, scope string) *node {
	w.t.Helper()
	if err := db.SetScope(scope, false); err != nil {
		w.t.Fatal(err)
	}
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		w.t.Fatal(err)
	}
	secret := make([]byte, 16)
	_, _ = rand.Read(secret)
	sum := sha256.Sum256(secret)
	hash := hex.EncodeToString(sum[:])
	w.must(w.server, &app.CreateInvite{Hash: hash, Scope: scope})
	w.must(w.server, &app.JoinNode{Hash: hash, Node: db.Node(), Key: hex.EncodeToString(pub)})
	n, err := w.server.NodeByKey(pub)
	if err != nil {
		w.t.Fatalf("NodeByKey after join: %v", err)
	}
	if n.ID != db.Node() || n.Scope != scope {
		w.t.Fatalf("joined node %+v, want id %s scope %s", n, db.Node(), scope)
	}
	return &node{db: db, n: n, scope: scope}
}

// push sends every pending op of the node to the server in batches of size
// and records the results, as the sync client does; it returns the results.
func (w *region) push(nd *node, size int) []store.Result {
	w.t.Helper()
	var all []store.Result
	for {
		ops, err := nd.db.PendingOps(size)
		if err != nil {
			w.t.Fatal(err)
		}
		if len(ops) == 0 {
			return all
		}
		acked, rs, needFrom, err := w.server.ApplyRemote(nd.n, ops)
		if err != nil {
			w.t.Fatalf("ApplyRemote: %v", err)
		}
		if needFrom != 0 {
			w.t.Fatalf("ApplyRemote asks from %d", needFrom)
		}
		if err := nd.db.RecordResults(acked, rs); err != nil {
			w.t.Fatalf("RecordResults: %v", err)
		}
		all = append(all, rs...)
	}
}

// pull brings the node up to the server's feed in pages of maxBytes, starting
// again from 0 under a new epoch, as the sync client does; it returns the
// pages it applied.
func (w *region) pull(nd *node, maxBytes int) []store.Page {
	w.t.Helper()
	var pages []store.Page
	for {
		st, err := nd.db.SyncState()
		if err != nil {
			w.t.Fatal(err)
		}
		p, err := w.server.Pull(nd.scope, st.Cursor, maxBytes)
		if err != nil {
			w.t.Fatalf("Pull: %v", err)
		}
		if st.Epoch != "" && p.Epoch != st.Epoch {
			acked, err := w.server.Acked(nd.n.ID)
			if err != nil {
				w.t.Fatal(err)
			}
			if err := nd.db.ResetForEpoch(p.Epoch, acked); err != nil {
				w.t.Fatalf("ResetForEpoch: %v", err)
			}
			continue
		}
		if err := nd.db.ApplyPull(p); err != nil {
			w.t.Fatalf("ApplyPull: %v", err)
		}
		pages = append(pages, p)
		if !p.More {
			return pages
		}
	}
}

// sync is one whole sync of the node: push, pull, rebase.
func (w *region) sync(nd *node) []store.Result {
	w.t.Helper()
	rs := w.push(nd, store.MaxBatchOps)
	w.pull(nd, 0)
	if err := nd.db.Rebase(); err != nil {
		w.t.Fatalf("Rebase: %v", err)
	}
	return rs
}

// converged requires equal digests of the node's scope on both databases and
// nothing pending on the node.
func (w *region) converged(nd *node) {
	w.t.Helper()
	want, err := w.server.Digest(nd.scope)
	if err != nil {
		w.t.Fatal(err)
	}
	got, err := nd.db.Digest(nd.scope)
	if err != nil {
		w.t.Fatal(err)
	}
	if got != want {
		w.t.Errorf("digest of %s: node %s, server %s", nd.scope, got, want)
		w.diff(nd)
	}
	if st, _ := nd.db.SyncState(); st.Pending != 0 {
		w.t.Errorf("%d ops still pending after sync", st.Pending)
	}
}

// diff names the records that differ between the server's view of the
// node's scope and the node, to explain a digest mismatch.
func (w *region) diff(nd *node) {
	w.t.Helper()
	view := func(db *store.DB) map[string]string {
		out := map[string]string{}
		_ = db.Bolt().View(func(tx *bbolt.Tx) error {
			for _, k := range app.Kinds {
				_ = tx.Bucket([]byte("rec/" + string(k))).ForEach(func(id, v []byte) error {
					if rec, err := store.DecodeRecord(k, v); err == nil && app.Visible(reflect.ValueOf(rec).Elem().Interface().(app.Record), nd.scope) {
						out[string(k)+"/"+string(id)] = string(v[1:])
					}
					return nil
				})
			}
			return nil
		})
		return out
	}
	s, n := view(w.server), view(nd.db)
	var keys []string
	for k := range s {
		keys = append(keys, k)
	}
	for k := range n {
		if _, ok := s[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		if s[k] != n[k] {
			w.t.Logf("%s:\n  server %s\n  node   %s", k, s[k], n[k])
		}
	}
}

func getRec[T any, P interface {
	*T
	app.Record
}](t testing.TB, db *store.DB, id string) T {
	t.Helper()
	var v T
	err := db.View(func(r app.Reader) (err error) {
		v, err = app.Get[T, P](r, id)
		return err
	})
	if err != nil {
		t.Fatalf("get %s: %v", id, err)
	}
	return v
}

func exists[T any, P interface {
	*T
	app.Record
}](t testing.TB, db *store.DB, id string) bool {
	t.Helper()
	err := db.View(func(r app.Reader) error {
		_, err := app.Get[T, P](r, id)
		return err
	})
	if err != nil && codeOf(err) != app.ENOTFOUND {
		t.Fatalf("get %s: %v", id, err)
	}
	return err == nil
}
