//go:build !nogui

package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"kruzhok/app"
)

// fillModule types a module: its name, sizes, the normative price and the price.
func fillModule(s *programmesScreen, norm, price string) {
	typeInto(s.modName, "Базовый")
	typeInto(s.hours, "72")
	typeInto(s.months, "9")
	typeInto(s.minKids, "5")
	typeInto(s.maxKids, "20")
	typeInto(s.norm, norm)
	typeInto(s.price, price)
}

func TestProgrammeFromDraftToExpertiseAndBack(t *testing.T) {
	test.NewTempApp(t)
	w := newProvWorld(t, "2026-11-10")
	s := newProgrammesScreen(w.db, w.prov, w.clock)
	win := show(t, s.content)

	typeInto(s.title, "Робототехника для начинающих")
	s.direction.sel.SetSelected("техническая")
	typeInto(s.ageMin, "7")
	typeInto(s.ageMax, "12")
	s.form.sel.SetSelected("очная")
	test.Type(s.descr, "Конструирование и программирование роботов")
	tapButton(t, win, "Сохранить программу")

	progs := listRec[app.Programme](w, app.IdxProvider, w.prov)
	if len(progs) != 1 {
		t.Fatalf("%d programmes, want 1: %s", len(progs), s.status.Text)
	}
	p := progs[0]
	if p.Title != "Робототехника для начинающих" || p.Direction != "tech" || p.AgeMin != 7 || p.AgeMax != 12 ||
		p.Form != "очная" || p.Status != app.ProgDraft {
		t.Errorf("programme = %+v", p)
	}
	if !s.submit.Disabled() {
		t.Error("a programme without modules can be sent to expertise")
	}

	fillModule(s, "10 000,00", "12 000,00")
	pressEnter(s.price.entry)
	mods := listRec[app.Module](w, app.IdxProgramme, p.ID)
	if len(mods) != 1 || mods[0].Price != 12_000_00 || mods[0].NormPrice != 10_000_00 || mods[0].Hours != 72 {
		t.Fatalf("modules = %+v: %s", mods, s.status.Text)
	}
	if got := moduleText(mods[0]); !strings.Contains(got, "12\u00a0000,00\u00a0₽ (норматив 10\u00a0000,00\u00a0₽)") {
		t.Errorf("module row = %q", got)
	}

	test.Tap(s.submit)
	if got := getRec[app.Programme](w, p.ID).Status; got != app.ProgSubmitted {
		t.Fatalf("status = %s: %s", got, s.status.Text)
	}
	if got := s.stateText(s.progs[0]); got != "на экспертизе" {
		t.Errorf("list shows %q", got)
	}
	if !s.title.entry.Disabled() || !s.price.entry.Disabled() {
		t.Error("a programme on expertise can be edited")
	}

	// The expertise denies it; the provider sees why and may correct it.
	w.must(&app.DenyProgramme{Programme: p.ID, Reason: "нет календарного учебного графика"})
	s.refresh()
	if got := s.stateText(s.progs[0]); got != "отказано: нет календарного учебного графика" {
		t.Errorf("list shows %q", got)
	}
	if !strings.Contains(s.state.Text, "нет календарного учебного графика") || s.title.entry.Disabled() {
		t.Errorf("state = %q, title disabled %v", s.state.Text, s.title.entry.Disabled())
	}
}

// Bad module input is caught at the field, with a Russian message, and
// nothing is saved.
func TestModuleBadInputCaughtAtTheField(t *testing.T) {
	for _, tc := range []struct {
		name, norm, price string
		field             func(s *programmesScreen) *field
		want              string
	}{
		{"PriceAboveCap", "10 000,00", "12 000,01", func(s *programmesScreen) *field { return s.price },
			"Цена выше предельной: не больше 12\u00a0000,00\u00a0₽ (нормативная стоимость 10\u00a0000,00\u00a0₽ × 120 %)"},
		{"BadMoney", "10 000,00", "12,345", func(s *programmesScreen) *field { return s.price },
			"Неверная сумма «12,345» в поле «цена»: пишите рубли и копейки, например 12 000,00"},
		{"NoNormativePrice", "", "12 000", func(s *programmesScreen) *field { return s.norm },
			"Укажите нормативную стоимость в рублях, например 12 000,00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			test.NewTempApp(t)
			w := newProvWorld(t, "2026-11-10")
			prog := w.id("prog")
			w.must(&app.SaveProgramme{ID: prog, Provider: w.prov, Title: "Робототехника", Direction: "tech",
				AgeMin: 5, AgeMax: 17, Form: "очная"})
			s := newProgrammesScreen(w.db, w.prov, w.clock)
			win := show(t, s.content)
			s.list.Select(0)
			fillModule(s, tc.norm, tc.price)
			before := w.outbox()
			tapButton(t, win, "Сохранить модуль")
			f := tc.field(s)
			if !f.msg.Visible() || f.msg.Text != tc.want {
				t.Errorf("field message = %q (visible %v), want %q", f.msg.Text, f.msg.Visible(), tc.want)
			}
			if after := w.outbox(); after != before {
				t.Errorf("outbox grew by %d", after-before)
			}
			if mods := listRec[app.Module](w, app.IdxProgramme, prog); len(mods) != 0 {
				t.Errorf("%d modules stored", len(mods))
			}
		})
	}
}

func TestProgrammeWithoutTitleIsNotSaved(t *testing.T) {
	test.NewTempApp(t)
	w := newProvWorld(t, "2026-11-10")
	s := newProgrammesScreen(w.db, w.prov, w.clock)
	win := show(t, s.content)
	s.direction.sel.SetSelected("техническая")
	typeInto(s.ageMin, "7")
	typeInto(s.ageMax, "12")
	s.form.sel.SetSelected("очная")
	before := w.outbox()
	tapButton(t, win, "Сохранить программу")
	if s.title.msg.Text != "Укажите название программы" || !s.title.msg.Visible() || w.outbox() != before {
		t.Errorf("title message %q (visible %v), outbox +%d", s.title.msg.Text, s.title.msg.Visible(), w.outbox()-before)
	}
}
