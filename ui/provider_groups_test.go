//go:build !nogui

package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"kruzhok/app"
)

// fillGroup types a whole group: module, name, dates, capacity, one lesson a
// week on Tuesday and the enrolment window.
func fillGroup(t *testing.T, s *groupsScreen, capacity string) {
	t.Helper()
	chooseGroup(t, s.module, "Робототехника — Базовый")
	typeInto(s.name, "Роботы-1, вторник")
	typeInto(s.start, "01.09.2026")
	typeInto(s.end, "31.05.2027")
	typeInto(s.capacity, capacity)
	s.weekday.sel.SetSelected("Вт")
	typeInto(s.from, "15:00")
	typeInto(s.to, "16:30")
	test.Type(s.room, "12")
	test.Type(s.address, "Ставрополь, ул. Ленина, 1")
	pressEnter(s.address)
	typeInto(s.enrolFrom, "15.08.2026")
	typeInto(s.enrolTo, "30.04.2027")
}

func TestOpenGroupWithSchedule(t *testing.T) {
	test.NewTempApp(t)
	w := newProvWorld(t, "2026-11-10")
	w.programme("Робототехника", 12_000_00, 10_000_00)
	s := newGroupsScreen(w.db, w.prov, w.clock)
	win := show(t, s.content)
	fillGroup(t, s, "15")
	if s.ageMin.text() != "5" || s.ageMax.text() != "17" {
		t.Errorf("ages offered %s–%s, want the programme's 5–17", s.ageMin.text(), s.ageMax.text())
	}
	tapButton(t, win, "Сохранить группу")

	gs := listRec[app.Group](w, app.IdxProvider, w.prov)
	if len(gs) != 1 {
		t.Fatalf("%d groups, want 1: %s", len(gs), s.status.Text)
	}
	g := gs[0]
	want := app.Slot{Weekday: 2, Start: 15 * 60, End: 16*60 + 30, Room: "12", Address: "Ставрополь, ул. Ленина, 1"}
	if g.Name != "Роботы-1, вторник" || g.Capacity != 15 || g.Start != app.MustDate("2026-09-01") ||
		g.End != app.MustDate("2027-05-31") || len(g.Schedule) != 1 || g.Schedule[0] != want ||
		g.EnrolFrom != app.MustDate("2026-08-15") || g.EnrolTo != app.MustDate("2027-04-30") {
		t.Errorf("group = %+v", g)
	}
	if got := groupPlaces(g) + " · " + scheduleRu(g.Schedule); got != "мест 15, свободно 15 · Вт 15:00–16:30" {
		t.Errorf("row = %q", got)
	}
	if got := slotRu(g.Schedule[0]); got != "Вт 15:00–16:30, каб. 12, Ставрополь, ул. Ленина, 1" {
		t.Errorf("slot = %q", got)
	}
}

func TestGroupBadInputCaughtAtTheField(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(s *groupsScreen)
		field func(s *groupsScreen) *field
		want  string
	}{
		{"CapacityZero", func(s *groupsScreen) { typeInto(s.capacity, "0") },
			func(s *groupsScreen) *field { return s.capacity }, "Вместимость должна быть от 1 до 1000"},
		{"EndBeforeStart", func(s *groupsScreen) { typeInto(s.end, "31.08.2026") },
			func(s *groupsScreen) *field { return s.end }, "Окончание 31.08.2026 раньше начала 01.09.2026"},
		{"BadDate", func(s *groupsScreen) { typeInto(s.start, "1 сентября") },
			func(s *groupsScreen) *field { return s.start },
			"Неверная дата «1 сентября» в поле «дата начала»: нужен формат ДД.ММ.ГГГГ, например 27.11.2026"},
		{"EnrolmentAfterEnd", func(s *groupsScreen) { typeInto(s.enrolTo, "01.06.2027") },
			func(s *groupsScreen) *field { return s.enrolTo },
			"Приём должен закончиться не позже окончания группы (31.05.2027)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			test.NewTempApp(t)
			w := newProvWorld(t, "2026-11-10")
			w.programme("Робототехника", 12_000_00, 10_000_00)
			s := newGroupsScreen(w.db, w.prov, w.clock)
			win := show(t, s.content)
			fillGroup(t, s, "15")
			tc.edit(s)
			before := w.outbox()
			tapButton(t, win, "Сохранить группу")
			f := tc.field(s)
			if !f.msg.Visible() || f.msg.Text != tc.want {
				t.Errorf("field message = %q (visible %v), want %q", f.msg.Text, f.msg.Visible(), tc.want)
			}
			if after := w.outbox(); after != before {
				t.Errorf("outbox grew by %d", after-before)
			}
			if gs := listRec[app.Group](w, app.IdxProvider, w.prov); len(gs) != 0 {
				t.Errorf("%d groups stored", len(gs))
			}
		})
	}
}

func TestGroupNeedsALesson(t *testing.T) {
	test.NewTempApp(t)
	w := newProvWorld(t, "2026-11-10")
	w.programme("Робототехника", 12_000_00, 10_000_00)
	s := newGroupsScreen(w.db, w.prov, w.clock)
	win := show(t, s.content)
	fillGroup(t, s, "15")
	tapButton(t, win, "Убрать")
	before := w.outbox()
	tapButton(t, win, "Сохранить группу")
	if !s.slotMsg.Visible() || !strings.Contains(s.slotMsg.Text, "хотя бы одно занятие") || w.outbox() != before {
		t.Errorf("slot message %q (visible %v), outbox +%d", s.slotMsg.Text, s.slotMsg.Visible(), w.outbox()-before)
	}
}
