//go:build !nogui

package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
)

// journalDecember is a Tuesday group seen on Tuesday 8 December 2026: its
// December lessons are on 1, 8, 15, 22 and 29, the last three after today
// or today. Three children are enrolled from November.
func journalDecember(t *testing.T) (w *provWorld, group string, kids []string, s *journalScreen) {
	t.Helper()
	w = newProvWorld(t, "2026-11-10")
	_, mod := w.programme("Робототехника", 12_000_00, 10_000_00)
	group = w.group("Роботы-1", mod)
	for _, name := range []string{"Андреев", "Борисов", "Волков"} {
		child, cert := w.financed(name, "Пётр")
		w.enrol(cert, group, "2026-11-15")
		kids = append(kids, child)
	}
	w.setToday("2026-12-08")
	s = newJournalScreen(w.db, w.prov, w.clock)
	return w, group, kids, s
}

// 31.12 cannot be marked on 08.12, and December has held two lessons, not five.
func TestJournalFutureLessonsTakeNoMarks(t *testing.T) {
	test.NewTempApp(t)
	w, group, kids, s := journalDecember(t)
	show(t, s.content)
	if s.monthLabel.Text != "Декабрь 2026" || len(s.lessons) != 5 {
		t.Fatalf("journal opens on %q with %d lessons", s.monthLabel.Text, len(s.lessons))
	}
	if got := s.complete.Text; got != "Выполнение: 100\u00a0% (проведено 2, отменено 0, впереди 3)" {
		t.Errorf("completeness = %q", got)
	}
	if got := s.lesson.Options[4]; got != "29.12.2026 Вт 15:00 — ещё не было" {
		t.Errorf("lesson 29.12 is listed as %q", got)
	}

	before := w.outbox()
	s.table.Select(widget.TableCellID{Row: 0, Col: 5})
	if w.outbox() != before || s.cell(0, 5) != "" {
		t.Errorf("29.12 was marked on 08.12: cell %q, outbox +%d", s.cell(0, 5), w.outbox()-before)
	}
	if s.status.Text != "Занятие 29.12.2026 ещё не прошло: отметки ставятся в день занятия или позже" {
		t.Errorf("status = %q", s.status.Text)
	}
	s.lesson.SetSelectedIndex(4)
	if !s.allHere.Disabled() {
		t.Error("«Все присутствовали» is enabled for a future lesson")
	}

	// Today's lesson takes marks.
	s.table.Select(widget.TableCellID{Row: 0, Col: 2})
	if l := getRec[app.Lesson](w, app.LessonID(group, app.MustDate("2026-12-08"), 15*60)); l.Marks[kids[0]] != app.MarkPresent {
		t.Errorf("today's mark = %v (%s)", l.Marks, s.status.Text)
	}
}

// «Все присутствовали» marks every enrolled child present in one action; a
// mark of absence already set is replaced only when the provider confirms.
func TestJournalAllPresent(t *testing.T) {
	test.NewTempApp(t)
	w, group, kids, s := journalDecember(t)
	win := show(t, s.content)
	first := app.LessonID(group, app.MustDate("2026-12-01"), 15*60)

	// No marks yet: no question, everyone is present.
	s.lesson.SetSelectedIndex(0)
	before := w.outbox()
	test.Tap(s.allHere)
	if win.Canvas().Overlays().Top() != nil {
		t.Fatal("a question with no absence to replace")
	}
	l := getRec[app.Lesson](w, first)
	for _, k := range kids {
		if l.Marks[k] != app.MarkPresent {
			t.Errorf("%s: %q after «Все присутствовали»", k, l.Marks[k])
		}
	}
	if got := w.outbox() - before; got != 3 {
		t.Errorf("%d commands, want one mark a child", got)
	}
	if s.cell(2, 1) != "был" {
		t.Errorf("the table shows %q", s.cell(2, 1))
	}

	// Борисов was absent on 08.12: the screen asks first.
	s.table.Select(widget.TableCellID{Row: 1, Col: 2})
	s.table.Select(widget.TableCellID{Row: 1, Col: 2}) // был → н
	s.lesson.SetSelectedIndex(1)
	before = w.outbox()
	test.Tap(s.allHere)
	if win.Canvas().Overlays().Top() == nil {
		t.Fatal("no question before replacing «н»")
	}
	if !rgShows(win.Canvas().Overlays().Top(), "Борисов Пётр Сергеевич — «н»") {
		t.Error("the question does not name the absent child")
	}
	tapButton(t, win, "Отмена")
	second := getRec[app.Lesson](w, app.LessonID(group, app.MustDate("2026-12-08"), 15*60))
	if w.outbox() != before || second.Marks[kids[1]] != app.MarkAbsent || len(second.Marks) != 1 {
		t.Errorf("«Отмена» changed the marks: %v, outbox +%d", second.Marks, w.outbox()-before)
	}

	test.Tap(s.allHere)
	tapButton(t, win, "Заменить на «был»")
	second = getRec[app.Lesson](w, app.LessonID(group, app.MustDate("2026-12-08"), 15*60))
	for _, k := range kids {
		if second.Marks[k] != app.MarkPresent {
			t.Errorf("%s: %q after confirming", k, second.Marks[k])
		}
	}
	if !strings.HasPrefix(s.status.Text, "Занятие 08.12.2026: все дети отмечены «был»") {
		t.Errorf("status = %q", s.status.Text)
	}
}
