package app_test

import (
	"reflect"
	"testing"

	"kruzhok/app"
)

// The Concept's figures of a small world: two municipalities with parameters
// (27 financing, 01 accounting only), two financing certificates in 27, one
// contract of the worked example with November and December written off.
func TestMonitoringFigures(t *testing.T) {
	w := newWorld(t, "2026-11-10")
	w.params("27", 10, 5_000_00)
	w.must(&app.SetParams{Params: app.Params{Municipality: "01", Period: "2026-2027", Mode: app.ModeAccounting,
		DaysToRequest: 30, Population: 500, BudgetLimit: 1_000_000_00}})
	w.provider(20)
	_, cert := w.financed()
	w.financed()
	// A certificate a provider's node issued and nobody confirmed yet is not
	// counted (RULES.md §3).
	if err := w.db.SetScope(app.ProviderScope(w.Prov), true); err != nil {
		t.Fatal(err)
	}
	c := w.childCmd("2016-01-01")
	w.must(c)
	w.must(&app.IssueCertificate{ID: w.id("cert"), Child: c.Child.ID})
	if err := w.db.SetScope(app.ScopeRegion, true); err != nil {
		t.Fatal(err)
	}
	k := w.enrol(cert, w.Group, "2026-11-15")
	for _, m := range []string{"2026-11", "2026-12"} {
		mo, _ := app.ParseMonth(m)
		w.setToday(mo.First().String())
		w.must(&app.CloseMonth{Month: mo})
	}
	var rep app.Report
	if err := w.db.View(func(r app.Reader) error {
		var err error
		rep, err = app.Monitoring(r, "")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if rep.Period != "2026-2027" || len(rep.Municipalities) != 33 || rep.AccountingMuns != 2 || rep.FinancingMuns != 1 ||
		rep.AccountingMet() || rep.FinancingMet() {
		t.Fatalf("report %s: %d municipalities, accounting %d, financing %d", rep.Period, len(rep.Municipalities),
			rep.AccountingMuns, rep.FinancingMuns)
	}
	f, ok := rep.Municipality("27")
	if !ok {
		t.Fatal("no 27")
	}
	// Nov 404,06 + Dec 765,99 paid; the rest of the 5 000,00 reserved.
	want := app.Figures{Code: "27", Name: f.Name, HasParams: true, Mode: app.ModeFinancing, Params: f.Params,
		Quota: 10, Financing: 2, Population: 1000, CoverageBP: 20, BudgetLimit: 100_000_000_00,
		SumNominals: 10_000_00, Certificates: 2, Nominals: 10_000_00, Reserved: 3_829_95, Paid: 1_170_05,
		Enrolled: 1, ContractsInForce: 1}
	got := f
	got.Directions = nil
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("27:\n got %+v\nwant %+v", got, want)
	}
	if f.Name != "г. Ставрополь" || f.CoverageMet() || f.Free() != 100_000_000_00-5_000_00 {
		t.Fatalf("27 %q coverage met %v free %d", f.Name, f.CoverageMet(), f.Free())
	}
	tech := f.Directions[0]
	for _, d := range f.Directions {
		if d.Code == "tech" {
			tech = d
		} else if d != (app.DirFigures{Code: d.Code, Name: d.Name}) {
			t.Errorf("27 direction %+v, want zeros", d)
		}
	}
	if tech.Code != "tech" || tech.Children != 1 || tech.Contracts != 1 || tech.Providers != 1 || tech.Certified != 1 {
		t.Fatalf("27 tech %+v", tech)
	}
	a, _ := rep.Municipality("01")
	if !a.HasParams || a.Mode != app.ModeAccounting || a.Population != 500 || a.CoverageBP != 0 || a.Financing != 0 {
		t.Fatalf("01 %+v", a)
	}
	if b, _ := rep.Municipality("02"); b.HasParams || b.CoverageBP != -1 || app.FormatBP(b.CoverageBP) != "—" {
		t.Fatalf("02 %+v", b)
	}
	g := rep.Region
	// 2 of 1 500 children: 0,13 %.
	if g.Name != app.RegionName || g.Financing != 2 || g.Population != 1500 || g.CoverageBP != 13 || g.Quota != 10 ||
		g.BudgetLimit != 100_000_000_00+1_000_000_00 || g.Reserved != 3_829_95 || g.Paid != 1_170_05 ||
		g.Nominals != 10_000_00 || g.Enrolled != 1 || g.ContractsInForce != 1 {
		t.Fatalf("region %+v", g)
	}
	if app.FormatBP(g.CoverageBP) != "0,13\u00a0%" || app.FormatBP(2500) != "25,00\u00a0%" {
		t.Fatalf("format %q", app.FormatBP(g.CoverageBP))
	}
	// A terminated contract still counts the child as enrolled once; a
	// rejected one would not.
	w.setToday("2026-12-03")
	w.must(&app.Terminate{Contract: k, Notice: day("2026-12-03"), Reason: "переезд"})
	if err := w.db.View(func(r app.Reader) error {
		var err error
		rep, err = app.Monitoring(r, "2026-2027")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if f, _ := rep.Municipality("27"); f.Enrolled != 1 || f.Reserved != 0 || f.Paid != 1_170_05 {
		t.Fatalf("after termination %+v", f)
	}
}

func TestMonitoringErrors(t *testing.T) {
	w := newWorld(t, "2026-11-10")
	err := w.db.View(func(r app.Reader) error {
		_, err := app.Monitoring(r, "1999-2000")
		return err
	})
	if app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("unknown period: %v", err)
	}
}
