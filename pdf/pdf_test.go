package pdf_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"kruzhok/app"
	"kruzhok/assets"
	"kruzhok/demo"
	"kruzhok/pdf"
	"kruzhok/store"
)

// world is a real store in t.TempDir() holding the worked example of
// RULES.md §6, with a clock the test moves.
type world struct {
	t        *testing.T
	db       *store.DB
	now      time.Time
	Prov     string
	Group    string
	Child    string
	Cert     string
	Contract string
}

func day(s string) app.Date { return app.MustDate(s) }

func (w *world) setToday(s string) {
	y, m, d := day(s).Parts()
	w.now = time.Date(y, m, d, 9, 0, 0, 0, time.FixedZone("MSK", 3*3600))
}

func (w *world) must(c app.Command) {
	w.t.Helper()
	if _, err := w.db.Exec(c); err != nil {
		w.t.Fatalf("%s: %v", c.Op(), err)
	}
}

// example builds RULES.md §6's worked example: the region's price cap at
// 120 %, municipality 27 financing with a nominal of 5 000,00 ₽, a module at
// P = 12 000,00 ₽ and NS = 10 000,00 ₽, a group 2026-09-01 … 2027-05-31, and a
// contract from 2026-11-15 made on 2026-11-10.
func example(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, Prov: "prov-1", Group: "grp-1", Child: "child-1", Cert: "cert-1", Contract: "contract-1"}
	openWorld(w)
	w.must(&app.SaveProgramme{ID: "prog-1", Provider: w.Prov, Title: "Робототехника", Direction: "tech",
		AgeMin: 5, AgeMax: 17, Form: "очная"})
	w.must(&app.SaveModule{ID: "mod-1", Programme: "prog-1", Name: "Базовый", Hours: 72, Months: 9,
		MinChildren: 5, MaxChildren: 20, Price: 12_000_00, NormPrice: 10_000_00})
	w.must(&app.SubmitProgramme{Programme: "prog-1"})
	w.must(&app.CertifyProgramme{Programme: "prog-1"})
	w.must(&app.OpenGroup{ID: w.Group, Module: "mod-1", Name: "Роботы-1", Start: day("2026-09-01"),
		End: day("2027-05-31"), Capacity: 20, AgeMin: 5, AgeMax: 17,
		Schedule: []app.Slot{
			{Weekday: 2, Start: 15 * 60, End: 16*60 + 30, Room: "12", Address: "ул. Ленина, 1"},
			{Weekday: 4, Start: 15 * 60, End: 16*60 + 30, Room: "12", Address: "ул. Ленина, 1"}},
		EnrolFrom: day("2026-08-15"), EnrolTo: day("2027-04-30")})
	w.must(&app.RegisterChild{Child: app.Child{ID: w.Child, LastName: "Петров", FirstName: "Иван",
		MiddleName: "Сергеевич", BirthDate: day("2015-03-10"), Municipality: "27", GuardianName: "Петрова Анна Ивановна",
		GuardianPhone: "+7 918 000-00-00", ConsentDate: day("2026-09-01"), ConsentBy: "Сидорова М. П."}})
	w.must(&app.IssueCertificate{ID: w.Cert, Child: w.Child})
	w.must(&app.RequestFinancing{ID: "req-1", Certificate: w.Cert})
	var q app.Quote
	if err := w.db.View(func(r app.Reader) error {
		e, err := app.PrepareEnrolment(r, w.Cert, w.Group, day("2026-11-15"), day("2026-11-10"))
		q = e.Quote
		return err
	}); err != nil {
		t.Fatalf("quote: %v", err)
	}
	w.must(&app.Enrol{ID: w.Contract, Certificate: w.Cert, Group: w.Group, Start: day("2026-11-15"),
		QuotedCert: q.Cert, QuotedParent: q.Parent, ParentConfirmed: true})
	return w
}

// openWorld opens w's database in a temporary directory on 10.11.2026 (the
// check of every invariant runs when the test ends) and registers the
// region, municipality 27 in financing mode and the active provider w.Prov.
func openWorld(w *world) {
	t := w.t
	t.Helper()
	w.setToday("2026-11-10")
	db, err := store.Open(filepath.Join(t.TempDir(), "k.db"), store.Options{NoSync: true, Now: func() time.Time { return w.now }})
	if err != nil {
		t.Fatal(err)
	}
	w.db = db
	t.Cleanup(func() {
		if breaches := db.Check(app.Check); len(breaches) > 0 {
			t.Errorf("check after test: %q", breaches)
		}
		db.Close()
	})
	w.must(assets.Seed(day("2026-11-10")))
	w.must(&app.SetPriceCap{Pct: 120})
	w.must(&app.SetParams{Params: app.Params{Municipality: "27", Period: "2026-2027", Mode: app.ModeFinancing,
		Quota: 10, Nominal: 5_000_00, DaysToRequest: 30, Population: 1000, BudgetLimit: 100_000_000_00}})
	w.must(&app.RegisterProvider{ID: w.Prov, Name: "АНО ДО «Робототехника»", Type: app.ProviderTraining,
		Municipality: "27", INN: "2634000001", Licence: "26Л01-0001"})
	w.must(&app.SetProviderStatus{Provider: w.Prov, Status: app.ProviderActive})
}

// render runs one document inside a read transaction.
func (w *world) render(fn func(r app.Reader) ([]byte, error)) []byte {
	w.t.Helper()
	var out []byte
	if err := w.db.View(func(r app.Reader) error {
		var err error
		out, err = fn(r)
		return err
	}); err != nil {
		w.t.Fatal(err)
	}
	if !bytes.HasPrefix(out, []byte("%PDF-")) {
		w.t.Fatalf("not a PDF: %q", out[:min(len(out), 20)])
	}
	return out
}

// text extracts a PDF's text with pdftotext, spaces normalised: the
// non-breaking spaces of amounts become plain ones, runs of blanks one.
func text(t *testing.T, doc []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skip("pdftotext (poppler-utils) is not installed")
		}
		t.Fatal("pdftotext (poppler-utils) is not installed; CI must have it")
	}
	file := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(file, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return normalise(string(out))
}

func normalise(s string) string {
	s = strings.ReplaceAll(s, "\u00a0", " ")
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		lines = append(lines, strings.Join(strings.Fields(l), " "))
	}
	return strings.Join(lines, "\n")
}

// wantAll requires every string in the text.
func wantAll(t *testing.T, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("text lacks %q", w)
		}
	}
	if t.Failed() {
		t.Logf("text:\n%s", got)
	}
}

func TestContractOfferWorkedExample(t *testing.T) {
	w := example(t)
	doc := w.render(func(r app.Reader) ([]byte, error) { return pdf.ContractOffer(r, w.Contract) })
	if os.Getenv("KRUZHOK_PDF_OUT") != "" {
		_ = os.WriteFile(filepath.Join(os.Getenv("KRUZHOK_PDF_OUT"), "contract.pdf"), doc, 0o644)
	}
	got := text(t, doc)
	wantAll(t, got,
		"ДОГОВОР-ОФЕРТА", "АНО ДО «Робототехника»", "ИНН 2634000001", "№ 26Л01-0001",
		"Петров Иван Сергеевич", "Петрова Анна Ивановна", "10.03.2015",
		"«Робототехника»", "«Базовый»", "«Роботы-1»", "вторник", "четверг", "15:00–16:30",
		"с 15.11.2026 по 31.05.2027", "г. Ставрополь",
		"8 703,30 ₽", "5 000,00 ₽", "3 703,30 ₽",
		"ноябрь 2026 404,06 ₽ 299,26 ₽ 703,32 ₽",
		"декабрь 2026 765,99 ₽ 567,34 ₽ 1 333,33 ₽",
		"май 2027 765,99 ₽ 567,34 ₽",
		"Итого 5 000,00 ₽ 3 703,30 ₽ 8 703,30 ₽",
		"стр. 1 из")
}

// closeNovember cancels one of November's eight lessons (completeness 87 %)
// and closes November and December: November's advance is
// ⌊80 % × 404,06⌋ = 323,24, which the provider submits in full before the
// final is drawn (a draft advance would be withdrawn, RULES.md §8); the final
// invoice is ⌊404,06 × 87 / 100⌋ − 323,24 = 351,53 − 323,24 = 28,29.
func (w *world) closeNovember() {
	w.t.Helper()
	w.setToday("2026-11-12")
	w.must(&app.CancelLesson{Group: w.Group, Date: day("2026-11-12"), Start: 15 * 60, Cancelled: true})
	w.setToday("2026-11-30")
	w.must(&app.CloseMonth{Month: app.MonthOf(2026, time.November)})
	w.must(&app.SubmitInvoice{Invoice: app.InvoiceID(w.Prov, "27", app.MonthOf(2026, time.November), app.InvAdvance), Amount: 323_24})
	w.setToday("2026-12-01")
	w.must(&app.CloseMonth{Month: app.MonthOf(2026, time.December)})
}

func TestInvoice(t *testing.T) {
	w := example(t)
	w.closeNovember()
	nov := app.MonthOf(2026, time.November)
	for name, tc := range map[string]struct {
		id   string
		want []string
	}{
		"Advance": {app.InvoiceID(w.Prov, "27", nov, app.InvAdvance), []string{
			"СЧЁТ НА ОПЛАТУ", "аванс за ноябрь 2026", "АНО ДО «Робототехника»", "ИНН 2634000001",
			"г. Ставрополь", "ноябрь 2026 аванс 323,24 ₽ 323,24 ₽ подан 10.12.2026", "80 %"}},
		"Final": {app.InvoiceID(w.Prov, "27", nov, app.InvFinal), []string{
			"итоговый расчёт за ноябрь 2026", "ноябрь 2026 итоговый 28,29 ₽ 28,29 ₽ черновик 10.12.2026",
			"1 Петров Иван Сергеевич 26-27-000001 404,06 ₽ 87 % 351,53 ₽",
			"Итого 404,06 ₽ 351,53 ₽", "Аванс за месяц 323,24 ₽", "К оплате по итоговому счёту 28,29 ₽"}},
	} {
		t.Run(name, func(t *testing.T) {
			doc := w.render(func(r app.Reader) ([]byte, error) { return pdf.Invoice(r, tc.id) })
			if dir := os.Getenv("KRUZHOK_PDF_OUT"); dir != "" {
				_ = os.WriteFile(filepath.Join(dir, "invoice-"+name+".pdf"), doc, 0o644)
			}
			wantAll(t, text(t, doc), tc.want...)
		})
	}
}

func TestRegistryExtract(t *testing.T) {
	w := example(t)
	w.closeNovember()
	doc := w.render(func(r app.Reader) ([]byte, error) { return pdf.RegistryExtract(r, "27", day("2026-12-01")) })
	if dir := os.Getenv("KRUZHOK_PDF_OUT"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "registry.pdf"), doc, 0o644)
	}
	// After two closes the certificate has paid November (351,53 after
	// completeness) and December (765,99); 48,53 of November came back.
	wantAll(t, text(t, doc),
		"ВЫПИСКА ИЗ РЕЕСТРА СЕРТИФИКАТОВ", "г. Ставрополь", "по состоянию на 01.12.2026", "2026-2027",
		"1 26-27-000001 Петров Иван Сергеевич финансирования действует 5 000,00 ₽ 52,53 ₽ 3 829,95 ₽ 1 117,52 ₽",
		"Сертификатов в реестре: 1, из них сертификатов финансирования: 1.")
}

func TestMissingRecords(t *testing.T) {
	w := example(t)
	for name, fn := range map[string]func(r app.Reader) ([]byte, error){
		"Contract":     func(r app.Reader) ([]byte, error) { return pdf.ContractOffer(r, "no-such") },
		"Invoice":      func(r app.Reader) ([]byte, error) { return pdf.Invoice(r, "no-such") },
		"Municipality": func(r app.Reader) ([]byte, error) { return pdf.RegistryExtract(r, "99", day("2026-12-01")) },
	} {
		t.Run(name, func(t *testing.T) {
			err := w.db.View(func(r app.Reader) error { _, err := fn(r); return err })
			if got := app.ErrorCode(err); got != app.ENOTFOUND {
				t.Fatalf("code %q (%v), want ENOTFOUND", got, err)
			}
		})
	}
}

// The same records give the same bytes: the documents carry their own date,
// not the time they were printed.
func TestDeterministic(t *testing.T) {
	w := example(t)
	a := w.render(func(r app.Reader) ([]byte, error) { return pdf.ContractOffer(r, w.Contract) })
	b := w.render(func(r app.Reader) ([]byte, error) { return pdf.ContractOffer(r, w.Contract) })
	if !bytes.Equal(a, b) {
		t.Fatal("two renderings of one contract differ")
	}
}

// The documents of a demo region render: contracts and invoices (a sample:
// each takes some 20 ms, mostly the font subset) with names, addresses and
// amounts of every length, and the registry of every municipality, some
// running over pages with the heading repeated.
func TestDemoRegion(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a demo region")
	}
	clock := &demo.Clock{}
	st, err := store.Open(filepath.Join(t.TempDir(), "demo.db"), store.Options{NoSync: true, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := demo.Build(st, demo.Options{Children: 300, Providers: 8, Programmes: 20, Clock: clock}); err != nil {
		t.Fatalf("demo: %v", err)
	}
	docs := 0
	err = st.View(func(r app.Reader) error {
		ks, err := app.List[app.Contract](r, "", "", 0)
		if err != nil {
			return err
		}
		invs, err := app.List[app.Invoice](r, "", "", 0)
		if err != nil {
			return err
		}
		if len(ks) == 0 || len(invs) == 0 {
			t.Fatalf("demo region with %d contracts and %d invoices", len(ks), len(invs))
		}
		for _, k := range ks[:min(len(ks), 15)] {
			if _, err := pdf.ContractOffer(r, k.ID); err != nil {
				return err
			}
			docs++
		}
		slices.SortStableFunc(invs, func(a, b app.Invoice) int { return strings.Compare(b.Type, a.Type) }) // finals first
		for _, inv := range invs[:min(len(invs), 15)] {
			if _, err := pdf.Invoice(r, inv.ID); err != nil {
				return err
			}
			docs++
		}
		for _, mun := range assets.Municipalities() {
			if _, err := pdf.RegistryExtract(r, mun.Code, day("2026-12-01")); err != nil {
				return err
			}
			docs++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d documents", docs)
}

// A contract on a programme of the municipal registry costs the family and
// the certificate nothing: the offer says so and has no money tables.
func TestContractOfferMunicipalAssignment(t *testing.T) {
	w := example(t)
	w.must(&app.SaveProgramme{ID: "prog-2", Provider: w.Prov, Title: "Шахматы", Direction: "social",
		AgeMin: 5, AgeMax: 17, Form: "очная"})
	w.must(&app.SaveModule{ID: "mod-2", Programme: "prog-2", Name: "Дебюты", Hours: 36, Months: 9,
		MinChildren: 5, MaxChildren: 20, Price: 6_000_00, NormPrice: 6_000_00})
	w.must(&app.ListProgramme{Municipality: "27", Programme: "prog-2"})
	w.must(&app.OpenGroup{ID: "grp-2", Module: "mod-2", Name: "Шахматы-1", Start: day("2026-09-01"),
		End: day("2027-05-31"), Capacity: 20, AgeMin: 5, AgeMax: 17,
		Schedule:  []app.Slot{{Weekday: 6, Start: 10 * 60, End: 11 * 60, Room: "3"}},
		EnrolFrom: day("2026-08-15"), EnrolTo: day("2027-04-30")})
	w.must(&app.Enrol{ID: "contract-2", Certificate: w.Cert, Group: "grp-2", Start: day("2026-11-15"), ParentConfirmed: true})
	doc := w.render(func(r app.Reader) ([]byte, error) { return pdf.ContractOffer(r, "contract-2") })
	got := text(t, doc)
	wantAll(t, got, "в рамках муниципального задания", "«Шахматы»", "суббота", "10:00–11:00",
		"Обучение бесплатно для Заказчика", "Договор действует.")
	if strings.Contains(got, "График оплаты") {
		t.Errorf("a municipal-assignment offer has a payment schedule:\n%s", got)
	}
}

// The guardian's extract names the certificate and its holder and prints the
// code once; a certificate a provider registered says it waits for the
// municipality.
func TestCertificateExtract(t *testing.T) {
	w := example(t)
	code := app.NewCode()
	doc := w.render(func(r app.Reader) ([]byte, error) {
		return pdf.CertificateExtract(r, w.Cert, code, day("2026-11-10"))
	})
	if dir := os.Getenv("KRUZHOK_PDF_OUT"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "certificate.pdf"), doc, 0o644)
	}
	got := text(t, doc)
	wantAll(t, got, "ВЫПИСКА ИЗ РЕЕСТРА СЕРТИФИКАТОВ\nДОПОЛНИТЕЛЬНОГО ОБРАЗОВАНИЯ", "27 — г. Ставрополь",
		"Номер сертификата: 26-27-000001", "Тип: сертификат финансирования", "Ребёнок: Петров Иван Сергеевич",
		"Дата рождения: 10.03.2015", "Дата выдачи: 10.11.2026", "подтверждён муниципалитетом",
		"Код показывается один раз", "номер сертификата и этот код")
	if !strings.Contains(codeLine(got), code) {
		t.Errorf("the code %s is not in the extract:\n%s", code, got)
	}

	t.Run("Unconfirmed", func(t *testing.T) {
		if err := w.db.SetScope(app.ProviderScope(w.Prov), true); err != nil {
			t.Fatal(err)
		}
		w.must(&app.RegisterChild{Child: app.Child{ID: "child-2", LastName: "Сидорова", FirstName: "Мария",
			BirthDate: day("2016-05-01"), Municipality: "27", GuardianName: "Сидорова Анна Ивановна",
			ConsentDate: day("2026-11-10"), ConsentBy: "Сидорова М. П."}})
		w.must(&app.IssueCertificate{ID: "cert-2", Child: "child-2", CodeHash: app.CodeHash("cert-2", "ABCD2345")})
		got := text(t, w.render(func(r app.Reader) ([]byte, error) {
			return pdf.CertificateExtract(r, "cert-2", "abcd-2345", day("2026-11-10"))
		}))
		wantAll(t, got, "26-27-000002", "Сидорова Мария", "Тип: сертификат учёта", "не подтверждён")
		if !strings.Contains(codeLine(got), "ABCD2345") {
			t.Errorf("the typed code is not printed normalised:\n%s", got)
		}
	})

	t.Run("BadCode", func(t *testing.T) {
		err := w.db.View(func(r app.Reader) error {
			_, err := pdf.CertificateExtract(r, w.Cert, "ABC", day("2026-11-10"))
			return err
		})
		if app.ErrorCode(err) != app.EINVALID {
			t.Fatalf("code %q (%v), want EINVALID", app.ErrorCode(err), err)
		}
	})
}

// codeLine is the text with the blanks taken out: the code's letters stand
// in boxes of their own, which pdftotext spaces apart.
func codeLine(s string) string { return strings.Join(strings.Fields(s), "") }
