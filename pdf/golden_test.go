package pdf_test

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"kruzhok/app"
	"kruzhok/pdf"
)

var update = flag.Bool("update", false, "rewrite the golden texts of the documents in testdata/")

// The ids of the golden world are UUIDv7 as a node makes them, so that a
// document leaking one is caught by the pattern below.
const (
	gProv     = "0193a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b"
	gProg     = "0193a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2c"
	gMod      = "0193a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2d"
	gGroup    = "0193a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2e"
	gChild    = "0193a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2f"
	gCert     = "0193a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a30"
	gRequest  = "0193a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a31"
	gContract = "0193a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a32"
	gNode     = "0193a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a33"
	// A room name longer than its column: it must wrap, not be cut.
	longRoom = "каб. робототехники и программирования № 12, 2 этаж"
)

var (
	uuidRe  = regexp.MustCompile(`(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	latinRe = regexp.MustCompile(`[A-Za-z]+`)
	// allowedLatin lists the Latin-letter words a document may carry: none.
	allowedLatin = map[string]bool{}
)

// goldenWorld is RULES.md §6's worked example with node-made ids: a group
// meeting on Tuesdays in «longRoom», a contract from 15.11.2026 on a
// certificate of 5 000,00 ₽, made on 10.11.2026 by the authority. One of
// January's four Tuesdays is cancelled, so January's completeness is 75 %
// (RULES.md §7's example: share 765,99 ₽ → due 574,49 ₽); January's
// advance is left in draft and withdrawn, and its final is the whole due.
func goldenWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, Prov: gProv, Group: gGroup, Child: gChild, Cert: gCert, Contract: gContract}
	openWorld(w)
	w.must(&app.SaveProgramme{ID: gProg, Provider: gProv, Title: "Робототехника", Direction: "tech",
		AgeMin: 5, AgeMax: 17, Form: "очная"})
	w.must(&app.SaveModule{ID: gMod, Programme: gProg, Name: "Базовый", Hours: 72, Months: 9,
		MinChildren: 5, MaxChildren: 20, Price: 12_000_00, NormPrice: 10_000_00})
	w.must(&app.SubmitProgramme{Programme: gProg})
	w.must(&app.CertifyProgramme{Programme: gProg})
	w.must(&app.OpenGroup{ID: gGroup, Module: gMod, Name: "Роботы-1", Start: day("2026-09-01"),
		End: day("2027-05-31"), Capacity: 20, AgeMin: 5, AgeMax: 17,
		Schedule:  []app.Slot{{Weekday: 2, Start: 15 * 60, End: 16*60 + 30, Room: longRoom, Address: "ул. Ленина, 1"}},
		EnrolFrom: day("2026-08-15"), EnrolTo: day("2027-04-30")})
	w.must(&app.RegisterChild{Child: app.Child{ID: gChild, LastName: "Ткаченко", FirstName: "Сергей",
		MiddleName: "Юрьевич", BirthDate: day("2015-03-10"), Municipality: "27", GuardianName: "Ткаченко Анна Ивановна",
		GuardianPhone: "+7 918 000-00-00", ConsentDate: day("2026-09-01"), ConsentBy: "Сидорова М. П."}})
	w.must(&app.IssueCertificate{ID: gCert, Child: gChild})
	w.must(&app.RequestFinancing{ID: gRequest, Certificate: gCert})
	w.enrolAt(gContract, day("2026-11-15"))
	for _, m := range []string{"2026-11", "2026-12"} {
		mo, _ := app.ParseMonth(m)
		w.setToday(mo.First().String())
		w.must(&app.CloseMonth{Month: mo})
	}
	w.setToday("2027-01-13")
	w.must(&app.CancelLesson{Group: gGroup, Date: day("2027-01-12"), Start: 15 * 60, Cancelled: true})
	for _, m := range []string{"2027-01", "2027-02"} {
		mo, _ := app.ParseMonth(m)
		w.setToday(mo.First().String())
		w.must(&app.CloseMonth{Month: mo})
	}
	return w
}

// enrolAt makes a contract of the golden world's child at the quoted figures.
func (w *world) enrolAt(id string, start app.Date) {
	w.t.Helper()
	var q app.Quote
	if err := w.db.View(func(r app.Reader) error {
		e, err := app.PrepareEnrolment(r, gCert, gGroup, start, app.DateOf(w.now))
		q = e.Quote
		return err
	}); err != nil {
		w.t.Fatalf("quote: %v", err)
	}
	w.must(&app.Enrol{ID: id, Certificate: gCert, Group: gGroup, Start: start,
		QuotedCert: q.Cert, QuotedParent: q.Parent, ParentConfirmed: true})
}

// russianOnly requires a document's text to hold no id and no word in Latin
// letters (issue 11: «…|27|2026-12|advance» on a financial document).
func russianOnly(t *testing.T, text string) {
	t.Helper()
	if id := uuidRe.FindString(text); id != "" {
		t.Errorf("the document prints the id %s", id)
	}
	for _, word := range latinRe.FindAllString(text, -1) {
		if !allowedLatin[word] {
			t.Errorf("the document has a word in Latin letters: %q", word)
		}
	}
	for _, machine := range []string{"РМЦ", "|", "advance", "final", "requested"} {
		if strings.Contains(text, machine) {
			t.Errorf("the document has %q", machine)
		}
	}
}

// golden compares a document's text with testdata/<name>.txt (go test
// ./pdf -run TestGoldenDocuments -update rewrites it).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".txt")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from %s:\n%s", name, path, got)
	}
}

// The contract and the final invoice of the golden world, read back with
// pdftotext: the human numbers, Russian words only, the long room whole, and
// the figures of RULES.md's worked examples.
func TestGoldenDocuments(t *testing.T) {
	w := goldenWorld(t)
	jan := app.MonthOf(2027, time.January)
	t.Run("Contract", func(t *testing.T) {
		got := text(t, w.render(func(r app.Reader) ([]byte, error) { return pdf.ContractOffer(r, gContract) }))
		golden(t, "contract", got)
		russianOnly(t, got)
		if !regexp.MustCompile(`№ ДД-27-2026-\d{6}\n`).MatchString(got) || !strings.Contains(got, "№ ДД-27-2026-000001") {
			t.Errorf("the contract's number is not ДД-27-2026-000001:\n%s", got)
		}
		words := strings.Fields(got)
		for _, w := range strings.Fields(longRoom) {
			if !slices.Contains(words, w) {
				t.Errorf("the room is not printed whole: %q is missing", w)
			}
		}
		wantAll(t, got, "Ткаченко Сергей Юрьевич",
			// RULES.md §6: all, cert, parent and the shares of the first and other months.
			"8 703,30 ₽", "5 000,00 ₽", "3 703,30 ₽",
			"ноябрь 2026 404,06 ₽ 299,26 ₽ 703,32 ₽", "январь 2027 765,99 ₽ 567,34 ₽ 1 333,33 ₽",
			"Итого 5 000,00 ₽ 3 703,30 ₽ 8 703,30 ₽", "Договор действует.")
		if strings.Contains(got, "…") {
			t.Errorf("a cell is cut:\n%s", got)
		}
	})
	t.Run("FinalInvoice", func(t *testing.T) {
		got := text(t, w.render(func(r app.Reader) ([]byte, error) {
			return pdf.Invoice(r, app.InvoiceID(gProv, "27", jan, app.InvFinal))
		}))
		golden(t, "invoice-final", got)
		russianOnly(t, got)
		if !regexp.MustCompile(`№ С-27-2027-01-И-\d{4}\n`).MatchString(got) {
			t.Errorf("the final invoice's number is not С-27-2027-01-И-NNNN:\n%s", got)
		}
		// RULES.md §7: share 765,99 ₽ at c = 75 → due 574,49 ₽; the advance was
		// withdrawn, so the final is the whole due.
		wantAll(t, got, "итоговый расчёт за январь 2027", "январь 2027 итоговый 574,49 ₽",
			"1 Ткаченко Сергей Юрьевич 26-27-000001 765,99 ₽ 75 % 574,49 ₽",
			"Аванс за месяц 0,00 ₽", "К оплате по итоговому счёту 574,49 ₽")
	})
	t.Run("Advance", func(t *testing.T) {
		got := text(t, w.render(func(r app.Reader) ([]byte, error) {
			return pdf.Invoice(r, app.InvoiceID(gProv, "27", app.MonthOf(2027, time.February), app.InvAdvance))
		}))
		golden(t, "invoice-advance", got)
		russianOnly(t, got)
		// ⌊80 % × 765,99⌋ = 612,79.
		wantAll(t, got, "№ С-27-2027-02-А-0001", "аванс за февраль 2027", "февраль 2027 аванс 612,79 ₽ 612,79 ₽ черновик")
	})
	// A contract a provider's node made and the server has not registered
	// yet: no number, words for a parent, no «РМЦ».
	t.Run("NodeContract", func(t *testing.T) {
		if err := w.db.SetScope(app.ProviderScope(gProv), false); err != nil {
			t.Fatal(err)
		}
		w.setToday("2027-02-01")
		w.must(&app.Terminate{Contract: gContract, Notice: day("2027-02-01"), Reason: "переезд"})
		w.enrolAt(gNode, day("2027-03-01"))
		got := text(t, w.render(func(r app.Reader) ([]byte, error) { return pdf.ContractOffer(r, gNode) }))
		russianOnly(t, got)
		wantAll(t, got, "№ будет присвоен", "ждёт регистрации в региональной системе")
	})
}
