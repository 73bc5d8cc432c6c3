package sync_test

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"kruzhok/app"
)

// RULES.md §10 end to end: 90 days after the provider's last contract with a
// child ended, the server's daily job ends its sight, and the provider node's
// next pull removes the child and its certificate, index entries included;
// the contract (money, no personal data) stays, and the digests still match.
//
// Sealed (issue 10), a byte search of the provider's file then finds nothing
// of the child either: no name, guardian or phone, as written or lower-cased.
func TestProviderNodeForgetsTheChild(t *testing.T) {
	t.Run("Plaintext", func(t *testing.T) { providerForgets(t, false) })
	t.Run("Sealed", func(t *testing.T) { providerForgets(t, true) })
}

func providerForgets(t *testing.T, sealed bool) {
	clock := &chaosClock{}
	at := func(s string) {
		clock.set(time.Date(2026, 1, 1, 12, 0, 0, 0, msk).AddDate(0, 0, int(day(s)-day("2026-01-01"))))
	}
	at("2026-09-15")
	opt := worldOpt{quota: 10, nominal: 8_000_00, now: clock.now}
	if sealed {
		opt.open = openSealed
	}
	w := newWorldWith(t, opt)
	mun := w.joinAt(app.MunicipalityScope("27"), clock.now)
	a := w.joinAt(app.ProviderScope(w.A.ID), clock.now)
	enrolledAtA(t, w, mun, a, day("2026-10-01"), clock.today())
	if raw, err := os.ReadFile(a.db.Path()); err != nil || bytes.Contains(raw, []byte("Петров")) == sealed {
		// The control: the search does find the name in a plaintext file.
		t.Fatalf("sealed=%v, and the provider's file holding «Петров» says %v (%v)", sealed, !sealed, err)
	}
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
	if !sealed {
		return
	}
	ch := childCmd("child-1", "27").Child
	raw, err := os.ReadFile(a.db.Path())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{ch.LastName, ch.GuardianName, ch.GuardianPhone, strings.ToLower(ch.LastName)} {
		if bytes.Contains(raw, []byte(s)) {
			t.Errorf("the provider's sealed file holds %q", s)
		}
	}
}

// RULES.md §3 across real sync: a provider's node helps a family register;
// the certificate is unconfirmed and cannot be financed until the child's
// municipality, on its own node, confirms it; then the provider's request is
// served. The code's hash never reaches the provider's node.
func TestProviderRegistersMunicipalityConfirms(t *testing.T) {
	w := newWorld(t)
	mun := w.join(app.MunicipalityScope("27"))
	a := w.join(app.ProviderScope(w.A.ID))
	a.must(childCmd("child-p", "27"))
	a.must(&app.IssueCertificate{ID: "cert-p", Child: "child-p", CodeHash: app.CodeHash("cert-p", "ABCD2345")})
	if err := a.db.View(func(r app.Reader) error { return r.Load(app.KindCertCode, "cert-p", &app.CertCode{}) }); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("the provider's node keeps the code's hash: %v", err)
	}
	if _, err := a.db.Exec(&app.RequestFinancing{ID: "req-p0", Certificate: "cert-p"}); app.ErrorCode(err) != app.CERTIFICATE_UNCONFIRMED {
		t.Fatalf("financing an unconfirmed certificate on the node: %v", err)
	}
	a.converged()
	mun.converged()
	c := get[app.Certificate](t, mun.db, "cert-p")
	if !c.Unconfirmed || c.Number == "" || c.IssuedBy != app.ProviderScope(w.A.ID) {
		t.Fatalf("the municipality sees %+v, want a numbered unconfirmed certificate issued by A", c)
	}
	if cc := get[app.CertCode](t, mun.db, "cert-p"); cc.Hash != app.CodeHash("cert-p", "ABCD2345") {
		t.Fatalf("the municipality holds code hash %q", cc.Hash)
	}
	mun.must(&app.ConfirmCertificate{Certificate: "cert-p"})
	mun.converged()
	a.converged()
	a.must(&app.RequestFinancing{ID: "req-p", Certificate: "cert-p"})
	a.converged()
	if got := get[app.Certificate](t, w.db, "cert-p"); got.Unconfirmed || got.Type != app.CertFinancing {
		t.Fatalf("after confirmation and the provider's request: %+v", got)
	}
	w.checkClean()
}
