//go:build !nogui

package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
)

// The first month close, on 1 December, makes the December advance (at most
// 80 % of December's shares) and the final invoice for November. The
// provider asks less than the maximum for the advance and submits it.
func TestSubmitAdvanceBelowTheMaximum(t *testing.T) {
	test.NewTempApp(t)
	w, group, _, cert := enrolWorld(t)
	w.enrol(cert, group, "2026-11-15")
	w.setToday("2026-12-01")
	w.must(&app.CloseMonth{Month: app.MustDate("2026-12-01").Month()})

	s := newInvoicesScreen(w.db, w.prov, w.clock)
	win := show(t, s.content)
	if rows, _ := s.size(); rows != 2 {
		t.Fatalf("%d invoices, want the December advance and the November final", rows)
	}
	// December's share is 765,99 ₽: the advance may be floor(80 %) = 612,79 ₽.
	want := []string{"Декабрь 2026", "аванс", "г. Ставрополь", "612,79\u00a0₽", "612,79\u00a0₽", "черновик", "10.01.2027"}
	for col, cell := range want {
		if got := s.cell(0, col); got != cell {
			t.Errorf("cell(0,%d) = %q, want %q", col, got, cell)
		}
	}
	// November's share 404,06 ₽ at 100 % completeness, no advance before it.
	for col, cell := range []string{"Ноябрь 2026", "итоговый", "г. Ставрополь", "404,06\u00a0₽", "404,06\u00a0₽", "черновик", "10.12.2026"} {
		if got := s.cell(1, col); got != cell {
			t.Errorf("cell(1,%d) = %q, want %q", col, got, cell)
		}
	}
	if !s.submit.Disabled() {
		t.Error("«Подать» is enabled with no invoice chosen")
	}
	s.table.Select(widget.TableCellID{Row: 0, Col: 0})
	if got := s.amount.text(); got != "612,79" {
		t.Errorf("amount offered = %q", got)
	}

	before := w.outbox()
	typeInto(s.amount, "700")
	test.Tap(s.submit)
	if s.amount.msg.Text != "Аванс не может быть больше 612,79\u00a0₽ (80 % начислений месяца)" || w.outbox() != before {
		t.Errorf("over the maximum: message %q, outbox +%d", s.amount.msg.Text, w.outbox()-before)
	}
	// Said once: the status points at the field and does not repeat it.
	if s.status.Text != "Счёт не подан: исправьте поля, отмеченные красным" {
		t.Errorf("over the maximum: status %q", s.status.Text)
	}

	typeInto(s.amount, "500,00")
	pressEnter(s.amount.entry)
	tapButton(t, win, "Подать счёт")
	inv := getRec[app.Invoice](w, s.rows[0].ID)
	if inv.Status != app.InvSubmitted || inv.Amount != 500_00 {
		t.Errorf("invoice = %s %d: %s", inv.Status, inv.Amount, s.status.Text)
	}
	if got := s.cell(0, 5); got != "подан" {
		t.Errorf("status cell = %q", got)
	}
	if !s.submit.Disabled() {
		t.Error("a submitted invoice can be submitted again")
	}
}
