package app_test

import (
	"slices"
	"testing"

	"kruzhok/app"
)

// sees reports whether the provider sees the child and its certificate.
func (w *world) sees(child, cert string) bool {
	p := app.ProviderScope(w.Prov)
	return app.Visible(get[app.Child](w, child), p) && app.Visible(get[app.Certificate](w, cert), p)
}

// RULES.md §10: a provider sees a child until 90 days after the last contract
// with it ended; then the daily job takes the child off its node.
func TestSightEndsNinetyDaysAfterTheContract(t *testing.T) {
	w := newWorld(t, "2026-11-10")
	w.params("27", 10, 8_000_00)
	w.provider(20)
	child, cert := w.financed()
	k := w.enrol(cert, w.Group, "2026-11-15")
	w.must(&app.Terminate{Contract: k, Notice: day("2026-11-20")}) // ends 30.11.2026
	for _, m := range []string{"2026-11", "2026-12"} {
		mo, _ := app.ParseMonth(m)
		w.setToday(mo.First().String())
		w.must(&app.CloseMonth{Month: mo})
	}
	if get[app.Contract](w, k).Status != app.ContractClosed {
		t.Fatal("the contract is not closed")
	}
	// 30.11.2026 + 90 days = 28.02.2027: still seen that day, gone the next.
	w.must(&app.RetireApplications{Date: day("2027-02-28")})
	if !w.sees(child, cert) {
		t.Fatal("the provider lost the child before 90 days passed")
	}
	w.must(&app.RetireApplications{Date: day("2027-03-01")})
	if w.sees(child, cert) {
		t.Fatal("the provider still sees the child 91 days after the contract ended")
	}
	// The money stays, attached to the contract, which the provider still sees.
	if !app.Visible(get[app.Contract](w, k), app.ProviderScope(w.Prov)) {
		t.Fatal("the provider lost its contract")
	}
}

// A contract in force keeps the child in sight whatever its age; an open
// application too; a declined one ends sight 90 days after the refusal, and a
// new application takes the refusal back.
func TestSightOfApplications(t *testing.T) {
	w := newWorld(t, "2026-11-10")
	w.params("27", 10, 8_000_00)
	w.provider(20)
	child, cert := w.financed()
	number := get[app.Certificate](w, cert).Number
	w.must(&app.ApplyChild{Number: number, Provider: w.Prov})
	w.must(&app.RetireApplications{Date: day("2030-01-01")})
	if !w.sees(child, cert) {
		t.Fatal("an open application lost its child")
	}
	w.must(&app.DeclineApplication{Certificate: cert, Provider: w.Prov})
	w.must(&app.RetireApplications{Date: day("2027-02-08")}) // 10.11 + 90
	if !w.sees(child, cert) {
		t.Fatal("a declined application lost its child before 90 days")
	}
	// The family applies again: the refusal no longer counts.
	w.must(&app.ApplyChild{Number: number, Provider: w.Prov})
	if d := get[app.Certificate](w, cert).Declined; len(d) != 0 {
		t.Fatalf("a new application kept the refusal: %+v", d)
	}
	w.must(&app.RetireApplications{Date: day("2027-03-01")})
	if !w.sees(child, cert) {
		t.Fatal("a renewed application lost its child")
	}
	w.setToday("2027-03-01")
	w.must(&app.DeclineApplication{Certificate: cert, Provider: w.Prov})
	w.must(&app.RetireApplications{Date: day("2027-03-01")})
	w.must(&app.RetireApplications{Date: day("2027-05-30")}) // 01.03 + 90
	if !w.sees(child, cert) {
		t.Fatal("gone before 90 days from the second refusal")
	}
	w.must(&app.RetireApplications{Date: day("2027-05-31")})
	if w.sees(child, cert) || slices.Contains(get[app.Child](w, child).Providers, w.Prov) {
		t.Fatal("the refused application is still seen after 90 days")
	}
	// In force: never retired.
	_, cert2 := w.financed()
	w.setToday("2026-11-10")
	w.enrol(cert2, w.Group, "2026-11-15")
	w.must(&app.RetireApplications{Date: day("2031-01-01")})
	if !app.Visible(get[app.Certificate](w, cert2), app.ProviderScope(w.Prov)) {
		t.Fatal("a contract in force lost its child")
	}
	w.wantCode(&app.DeclineApplication{Certificate: cert2, Provider: w.Prov}, app.ECONFLICT)
}
