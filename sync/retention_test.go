package sync_test

import (
	"testing"
	"time"

	"kruzhok/app"
)

// RULES.md §10 end to end: 90 days after the provider's last contract with a
// child ended, the server's daily job ends its sight, and the provider node's
// next pull removes the child and its certificate, index entries included;
// the contract (money, no personal data) stays, and the digests still match.
func TestProviderNodeForgetsTheChild(t *testing.T) {
	clock := &chaosClock{}
	at := func(s string) {
		clock.set(time.Date(2026, 1, 1, 12, 0, 0, 0, msk).AddDate(0, 0, int(day(s)-day("2026-01-01"))))
	}
	at("2026-09-15")
	w := newWorldWith(t, worldOpt{quota: 10, nominal: 8_000_00, now: clock.now})
	mun := w.joinAt(app.MunicipalityScope("27"), clock.now)
	a := w.joinAt(app.ProviderScope(w.A.ID), clock.now)
	enrolledAtA(t, w, mun, a, day("2026-10-01"), clock.today())
	a.must(&app.Terminate{Contract: "k-1", Notice: day("2026-10-20"), Reason: "переезд"}) // ends 31.10
	a.converged()
	for _, m := range []string{"2026-10", "2026-11"} {
		mo, _ := app.ParseMonth(m)
		at(mo.First().String())
		w.must(&app.CloseMonth{Month: mo})
	}
	at("2027-01-29") // 31.10 + 90 days
	w.must(&app.RetireApplications{Date: clock.today()})
	a.converged()
	held := func(n *node, kind app.Kind, id string, rec app.Record) error {
		return n.db.View(func(r app.Reader) error { return r.Load(kind, id, rec) })
	}
	if err := held(a, app.KindChild, "child-1", &app.Child{}); err != nil {
		t.Fatalf("the provider lost the child on day 90: %v", err)
	}
	at("2027-01-30")
	w.must(&app.RetireApplications{Date: clock.today()})
	a.converged()
	mun.converged()
	if err := held(a, app.KindChild, "child-1", &app.Child{}); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("the provider's node still holds the child: %v", err)
	}
	if err := held(a, app.KindCertificate, "cert-1", &app.Certificate{}); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("the provider's node still holds the certificate: %v", err)
	}
	var byName []app.Child
	if err := a.db.View(func(r app.Reader) (err error) {
		byName, err = app.List[app.Child](r, app.IdxName, app.NameKey("Петров"), 0)
		return err
	}); err != nil || len(byName) != 0 {
		t.Errorf("the name index of the provider's node still finds %d children (%v)", len(byName), err)
	}
	if err := held(a, app.KindContract, "k-1", &app.Contract{}); err != nil {
		t.Errorf("the provider lost its contract: %v", err)
	}
	if err := held(mun, app.KindChild, "child-1", &app.Child{}); err != nil {
		t.Errorf("the municipality lost its resident: %v", err)
	}
	w.checkClean()
}
