package app_test

import (
	"testing"

	"kruzhok/app"
)

func TestAuthorizeScopes(t *testing.T) {
	w := newWorld(t, "2026-11-10")
	w.params("27", 10, 5_000_00)
	w.provider(5)
	w.must(&app.RegisterProvider{ID: "other", Name: "ИП Другой", Type: app.ProviderIPNoStaff, Municipality: "28", INN: "263400000002"})
	_, cert := w.financed()
	k := w.enrol(cert, w.Group, "2026-11-15")
	own := app.ProviderScope(w.Prov)
	for name, tc := range map[string]struct {
		scope string
		cmd   app.Command
		ok    bool
	}{
		"ProviderOwnGroup":          {own, w.groupCmd("g9", w.Mod, 5), true},
		"OtherProviderGroup":        {app.ProviderScope("other"), w.groupCmd("g9", w.Mod, 5), false},
		"ProviderMunicipalParams":   {own, &app.SetParams{Params: app.Params{Municipality: "27"}}, false},
		"MunicipalityOwnParams":     {app.MunicipalityScope("27"), &app.SetParams{Params: app.Params{Municipality: "27"}}, true},
		"MunicipalityOtherParams":   {app.MunicipalityScope("28"), &app.SetParams{Params: app.Params{Municipality: "27"}}, false},
		"MunicipalityItsProvider":   {app.MunicipalityScope("27"), &app.SetProviderStatus{Provider: w.Prov}, true},
		"MunicipalityOtherProvider": {app.MunicipalityScope("27"), &app.SetProviderStatus{Provider: "other"}, false},
		"ProviderCertifies":         {own, &app.CertifyProgramme{Programme: w.Prog}, false},
		"RegionCertifies":           {app.ScopeRegion, &app.CertifyProgramme{Programme: w.Prog}, true},
		"ProviderClosesMonth":       {own, &app.CloseMonth{Month: app.MonthOf(2026, 11)}, false},
		"ProviderRegistersChild":    {own, w.childCmd("2015-01-01"), true},
		"ProviderTerminatesOwn":     {own, &app.Terminate{Contract: k}, true},
		"OtherProviderTerminates":   {app.ProviderScope("other"), &app.Terminate{Contract: k}, false},
		"MunicipalityTerminates":    {app.MunicipalityScope("27"), &app.Terminate{Contract: k}, true},
		"ProviderMarksOtherGroup":   {app.ProviderScope("other"), &app.MarkAttendance{Group: w.Group}, false},
	} {
		t.Run(name, func(t *testing.T) {
			var err error
			w.db.View(func(r app.Reader) error { err = app.Authorize(r, tc.scope, tc.cmd); return nil })
			if tc.ok && err != nil || !tc.ok && app.ErrorCode(err) != app.SCOPE_FORBIDDEN {
				t.Fatalf("Authorize(%s, %s) = %v, want ok=%v", tc.scope, tc.cmd.Op(), err, tc.ok)
			}
		})
	}
}

func TestVisibility(t *testing.T) {
	w := newWorld(t, "2026-11-10")
	w.params("27", 10, 5_000_00)
	w.provider(5)
	child, cert := w.financed()
	ch := get[app.Child](w, child)
	if app.Visible(ch, app.ProviderScope(w.Prov)) {
		t.Fatal("a provider sees a child that never applied to it")
	}
	if !app.Visible(ch, app.MunicipalityScope("27")) || app.Visible(ch, app.MunicipalityScope("28")) {
		t.Fatal("a child is visible to its own municipality only")
	}
	w.enrol(cert, w.Group, "2026-11-15")
	if !app.Visible(get[app.Child](w, child), app.ProviderScope(w.Prov)) || !app.Visible(get[app.Certificate](w, cert), app.ProviderScope(w.Prov)) {
		t.Fatal("the provider does not see the child who applied to it")
	}
	if !app.Visible(get[app.Group](w, w.Group), app.ProviderScope("nobody")) {
		t.Fatal("the programme registries are public")
	}
}

func TestApplyChild(t *testing.T) {
	w := newWorld(t, "2026-11-10")
	w.params("27", 10, 5_000_00)
	w.provider(5)
	child, cert := w.financed()
	c := get[app.Certificate](w, cert)
	w.wantCode(&app.ApplyChild{Number: c.Number, BirthDate: day("2015-03-11"), Provider: w.Prov}, app.ENOTFOUND)
	w.wantCode(&app.ApplyChild{Number: "26-27-999999", BirthDate: day("2015-03-10"), Provider: w.Prov}, app.ENOTFOUND)
	w.must(&app.ApplyChild{Number: c.Number, BirthDate: day("2015-03-10"), Provider: w.Prov})
	if !app.Visible(get[app.Child](w, child), app.ProviderScope(w.Prov)) {
		t.Fatal("application did not open the child to the provider")
	}
}

// On a node that is not the authority the scarce decisions wait for the server.
func TestNodeDefersScarceDecisions(t *testing.T) {
	w := newWorld(t, "2026-11-10")
	w.params("27", 10, 5_000_00)
	w.provider(5)
	if err := w.db.SetScope(app.ProviderScope(w.Prov), false); err != nil {
		t.Fatal(err)
	}
	c := w.childCmd("2015-03-10")
	w.must(c)
	if ch := get[app.Child](w, c.Child.ID); len(ch.Providers) != 1 || ch.Providers[0] != w.Prov {
		t.Fatalf("child registered by a provider node: providers %v", ch.Providers)
	}
	w.must(&app.IssueCertificate{ID: "nc", Child: c.Child.ID})
	if n := get[app.Certificate](w, "nc").Number; n != "" {
		t.Fatalf("a node numbered a certificate: %s", n)
	}
	w.must(&app.RequestFinancing{ID: "nr", Certificate: "nc"})
	if r := get[app.Request](w, "nr"); r.Status != app.ReqPending || get[app.Certificate](w, "nc").Type != app.CertAccounting {
		t.Fatalf("node decided the quota: %+v", r)
	}
	w.wantCode(&app.RequestFinancing{ID: "nr2", Certificate: "nc"}, app.REQUEST_EXISTS)
	w.wantCode(&app.CloseMonth{Month: app.MonthOf(2026, 11)}, app.AUTHORITY_ONLY)
	w.wantCode(&app.DowngradeUnused{Date: day("2026-11-10")}, app.AUTHORITY_ONLY)
}
