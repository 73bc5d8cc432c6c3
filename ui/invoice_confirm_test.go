//go:build !nogui

package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
)

// decemberShare is a month's certificate share of RULES.md's worked example
// (a contract from 15.11.2026 of the 12 000 ₽ module on a 5 000 ₽
// certificate): 765,99 ₽ for every month after the first.
const decemberShare int64 = 765_99

// twoContracts is Петров and Сидоров, both on the worked example's contract.
func twoContracts(t *testing.T) *provWorld {
	t.Helper()
	w, group, _, cert := enrolWorld(t)
	_, cert2 := w.financed("Сидоров", "Олег")
	w.enrol(cert, group, "2026-11-15")
	w.enrol(cert2, group, "2026-11-15")
	w.setToday("2026-12-01")
	w.must(&app.CloseMonth{Month: app.MustDate("2026-12-01").Month()})
	return w
}

// dialogRows reads the table of the dialog over the window as it draws it,
// and the sum of its «Сумма» column.
func dialogRows(t *testing.T, win fyne.Window) (rows [][4]string, sum int64) {
	t.Helper()
	var tbl *widget.Table
	walk(win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) bool {
		tbl, _ = o.(*widget.Table)
		return tbl == nil
	})
	if tbl == nil {
		t.Fatal("no table of contracts in the dialog")
	}
	n, cols := tbl.Length()
	if cols != 4 {
		t.Fatalf("%d columns", cols)
	}
	for r := range n {
		var row [4]string
		for c := range 4 {
			l := widget.NewLabel("")
			tbl.UpdateCell(widget.TableCellID{Row: r, Col: c}, l)
			row[c] = l.Text
		}
		text, sign := row[3], int64(1)
		if rest, ok := strings.CutPrefix(text, "−"); ok {
			text, sign = rest, -1
		}
		k, err := app.ParseRub(strings.TrimSuffix(strings.ReplaceAll(text, "\u00a0", " "), " ₽"))
		if err != nil {
			t.Fatalf("amount %q: %v", row[3], err)
		}
		k *= sign
		rows, sum = append(rows, row), sum+k
	}
	return rows, sum
}

// «Подать» shows the contracts behind the advance; «Отмена» sends nothing.
func TestSubmitAdvanceConfirmsTheContractsBehindIt(t *testing.T) {
	test.NewTempApp(t)
	w := twoContracts(t)
	s := newInvoicesScreen(w.db, w.prov, w.clock)
	win := show(t, s.content)
	s.table.Select(widget.TableCellID{Row: 0, Col: 0})
	if s.rows[0].Type != app.InvAdvance {
		t.Fatalf("row 0 is %s", s.rows[0].Type)
	}
	typeInto(s.amount, "1 000")
	id, before := s.rows[0].ID, w.outbox()

	tapButton(t, win, "Подать")
	top := win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("«Подать» asked nothing")
	}
	for _, want := range []string{"Аванс за декабрь 2026: 1\u00a0000,00\u00a0₽", "Исполнитель: АНО ДО «Робототехника»",
		"Плательщик: г. Ставрополь", "доли сертификатов за месяц: 1\u00a0531,98\u00a0₽"} {
		if !rgShows(top, want) {
			t.Errorf("the confirmation does not say %q", want)
		}
	}
	if rgShows(top, "Договоры изменились") {
		t.Error("the rows disagree with the advance the month close made")
	}
	rows, sum := dialogRows(t, win)
	want := [][4]string{
		{"Петров И. С.", getRec[app.Certificate](w, findCert(t, w, "Петров")).Number, "Робототехника", rub(decemberShare)},
		{"Сидоров О. С.", getRec[app.Certificate](w, findCert(t, w, "Сидоров")).Number, "Робототехника", rub(decemberShare)},
	}
	if len(rows) != 2 || rows[0] != want[0] || rows[1] != want[1] {
		t.Errorf("rows = %q, want %q", rows, want)
	}
	if sum != 2*decemberShare {
		t.Errorf("rows sum to %d, the two contracts' December shares are %d", sum, 2*decemberShare)
	}

	tapButton(t, win, "Отмена")
	if inv := getRec[app.Invoice](w, id); inv.Status != app.InvDraft || w.outbox() != before {
		t.Fatalf("«Отмена» submitted: %s, outbox +%d", inv.Status, w.outbox()-before)
	}

	tapButton(t, win, "Подать")
	tapButton(t, win, "Подать счёт")
	if inv := getRec[app.Invoice](w, id); inv.Status != app.InvSubmitted || inv.Amount != 1_000_00 {
		t.Errorf("after confirming: %s %d (%s)", inv.Status, inv.Amount, s.status.Text)
	}
}

// findCert is the certificate of the child with the last name.
func findCert(t *testing.T, w *provWorld, last string) string {
	t.Helper()
	for _, k := range listRec[app.Contract](w, app.IdxProvider, w.prov) {
		if getRec[app.Child](w, k.Child).LastName == last {
			return k.Certificate
		}
	}
	t.Fatalf("no contract of %s", last)
	return ""
}

// The municipality approves December's final invoice seeing its rows: each
// contract's due and the advance already claimed, which sum to the total.
func TestApproveInvoiceConfirmsTheContractsBehindIt(t *testing.T) {
	test.NewTempApp(t)
	w := twoContracts(t)
	dec := app.MustDate("2026-12-01").Month()
	w.must(&app.SubmitInvoice{Invoice: app.InvoiceID(w.prov, "27", dec, app.InvAdvance), Amount: 1_000_00})
	w.setToday("2027-01-01")
	w.must(&app.CloseMonth{Month: dec + 1})
	final := app.InvoiceID(w.prov, "27", dec, app.InvFinal)
	w.must(&app.SubmitInvoice{Invoice: final})
	if err := w.db.SetScope(app.MunicipalityScope("27"), true); err != nil {
		t.Fatal(err)
	}

	s := newMunInvoicesScreen(w.db, "27", w.clock)
	win := show(t, s.content)
	s.refresh()
	row := -1
	for i, inv := range s.rows {
		if inv.ID == final {
			row = i
		}
	}
	if row < 0 {
		t.Fatalf("December's final is not to approve: %d rows", len(s.rows))
	}
	s.table.Select(widget.TableCellID{Row: row, Col: 0})
	before := w.outbox()
	tapButton(t, win, "Утвердить счёт")
	// Both children attended every December lesson: each contract's due is
	// its whole share; the advance claimed is 1 000,00 ₽.
	total := 2*decemberShare - 1_000_00
	if !rgShows(win.Canvas().Overlays().Top(), "Итоговый за декабрь 2026: "+rub(total)) {
		t.Error("the confirmation does not name the invoice and its total")
	}
	if rgShows(win.Canvas().Overlays().Top(), "расходится") {
		t.Error("the rows disagree with the invoice")
	}
	rows, sum := dialogRows(t, win)
	if len(rows) != 3 || rows[2][2] != "аванс за декабрь 2026" || rows[2][3] != rub(-1_000_00) {
		t.Errorf("rows = %q", rows)
	}
	if sum != total || getRec[app.Invoice](w, final).Amount != total {
		t.Errorf("rows sum to %d, invoice %d, want %d", sum, getRec[app.Invoice](w, final).Amount, total)
	}

	tapButton(t, win, "Отмена")
	if inv := getRec[app.Invoice](w, final); inv.Status != app.InvSubmitted || w.outbox() != before {
		t.Fatalf("«Отмена» approved: %s, outbox +%d", inv.Status, w.outbox()-before)
	}
	tapButton(t, win, "Утвердить счёт")
	tapButton(t, win, "Утвердить")
	if inv := getRec[app.Invoice](w, final); inv.Status != app.InvApproved {
		t.Errorf("after confirming: %s (%s)", inv.Status, s.status.Text)
	}
}
