package sync_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	gosync "sync"
	"testing"

	"kruzhok/app"
	"kruzhok/store"
)

func childCmd(id, mun string) *app.RegisterChild {
	return &app.RegisterChild{Child: app.Child{ID: id, LastName: "Петров", FirstName: "Иван",
		MiddleName: "Сергеевич", BirthDate: day("2015-03-10"), Municipality: mun, GuardianName: "Петрова Анна Ивановна",
		GuardianPhone: "+7 918 000-00-00", ConsentDate: day("2026-09-01"), ConsentBy: "Сидорова М. П."}}
}

func get[T any, P interface {
	*T
	app.Record
}](t *testing.T, db *store.DB, id string) T {
	t.Helper()
	var v T
	err := db.View(func(r app.Reader) error {
		var err error
		v, err = app.Get[T, P](r, id)
		return err
	})
	if err != nil {
		t.Fatalf("get %s: %v", id, err)
	}
	return v
}

// Four nodes of every kind of scope work offline, then sync: every node ends
// with the server's view of its scope and every database passes its check.
func TestFourNodesConverge(t *testing.T) {
	w := newWorld(t)
	region := w.join(app.ScopeRegion)
	mun := w.join(app.MunicipalityScope("27"))
	a := w.join(app.ProviderScope(w.A.ID))
	b := w.join(app.ProviderScope(w.B.ID))
	for _, n := range []*node{region, mun, a, b} {
		if st, _ := n.db.SyncState(); st.Epoch != w.db.Epoch() || n.db.Scope() != n.scope || n.db.Authority() {
			t.Fatalf("%s after join: state %+v scope %s", n.scope, st, n.db.Scope())
		}
		// The bootstrap brought the region and the public registries.
		get[app.Group](t, n.db, w.A.Group)
	}

	// Offline work.
	region.must(&app.RegisterProvider{ID: "prov-c", Name: "ИП Сидоров", Type: app.ProviderIPStaff,
		Municipality: "05", INN: "263400000003", Licence: "26Л01-0003"})
	region.must(&app.SetProviderStatus{Provider: "prov-c", Status: app.ProviderActive})
	mun.must(childCmd("child-1", "27"))
	mun.must(&app.IssueCertificate{ID: "cert-1", Child: "child-1", CodeHash: app.CodeHash("cert-1", "ABCD2345")})
	mun.must(&app.RequestFinancing{ID: "req-1", Certificate: "cert-1"})
	for _, n := range []*node{a, b} {
		p := w.A
		if n == b {
			p = w.B
		}
		n.must(&app.SaveProgramme{ID: p.ID + "-prog2", Provider: p.ID, Title: "Шахматы", Direction: "sport",
			AgeMin: 6, AgeMax: 12, Form: "очная"})
		n.must(&app.SaveModule{ID: p.ID + "-mod2", Programme: p.ID + "-prog2", Name: "Первый год", Hours: 36, Months: 9,
			MinChildren: 4, MaxChildren: 12, Price: 6_000_00, NormPrice: 6_000_00})
		n.must(&app.SubmitProgramme{Programme: p.ID + "-prog2"})
		n.must(groupCmd(p.ID+"-grp2", p.Mod))
	}
	if c := get[app.Certificate](t, mun.db, "cert-1"); c.Number != "" || c.Type != app.CertAccounting {
		t.Fatalf("offline certificate %+v: the server numbers and finances it", c)
	}

	for round := 1; round <= 2; round++ {
		for _, n := range []*node{region, mun, a, b} {
			rep := n.sync()
			if !rep.DigestMatch || rep.Rejected != 0 {
				t.Fatalf("round %d %s: %+v", round, n.scope, rep)
			}
			if round == 1 && rep.Pushed == 0 {
				t.Fatalf("%s pushed nothing: %+v", n.scope, rep)
			}
		}
	}
	w.checkClean()
	for _, n := range []*node{region, mun, a, b} {
		n.converged()
		n.exactlyOnce()
	}
	// The server decided what is scarce: the number and the financing.
	c := get[app.Certificate](t, mun.db, "cert-1")
	if !strings.HasPrefix(c.Number, "26-27-") || c.Type != app.CertFinancing || c.LedgerOf("2026-2027").Balance != 8_000_00 {
		t.Fatalf("certificate after sync %+v", c)
	}
	// Each node sees only its scope: the municipality's child is not the providers'.
	for _, n := range []*node{a, b} {
		err := n.db.View(func(r app.Reader) error { _, err := app.Get[app.Child](r, "child-1"); return err })
		if app.ErrorCode(err) != app.ENOTFOUND {
			t.Fatalf("%s sees the child of the municipality: %v", n.scope, err)
		}
	}
	get[app.Group](t, region.db, w.B.ID+"-grp2")
	get[app.Provider](t, b.db, "prov-c")
}

// A report is the JSON the CLI prints.
func TestReportJSON(t *testing.T) {
	w := newWorld(t)
	n := w.join(app.ProviderScope(w.A.ID))
	n.must(groupCmd("grp-x", w.A.Mod))
	rep := n.sync()
	got, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"pushed":1,"applied":1,"rejected":0,"pulled":1,"digest_match":true}`; string(got) != want {
		t.Fatalf("report %s, want %s", got, want)
	}
}

// Two providers, offline, each enrol the same child on one certificate, the
// two quotes together above its balance: the first to arrive is active, the
// second is rejected with BALANCE_CHANGED and the figures, and money balances
// everywhere.
func TestOfflineEnrolmentsRaceForBalance(t *testing.T) {
	w := newWorld(t)
	mun := w.join(app.MunicipalityScope("27"))
	a := w.join(app.ProviderScope(w.A.ID))
	b := w.join(app.ProviderScope(w.B.ID))

	mun.must(childCmd("child-1", "27"))
	mun.must(&app.IssueCertificate{ID: "cert-1", Child: "child-1", CodeHash: app.CodeHash("cert-1", "ABCD2345")})
	mun.must(&app.RequestFinancing{ID: "req-1", Certificate: "cert-1"})
	mun.converged()
	cert := get[app.Certificate](t, mun.db, "cert-1")
	if cert.Number == "" || cert.Type != app.CertFinancing {
		t.Fatalf("certificate not financed: %+v", cert)
	}
	// The family applies to both providers with the number and code.
	a.must(&app.ApplyChild{Number: cert.Number, Code: "ABCD2345", Provider: w.A.ID})
	b.must(&app.ApplyChild{Number: cert.Number, Code: "abcd-2345", Provider: w.B.ID})
	a.converged()
	b.converged()

	// Offline, each provider enrols at the quote its own view shows.
	enrol := func(n *node, group, id string) app.Quote {
		var q app.Quote
		err := n.db.View(func(r app.Reader) error {
			e, err := app.PrepareEnrolment(r, "cert-1", group, day("2026-11-15"), app.DateOf(today))
			q = e.Quote
			return err
		})
		if err != nil {
			t.Fatalf("%s quote: %v", n.scope, err)
		}
		n.must(&app.Enrol{ID: id, Certificate: "cert-1", Group: group, Start: day("2026-11-15"),
			QuotedCert: q.Cert, QuotedParent: q.Parent, ParentConfirmed: true})
		return q
	}
	qa := enrol(a, w.A.Group, "contract-a")
	qb := enrol(b, w.B.Group, "contract-b")
	if qa.Cert+qb.Cert <= 8_000_00 || qa.Cert != 7_252_75 {
		t.Fatalf("quotes %d + %d do not exceed the balance", qa.Cert, qb.Cert)
	}

	if rep := a.sync(); rep.Applied != 1 || rep.Rejected != 0 || !rep.DigestMatch {
		t.Fatalf("A: %+v", rep)
	}
	if rep := b.sync(); rep.Applied != 0 || rep.Rejected != 1 || !rep.DigestMatch {
		t.Fatalf("B: %+v", rep)
	}
	for _, n := range []*node{mun, a, b} {
		n.converged()
	}
	w.checkClean()

	var active []string
	err := w.db.View(func(r app.Reader) error {
		ks, err := app.List[app.Contract](r, app.IdxCertificate, "cert-1", 0)
		for _, k := range ks {
			if k.InForce() {
				active = append(active, k.ID+"/"+k.Status)
			}
		}
		return err
	})
	if err != nil || len(active) != 1 || active[0] != "contract-a/"+app.ContractActive {
		t.Fatalf("contracts in force on the server: %v (%v)", active, err)
	}
	rej, err := b.db.OpResults(true, 0)
	if err != nil || len(rej) != 1 {
		t.Fatalf("rejected ops of B: %+v (%v)", rej, err)
	}
	r := rej[0]
	if r.Op.Type != "enrol" || r.Result.Code != app.BALANCE_CHANGED ||
		!strings.Contains(r.Result.Detail, "available=747.25") || !strings.Contains(r.Result.Detail, "cert=747.25") || r.Result.Message == "" {
		t.Fatalf("B's enrolment result %+v", r.Result)
	}
	if st, _ := b.db.SyncState(); st.Rejected != 1 || st.Pending != 0 {
		t.Fatalf("B's state %+v", st)
	}
	// The rejected contract is gone from B; the certificate is A's to see too.
	if err := b.db.View(func(r app.Reader) error { _, err := app.Get[app.Contract](r, "contract-b"); return err }); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("B still holds its rejected contract: %v", err)
	}
	for _, db := range []*store.DB{w.db, a.db, b.db, mun.db} {
		l := get[app.Certificate](t, db, "cert-1").LedgerOf("2026-2027")
		if !l.Holds() || l.Reserved != 7_252_75 || l.Balance != 747_25 {
			t.Fatalf("ledger %+v", l)
		}
	}
}

// More financing requests than the quota from several nodes: served strictly
// in the order the pushes arrived, whatever order they were made in; the rest
// wait; a freed place goes to the head of the queue.
func TestQuotaInOrderOfArrival(t *testing.T) {
	w := newWorldWith(t, worldOpt{quota: 2, nominal: 5_000_00})
	for i := 1; i <= 4; i++ {
		id := "child-" + string(rune('0'+i))
		w.must(childCmd(id, "27"))
		w.must(&app.IssueCertificate{ID: "cert-" + id, Child: id})
	}
	c4 := get[app.Certificate](t, w.db, "cert-child-4")
	w.must(&app.ApplyChild{Number: c4.Number, Provider: w.A.ID})
	region := w.join(app.ScopeRegion)
	mun := w.join(app.MunicipalityScope("27"))
	a := w.join(app.ProviderScope(w.A.ID))

	// Made in the order A, municipality, region …
	a.must(&app.RequestFinancing{ID: "req-4", Certificate: "cert-child-4"})
	mun.must(&app.RequestFinancing{ID: "req-1", Certificate: "cert-child-1"})
	mun.must(&app.RequestFinancing{ID: "req-2", Certificate: "cert-child-2"})
	region.must(&app.RequestFinancing{ID: "req-3", Certificate: "cert-child-3"})
	// … arriving in the order region, municipality, A.
	for _, n := range []*node{region, mun, a} {
		if rep := n.sync(); rep.Rejected != 0 {
			t.Fatalf("%s: %+v", n.scope, rep)
		}
	}
	want := map[string]struct {
		status  string
		arrival uint64
		turn    uint64
	}{"req-3": {app.ReqServed, 1, 1}, "req-1": {app.ReqServed, 2, 2},
		"req-2": {app.ReqWaiting, 3, 0}, "req-4": {app.ReqWaiting, 4, 0}}
	check := func() {
		t.Helper()
		for id, x := range want {
			q := get[app.Request](t, w.db, id)
			if q.Status != x.status || q.Arrival != x.arrival || q.Turn != x.turn {
				t.Fatalf("%s: %s arrival %d turn %d, want %+v", id, q.Status, q.Arrival, q.Turn, x)
			}
		}
		w.checkClean()
	}
	check()

	// The municipality returns certificate 1 to accounting: its place goes to
	// the head of the queue, request 2, not to the provider's request 4.
	mun.must(&app.ReturnToAccounting{Certificate: "cert-child-1"})
	mun.converged()
	want["req-2"] = struct {
		status  string
		arrival uint64
		turn    uint64
	}{app.ReqServed, 3, 3}
	check()
	if q := get[app.Quota](t, w.db, "27/2026-2027"); q.Active != 2 || q.Waiting != 1 {
		t.Fatalf("quota %+v", q)
	}
	for _, n := range []*node{region, mun, a} {
		n.converged()
	}
	if c := get[app.Certificate](t, a.db, "cert-child-4"); c.Type != app.CertAccounting {
		t.Fatalf("provider's certificate %+v, still waiting", c)
	}
}

// Six municipality nodes push their financing requests at the same moment:
// the server serves them strictly in the order they arrived (the order bbolt
// ran the batches), the quota holds, the rest wait in that order.
func TestQuotaConcurrentArrivals(t *testing.T) {
	w := newWorldWith(t, worldOpt{quota: 3, nominal: 5_000_00})
	var nodes []*node
	for i := 1; i <= 6; i++ {
		id := fmt.Sprintf("child-%d", i)
		w.must(childCmd(id, "27"))
		w.must(&app.IssueCertificate{ID: "cert-" + id, Child: id})
	}
	for i := 1; i <= 6; i++ {
		n := w.join(app.MunicipalityScope("27"))
		n.must(&app.RequestFinancing{ID: fmt.Sprintf("req-%d", i), Certificate: fmt.Sprintf("cert-child-%d", i)})
		nodes = append(nodes, n)
	}
	var wg gosync.WaitGroup
	errs := make(chan error, len(nodes))
	for _, n := range nodes {
		wg.Go(func() {
			if _, err := n.c.SyncOnce(context.Background()); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	served, waiting := 0, 0
	for i := 1; i <= 6; i++ {
		q := get[app.Request](t, w.db, fmt.Sprintf("req-%d", i))
		switch {
		case q.Status == app.ReqServed && q.Arrival <= 3 && q.Turn == q.Arrival:
			served++
		case q.Status == app.ReqWaiting && q.Arrival > 3 && q.Turn == 0:
			waiting++
		default:
			t.Fatalf("req-%d: %s arrival %d turn %d", i, q.Status, q.Arrival, q.Turn)
		}
	}
	if served != 3 || waiting != 3 {
		t.Fatalf("served %d waiting %d", served, waiting)
	}
	w.checkClean()
	for _, n := range nodes {
		n.converged()
	}
}
