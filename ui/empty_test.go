//go:build !nogui

package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"
)

// An empty table says so in a short line; a table with rows does not.
func TestEmptyTablesSaySo(t *testing.T) {
	test.NewTempApp(t)
	w := newProvWorld(t, "2026-11-10")
	_, mod := w.programme("Робототехника", 12_000_00, 10_000_00)
	w.group("Роботы-1", mod)
	w.financed("Петров", "Иван") // served at once: the quota has room

	queue := newQueueScreen(w.db, "27", w.clock)
	show(t, queue.content)
	queue.refresh()
	if rows, _ := queue.size(); rows != 0 || !rgShows(queue.content, "Очередь пуста: все заявки обслужены") {
		t.Errorf("empty queue: %d rows, line shown %v", rows, queue.empty.label.Visible())
	}

	inv := newInvoicesScreen(w.db, w.prov, w.clock)
	show(t, inv.content)
	if !rgShows(inv.content, "Счетов пока нет: черновики счетов появляются при закрытии месяца") {
		t.Error("the provider's empty invoices say nothing")
	}

	mun := newMunInvoicesScreen(w.db, "27", w.clock)
	show(t, mun.content)
	mun.refresh()
	if !rgShows(mun.content, "Счетов к утверждению нет") {
		t.Error("the municipality's empty invoices say nothing")
	}
	mun.filter.SetSelected(invToPay)
	if !rgShows(mun.content, "Счетов к оплате нет") {
		t.Error("the filter «К оплате» says nothing when empty")
	}

	journal := newJournalScreen(w.db, w.prov, w.clock)
	show(t, journal.content)
	if !rgShows(journal.content, "В этом месяце у группы нет детей с действующим договором") {
		t.Error("the journal of a group with no children says nothing")
	}
}

// The line goes when the table has rows.
func TestQueueWithRequestsHasNoEmptyLine(t *testing.T) {
	test.NewTempApp(t)
	w := munWorld(t)
	queue := newQueueScreen(w.db, "27", w.clock)
	rgShow(t, queue.content)
	queue.refresh()
	if rows, _ := queue.size(); rows != 1 || rgShows(queue.content, "Очередь пуста") {
		t.Errorf("queue of %d shows «Очередь пуста»: %v", rows, queue.empty.label.Visible())
	}
}
