//go:build !nogui

package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
	"kruzhok/assets"
)

// rgWorld is a region for the region's and municipalities' screen tests: a
// real store in t.TempDir() on a clock the test sets, its own authority, with
// the krai seeded and a price cap of 120 %. fill adds a little of everything
// the screens show, with fixed ids so that golden images are stable.
type rgWorld struct {
	worldBase

	provActive, provNew string
	progCertified       string
	progSubmitted       string
	group               string
	certs               []string // of Ставрополь (27), in registration order
}

func newRgWorld(t *testing.T, today string) *rgWorld {
	t.Helper()
	w := &rgWorld{worldBase: worldBase{t: t}}
	w.setToday(today)
	db := openChecked(t, w.clock, app.Check)
	w.db = db
	w.must(assets.Seed(app.MustDate(today)))
	w.must(&app.SetPriceCap{Pct: 120})
	return w
}

// opts are the screens' options on the world's clock.
func (w *rgWorld) opts() Options { return Options{Now: w.clock} }

var rgNames = []struct{ last, first, middle, birth string }{
	{"Иванов", "Артём", "Сергеевич", "2015-03-10"},
	{"Петрова", "Мария", "Андреевна", "2014-07-22"},
	{"Смирнов", "Илья", "Олегович", "2016-01-05"},
	{"Кузнецова", "Дарья", "Игоревна", "2013-11-30"},
	{"Волков", "Никита", "Дмитриевич", "2012-05-18"},
}

// fill makes the parameters of three municipalities (Ставрополь finances 3
// certificates of 5 000,00 ₽, so the fourth request waits), two providers,
// a certified and a submitted programme, five children of Ставрополь with
// certificates, a contract paid from a certificate, a municipal listing and
// a submitted advance invoice for November.
func (w *rgWorld) fill() {
	w.t.Helper()
	p := "2026-2027"
	w.must(&app.SetParams{Params: app.Params{Municipality: "01", Period: p, Mode: app.ModeAccounting,
		DaysToRequest: 30, Population: 4_800, BudgetLimit: 0}})
	w.must(&app.SetParams{Params: app.Params{Municipality: "27", Period: p, Mode: app.ModeFinancing,
		Quota: 3, Nominal: 5_000_00, SumLimit: 20_000_00, DaysToRequest: 30, Population: 12,
		BudgetLimit: 150_000_00, DirectionLimits: map[string]int64{"tech": 40}}})
	w.must(&app.SetParams{Params: app.Params{Municipality: "33", Period: p, Mode: app.ModeFinancing,
		Quota: 100, Nominal: 4_000_00, DaysToRequest: 45, Population: 2_000, BudgetLimit: 400_000_00}})

	w.provActive, w.provNew = w.id("prov"), w.id("prov")
	w.must(&app.RegisterProvider{ID: w.provActive, Name: "АНО ДО «Робототехника»", Type: app.ProviderTraining,
		Municipality: "27", INN: "2634000001", Licence: "26Л01-0001"})
	w.must(&app.SetProviderStatus{Provider: w.provActive, Status: app.ProviderActive})
	w.must(&app.RegisterProvider{ID: w.provNew, Name: "ИП Соколова Елена Викторовна", Type: app.ProviderIPNoStaff,
		Municipality: "33", INN: "263400000012"})

	w.progCertified, w.progSubmitted = w.id("prog"), w.id("prog")
	mod := w.id("mod")
	w.must(&app.SaveProgramme{ID: w.progCertified, Provider: w.provActive, Title: "Робототехника", Direction: "tech",
		AgeMin: 7, AgeMax: 14, Form: "очная", Description: "Конструирование и программирование роботов."})
	w.must(&app.SaveModule{ID: mod, Programme: w.progCertified, Name: "Базовый", Hours: 72, Months: 9,
		MinChildren: 5, MaxChildren: 15, Price: 12_000_00, NormPrice: 10_000_00})
	w.must(&app.SubmitProgramme{Programme: w.progCertified})
	w.must(&app.CertifyProgramme{Programme: w.progCertified})
	mod2 := w.id("mod")
	w.must(&app.SaveProgramme{ID: w.progSubmitted, Provider: w.provActive, Title: "Юный натуралист", Direction: "science",
		AgeMin: 6, AgeMax: 10, Form: "очно-заочная", Description: "Наблюдения в природе и опыты."})
	w.must(&app.SaveModule{ID: mod2, Programme: w.progSubmitted, Name: "Осень", Hours: 32, Months: 4,
		MinChildren: 4, MaxChildren: 12, Price: 4_000_00, NormPrice: 4_000_00})
	w.must(&app.SubmitProgramme{Programme: w.progSubmitted})

	w.group = w.id("grp")
	w.must(&app.OpenGroup{ID: w.group, Module: mod, Name: "Роботы-1", Start: app.MustDate("2026-09-01"),
		End: app.MustDate("2027-05-31"), Capacity: 12, AgeMin: 7, AgeMax: 14,
		Schedule:  []app.Slot{{Weekday: 2, Start: 15 * 60, End: 16*60 + 30, Room: "12"}},
		EnrolFrom: app.MustDate("2026-08-15"), EnrolTo: app.MustDate("2027-04-30")})

	for i, n := range rgNames {
		child, cert := w.id("child"), w.id("cert")
		w.must(&app.RegisterChild{Child: app.Child{ID: child, LastName: n.last, FirstName: n.first,
			MiddleName: n.middle, BirthDate: app.MustDate(n.birth), Municipality: "27",
			GuardianName: "Законный представитель", ConsentDate: app.MustDate("2026-09-01"), ConsentBy: "МОЦ"}})
		w.must(&app.IssueCertificate{ID: cert, Child: child})
		if i < 4 {
			w.must(&app.RequestFinancing{ID: w.id("req"), Certificate: cert})
		}
		w.certs = append(w.certs, cert)
	}
	w.enrol(w.certs[0], w.group, "2026-11-01")
	w.must(&app.ListProgramme{Municipality: "27", Programme: w.progSubmitted, Places: 20})
	w.must(&app.CloseMonth{Month: app.MonthOf(2026, time.November)})
	inv := app.InvoiceID(w.provActive, "27", app.MonthOf(2026, time.November), app.InvAdvance)
	var max int64
	_ = w.db.View(func(r app.Reader) error {
		i, err := app.Get[app.Invoice](r, inv)
		max = i.Max
		return err
	})
	w.must(&app.SubmitInvoice{Invoice: inv, Amount: max})
}

// enrol makes a contract at the figures the rules quote.
func (w *rgWorld) enrol(cert, group, start string) string {
	w.t.Helper()
	var q app.Quote
	err := w.db.View(func(r app.Reader) error {
		e, err := app.PrepareEnrolment(r, cert, group, app.MustDate(start), app.DateOf(w.now))
		q = e.Quote
		return err
	})
	if err != nil {
		w.t.Fatalf("quote: %v", err)
	}
	id := w.id("contract")
	w.must(&app.Enrol{ID: id, Certificate: cert, Group: group, Start: app.MustDate(start),
		QuotedCert: q.Cert, QuotedParent: q.Parent, ParentConfirmed: true})
	return id
}

// get loads one record of the world's store.
func rgGet[T any, P interface {
	*T
	app.Record
}](w *rgWorld, id string) T {
	w.t.Helper()
	var v T
	err := w.db.View(func(r app.Reader) error {
		var err error
		v, err = app.Get[T, P](r, id)
		return err
	})
	if err != nil {
		w.t.Fatalf("get %s: %v", id, err)
	}
	return v
}

// rgShow puts a screen in a test window of a desktop size.
func rgShow(t *testing.T, content fyne.CanvasObject) fyne.Window {
	t.Helper()
	win := test.NewWindow(content)
	win.Resize(fyne.NewSize(1200, 760))
	t.Cleanup(win.Close)
	return win
}

// rgWalk visits the visible objects drawn inside o, widgets through their
// renderers, until visit returns true (found).
func rgWalk(o fyne.CanvasObject, visit func(fyne.CanvasObject) bool) bool {
	if o == nil || !o.Visible() {
		return false
	}
	if visit(o) {
		return true
	}
	for _, k := range drawnInside(o) {
		if rgWalk(k, visit) {
			return true
		}
	}
	return false
}

// rgShows reports whether a visible label inside o contains the text.
func rgShows(o fyne.CanvasObject, text string) bool {
	return rgWalk(o, func(o fyne.CanvasObject) bool {
		l, ok := o.(*widget.Label)
		return ok && strings.Contains(l.Text, text)
	})
}

// rgButton finds a visible button by its text inside o, or nil.
func rgButton(o fyne.CanvasObject, text string) *widget.Button {
	var found *widget.Button
	rgWalk(o, func(o fyne.CanvasObject) bool {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			found = b
		}
		return found != nil
	})
	return found
}

// rgTap taps the enabled button with the text inside o.
func rgTap(t *testing.T, o fyne.CanvasObject, text string) {
	t.Helper()
	b := rgButton(o, text)
	switch {
	case b == nil:
		t.Fatalf("no button «%s»", text)
	case b.Disabled():
		t.Fatalf("button «%s» is disabled", text)
	}
	test.Tap(b)
}

// rgType replaces a field's text the way a person does: clear, then type.
func rgType(f *field, s string) {
	f.entry.SetText("")
	test.Type(f.entry, s)
}

// rgOutbox is the number of ops the store holds.
func (w *rgWorld) outbox() int {
	w.t.Helper()
	n, err := w.db.OutboxLen()
	if err != nil {
		w.t.Fatal(err)
	}
	return n
}

// widgetCell is a table cell id.
func widgetCell(row, col int) widget.TableCellID { return widget.TableCellID{Row: row, Col: col} }
