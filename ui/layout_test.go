//go:build !nogui

package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
	"kruzhok/assets"
	"kruzhok/monitor"
)

// smallScreen is the smallest screen the app is made for: a cheap office
// laptop (issue 11).
var smallScreen = fyne.NewSize(1024, 600)

// laptopWindow is what a window gets of that screen on Windows: the taskbar
// (40 px), the title bar and the borders left out (ui/screen.go opens the
// window at this size there). No screen may ask for more.
var laptopWindow = fitSize(preferredSize, 1024, 560, 1, windowFrame)

// Long names, as real ones are: they must shorten, wrap or scroll, never
// widen the window.
const (
	longProvider  = "Муниципальное бюджетное учреждение дополнительного образования «Центр детского технического творчества имени Героя Советского Союза А. И. Покрышкина» Шпаковского муниципального округа"
	longProgramme = "Основы робототехники, программирования микроконтроллеров и инженерного конструирования для младших школьников"
)

// layoutProblems lists what is wrong with win at the small screen: a content
// that asks for more than the screen (the real window would grow to give it),
// and visible objects that lie outside the window. Objects inside a scroll
// are judged by the scroll that clips them.
func layoutProblems(win fyne.Window) []string {
	var out []string
	c := win.Canvas()
	min := win.Content().MinSize()
	if win.Padded() {
		min = min.AddWidthHeight(2*padding(), 2*padding())
	}
	if min.Width > laptopWindow.Width+0.5 || min.Height > laptopWindow.Height+0.5 {
		out = append(out, fmt.Sprintf("the content asks for %.0f×%.0f, the window would grow beyond %.0f×%.0f; widest: %s",
			min.Width, min.Height, laptopWindow.Width, laptopWindow.Height, widest(win.Content(), laptopWindow.Width-4*padding())))
	}
	if s := c.Size(); s != smallScreen {
		out = append(out, fmt.Sprintf("the window is %.0f×%.0f", s.Width, s.Height))
	}
	var visit func(o fyne.CanvasObject, at fyne.Position, path string)
	visit = func(o fyne.CanvasObject, at fyne.Position, path string) {
		if o == nil || !o.Visible() {
			return
		}
		pos := at.Add(o.Position())
		size := o.Size()
		name := describe(o)
		if size.Width > 0 && size.Height > 0 &&
			(pos.X < -0.5 || pos.Y < -0.5 || pos.X+size.Width > smallScreen.Width+0.5 || pos.Y+size.Height > smallScreen.Height+0.5) {
			out = append(out, fmt.Sprintf("%s lies at %.0f,%.0f %.0f×%.0f, outside the window (%s)",
				name, pos.X, pos.Y, size.Width, size.Height, path))
			return // its insides are outside too: say it once
		}
		if b, ok := o.(*widget.Button); ok && b.Text != "" && size.Width+0.5 < b.MinSize().Width {
			out = append(out, fmt.Sprintf("%s is squeezed to %.0f of %.0f px (%s)", name, size.Width, b.MinSize().Width, path))
		}
		if _, ok := o.(*container.Scroll); ok {
			return // clipped: what is inside is reached by scrolling
		}
		for _, k := range drawnInside(o) {
			visit(k, pos, path+"/"+name)
		}
	}
	visit(win.Content(), fyne.NewPos(0, 0), "")
	return out
}

// widest is the path to the innermost object inside o that asks for more
// than limit px of width: the one to fix.
func widest(o fyne.CanvasObject, limit float32) string {
	path := describe(o)
	for {
		next := fyne.CanvasObject(nil)
		for _, k := range drawnInside(o) {
			if k.Visible() && k.MinSize().Width > limit {
				next = k
				break
			}
		}
		if next == nil {
			return fmt.Sprintf("%s (%.0f px)", path, o.MinSize().Width)
		}
		o = next
		path += "/" + describe(o)
	}
}

// describe names an object for a failure: its type and any text it shows.
func describe(o fyne.CanvasObject) string {
	name := strings.TrimPrefix(fmt.Sprintf("%T", o), "*")
	switch v := o.(type) {
	case *widget.Button:
		name += "«" + v.Text + "»"
	case *widget.Label:
		name += "«" + short(v.Text) + "»"
	case *widget.Select:
		name += "«" + short(v.PlaceHolder) + "»"
	case *input:
		name += "«" + short(v.PlaceHolder) + "»"
	}
	return name
}

func short(s string) string {
	if r := []rune(s); len(r) > 30 {
		return string(r[:30]) + "…"
	}
	return s
}

func padding() float32 { return fyne.CurrentApp().Settings().Theme().Size("padding") }

// smallWindow builds st's real window at the small screen in the Kruzhok
// theme.
func smallWindow(t *testing.T, a fyne.App, st app.Store, opts Options) fyne.Window {
	t.Helper()
	win := newWindow(a, st, opts)
	t.Cleanup(win.Close)
	win.Resize(smallScreen)
	return win
}

// checkLayout fails the test with every problem of win at the small screen.
func checkLayout(t *testing.T, win fyne.Window, where string) {
	t.Helper()
	for _, p := range layoutProblems(win) {
		t.Errorf("%s: %s", where, p)
	}
}

// pickEverything selects, inside o, the first row of every table and list
// and the longest option of every choice: what people click and what used to
// widen the window.
func pickEverything(o fyne.CanvasObject) {
	var tables []*widget.Table
	var lists []*widget.List
	var selects []*widget.Select
	var pickers []*groupPicker
	rgWalk(o, func(o fyne.CanvasObject) bool {
		switch v := o.(type) {
		case *groupPicker:
			pickers = append(pickers, v)
		case *widget.Table:
			tables = append(tables, v)
		case *widget.List:
			lists = append(lists, v)
		case *widget.Select:
			selects = append(selects, v)
		}
		return false // on to every visible object
	})
	for _, tb := range tables {
		if r, _ := tb.Length(); r > 0 {
			tb.Select(widget.TableCellID{Row: 0, Col: 0})
		}
	}
	for _, l := range lists {
		if l.Length() > 0 {
			l.Select(0)
		}
	}
	for _, s := range selects {
		if s.Disabled() || len(s.Options) == 0 {
			continue
		}
		longest := s.Options[0]
		for _, op := range s.Options {
			if len([]rune(op)) > len([]rune(longest)) {
				longest = op
			}
		}
		s.SetSelected(longest)
	}
	// A group picker takes the longest group with places: a full one is
	// refused, and the quote is what must fit.
	for _, p := range pickers {
		longest := -1
		for i, op := range p.Options {
			if !p.full(i) && (longest < 0 || len([]rune(op)) > len([]rune(p.Options[longest]))) {
				longest = i
			}
		}
		if longest >= 0 {
			p.SetSelectedIndex(longest)
		}
	}
}

// checkEveryTab shows every tab of win, checks it, picks everything in it and
// checks it again; then, the window having shown every tab, checks the first.
// Each problem is reported once, with the first screen it was seen on.
func checkEveryTab(t *testing.T, win fyne.Window, role string) {
	t.Helper()
	tabs := findTabs(win.Content())
	if tabs == nil {
		t.Fatalf("%s: no tabs", role)
	}
	seen := map[string]bool{}
	check := func(where string) {
		t.Helper()
		for _, p := range layoutProblems(win) {
			if !seen[p] {
				seen[p] = true
				t.Errorf("%s %s: %s", role, where, p)
			}
		}
	}
	check("at start")
	limit := smallScreen.Width - 2*padding() - 2*padding()
	for _, it := range tabs.Items {
		tabs.Select(it)
		chartWork.Wait() // «Мониторинг» draws its charts in the background
		check("«" + it.Text + "»")
		pickEverything(it.Content)
		check("«" + it.Text + "» with rows and choices picked")
		if m := it.Content.MinSize(); m.Width > limit {
			t.Errorf("%s «%s»: the screen asks for %.0f px of width, for %s", role, it.Text, m.Width, widest(it.Content, limit))
		}
	}
	tabs.SelectIndex(0)
	check("back at the first tab")
}

// layoutRegion is the filled region with a long-named provider and
// programme, and the whole krai of municipalities.
func layoutRegion(t *testing.T) *rgWorld {
	w := newRgWorld(t, "2026-11-27")
	w.fill()
	prov := w.id("prov")
	w.must(&app.RegisterProvider{ID: prov, Name: longProvider, Type: app.ProviderTraining,
		Municipality: "33", INN: "2634000077", Licence: "26Л01-0077"})
	w.must(&app.SetProviderStatus{Provider: prov, Status: app.ProviderActive})
	prog, mod := w.id("prog"), w.id("mod")
	w.must(&app.SaveProgramme{ID: prog, Provider: prov, Title: longProgramme, Direction: "tech",
		AgeMin: 7, AgeMax: 11, Form: "очная", Description: strings.Repeat("Длинное описание программы. ", 12)})
	w.must(&app.SaveModule{ID: mod, Programme: prog, Name: "Первый год обучения: конструирование", Hours: 72, Months: 9,
		MinChildren: 5, MaxChildren: 15, Price: 12_000_00, NormPrice: 10_000_00})
	w.must(&app.SubmitProgramme{Programme: prog})
	return w
}

func TestLayoutRegionAtSmallScreen(t *testing.T) {
	a := test.NewTempApp(t)
	test.ApplyTheme(t, newTheme())
	w := layoutRegion(t)
	opts := w.opts()
	opts.DataPath = "/home/rmc/.config/kruzhok/kruzhok.db"
	checkEveryTab(t, smallWindow(t, a, w.db, opts), "region")
}

func TestLayoutMunicipalityAtSmallScreen(t *testing.T) {
	a := test.NewTempApp(t)
	test.ApplyTheme(t, newTheme())
	w := layoutRegion(t)
	w.providerRegistered("Орлова", "Вера", "ABCD2345")
	if err := w.db.SetScope(app.MunicipalityScope("27"), true); err != nil {
		t.Fatal(err)
	}
	opts := w.opts()
	opts.DataPath = "C:\\Users\\Методист\\AppData\\Roaming\\kruzhok\\kruzhok.db"
	checkEveryTab(t, smallWindow(t, a, w.db, opts), "municipality")
}

// layoutProvider is a provider with a long name, long programmes, groups
// with children, a contract and the invoices of a closed month.
func layoutProvider(t *testing.T) *provWorld {
	w := &provWorld{worldBase: worldBase{t: t}}
	w.setToday("2026-11-10")
	w.db = openChecked(t, w.clock, app.Check)
	w.prov = "0197b2c4-0000-7000-8000-00000000a001"
	w.must(assets.Seed(app.MustDate("2026-11-10")))
	w.must(&app.SetPriceCap{Pct: 120})
	w.must(&app.RegisterProvider{ID: w.prov, Name: longProvider, Type: app.ProviderTraining,
		Municipality: "27", INN: "2634000001", Licence: "26Л01-0001"})
	w.must(&app.SetProviderStatus{Provider: w.prov, Status: app.ProviderActive})
	w.must(&app.SetParams{Params: app.Params{Municipality: "27", Period: "2026-2027", Mode: app.ModeFinancing,
		Quota: 100, Nominal: 5_000_00, DaysToRequest: 30, Population: 1000, BudgetLimit: 100_000_000_00}})
	if err := w.db.SetScope(app.ProviderScope(w.prov), true); err != nil {
		t.Fatal(err)
	}
	_, mod := w.programme(longProgramme, 12_000_00, 10_000_00)
	_, mod2 := w.programme("Юный натуралист: наблюдения в природе, опыты и экологические проекты", 8_000_00, 8_000_00)
	group := w.group("Роботы-1, вторник и четверг, кабинет робототехники", mod)
	w.group("Натуралисты, старшая группа", mod2)
	for _, n := range []string{"Петров", "Константинопольский-Оглы", "Сидорова"} {
		_, cert := w.financed(n, "Иван")
		w.enrol(cert, group, "2026-11-10")
	}
	w.financed("Иванова", "Мария")
	w.setToday("2026-12-01")
	w.must(&app.CloseMonth{Month: app.MustDate("2026-12-01").Month()})
	return w
}

func TestLayoutProviderAtSmallScreen(t *testing.T) {
	a := test.NewTempApp(t)
	test.ApplyTheme(t, newTheme())
	w := layoutProvider(t)
	if got := scopeLabel(w.db); !strings.Contains(got, "Покрышкина") {
		t.Fatalf("the provider's name did not reach the window: %q", got)
	}
	opts := Options{Now: w.clock, DataPath: filepath.Join(t.TempDir(), "kruzhok.db")}
	win := smallWindow(t, a, w.db, opts)
	checkEveryTab(t, win, "provider")

	// Enrolment with a quote: a child found, the longest group chosen.
	openTab(t, win, "Зачисление")
	findChild(t, selectedTab(win), "Иванова")
	pickEverything(selectedTab(win))
	checkLayout(t, win, "provider «Зачисление» with a quote")
}

// findChild types the query into the screen's search of children and
// chooses the first child found.
func findChild(t *testing.T, screen fyne.CanvasObject, query string) {
	t.Helper()
	var e *widget.Entry
	walk(screen, func(o fyne.CanvasObject) bool {
		if v, ok := o.(*widget.Entry); ok && strings.HasPrefix(v.PlaceHolder, "Фамилия, имя") {
			e = v
			return false
		}
		return true
	})
	if e == nil {
		t.Fatal("no search of children")
	}
	test.Type(e, query)
	l := find[*widget.List](t, screen)
	if l.Length() == 0 {
		t.Fatalf("«%s» found no one", query)
	}
	l.Select(0)
}

func TestLayoutFirstStartAtSmallScreen(t *testing.T) {
	a := test.NewTempApp(t)
	test.ApplyTheme(t, newTheme())
	st := newTestStore(t, "region")
	win := smallWindow(t, a, st, Options{DataPath: "/tmp/new.db", FirstStart: &FirstStart{
		Demo: func(func(string, int, int)) error { return nil },
		Join: func(context.Context, string, string) error { return nil },
	}})
	checkLayout(t, win, "first start")
}

func TestLayoutUnlockAtSmallScreen(t *testing.T) {
	a := test.NewTempApp(t)
	test.ApplyTheme(t, newTheme())
	sealed := filepath.Join(t.TempDir(), "kruzhok.db")
	makeSealed(t, sealed, "верный пароль")
	for name, path := range map[string]string{"unlock": sealed, "unlock, a new database": filepath.Join(t.TempDir(), "new.db")} {
		win := newUnlockWindow(a, Unlock{DataPath: path, Open: func([]byte, func(int, int)) (app.Store, Options, error) {
			return nil, Options{}, fmt.Errorf("not in this test")
		}})
		t.Cleanup(win.Close)
		win.Resize(smallScreen)
		checkLayout(t, win, name)
	}
}

// scrollableAt is what the desktop driver gives the mouse wheel to: the
// last scrollable object drawn under the point (Fyne's
// driver.FindObjectAtPositionMatching walks the tree in drawing order).
func scrollableAt(o fyne.CanvasObject, at, p fyne.Position) fyne.Scrollable {
	if o == nil || !o.Visible() {
		return nil
	}
	pos := at.Add(o.Position())
	size := o.Size()
	if p.X < pos.X || p.Y < pos.Y || p.X >= pos.X+size.Width || p.Y >= pos.Y+size.Height {
		return nil
	}
	var found fyne.Scrollable
	if s, ok := o.(fyne.Scrollable); ok {
		found = s
	}
	for _, k := range drawnInside(o) {
		if s := scrollableAt(k, pos, p); s != nil {
			found = s
		}
	}
	return found
}

// The wheel over a field scrolls the form: on the municipality's parameters
// at 1024×600 the form is taller than the window, and the pointer rests on
// the «Номинал» field.
func TestWheelOverAFieldScrollsTheForm(t *testing.T) {
	a := test.NewTempApp(t)
	test.ApplyTheme(t, newTheme())
	w := munWorld(t)
	win := smallWindow(t, a, w.db, w.opts())
	openTab(t, win, "Параметры")
	form := find[*container.Scroll](t, selectedTab(win))
	var nominal *input
	walk(form.Content, func(o fyne.CanvasObject) bool {
		if e, ok := o.(*input); ok && e.PlaceHolder == "например 5 000,00" {
			nominal = e
			return false
		}
		return true
	})
	if nominal == nil {
		t.Fatal("no «Номинал» field")
	}
	if form.Content.MinSize().Height <= form.Size().Height {
		t.Fatalf("the form fits (%v in %v): nothing to scroll", form.Content.MinSize(), form.Size())
	}
	at := a.Driver().AbsolutePositionForObject(nominal).AddXY(20, nominal.Size().Height/2)
	got := scrollableAt(win.Content(), fyne.NewPos(0, 0).AddXY(padding(), padding()), at)
	if got == nil {
		t.Fatal("nothing takes the wheel over the field")
	}
	got.Scrolled(&fyne.ScrollEvent{PointEvent: fyne.PointEvent{AbsolutePosition: at}, Scrolled: fyne.NewDelta(0, -60)})
	if form.Offset.Y <= 0 {
		t.Errorf("the form did not scroll (the wheel went to %T)", got)
	}
}

// Errors have places of their own (issue 11): on «Исполнители» at 1024×600
// a refused form moves no button, the status does not repeat a field's
// message, and every message goes once the fields are right.
func TestErrorsKeepTheirPlaceAndGoWhenFixed(t *testing.T) {
	a := test.NewTempApp(t)
	test.ApplyTheme(t, newTheme())
	w := newRgWorld(t, "2026-11-27")
	s := newProvidersScreen(w.db, w.clock)
	s.refresh()
	win := test.NewWindow(s.content)
	t.Cleanup(win.Close)
	win.Resize(smallScreen)
	relayout(win.Content())
	before := a.Driver().AbsolutePositionForObject(s.save)
	test.Tap(s.save)
	relayout(win.Content())
	if after := a.Driver().AbsolutePositionForObject(s.save); after != before {
		t.Errorf("the button moved from %v to %v when the errors appeared", before, after)
	}
	shown := map[string]bool{}
	for _, c := range []checker{s.name, s.kind, s.mun, s.inn} {
		if !c.failing() {
			t.Errorf("%T shows no message", c)
		}
	}
	for _, m := range []*widget.Label{s.name.msg, s.kind.msg, s.mun.msg, s.inn.msg} {
		if shown[m.Text] {
			t.Errorf("«%s» is said twice", m.Text)
		}
		shown[m.Text] = true
	}
	if shown[s.status.Text] || !strings.Contains(s.status.Text, "исправьте поля") {
		t.Errorf("status %q", s.status.Text)
	}

	// Fixing the fields one by one: each message goes with its mistake, the
	// status with the last one.
	test.Type(s.name.entry, "ООО «Кванториум»")
	if s.name.failing() || s.status.Text == "" {
		t.Errorf("after the name: its message %q, status %q", s.name.msg.Text, s.status.Text)
	}
	s.kind.sel.SetSelected(app.ProviderTraining)
	s.mun.sel.SetSelectedIndex(0)
	test.Type(s.inn.entry, "2634000099")
	test.Type(s.licence.entry, "26Л01-0099")
	if s.kind.failing() || s.mun.failing() || s.inn.failing() || s.licence.failing() {
		t.Error("a fixed field keeps its message")
	}
	if s.status.Text != "" {
		t.Errorf("the status stays after every field is right: %q", s.status.Text)
	}
}

// A provider's long name in the top bar is cut with «…» beside the sync
// state instead of running into it, and a click on it shows it whole.
func TestTopBarCutsALongNameAndShowsItWhole(t *testing.T) {
	a := test.NewTempApp(t)
	test.ApplyTheme(t, newTheme())
	w := layoutProvider(t)
	win := smallWindow(t, a, w.db, Options{Now: w.clock, DataPath: "C:\\Users\\Секретарь\\AppData\\Roaming\\kruzhok\\kruzhok.db"})
	bar := find[*fullText](t, win.Content())
	if !strings.Contains(bar.Text(), "Покрышкина") {
		t.Fatalf("the bar's first text is %q", bar.Text())
	}
	// A node that is not joined offers «Подключить…» where a joined one
	// has «Синхронизировать сейчас».
	sync := rgButton(win.Content(), "Подключить…")
	if sync == nil {
		t.Fatal("no sync button in the bar")
	}
	d := a.Driver()
	nameEnd := d.AbsolutePositionForObject(bar).X + bar.Size().Width
	if !bar.cut() || nameEnd > d.AbsolutePositionForObject(sync).X-100 {
		t.Errorf("the name ends at %.0f, the sync state begins before %.0f (cut %v)", nameEnd, d.AbsolutePositionForObject(sync).X, bar.cut())
	}
	test.Tap(bar)
	top := win.Canvas().Overlays().Top()
	if top == nil || !rgShows(top, longProvider) {
		t.Error("a click on the cut name does not show it whole")
	}
}

// The charts are shown at the size they are drawn (10 pt labels at 13 px),
// shrunk only to fit the small screen: no chart below 90 % of its pixels
// unless it is wider than the screen allows.
func TestChartsAreShownAtTheirSize(t *testing.T) {
	test.NewTempApp(t)
	w := layoutRegion(t)
	rep, err := func() (app.Report, error) {
		var rep app.Report
		err := w.db.View(func(r app.Reader) error {
			var err error
			rep, err = app.Monitoring(r, "")
			return err
		})
		return rep, err
	}()
	if err != nil {
		t.Fatal(err)
	}
	charts, err := monitor.Charts(rep)
	if err != nil {
		t.Fatal(err)
	}
	imgs := chartImages(charts)
	for i, c := range charts {
		img := imgs[i].(*canvas.Image)
		drawn := float32(c.W.Points() * 96 / 72)
		shown := img.MinSize().Width
		if shown < 0.9*min(drawn, maxChartWidth) || shown > maxChartWidth {
			t.Errorf("%s drawn %.0f px wide is shown at %.0f px", c.Name, drawn, shown)
		}
	}
}
