package app_test

import (
	"strings"
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
			w.db.View(func(r app.Reader) error {
				err = app.Authorize(r, app.Meta{Node: "node-1", Scope: tc.scope, Today: day("2026-11-10")}, tc.cmd)
				return nil
			})
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
	// The server judging a provider's op: the provider's scope on the authority.
	if err := w.db.SetScope(app.ProviderScope(w.Prov), true); err != nil {
		t.Fatal(err)
	}
	wrongCode := w.exec(&app.ApplyChild{Number: c.Number, Code: "ABCD2346", Provider: w.Prov})
	wrongNumber := w.exec(&app.ApplyChild{Number: "26-27-999999", Code: testCode, Provider: w.Prov})
	noCode := w.exec(&app.ApplyChild{Number: c.Number, Provider: w.Prov})
	for _, err := range []error{wrongCode, wrongNumber, noCode} {
		if app.ErrorCode(err) != app.ENOTFOUND || app.ErrorMessage(err) != app.ErrorMessage(wrongCode) {
			t.Fatalf("a failed lookup answers %v; every one must answer alike: %v", err, wrongCode)
		}
	}
	w.must(&app.RegisterProvider{ID: "other", Name: "ИП Другой", Type: app.ProviderIPNoStaff, Municipality: "28", INN: "263400000002"})
	w.wantCode(&app.ApplyChild{Number: c.Number, Code: testCode, Provider: "other"}, app.SCOPE_FORBIDDEN)
	// Typed as a guardian may: lower case, with a dash.
	w.must(&app.ApplyChild{Number: c.Number, Code: "abcd-2345", Provider: w.Prov})
	if !app.Visible(get[app.Child](w, child), app.ProviderScope(w.Prov)) {
		t.Fatal("application did not open the child to the provider")
	}
	// A new code replaces the old one.
	if err := w.db.SetScope(app.MunicipalityScope("27"), true); err != nil {
		t.Fatal(err)
	}
	w.must(&app.NewCertificateCode{Certificate: cert, CodeHash: app.CodeHash(cert, "ZZZZ9999")})
	if err := w.db.SetScope(app.ProviderScope(w.Prov), true); err != nil {
		t.Fatal(err)
	}
	w.wantCode(&app.ApplyChild{Number: c.Number, Code: testCode, Provider: w.Prov}, app.ENOTFOUND)
	w.must(&app.ApplyChild{Number: c.Number, Code: "ZZZZ9999", Provider: w.Prov})
}

func TestCertificateCode(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		c := app.NewCode()
		if len(c) != app.CodeLen || seen[c] {
			t.Fatalf("code %q: want %d characters, all different", c, app.CodeLen)
		}
		for _, r := range c {
			if !strings.ContainsRune("23456789ABCDEFGHJKMNPQRSTUVWXYZ", r) {
				t.Fatalf("code %q has %q, outside the alphabet of RULES.md §3", c, r)
			}
		}
		seen[c] = true
	}
	if app.CodeHash("a", "ABCD2345") == app.CodeHash("b", "ABCD2345") {
		t.Fatal("the same code of two certificates hashes alike")
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
	if n := get[app.Certificate](w, "nc"); n.Number != "" || !n.Unconfirmed {
		t.Fatalf("a provider node's certificate: %+v; want no number, unconfirmed", n)
	}
	// Unconfirmed: neither financed nor enrolled (RULES.md §3).
	w.wantCode(&app.RequestFinancing{ID: "nr0", Certificate: "nc"}, app.CERTIFICATE_UNCONFIRMED)
	// The municipality's node confirms; its requests still wait for the server.
	if err := w.db.SetScope(app.MunicipalityScope("27"), false); err != nil {
		t.Fatal(err)
	}
	w.must(&app.ConfirmCertificate{Certificate: "nc"})
	w.must(&app.RequestFinancing{ID: "nr", Certificate: "nc"})
	if r := get[app.Request](w, "nr"); r.Status != app.ReqPending || get[app.Certificate](w, "nc").Type != app.CertAccounting {
		t.Fatalf("node decided the quota: %+v", r)
	}
	w.wantCode(&app.RequestFinancing{ID: "nr2", Certificate: "nc"}, app.REQUEST_EXISTS)
	w.wantCode(&app.CloseMonth{Month: app.MonthOf(2026, 11)}, app.AUTHORITY_ONLY)
	w.wantCode(&app.DowngradeUnused{Date: day("2026-11-10")}, app.AUTHORITY_ONLY)
}

// A suspended provider finishes what it started and takes on nothing new.
func TestSuspendedProviderFinishesOnly(t *testing.T) {
	w := newWorld(t, "2026-11-10")
	w.params("27", 10, 5_000_00)
	w.provider(5)
	_, cert := w.financed()
	k := w.enrol(cert, w.Group, "2026-11-15")
	w.must(&app.SetProviderStatus{Provider: w.Prov, Status: app.ProviderSuspended})
	m := app.Meta{Node: "node-p", Scope: app.ProviderScope(w.Prov), Today: day("2026-11-10")}
	for _, tc := range []struct {
		cmd  app.Command
		code string
	}{
		{w.childCmd("2015-01-01"), app.PROVIDER_NOT_ACTIVE},
		{w.groupCmd("g9", w.Mod, 5), app.PROVIDER_NOT_ACTIVE},
		{&app.ApplyChild{Number: "26-27-000001", Code: testCode, Provider: w.Prov}, app.PROVIDER_NOT_ACTIVE},
		{&app.MarkAttendance{Group: w.Group}, ""},
		{&app.Terminate{Contract: k}, ""},
	} {
		var err error
		w.db.View(func(r app.Reader) error { err = app.Authorize(r, m, tc.cmd); return nil })
		if app.ErrorCode(err) != tc.code {
			t.Errorf("suspended provider's %s: %v, want %q", tc.cmd.Op(), err, tc.code)
		}
	}
}
