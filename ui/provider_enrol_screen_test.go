//go:build !nogui

package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
)

// demoGroups is a provider as the demo makes it: two programmes of two
// modules, each module with «Группа 1 (9–12 лет)», and a fifth group of one
// place that a child already took.
type demoGroups struct {
	w                  *provWorld
	robots1, chess2    string // groups with free places
	full               string // the group of one place, taken
	child, cert, other string
}

func newDemoGroups(t *testing.T) demoGroups {
	t.Helper()
	w := newProvWorld(t, "2026-11-10")
	d := demoGroups{w: w}
	open := func(mod, name string, capacity int64) string {
		id := w.id("grp")
		w.must(&app.OpenGroup{ID: id, Module: mod, Name: name, Start: app.MustDate("2026-09-01"),
			End: app.MustDate("2027-05-31"), Capacity: capacity, AgeMin: 9, AgeMax: 12,
			Schedule:  []app.Slot{{Weekday: 2, Start: 15 * 60, End: 16*60 + 30, Room: "12"}},
			EnrolFrom: app.MustDate("2026-08-15"), EnrolTo: app.MustDate("2027-04-30")})
		return id
	}
	prog, mod1, mod2 := w.id("prog"), w.id("mod"), w.id("mod")
	w.must(&app.SaveProgramme{ID: prog, Provider: w.prov, Title: "Робототехника", Direction: "tech",
		AgeMin: 5, AgeMax: 17, Form: "очная"})
	for mod, name := range map[string]string{mod1: "Базовый", mod2: "Модуль 2. Программирование роботов на Python"} {
		w.must(&app.SaveModule{ID: mod, Programme: prog, Name: name, Hours: 72, Months: 9,
			MinChildren: 5, MaxChildren: 20, Price: 12_000_00, NormPrice: 10_000_00})
	}
	w.must(&app.SubmitProgramme{Programme: prog})
	w.must(&app.CertifyProgramme{Programme: prog})
	_, chess := w.programme("Шахматы", 9_000_00, 9_000_00)
	d.robots1 = open(mod1, "Группа 1 (9–12 лет)", 15)
	open(mod2, "Группа 1 (9–12 лет)", 15)
	d.chess2 = open(chess, "Группа 2 (9–12 лет)", 15)
	d.full = open(chess, "Группа 1 (9–12 лет)", 1)
	d.child, d.cert = w.financed("Петров", "Иван")
	_, d.other = w.financed("Сидоров", "Олег")
	w.enrol(d.other, d.full, "2026-11-15")
	return d
}

// settle does what a desktop window does when its content changes: it
// grows to the content's minimum size, and lays the content out again.
func settle(win fyne.Window) fyne.Size {
	win.Content().Refresh()
	min := win.Content().MinSize().Add(fyne.NewSquareSize(2 * theme.Padding()))
	win.Resize(win.Canvas().Size().Max(min))
	return win.Canvas().Size()
}

// inside fails the test unless o is drawn whole within the rectangle of
// area (an object of the same window) and within the window.
func inside(t *testing.T, win fyne.Window, o, area fyne.CanvasObject, what string) {
	t.Helper()
	d := fyne.CurrentApp().Driver()
	pos, size := d.AbsolutePositionForObject(o), o.Size()
	apos, asize := d.AbsolutePositionForObject(area), area.Size()
	ws := win.Canvas().Size()
	if !o.Visible() || size.Width <= 0 || size.Height <= 0 {
		t.Fatalf("%s is not drawn: visible %v, size %v", what, o.Visible(), size)
	}
	if pos.X < 0 || pos.Y < 0 || pos.X+size.Width > ws.Width || pos.Y+size.Height > ws.Height {
		t.Errorf("%s at %v size %v leaves the window %v", what, pos, size, ws)
	}
	if pos.X < apos.X || pos.Y < apos.Y || pos.X+size.Width > apos.X+asize.Width || pos.Y+size.Height > apos.Y+asize.Height {
		t.Errorf("%s at %v size %v leaves its pane at %v size %v", what, pos, size, apos, asize)
	}
}

// On a 1024×600 office laptop the group with the longest name does not
// widen the window, and «Заключить договор» and «Расторгнуть» stay whole in
// the window and in their panes.
func TestEnrolFitsA1024x600Window(t *testing.T) {
	test.NewTempApp(t)
	test.ApplyTheme(t, theme.DefaultTheme())
	d := newDemoGroups(t)
	s := newEnrolScreen(d.w.db, d.w.prov, d.w.clock)
	win := test.NewWindow(s.content)
	t.Cleanup(win.Close)
	win.Resize(fyne.NewSize(1024, 600))

	chooseChild(t, s.finder, "Петров", d.child)
	longest := ""
	for i, o := range s.group.sel.Options {
		if !s.groupFull(i) && len([]rune(o)) > len([]rune(longest)) {
			longest = o
		}
	}
	if !strings.Contains(longest, "Модуль 2. Программирование роботов на Python · Группа 1 (9–12 лет)") {
		t.Fatalf("longest option = %q", longest)
	}
	s.group.sel.SetSelected(longest)
	if !s.quoted {
		t.Fatalf("no quote for the longest group: %q", s.quoteMsg.Text)
	}
	if size := settle(win); size.Width != 1024 {
		t.Errorf("the window grew to %v wide after choosing the group, want 1024", size.Width)
	}
	inside(t, win, s.confirm, s.split.Trailing, "«Заключить договор»")

	s.tabs.Select(s.listTab)
	if size := settle(win); size.Width != 1024 {
		t.Errorf("the window grew to %v wide on the contracts tab", size.Width)
	}
	inside(t, win, s.terminate, s.listTab.Content, "«Расторгнуть»")
}

// Every group is named with its programme and module; a full group is
// marked «мест нет», and neither the list nor the keyboard nor the code can
// choose it.
func TestEnrolPickerNamesProgrammeAndRefusesFullGroups(t *testing.T) {
	test.NewTempApp(t)
	d := newDemoGroups(t)
	s := newEnrolScreen(d.w.db, d.w.prov, d.w.clock)
	win := show(t, s.content)

	want := []string{
		"Робототехника · Базовый · Группа 1 (9–12 лет) · свободно мест: 15",
		"Робототехника · Модуль 2. Программирование роботов на Python · Группа 1 (9–12 лет) · свободно мест: 15",
		"Шахматы · Базовый · Группа 1 (9–12 лет) · мест нет",
		"Шахматы · Базовый · Группа 2 (9–12 лет) · свободно мест: 15",
	}
	if got := s.group.sel.Options; strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("options:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// The list: the full group's line is disabled, a tap on it does nothing.
	picker := s.group.box.Objects[0].(*groupPicker)
	test.Tap(picker)
	var menu *widget.PopUpMenu
	walk(win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) bool {
		menu, _ = o.(*widget.PopUpMenu)
		return menu == nil
	})
	if menu == nil {
		t.Fatal("no list of groups")
	}
	if len(menu.Items) != 4 {
		t.Fatalf("%d lines in the list", len(menu.Items))
	}
	test.Tap(menu.Items[2].(fyne.Tappable))
	if s.group.sel.SelectedIndex() >= 0 {
		t.Errorf("the full group was chosen from the list: %q", s.group.sel.Selected)
	}
	menu.Hide()

	// The keyboard steps over it.
	s.group.sel.SetSelectedIndex(1)
	picker.TypedKey(&fyne.KeyEvent{Name: fyne.KeyRight})
	if got := s.group.sel.SelectedIndex(); got != 3 {
		t.Errorf("→ from option 1 chose %d, want 3 (2 is full)", got)
	}

	// From code: refused, with the reason under the picker.
	s.group.sel.SetSelectedIndex(2)
	if s.group.sel.SelectedIndex() >= 0 || !s.group.msg.Visible() || s.group.msg.Text != "В этой группе мест нет: выберите другую" {
		t.Errorf("full group chosen = %q, message %q (shown %v)", s.group.sel.Selected, s.group.msg.Text, s.group.msg.Visible())
	}

	// The quote and the contracts list name the programme too.
	chooseChild(t, s.finder, "Петров", d.child)
	chooseGroup(t, s.group, "Шахматы · Базовый · Группа 2")
	if !strings.HasPrefix(s.quoteMsg.Text, "«Шахматы · Базовый · Группа 2 (9–12 лет)». Обучение с 10.11.2026") {
		t.Errorf("quote = %q", s.quoteMsg.Text)
	}
	if got := s.contractCell(0, 2); got != "Шахматы · Базовый · Группа 1 (9–12 лет)" {
		t.Errorf("contracts list group = %q", got)
	}
}

// The contracts list finds a contract by the child's name, the certificate
// number, or the programme and group, in any case.
func TestContractsSearch(t *testing.T) {
	test.NewTempApp(t)
	d := newDemoGroups(t)
	d.w.enrol(d.cert, d.robots1, "2026-11-15")
	for _, name := range []string{"Андреев", "Борисов", "Волков", "Григорьев", "Дмитриев", "Егоров"} {
		_, cert := d.w.financed(name, "Пётр")
		d.w.enrol(cert, d.chess2, "2026-11-15")
	}
	s := newEnrolScreen(d.w.db, d.w.prov, d.w.clock)
	win := show(t, s.content)
	s.tabs.Select(s.listTab)
	settle(win)
	if s.listTab.Text != "Договоры (8)" || s.found.Text != "Всего договоров: 8" {
		t.Errorf("tab %q, line %q", s.listTab.Text, s.found.Text)
	}
	// A table row a contract, one line each: at 760 pixels, ten and more.
	rows := 0
	walk(s.clist, func(o fyne.CanvasObject) bool {
		if l, ok := o.(*widget.Label); ok && l.Visible() && strings.HasPrefix(l.Text, "26-27-") {
			rows++
		}
		return true
	})
	if rows < 8 {
		t.Errorf("%d contracts drawn at once, want all 8", rows)
	}

	number := getRec[app.Certificate](d.w, d.cert).Number
	for _, c := range []struct {
		name, query string
		want        []string
	}{
		{"Surname", "петров", []string{"Петров Иван Сергеевич"}},
		{"CertificateNumber", number, []string{"Петров Иван Сергеевич"}},
		{"Programme", "робото", []string{"Петров Иван Сергеевич"}},
		{"ProgrammeAndGroup", "шахматы группа 1", []string{"Сидоров Олег Сергеевич"}},
		{"Nothing", "Ярцев", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			test.Type(s.search, c.query)
			defer s.search.SetText("")
			var got []string
			for i := range s.shown {
				got = append(got, s.contractCell(i, 0))
			}
			if strings.Join(got, ";") != strings.Join(c.want, ";") {
				t.Errorf("«%s» found %q, want %q", c.query, got, c.want)
			}
			if len(c.want) == 0 && s.found.Text != "Ничего не нашлось. Проверьте написание или сотрите часть запроса" {
				t.Errorf("empty result says %q", s.found.Text)
			}
		})
	}

	// The found contract is the one the buttons act on.
	test.Type(s.search, "петров")
	s.clist.Select(widget.TableCellID{Row: 0, Col: 2})
	tapButton(t, win, "Расторгнуть")
	typeInto(s.notice, "30.11.2026")
	tapButton(t, win, "Расторгнуть")
	if k := listRec[app.Contract](d.w, app.IdxCertificate, d.cert); len(k) != 1 || k[0].Status != app.ContractTerminating {
		t.Errorf("Петров's contract after «Расторгнуть»: %+v (%s)", k, s.status.Text)
	}
}

// The groups tab names each group as the picker does, and says when it is full.
func TestGroupsTabNamesProgrammeAndModule(t *testing.T) {
	test.NewTempApp(t)
	d := newDemoGroups(t)
	s := newGroupsScreen(d.w.db, d.w.prov, d.w.clock)
	show(t, s.content)
	var lines []string
	for i := range s.groups {
		row := s.createRow()
		s.updateRow(i, row)
		l := row.(*fyne.Container).Objects
		lines = append(lines, l[0].(*widget.Label).Text+" | "+strings.SplitN(l[2].(*widget.Label).Text, " · ", 2)[0])
	}
	want := []string{
		"Робототехника · Базовый · Группа 1 (9–12 лет) | мест 15, свободно 15",
		"Робототехника · Модуль 2. Программирование роботов на Python · Группа 1 (9–12 лет) | мест 15, свободно 15",
		"Шахматы · Базовый · Группа 1 (9–12 лет) | мест 1, свободных нет",
		"Шахматы · Базовый · Группа 2 (9–12 лет) | мест 15, свободно 15",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("groups list:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

// The whole provider window at 1024×600: no tab makes it grow, whatever
// group is chosen on «Зачисление».
func TestProviderWindowFits1024x600OnEveryTab(t *testing.T) {
	a := test.NewTempApp(t)
	test.ApplyTheme(t, theme.DefaultTheme())
	d := newDemoGroups(t)
	d.w.enrol(d.cert, d.robots1, "2026-11-15")
	win := newMainWindow(a, d.w.db, "")
	t.Cleanup(win.Close)
	win.Resize(fyne.NewSize(1024, 600))
	tabs := findTabs(win.Content())
	for i, it := range tabs.Items {
		tabs.SelectIndex(i)
		if size := settle(win); size != fyne.NewSize(1024, 600) {
			t.Errorf("tab «%s» makes the window %v", it.Text, size)
			win.Resize(fyne.NewSize(1024, 600))
		}
	}
}
