//go:build !nogui

package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
)

// A group with one lesson a week, on Tuesdays: November 2026 has four (3, 10,
// 17, 24). The provider cancels one through the screen and marks the rest:
// completeness floor(100 × 3 / 4) = 75 %.
func TestJournalCancelAndMarkGivesCompleteness(t *testing.T) {
	test.NewTempApp(t)
	w := newProvWorld(t, "2026-11-25")
	_, mod := w.programme("Робототехника", 12_000_00, 10_000_00)
	group := w.group("Роботы-1", mod, app.Slot{Weekday: 2, Start: 15 * 60, End: 16*60 + 30, Room: "12"})
	child, cert := w.financed("Петров", "Иван")
	w.enrol(cert, group, "2026-11-01")
	late, lateCert := w.financed("Сидоров", "Пётр")
	w.enrol(lateCert, group, "2026-11-15")

	s := newJournalScreen(w.db, w.prov, w.clock)
	show(t, s.content)
	if s.group.Selected != "Робототехника · Базовый · Роботы-1" || s.monthLabel.Text != "Ноябрь 2026" {
		t.Fatalf("journal opens on %q, %q", s.group.Selected, s.monthLabel.Text)
	}
	if rows, cols := s.size(); rows != 2 || cols != 5 {
		t.Fatalf("journal is %d×%d, want 2 children × (name + 4 Tuesdays)", rows, cols)
	}
	if s.kids[0].id != child || s.kids[1].id != late {
		t.Fatalf("rows = %+v", s.kids)
	}
	for i, d := range []string{"2026-11-03", "2026-11-10", "2026-11-17", "2026-11-24"} {
		if s.lessons[i].Date != app.MustDate(d) {
			t.Errorf("lesson %d on %s, want %s", i, s.lessons[i].Date, d)
		}
	}
	if got := s.complete.Text; got != "Выполнение: 100\u00a0% (проведено 4, отменено 0)" {
		t.Errorf("completeness before = %q", got)
	}

	// Cancel 10.11 with the separate control.
	s.lesson.SetSelectedIndex(1)
	if s.cancel.Text != "Отменить занятие" {
		t.Errorf("cancel button says %q", s.cancel.Text)
	}
	test.Tap(s.cancel)
	if !s.lessons[1].Cancelled || s.cell(0, 2) != "отм." || s.cancel.Text != "Вернуть занятие" {
		t.Errorf("after cancel: cancelled %v, cell %q, button %q", s.lessons[1].Cancelled, s.cell(0, 2), s.cancel.Text)
	}

	// Mark the held lessons: a tap is present, the next absent.
	for _, col := range []int{1, 3, 4} {
		s.table.Select(widget.TableCellID{Row: 0, Col: col})
	}
	s.table.Select(widget.TableCellID{Row: 1, Col: 3})
	s.table.Select(widget.TableCellID{Row: 1, Col: 3})
	if got := s.complete.Text; got != "Выполнение: 75\u00a0% (проведено 3, отменено 1)" {
		t.Errorf("completeness = %q", got)
	}
	for _, c := range []struct {
		row, col int
		want     string
	}{
		{0, 0, "Петров Иван Сергеевич"}, {0, 1, "был"}, {0, 2, "отм."}, {0, 3, "был"}, {0, 4, "был"},
		{1, 1, "·"}, {1, 3, "н"}, {1, 4, ""},
	} {
		if got := s.cell(c.row, c.col); got != c.want {
			t.Errorf("cell(%d,%d) = %q, want %q", c.row, c.col, got, c.want)
		}
	}
	// A child with no contract that day cannot be marked; a cancelled lesson neither.
	before := w.outbox()
	s.table.Select(widget.TableCellID{Row: 1, Col: 1})
	s.table.Select(widget.TableCellID{Row: 0, Col: 2})
	if w.outbox() != before {
		t.Error("a mark was recorded where none may be")
	}
	var pct int64
	err := w.db.View(func(r app.Reader) error {
		var err error
		pct, err = app.GroupCompleteness(r, getRec[app.Group](w, group), app.MustDate("2026-11-01").Month())
		return err
	})
	if err != nil || pct != 75 {
		t.Errorf("stored completeness = %d, %v", pct, err)
	}
	stored := getRec[app.Lesson](w, app.LessonID(group, app.MustDate("2026-11-17"), 15*60))
	if stored.Marks[child] != app.MarkPresent || stored.Marks[late] != app.MarkAbsent {
		t.Errorf("marks of 17.11 = %v", stored.Marks)
	}

	// The month switcher moves within the group's dates.
	test.Tap(s.next)
	if s.monthLabel.Text != "Декабрь 2026" || len(s.lessons) != 5 {
		t.Errorf("next month: %q with %d lessons", s.monthLabel.Text, len(s.lessons))
	}
}
