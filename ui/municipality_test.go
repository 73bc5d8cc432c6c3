//go:build !nogui

package ui

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"kruzhok/app"
)

// munWorld is the filled region seen from Ставрополь's node.
func munWorld(t *testing.T) *rgWorld {
	t.Helper()
	w := newRgWorld(t, "2026-11-27")
	w.fill()
	if err := w.db.SetScope(app.MunicipalityScope("27"), true); err != nil {
		t.Fatal(err)
	}
	return w
}

func TestMunicipalityWindowHasEveryScreen(t *testing.T) {
	a := test.NewTempApp(t)
	w := munWorld(t)
	win := newWindow(a, w.db, w.opts())
	defer win.Close()
	tabs := findTabs(win.Content())
	if got := tabTitles(t, win); !slices.Equal(got, municipalityTabs) {
		t.Fatalf("tabs = %q", got)
	}
	for _, it := range tabs.Items {
		if _, ok := it.Content.(*refreshOnShow); !ok {
			t.Errorf("tab «%s» is a placeholder", it.Text)
		}
	}
	// The first tab is in view at once, with the stored parameters.
	if !rgShows(tabs.Items[0].Content, "Выдано сертификатов финансирования: 3") {
		t.Error("the parameters tab does not show what is issued")
	}
	for _, title := range slices.Concat(regionTabs, providerTabs) {
		if slices.Contains(tabTitles(t, win), title) && !slices.Contains(municipalityTabs, title) {
			t.Errorf("municipality sees tab %q", title)
		}
	}
}

func TestParamsFormCatchesBadInputAtTheField(t *testing.T) {
	test.NewTempApp(t)
	w := munWorld(t)
	s := newParamsScreen(w.db, "27", w.clock)
	s.refresh()
	rgShow(t, s.content)
	if s.quota.text() != "3" || s.nominal.text() != "5 000,00" || s.days.text() != "30" {
		t.Fatalf("form = quota %q nominal %q days %q", s.quota.text(), s.nominal.text(), s.days.text())
	}
	before := rgGet[app.Params](w, "27/2026-2027")
	ops := w.outbox()

	rgType(s.days, "4")
	rgType(s.nominal, "-100")
	s.days.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // Enter submits the form

	for _, c := range []struct {
		name string
		f    *field
		want string
	}{
		{"DaysToRequest", s.days, "Срок до первой заявки — от 5 до 366 дней (правила ПФДО: не меньше 5), указано 4"},
		{"NegativeNominal", s.nominal, "Номинал не может быть отрицательным"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if !c.f.msg.Visible() || c.f.msg.Text != c.want {
				t.Errorf("message under the field = %q (shown %v), want %q", c.f.msg.Text, c.f.msg.Visible(), c.want)
			}
		})
	}
	if !rgShows(s.content, "Параметры не сохранены") {
		t.Errorf("status = %q", s.status.Text)
	}
	if got := rgGet[app.Params](w, "27/2026-2027"); got.DaysToRequest != before.DaysToRequest || got.Nominal != before.Nominal {
		t.Errorf("params changed: %+v", got)
	}
	if got := w.outbox(); got != ops {
		t.Errorf("outbox %d → %d: something was saved", ops, got)
	}

	// Financing needs a quota: the message names it at the field.
	rgType(s.days, "30")
	rgType(s.nominal, "5 000")
	rgType(s.quota, "0")
	rgTap(t, s.content, "Сохранить параметры")
	if s.quota.msg.Text != "В режиме финансирования нужна квота больше нуля" {
		t.Errorf("quota message = %q", s.quota.msg.Text)
	}
}

func TestParamsRaiseQuotaServesTheQueue(t *testing.T) {
	test.NewTempApp(t)
	w := munWorld(t)
	s := newParamsScreen(w.db, "27", w.clock)
	s.refresh()
	rgShow(t, s.content)
	rgType(s.quota, "4")
	rgType(s.days, "14")
	rgTap(t, s.content, "Сохранить параметры")
	if s.status.Text != "Параметры на период 2026-2027 сохранены" {
		t.Fatalf("status = %q", s.status.Text)
	}
	p := rgGet[app.Params](w, "27/2026-2027")
	if p.Quota != 4 || p.DaysToRequest != 14 || p.DirectionLimits["tech"] != 40 || p.SumLimit != 20_000_00 {
		t.Errorf("saved %+v", p)
	}
	if q := rgGet[app.Quota](w, "27/2026-2027"); q.Active != 4 || q.Waiting != 0 {
		t.Errorf("quota after raise: %+v", q)
	}
	if !rgShows(s.content, "Выдано сертификатов финансирования: 4") {
		t.Error("the form does not show the served request")
	}
}

func TestCertificatesQueueRegistryAndInvoices(t *testing.T) {
	test.NewTempApp(t)
	w := munWorld(t)

	certs := newCertificatesScreen(w.db, "27", w.clock)
	certs.refresh()
	if rows, _ := certs.size(); rows != 5 {
		t.Fatalf("certificates: %d rows", rows)
	}
	certs.query.SetText("петрова мар")
	if rows, _ := certs.size(); rows != 1 || certs.cell(0, 1) != "Петрова Мария Андреевна" || certs.cell(0, 2) != "финансирования" {
		t.Errorf("search by name: %d rows, %q %q", rows, certs.cell(0, 1), certs.cell(0, 2))
	}
	certs.query.SetText("26-27-00000")
	if rows, _ := certs.size(); rows != 5 {
		t.Errorf("search by number: %d rows", rows)
	}

	queue := newQueueScreen(w.db, "27", w.clock)
	queue.refresh()
	if rows, _ := queue.size(); rows != 1 || queue.cell(0, 3) != "Кузнецова Дарья Игоревна" {
		t.Errorf("queue: %d rows, first %q", rows, queue.cell(0, 3))
	}
	if !rgShows(queue.content, "выдано сертификатов финансирования 3 из 3 (номиналы") {
		t.Errorf("queue summary = %q", queue.summary.Text)
	}

	reg := newRegistryScreen(w.db, "27", w.clock)
	rgShow(t, reg.content)
	reg.refresh()
	if rows, _ := reg.size(); rows != 1 || reg.cell(0, 0) != "Юный натуралист" || reg.cell(0, 3) != "20" {
		t.Fatalf("registry: %d rows, %q places %q", rows, reg.cell(0, 0), reg.cell(0, 3))
	}
	reg.table.Select(widgetCell(0, 0))
	rgType(reg.places, "25")
	rgTap(t, reg.content, "Изменить число мест")
	if l := rgGet[app.Listing](w, "27/"+w.progSubmitted); l.Places != 25 {
		t.Errorf("places = %d", l.Places)
	}
	if len(reg.shown) != 1 || reg.shown[0].prog.ID != w.progCertified {
		t.Fatalf("candidates = %d", len(reg.shown))
	}
	reg.list.Select(0)
	rgTap(t, reg.content, "Включить в реестр")
	if rows, _ := reg.size(); rows != 2 {
		t.Errorf("after listing: %d rows (%s)", rows, reg.status.Text)
	}

	inv := newMunInvoicesScreen(w.db, "27", w.clock)
	invWin := rgShow(t, inv.content)
	inv.refresh()
	if rows, _ := inv.size(); rows != 1 || inv.cell(0, 4) != "подан" {
		t.Fatalf("invoices to approve: %d, status %q", rows, inv.cell(0, 4))
	}
	inv.table.Select(widgetCell(0, 0))
	rgTap(t, inv.content, "Утвердить счёт")
	tapButton(t, invWin, "Утвердить") // the confirmation with the contracts behind the total
	if rows, _ := inv.size(); rows != 0 {
		t.Errorf("approved invoice still to approve")
	}
	inv.filter.SetSelected(invToPay)
	inv.table.Select(widgetCell(0, 0))
	rgTap(t, inv.content, "Отметить оплату")
	id := app.InvoiceID(w.provActive, "27", app.MustDate("2026-11-01").Month(), app.InvAdvance)
	if got := rgGet[app.Invoice](w, id); got.Status != app.InvPaid {
		t.Errorf("invoice status = %s", got.Status)
	}
}

func TestMunicipalityMonitoring(t *testing.T) {
	test.NewTempApp(t)
	w := munWorld(t)
	s := newMonitoringScreen(w.db, "27", w.clock)
	s.refresh()
	rows := s.targetRows()
	if rows[0][1] != "учёт и финансирование" || rows[1][1] != "3 из 3" {
		t.Errorf("targets = %q", rows)
	}
	// 3 financing certificates for 12 children: 25,0 %, the target exactly.
	if rows[2][1] != "25,0\u00a0% (3 из 12)" || rows[2][3] != "достигнуто" {
		t.Errorf("coverage row = %q", rows[2])
	}
	money := s.moneyRows()
	if money[0][1] != rub(150_000_00) || money[1][1] != rub(15_000_00)+" (сертификатов: 5)" {
		t.Errorf("money = %q", money)
	}
	var tech [5]string
	for _, r := range s.directionRows() {
		if r[0] == "Техническая" {
			tech = r
		}
	}
	if tech != [5]string{"Техническая", "1", "1", "1", "1"} {
		t.Errorf("technical direction = %q", tech)
	}
}

// The municipality's main screen as a person sees it, in the real theme. A
// changed rendering writes testdata/failed/municipality_window.png: look at
// it, and move it into testdata/ if the change is meant.
func TestMunicipalityWindowImage(t *testing.T) {
	a := test.NewTempApp(t)
	test.ApplyTheme(t, theme.DefaultTheme())
	w := munWorld(t)
	opts := w.opts()
	opts.DataPath = "/home/mots/.config/kruzhok/kruzhok.db"
	win := newWindow(a, w.db, opts)
	defer win.Close()
	win.Resize(fyne.NewSize(1200, 760))
	test.AssertImageMatches(t, "municipality_window.png", win.Canvas().Capture())
}
