//go:build !nogui

package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
	"kruzhok/assets"
)

// provWorld is a provider's node for screen tests: a real store in
// t.TempDir() on a clock the test sets, seeded with the krai, a price cap of
// 120 % (RULES.md's worked example has P = 1.2 × NS), an active provider in
// Ставрополь (27), whose municipality finances certificates of 5 000,00 ₽.
// The store's scope is provider:<id> with authority, so commands apply as the
// server would apply them.
type provWorld struct {
	worldBase
	prov string
}

func newProvWorld(t *testing.T, today string) *provWorld {
	t.Helper()
	w := &provWorld{worldBase: worldBase{t: t}}
	w.setToday(today)
	db := openChecked(t, w.clock, app.Check)
	w.db = db
	w.prov = "0197b2c4-0000-7000-8000-00000000a001"
	w.must(assets.Seed(app.MustDate(today)))
	w.must(&app.SetPriceCap{Pct: 120})
	w.must(&app.RegisterProvider{ID: w.prov, Name: "АНО ДО «Робототехника»", Type: app.ProviderTraining,
		Municipality: "27", INN: "2634000001", Licence: "26Л01-0001"})
	w.must(&app.SetProviderStatus{Provider: w.prov, Status: app.ProviderActive})
	w.must(&app.SetParams{Params: app.Params{Municipality: "27", Period: "2026-2027", Mode: app.ModeFinancing,
		Quota: 100, Nominal: 5_000_00, DaysToRequest: 30, Population: 1000, BudgetLimit: 100_000_000_00}})
	if err := db.SetScope(app.ProviderScope(w.prov), true); err != nil {
		t.Fatalf("set scope: %v", err)
	}
	return w
}

func (w *provWorld) outbox() int {
	w.t.Helper()
	n, err := w.db.OutboxLen()
	if err != nil {
		w.t.Fatal(err)
	}
	return n
}

func getRec[T any, P interface {
	*T
	app.Record
}](w *provWorld, id string) T {
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

func listRec[T any, P interface {
	*T
	app.Record
}](w *provWorld, index, prefix string) []T {
	w.t.Helper()
	var v []T
	err := w.db.View(func(r app.Reader) error {
		var err error
		v, err = app.List[T, P](r, index, prefix, 0)
		return err
	})
	if err != nil {
		w.t.Fatalf("list: %v", err)
	}
	return v
}

// programme makes a certified programme with one module of price and norm
// and returns the module's id.
func (w *provWorld) programme(title string, price, norm int64) (prog, mod string) {
	prog, mod = w.id("prog"), w.id("mod")
	w.must(&app.SaveProgramme{ID: prog, Provider: w.prov, Title: title, Direction: "tech",
		AgeMin: 5, AgeMax: 17, Form: "очная"})
	w.must(&app.SaveModule{ID: mod, Programme: prog, Name: "Базовый", Hours: 72, Months: 9,
		MinChildren: 5, MaxChildren: 20, Price: price, NormPrice: norm})
	w.must(&app.SubmitProgramme{Programme: prog})
	w.must(&app.CertifyProgramme{Programme: prog})
	return prog, mod
}

// group opens a group of the module for the worked example's dates,
// 2026-09-01 … 2027-05-31, with the weekly slots.
func (w *provWorld) group(name, mod string, slots ...app.Slot) string {
	id := w.id("grp")
	if len(slots) == 0 {
		slots = []app.Slot{{Weekday: 2, Start: 15 * 60, End: 16*60 + 30, Room: "12"}}
	}
	w.must(&app.OpenGroup{ID: id, Module: mod, Name: name, Start: app.MustDate("2026-09-01"),
		End: app.MustDate("2027-05-31"), Capacity: 15, AgeMin: 5, AgeMax: 17, Schedule: slots,
		EnrolFrom: app.MustDate("2026-08-15"), EnrolTo: app.MustDate("2027-04-30")})
	return id
}

// financed registers a child of Ставрополь and gives it a financing
// certificate of 5 000,00 ₽.
func (w *provWorld) financed(last, first string) (child, cert string) {
	w.t.Helper()
	child, cert = w.id("child"), w.id("cert")
	w.must(&app.RegisterChild{Child: app.Child{ID: child, LastName: last, FirstName: first,
		MiddleName: "Сергеевич", BirthDate: app.MustDate("2015-03-10"), Municipality: "27",
		GuardianName: "Петрова Анна Ивановна", GuardianPhone: "+7 918 000-00-00",
		ConsentDate: app.MustDate("2026-09-01"), ConsentBy: "Сидорова М. П."}})
	w.must(&app.IssueCertificate{ID: cert, Child: child})
	w.confirm(cert)
	w.must(&app.RequestFinancing{ID: w.id("req"), Certificate: cert})
	return child, cert
}

// confirm is the municipality's check of the documents behind a certificate
// the provider registered (RULES.md §3): Ставрополь's node confirms it, and
// the world, being the authority, applies the op as the server would.
func (w *provWorld) confirm(cert string) {
	w.t.Helper()
	w.as(app.MunicipalityScope("27"), &app.ConfirmCertificate{Certificate: cert})
}

// as applies the commands as a node of another scope would push them, then
// makes the world the provider's node again.
func (w *provWorld) as(scope string, cmds ...app.Command) {
	w.t.Helper()
	if err := w.db.SetScope(scope, true); err != nil {
		w.t.Fatalf("set scope %s: %v", scope, err)
	}
	defer func() {
		if err := w.db.SetScope(app.ProviderScope(w.prov), true); err != nil {
			w.t.Fatalf("set scope back: %v", err)
		}
	}()
	for _, c := range cmds {
		w.must(c)
	}
}

// enrol makes a contract at the figures the rules quote.
func (w *provWorld) enrol(cert, group, start string) string {
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

func (w *provWorld) ledger(cert string) app.Ledger {
	c := getRec[app.Certificate](w, cert)
	return c.LedgerOf("2026-2027")
}

// show puts a screen in a test window of a desktop size, as the tab shows it.
func show(t *testing.T, content fyne.CanvasObject) fyne.Window {
	t.Helper()
	win := test.NewWindow(content)
	win.Resize(fyne.NewSize(1200, 760))
	t.Cleanup(win.Close)
	return win
}

// findButton finds a button by its text in o's drawn tree (widgets through
// their renderers), or nil.
func findButton(o fyne.CanvasObject, text string) *widget.Button {
	var found *widget.Button
	walk(o, func(o fyne.CanvasObject) bool {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			found = b
			return false
		}
		return true
	})
	return found
}

// drawnInside is what o draws directly inside it: a container's objects, a
// widget's renderer's objects.
func drawnInside(o fyne.CanvasObject) []fyne.CanvasObject {
	switch v := o.(type) {
	case *fyne.Container:
		return v.Objects
	case fyne.Widget:
		return test.WidgetRenderer(v).Objects()
	}
	return nil
}

// walk visits o and everything drawn inside it until visit returns false.
func walk(o fyne.CanvasObject, visit func(fyne.CanvasObject) bool) bool {
	if o == nil || !visit(o) {
		return false
	}
	for _, k := range drawnInside(o) {
		if !walk(k, visit) {
			return false
		}
	}
	return true
}

// tapButton taps the button with the text in the window's top dialog or,
// without one, its content; the test fails when there is none or it is disabled.
func tapButton(t *testing.T, win fyne.Window, text string) {
	t.Helper()
	root := win.Content()
	if top := win.Canvas().Overlays().Top(); top != nil {
		root = top
	}
	b := findButton(root, text)
	if b == nil {
		t.Fatalf("no button «%s»", text)
	}
	if b.Disabled() {
		t.Fatalf("button «%s» is disabled", text)
	}
	test.Tap(b)
}

// typeInto replaces a field's text the way a person does: clear, then type.
func typeInto(f *field, s string) {
	f.entry.SetText("")
	test.Type(f.entry, s)
}

// pressEnter is the Enter key in an entry.
func pressEnter(e fyne.Focusable) {
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
}

func chooseGroup(t *testing.T, c *choice, prefix string) {
	t.Helper()
	for _, o := range c.sel.Options {
		if strings.Contains(o, prefix) {
			c.sel.SetSelected(o)
			return
		}
	}
	t.Fatalf("no option «%s…» in %q", prefix, c.sel.Options)
}
