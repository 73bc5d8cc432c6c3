package app_test

import (
	"errors"
	"strings"
	"testing"

	"kruzhok/app"
)

// The contract of RULES.md §6 end to end: reserve at enrolment, write-off at
// month close, termination on 2027-02-03 returning 2 297,97 ₽.
func TestContractWorkedExample(t *testing.T) {
	w := newWorld(t, "2026-11-10")
	w.params("27", 10, 5_000_00)
	w.provider(20)
	_, cert := w.financed()
	if l := w.ledger(cert); l.Balance != 5_000_00 || l.Nominal != 5_000_00 {
		t.Fatalf("financing ledger %+v", l)
	}
	k := w.enrol(cert, w.Group, "2026-11-15")
	c := get[app.Contract](w, k)
	if c.Quote.Cert != 5_000_00 || c.Quote.Parent != 3_703_30 || c.Quote.CertFirst != 404_06 || c.Quote.CertOther != 765_99 ||
		c.Quote.ParentFirst != 299_26 || c.Quote.ParentOther != 567_34 || len(c.Schedule) != 7 {
		t.Fatalf("contract quote %+v schedule %d", c.Quote, len(c.Schedule))
	}
	if l := w.ledger(cert); l.Balance != 0 || l.Reserved != 5_000_00 || l.Paid != 0 {
		t.Fatalf("after reserve %+v", l)
	}
	for _, m := range []string{"2026-11", "2026-12", "2027-01", "2027-02"} {
		mo, _ := app.ParseMonth(m)
		w.setToday(mo.First().String())
		w.must(&app.CloseMonth{Month: mo})
	}
	// Nov is settled at 100 % (no lessons cancelled) in the Dec close, and so on.
	if l := w.ledger(cert); l.Paid != 2_702_03 || l.Reserved != 2_297_97 {
		t.Fatalf("after four closes %+v, want paid 270203 reserved 229797", l)
	}
	w.setToday("2027-02-03")
	w.must(&app.Terminate{Contract: k, Notice: day("2027-02-03"), Reason: "переезд"})
	if l := w.ledger(cert); l.Paid != 2_702_03 || l.Balance != 2_297_97 || l.Reserved != 0 {
		t.Fatalf("after termination %+v, want paid 270203 returned 229797", l)
	}
	if c := get[app.Contract](w, k); c.Status != app.ContractTerminating || c.End != day("2027-02-28") {
		t.Fatalf("terminated contract %s ends %s", c.Status, c.End)
	}
	w.wantCode(&app.Terminate{Contract: k, Notice: day("2027-02-10")}, app.CONTRACT_CLOSED)
	w.setToday("2027-03-01")
	w.must(&app.CloseMonth{Month: app.MonthOf(2027, 3)})
	if c := get[app.Contract](w, k); c.Status != app.ContractClosed {
		t.Fatalf("status after March close %s", c.Status)
	}
	w.wantCode(&app.Terminate{Contract: k, Notice: day("2027-03-10")}, app.CONTRACT_CLOSED)
	// Switching programmes loses nothing: the returned 2 297,97 ₽ is free for a new contract.
	if g := get[app.Group](w, w.Group); g.Taken != 0 {
		t.Fatalf("group still holds %d places", g.Taken)
	}
}

func TestContractWithBalance8000(t *testing.T) {
	w := newWorld(t, "2026-11-10")
	w.params("27", 10, 8_000_00)
	w.provider(20)
	_, cert := w.financed()
	k := w.enrol(cert, w.Group, "2026-11-15")
	c := get[app.Contract](w, k)
	if c.Quote.Cert != 7_252_75 || c.Quote.CertFirst != 586_09 || c.Quote.CertOther != 1_111_11 {
		t.Fatalf("quote %+v", c.Quote)
	}
	if l := w.ledger(cert); l.Balance != 8_000_00-7_252_75 || l.Reserved != 7_252_75 {
		t.Fatalf("ledger %+v", l)
	}
}

// novemberAt75 is RULES.md §7's case: a group with one lesson a week, one of
// November's four cancelled by the provider, so November is 75 % complete;
// September to November are closed. It returns the contract and its November
// share.
func novemberAt75(t *testing.T) (w *world, g *app.OpenGroup, child, cert, k string, share int64) {
	w = newWorld(t, "2026-09-01")
	w.params("27", 10, 10_000_00)
	w.provider(20)
	// Tuesdays of November 2026 are 3, 10, 17, 24.
	g = w.groupCmd(w.id("grp"), w.Mod, 10)
	g.Schedule = []app.Slot{{Weekday: 2, Start: 15 * 60, End: 16 * 60}}
	w.must(g)
	child, cert = w.financed()
	k = w.enrol(cert, g.ID, "2026-09-01")
	share = get[app.Contract](w, k).Schedule[2].Cert // November
	w.setToday("2026-11-25")
	w.must(&app.CancelLesson{Group: g.ID, Date: day("2026-11-17"), Start: 15 * 60, Cancelled: true})
	for _, d := range []string{"2026-11-03", "2026-11-10", "2026-11-24"} {
		w.must(&app.MarkAttendance{Group: g.ID, Date: day(d), Start: 15 * 60, Child: child, Mark: app.MarkAbsent})
	}
	for _, m := range []string{"2026-09", "2026-10", "2026-11"} {
		mo, _ := app.ParseMonth(m)
		w.must(&app.CloseMonth{Month: mo})
	}
	return w, g, child, cert, k, share
}

// RULES.md §7 and §8: at the final settlement due = floor(share × 75 / 100),
// the rest returns, and advance + final == Σ due to the kopeck whatever the
// provider asked in advance.
func TestCompletenessAndInvoices(t *testing.T) {
	w, g, child, cert, k, share := novemberAt75(t)
	w.wantCode(&app.MarkAttendance{Group: g.ID, Date: day("2026-11-17"), Start: 15 * 60, Child: child, Mark: app.MarkPresent}, app.EINVALID)
	w.wantCode(&app.MarkAttendance{Group: g.ID, Date: day("2026-11-18"), Start: 15 * 60, Child: child, Mark: app.MarkPresent}, app.EINVALID)
	var c int64
	w.db.View(func(r app.Reader) error {
		c, _ = app.GroupCompleteness(r, get[app.Group](w, g.ID), app.MonthOf(2026, 11))
		return nil
	})
	if c != 75 {
		t.Fatalf("completeness %d, want 75", c)
	}
	adv := get[app.Invoice](w, app.InvoiceID(w.Prov, "27", app.MonthOf(2026, 11), app.InvAdvance))
	if adv.Max != share*80/100 || adv.Status != app.InvDraft {
		t.Fatalf("advance %+v, want a draft of at most %d (80 %% of %d)", adv, share*80/100, share)
	}
	w.wantCode(&app.SubmitInvoice{Invoice: adv.ID, Amount: adv.Max + 1}, app.INVOICE_ABOVE_LIMIT)
	w.wantCode(&app.ApproveInvoice{Invoice: adv.ID}, app.INVOICE_STATUS)
	// The provider asks less than it may, before the final is drawn.
	asked := adv.Max - 100
	w.must(&app.SubmitInvoice{Invoice: adv.ID, Amount: asked})
	w.must(&app.ApproveInvoice{Invoice: adv.ID})
	w.must(&app.PayInvoice{Invoice: adv.ID})
	w.must(&app.CloseMonth{Month: app.MonthOf(2026, 12)})

	nov := get[app.Contract](w, k).Schedule[2]
	if nov.Due != share*75/100 || !nov.Settled {
		t.Fatalf("November due %d of share %d, want %d", nov.Due, share, share*75/100)
	}
	// Absences do not reduce payment: September and October are due in full.
	if s := get[app.Contract](w, k).Schedule[0]; s.Due != s.Cert {
		t.Fatalf("September due %d of %d", s.Due, s.Cert)
	}
	l := w.ledger(cert)
	if l.Balance != 10_000_00-get[app.Contract](w, k).Quote.Cert+(share-nov.Due) {
		t.Fatalf("returned share not back on balance: %+v", l)
	}
	fin := get[app.Invoice](w, app.InvoiceID(w.Prov, "27", app.MonthOf(2026, 11), app.InvFinal))
	if got := get[app.Invoice](w, adv.ID); got.Status != app.InvPaid || got.Amount != asked {
		t.Fatalf("advance %+v", got)
	}
	if asked+fin.Amount != share*75/100 {
		t.Fatalf("advance %d + final %d = %d, want Σ due %d", asked, fin.Amount, asked+fin.Amount, share*75/100)
	}
	w.wantCode(&app.CloseMonth{Month: app.MonthOf(2026, 12)}, app.MONTH_CLOSED)
	w.wantCode(&app.CloseMonth{Month: app.MonthOf(2027, 2)}, app.MONTH_CLOSED)
	w.wantCode(&app.MarkAttendance{Group: g.ID, Date: day("2026-11-24"), Start: 15 * 60, Child: child, Mark: app.MarkPresent}, app.MONTH_CLOSED)
}

// RULES.md §8: an advance left in draft is withdrawn when the final is drawn,
// and the final pays all that is due; none can be submitted after it.
func TestFinalWithoutAdvance(t *testing.T) {
	w, _, _, _, _, share := novemberAt75(t)
	w.must(&app.CloseMonth{Month: app.MonthOf(2026, 12)})
	adv := get[app.Invoice](w, app.InvoiceID(w.Prov, "27", app.MonthOf(2026, 11), app.InvAdvance))
	fin := get[app.Invoice](w, app.InvoiceID(w.Prov, "27", app.MonthOf(2026, 11), app.InvFinal))
	if adv.Status != app.InvWithdrawn || adv.Amount != 0 {
		t.Fatalf("advance in draft at the final: %+v, want withdrawn at 0", adv)
	}
	if fin.Amount != share*75/100 {
		t.Fatalf("final %d with no advance, want Σ due %d", fin.Amount, share*75/100)
	}
	w.wantCode(&app.SubmitInvoice{Invoice: adv.ID, Amount: 1}, app.INVOICE_STATUS)
}

// RULES.md §8: a provider advanced more than is due owes a refund, which the
// municipality records as received, never as a payment.
func TestNegativeFinalIsRefund(t *testing.T) {
	w, _, _, _, _, share := novemberAt75(t)
	adv := get[app.Invoice](w, app.InvoiceID(w.Prov, "27", app.MonthOf(2026, 11), app.InvAdvance))
	// 80 % of the share in advance; 75 % turns out due.
	w.must(&app.SubmitInvoice{Invoice: adv.ID, Amount: adv.Max})
	w.must(&app.CloseMonth{Month: app.MonthOf(2026, 12)})
	fin := get[app.Invoice](w, app.InvoiceID(w.Prov, "27", app.MonthOf(2026, 11), app.InvFinal))
	due := share * 75 / 100
	if fin.Amount != due-share*80/100 || fin.Amount >= 0 {
		t.Fatalf("final %d, want the refund %d − %d", fin.Amount, due, share*80/100)
	}
	w.must(&app.SubmitInvoice{Invoice: fin.ID})
	w.must(&app.ApproveInvoice{Invoice: fin.ID})
	w.wantCode(&app.PayInvoice{Invoice: fin.ID}, app.INVOICE_STATUS)
	w.must(&app.RecordRefund{Invoice: fin.ID})
	if got := get[app.Invoice](w, fin.ID); got.Status != app.InvRefunded {
		t.Fatalf("refund recorded: %+v", got)
	}
}

func TestChildAge(t *testing.T) {
	w := newWorld(t, "2026-11-27")
	for name, tc := range map[string]struct {
		birth string
		code  string
	}{
		"Four":                    {"2022-01-10", app.AGE_OUT_OF_RANGE},
		"FiveTomorrow":            {"2021-11-28", app.AGE_OUT_OF_RANGE},
		"FiveToday":               {"2021-11-27", ""},
		"SeventeenAlmostEighteen": {"2008-11-28", ""},
		"EighteenToday":           {"2008-11-27", app.AGE_OUT_OF_RANGE},
		"Nineteen":                {"2007-05-01", app.AGE_OUT_OF_RANGE},
		"Unborn":                  {"2027-01-01", app.EINVALID},
	} {
		t.Run(name, func(t *testing.T) {
			c := w.childCmd(tc.birth)
			if tc.code == "" {
				w.must(c)
			} else {
				w.wantCode(c, tc.code)
			}
		})
	}
}

func TestChildBadInput(t *testing.T) {
	w := newWorld(t, "2026-11-27")
	for name, tc := range map[string]struct {
		edit func(c *app.Child)
		code string
	}{
		"UnknownMunicipality": {func(c *app.Child) { c.Municipality = "45" }, app.NOT_RESIDENT},
		"EmptyName":           {func(c *app.Child) { c.FirstName = "  " }, app.EINVALID},
		"NoConsent":           {func(c *app.Child) { c.ConsentDate = 0 }, app.CONSENT_REQUIRED},
		"NoGuardian":          {func(c *app.Child) { c.GuardianName = "" }, app.CONSENT_REQUIRED},
		"BadSNILS":            {func(c *app.Child) { c.SNILS = "123-456-789 00" }, app.EINVALID},
		"BadPhone":            {func(c *app.Child) { c.GuardianPhone = "позвонить маме" }, app.EINVALID},
		"ControlChars":        {func(c *app.Child) { c.LastName = "Пет\x00ров" }, app.EINVALID},
		"HugeName":            {func(c *app.Child) { c.LastName = strings.Repeat("я", 101) }, app.EINVALID},
	} {
		t.Run(name, func(t *testing.T) {
			c := w.childCmd("2015-03-10")
			tc.edit(&c.Child)
			w.wantCode(c, tc.code)
		})
	}
	ok := w.childCmd("2015-03-10")
	ok.Child.SNILS = "112-233-445 95"
	w.must(ok)
	w.wantCode(&app.RegisterChild{Child: ok.Child}, app.ECONFLICT)
}

func TestProviderExclusion(t *testing.T) {
	w := newWorld(t, "2026-11-27")
	for i, name := range []string{`МБУ ДО "Детская школа искусств №1"`, "МБУДО «ДЕТСКАЯ МУЗЫКАЛЬНАЯ ШКОЛА» г. Ставрополя",
		"Детская  школа художественных ремёсел", "детская хоровая школа им. Глинки", "МАУ ДО Детская художественная школа",
		"Детская хореографическая школа", "Детская театральная школа", "Детская цирковая школа"} {
		w.wantCode(&app.RegisterProvider{ID: w.id("p") + string(rune('a'+i)), Name: name, Type: app.ProviderOrg,
			Municipality: "27", INN: "2634000001", Licence: "Л1"}, app.PROVIDER_EXCLUDED)
	}
	w.must(&app.RegisterProvider{ID: "ok1", Name: "МБУ ДО «Центр детского творчества»", Type: app.ProviderOrg,
		Municipality: "27", INN: "2634000001", Licence: "Л1"})
	w.wantCode(&app.RegisterProvider{ID: "ok2", Name: "ИП Иванова", Type: "ООО", Municipality: "27", INN: "263400000001"}, app.EINVALID)
	w.wantCode(&app.RegisterProvider{ID: "ok3", Name: "ИП Иванова", Type: app.ProviderIPNoStaff, Municipality: "99", INN: "263400000001"}, app.NOT_RESIDENT)
	w.wantCode(&app.RegisterProvider{ID: "ok4", Name: "ИП Иванова", Type: app.ProviderIPNoStaff, Municipality: "27", INN: "12"}, app.EINVALID)
}

func TestProgrammeRules(t *testing.T) {
	w := newWorld(t, "2026-11-10")
	w.params("27", 10, 5_000_00)
	w.provider(20)
	mod := &app.SaveModule{ID: "m2", Programme: w.Prog, Name: "Дорогой", Hours: 10, Months: 3, MinChildren: 1, MaxChildren: 5,
		Price: 10_000_01, NormPrice: 10_000_00}
	w.wantCode(mod, app.PROGRAMME_STATUS) // certified programmes are frozen
	p := &app.SaveProgramme{ID: "p2", Provider: w.Prov, Title: "Шахматы", Direction: "sport", AgeMin: 7, AgeMax: 12, Form: "очная"}
	w.must(p)
	mod.Programme = "p2"
	w.must(&app.SetPriceCap{Pct: 100})
	w.wantCode(mod, app.PRICE_ABOVE_CAP)
	w.must(&app.SetPriceCap{Pct: 110})
	w.must(mod)
	bad := *mod
	bad.ID, bad.Price = "m3", -1
	w.wantCode(&bad, app.EINVALID)
	bad.Price = app.MaxAmount + 1
	w.wantCode(&bad, app.EINVALID)
	w.wantCode(&app.SaveProgramme{ID: "p3", Provider: w.Prov, Title: "X", Direction: "sport", AgeMin: 4, AgeMax: 12, Form: "очная"}, app.AGE_OUT_OF_RANGE)
	w.wantCode(&app.SaveProgramme{ID: "p3", Provider: w.Prov, Title: "X", Direction: "magic", AgeMin: 5, AgeMax: 12, Form: "очная"}, app.EINVALID)
	w.wantCode(&app.SubmitProgramme{Programme: "p3"}, app.EINVALID)
	w.must(&app.SubmitProgramme{Programme: "p2"})
	w.wantCode(&app.DenyProgramme{Programme: "p2"}, app.EINVALID)
	w.must(&app.DenyProgramme{Programme: "p2", Reason: "Нет оценочных материалов"})
	if pr := get[app.Programme](w, "p2"); pr.Status != app.ProgDenied || pr.DenyReason == "" {
		t.Fatalf("denied programme %+v", pr)
	}
	w.wantCode(&app.CertifyProgramme{Programme: "p2"}, app.PROGRAMME_STATUS)
	// A contract on an uncertified programme.
	g := w.groupCmd("g2", "m2", 5)
	g.AgeMin, g.AgeMax = 7, 12
	w.must(g)
	_, cert := w.financed()
	w.wantCode(&app.Enrol{ID: "k1", Certificate: cert, Group: "g2", Start: day("2026-11-15")}, app.PROGRAMME_NOT_CERTIFIED)
	// Group bad input.
	g0 := w.groupCmd("g3", w.Mod, 0)
	w.wantCode(g0, app.EINVALID)
	gp := w.groupCmd("g3", w.Mod, 5)
	gp.End = day("2027-09-30")
	w.wantCode(gp, app.DATE_OUT_OF_PERIOD)
	// The price is frozen once a contract exists.
	w.enrol(cert, w.Group, "2026-11-15")
	w.must(&app.ArchiveProgramme{Programme: "p2"})
}

func TestPriceFrozen(t *testing.T) {
	w := newWorld(t, "2026-11-10")
	w.params("27", 10, 5_000_00)
	w.must(&app.RegisterProvider{ID: "pv", Name: "ИП Смирнова", Type: app.ProviderIPNoStaff, Municipality: "27", INN: "263400000001"})
	w.must(&app.SetProviderStatus{Provider: "pv", Status: app.ProviderActive})
	w.must(&app.SaveProgramme{ID: "pr", Provider: "pv", Title: "Рисунок", Direction: "art", AgeMin: 5, AgeMax: 17, Form: "очная"})
	w.must(&app.ListProgramme{Municipality: "27", Programme: "pr", Places: 1})
	m := &app.SaveModule{ID: "md", Programme: "pr", Name: "1", Hours: 10, Months: 3, MinChildren: 1, MaxChildren: 5, Price: 100_00, NormPrice: 100_00}
	w.must(m)
	w.must(w.groupCmd("gr", "md", 5))
	_, cert := w.financed()
	w.enrol(cert, "gr", "2026-11-15") // municipal registry: free of charge, any certificate
	if l := w.ledger(cert); l.Balance != 5_000_00 {
		t.Fatalf("municipal enrolment charged the certificate: %+v", l)
	}
	// A municipal-registry contract is a contract request too: no downgrade.
	w.setToday("2026-12-31")
	w.must(&app.DowngradeUnused{Date: day("2026-12-31")})
	if c := get[app.Certificate](w, cert); c.Type != app.CertFinancing {
		t.Fatalf("certificate with a municipal contract downgraded: %+v", c)
	}
	w.setToday("2026-11-10")
	m2 := *m
	m2.Price = 90_00
	w.wantCode(&m2, app.PRICE_FROZEN)
	_, cert2 := w.financed()
	w.wantCode(&app.Enrol{ID: "k2", Certificate: cert2, Group: "gr", Start: day("2026-11-15")}, app.MUNICIPAL_PLACES_FULL)
}

func TestEnrolPreconditions(t *testing.T) {
	w := newWorld(t, "2026-11-10")
	w.params("27", 3, 5_000_00)
	w.provider(1)
	_, cert := w.financed()
	q := w.quote(cert, w.Group, day("2026-11-15"))
	enrol := func(id, cert, group, start string) *app.Enrol {
		return &app.Enrol{ID: id, Certificate: cert, Group: group, Start: day(start), QuotedCert: q.Cert, QuotedParent: q.Parent, ParentConfirmed: true}
	}
	stale := enrol("k0", cert, w.Group, "2026-11-15")
	stale.QuotedCert--
	w.wantCode(stale, app.BALANCE_CHANGED)
	noConfirm := enrol("k0", cert, w.Group, "2026-11-15")
	noConfirm.ParentConfirmed = false
	w.wantCode(noConfirm, app.PARENT_NOT_CONFIRMED)
	w.wantCode(enrol("k0", cert, w.Group, "2027-06-15"), app.DATE_OUT_OF_PERIOD)
	w.must(enrol("k1", cert, w.Group, "2026-11-15"))
	// A second contract on the same module (another group).
	w.must(w.groupCmd("g2", w.Mod, 5))
	w.wantCode(enrol("k2", cert, "g2", "2026-11-15"), app.DUPLICATE_MODULE)
	// The group is full.
	_, cert2 := w.financed()
	w.wantCode(enrol("k3", cert2, w.Group, "2026-11-15"), app.GROUP_FULL)
	// Enrolment closed.
	w.setToday("2027-05-01")
	w.wantCode(enrol("k4", cert2, "g2", "2027-05-02"), app.ENROLMENT_CLOSED)
	w.setToday("2026-11-10")
	// An accounting certificate cannot pay.
	c := w.childCmd("2016-01-01")
	w.must(c)
	w.must(&app.IssueCertificate{ID: "acc", Child: c.Child.ID})
	w.wantCode(enrol("k5", "acc", "g2", "2026-11-15"), app.CERTIFICATE_NOT_FUNDED)
	// A suspended provider.
	w.must(&app.SetProviderStatus{Provider: w.Prov, Status: app.ProviderSuspended})
	w.wantCode(enrol("k6", cert2, "g2", "2026-11-15"), app.PROVIDER_NOT_ACTIVE)
	w.must(&app.SetProviderStatus{Provider: w.Prov, Status: app.ProviderActive})
	// Group age range.
	g3 := w.groupCmd("g3", w.Mod, 5)
	g3.AgeMin, g3.AgeMax = 14, 17
	w.must(g3)
	w.wantCode(enrol("k7", cert2, "g3", "2026-11-15"), app.AGE_NOT_IN_GROUP)
	// Frozen certificate.
	w.must(&app.FreezeCertificate{Certificate: cert2, Frozen: true})
	w.wantCode(enrol("k8", cert2, "g2", "2026-11-15"), app.CERTIFICATE_FROZEN)
	w.wantCode(&app.FreezeCertificate{Certificate: cert, Frozen: true}, app.CERTIFICATE_IN_USE)
	w.wantCode(&app.ReturnToAccounting{Certificate: cert}, app.CERTIFICATE_IN_USE)
}

func TestEnrolAgeOnStartDate(t *testing.T) {
	w := newWorld(t, "2026-11-10")
	w.params("27", 3, 5_000_00)
	w.provider(5)
	c := w.childCmd("2008-12-01") // 17 today, 18 on 2026-12-01
	w.must(c)
	w.must(&app.IssueCertificate{ID: "c18", Child: c.Child.ID})
	w.must(&app.RequestFinancing{ID: "r18", Certificate: "c18"})
	w.wantCode(&app.Enrol{ID: "k", Certificate: "c18", Group: w.Group, Start: day("2026-12-01")}, app.AGE_OUT_OF_RANGE)
}

func TestDirectionLimit(t *testing.T) {
	w := newWorld(t, "2026-11-10")
	w.must(&app.SetParams{Params: app.Params{Municipality: "27", Period: "2026-2027", Mode: app.ModeFinancing, Quota: 5,
		Nominal: 20_000_00, DaysToRequest: 30, DirectionLimits: map[string]int64{"tech": 1}}})
	w.provider(10)
	_, a := w.financed()
	_, b := w.financed()
	q := w.quote(b, w.Group, day("2026-11-15"))
	w.enrol(a, w.Group, "2026-11-15")
	w.wantCode(&app.Enrol{ID: "kb", Certificate: b, Group: w.Group, Start: day("2026-11-15"), QuotedCert: q.Cert, QuotedParent: q.Parent, ParentConfirmed: true}, app.DIRECTION_LIMIT)
}

func TestCertificateRules(t *testing.T) {
	w := newWorld(t, "2026-11-10")
	c := w.childCmd("2014-05-05")
	w.must(c)
	w.must(&app.IssueCertificate{ID: "cert1", Child: c.Child.ID})
	cert := get[app.Certificate](w, "cert1")
	if cert.Number != "26-27-000001" || cert.Type != app.CertAccounting || cert.LedgerOf("2026-2027").Nominal != 0 {
		t.Fatalf("certificate %+v", cert)
	}
	w.wantCode(&app.IssueCertificate{ID: "cert2", Child: c.Child.ID}, app.CERTIFICATE_EXISTS)
	w.wantCode(&app.TransferCertificate{Certificate: "cert1", ToChild: "x"}, app.CERTIFICATE_PERSONAL)
	w.wantCode(&app.RequestFinancing{ID: "r1", Certificate: "cert1"}, app.NO_PARAMETERS)
	w.must(&app.SetParams{Params: app.Params{Municipality: "27", Period: "2026-2027", Mode: app.ModeAccounting, DaysToRequest: 30}})
	w.wantCode(&app.RequestFinancing{ID: "r1", Certificate: "cert1"}, app.MODE_ACCOUNTING_ONLY)
	w.wantCode(&app.SetParams{Params: app.Params{Municipality: "27", Period: "2026-2027", Mode: app.ModeFinancing, DaysToRequest: 4, Quota: 1, Nominal: 1}}, app.EINVALID)
	w.wantCode(&app.SetParams{Params: app.Params{Municipality: "27", Period: "2026-2027", Mode: app.ModeFinancing, DaysToRequest: 5, Quota: 1, Nominal: -5}}, app.EINVALID)
	w.wantCode(&app.SetParams{Params: app.Params{Municipality: "27", Period: "1999", Mode: app.ModeFinancing, DaysToRequest: 5, Quota: 1, Nominal: 5}}, app.DATE_OUT_OF_PERIOD)
}

// RULES.md §3: first come, first served; the queue; the downgrade after N days.
func TestQuotaQueueAndDowngrade(t *testing.T) {
	w := newWorld(t, "2026-11-10")
	w.must(&app.SetParams{Params: app.Params{Municipality: "27", Period: "2026-2027", Mode: app.ModeFinancing, Quota: 2,
		Nominal: 5_000_00, SumLimit: 15_000_00, DaysToRequest: 10}})
	w.provider(10)
	var certs []string
	for i := 0; i < 5; i++ {
		_, c := w.financed()
		certs = append(certs, c)
	}
	types := func() string {
		var b strings.Builder
		for _, c := range certs {
			b.WriteString(get[app.Certificate](w, c).Type[:1])
		}
		return b.String()
	}
	if got := types(); got != "ffaaa" {
		t.Fatalf("after 5 requests with quota 2: %s", got)
	}
	w.wantCode(&app.RequestFinancing{ID: "again", Certificate: certs[2]}, app.REQUEST_EXISTS)
	// Raising the quota serves the head; the sum limit stops at 3 × 5 000.
	w.must(&app.SetParams{Params: app.Params{Municipality: "27", Period: "2026-2027", Mode: app.ModeFinancing, Quota: 10,
		Nominal: 5_000_00, SumLimit: 15_000_00, DaysToRequest: 10}})
	if got := types(); got != "fffaa" {
		t.Fatalf("after raising quota (sum limit 3 nominals): %s", got)
	}
	// Certificate 0 makes a contract; 1 and 2 do not and lose their status after 10 days.
	w.enrol(certs[0], w.Group, "2026-11-15")
	w.must(&app.DowngradeUnused{Date: day("2026-11-20")})
	if got := types(); got != "fffaa" {
		t.Fatalf("downgrade before N days: %s", got)
	}
	w.setToday("2026-11-21")
	w.must(&app.DowngradeUnused{Date: day("2026-11-21")})
	// 1 and 2 return to accounting, their places go to 3 and 4, the head of the queue.
	if got := types(); got != "faaff" {
		t.Fatalf("after downgrade: %s", got)
	}
	if c := get[app.Certificate](w, certs[3]); c.FinancingUntil != day("2026-12-01") {
		t.Fatalf("new holder's deadline %s", c.FinancingUntil)
	}
}

// RULES.md §8: a contract whose reservation would take the municipality's
// reserve + paid above its budget limit is refused, and what a termination
// returns frees the budget again. Figures: RULES.md §6 with B = 8 000,00 ₽
// (cert 7 252,75, first month 586,09).
func TestBudgetLimit(t *testing.T) {
	w := newWorld(t, "2026-11-10")
	w.must(&app.SetParams{Params: app.Params{Municipality: "27", Period: "2026-2027", Mode: app.ModeFinancing,
		Quota: 10, Nominal: 8_000_00, DaysToRequest: 30, Population: 1000, BudgetLimit: 10_000_00}})
	w.provider(20)
	_, first := w.financed()
	_, second := w.financed()
	k := w.enrol(first, w.Group, "2026-11-15")
	if got := get[app.Contract](w, k).Quote.Cert; got != 7_252_75 {
		t.Fatalf("cert part %d, want 7 252,75 of the worked example", got)
	}
	// The quote the family would see: all 8 703,30 = cert 7 252,75 + parent 1 450,55.
	err := w.exec(&app.Enrol{ID: w.id("contract"), Certificate: second, Group: w.Group, Start: day("2026-11-15"),
		QuotedCert: 7_252_75, QuotedParent: 1_450_55, ParentConfirmed: true})
	var ae *app.Error
	if app.ErrorCode(err) != app.BUDGET_LIMIT || !errors.As(err, &ae) || ae.Detail != "limit=10000.00 committed=7252.75 cert=7252.75" {
		t.Fatalf("an enrolment over the budget limit: %v", err)
	}
	if l := w.ledger(second); l.Balance != 8_000_00 || l.Reserved != 0 {
		t.Fatalf("a refused enrolment reserved money: %+v", l)
	}
	w.wantCode(&app.SetParams{Params: app.Params{Municipality: "27", Period: "2026-2027", Mode: app.ModeFinancing,
		Quota: 10, Nominal: 8_000_00, DaysToRequest: 30, Population: 1000, BudgetLimit: 7_000_00}}, app.BUDGET_LIMIT)
	// Notice in November: November (586,09) stays, the rest returns.
	w.must(&app.Terminate{Contract: k, Notice: day("2026-11-20")})
	w.enrol(second, w.Group, "2026-11-15")
	if l := w.ledger(second); l.Reserved != 7_252_75 {
		t.Fatalf("after the termination freed the budget: %+v", l)
	}
}

// tamperInvoice changes an invoice's amount behind the rules' back, as a
// corrupt or forged database would hold it.
type tamperInvoice struct {
	Invoice string
	Amount  int64
}

func (c *tamperInvoice) Op() string { return "test.TamperInvoice" }
func (c *tamperInvoice) Apply(tx app.Tx, m app.Meta) error {
	inv, err := app.Get[app.Invoice](tx, c.Invoice)
	if err != nil {
		return err
	}
	inv.Amount = c.Amount
	return tx.Put(inv)
}

func init() {
	app.RegisterCommand(func() app.Command { return &tamperInvoice{} }, app.Permission{})
}

// kruzhok check sees an invoice that breaks advance + final == Σ due.
func TestCheckFindsUnderpaidFinal(t *testing.T) {
	w, _, _, _, _, _ := novemberAt75(t)
	w.must(&app.CloseMonth{Month: app.MonthOf(2026, 12)})
	fin := app.InvoiceID(w.Prov, "27", app.MonthOf(2026, 11), app.InvFinal)
	w.must(&tamperInvoice{Invoice: fin, Amount: get[app.Invoice](w, fin).Amount - 1})
	var breaches []string
	w.db.View(func(r app.Reader) error { breaches = app.Check(r); return nil })
	if len(breaches) != 1 || !strings.Contains(breaches[0], "итог") {
		t.Fatalf("check of a final one kopeck short: %q", breaches)
	}
	w.must(&tamperInvoice{Invoice: fin, Amount: get[app.Invoice](w, fin).Amount + 1})
}
