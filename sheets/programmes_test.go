package sheets_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"kruzhok/app"
	"kruzhok/sheets"
)

const progHeader = "ИНН исполнителя;Название программы;Направленность;Возраст от;Возраст до;Форма обучения;Описание;Модуль;Часов;Месяцев;Детей от;Детей до;Цена, ₽;Нормативная стоимость, ₽\n"

func programmes(t *testing.T, st interface {
	View(func(app.Reader) error) error
}) ([]app.Programme, []app.Module) {
	t.Helper()
	var ps []app.Programme
	var ms []app.Module
	st.View(func(r app.Reader) (err error) {
		if ps, err = app.List[app.Programme](r, "", "", 0); err != nil {
			return err
		}
		ms, err = app.List[app.Module](r, "", "", 0)
		return err
	})
	return ps, ms
}

func TestImportProgrammes(t *testing.T) {
	st := seeded(t)
	in := strings.NewReader(progHeader +
		"2634000001;Робототехника;техническая;7;12;очная;Собираем роботов;Первый год;72;9;8;15;12 000,00;12000\n" +
		"2634000001;Робототехника;техническая;7;12;очная;;Второй год;72;9;8;15;13000,5;14000\n" +
		"2634000001;Шахматы;social;5;18;очная, дистанционно;;Основы;36;9;5;10;5000;5000\n")
	rep, err := sheets.ImportProgrammes(st, in, sheets.ImportOptions{})
	if err != nil || rep.Imported != 3 {
		t.Fatalf("rep %+v, err %v", rep, err)
	}
	ps, ms := programmes(t, st)
	if len(ps) != 2 || len(ms) != 3 {
		t.Fatalf("%d programmes, %d modules", len(ps), len(ms))
	}
	for _, p := range ps {
		if p.Status != app.ProgDraft || p.Provider != "prov-1" {
			t.Fatalf("programme %+v", p)
		}
	}
	var prices []int64
	for _, m := range ms {
		prices = append(prices, m.Price)
	}
	if !(contains(prices, 1200000) && contains(prices, 1300050) && contains(prices, 500000)) {
		t.Fatalf("prices %v", prices)
	}
}

func contains(v []int64, x int64) bool {
	for _, y := range v {
		if y == x {
			return true
		}
	}
	return false
}

func TestImportProgrammesBadModuleRefusesProgramme(t *testing.T) {
	st := seeded(t)
	before := outbox(t, st)
	in := strings.NewReader(progHeader +
		"2634000001;Робототехника;техническая;7;12;очная;;Первый год;72;9;8;15;12000;12000\n" +
		"2634000001;Робототехника;техническая;7;12;очная;;Второй год;72;9;8;15;15000;14000\n" +
		"9999999999;Шахматы;шахматная;5;18;очная;;Основы;36;9;5;10;5000;5000\n")
	rep, err := sheets.ImportProgrammes(st, in, sheets.ImportOptions{})
	if !errors.Is(err, sheets.ErrBadRows) {
		t.Fatalf("err = %v", err)
	}
	wantReport(t, rep, "строка 2: Не импортирована вместе со строкой 3\n"+
		"строка 3, «Цена, ₽»: Цена 15\u00a0000,00\u00a0₽ выше предельной 14\u00a0000,00\u00a0₽ (нормативная стоимость × 100%)\n"+
		"строка 4, «ИНН исполнителя»: Исполнитель с ИНН «9999999999» не зарегистрирован\n"+
		"строка 4, «Направленность»: Неизвестная направленность «шахматная»\n")
	if outbox(t, st) != before {
		t.Fatal("something was imported")
	}
	in.Seek(0, 0)
	rep, err = sheets.ImportProgrammes(st, in, sheets.ImportOptions{SkipBad: true})
	if err != nil || rep.Imported != 0 {
		t.Fatalf("skip-bad: rep %+v, err %v", rep, err)
	}
}

// TestProgrammesRoundTrip imports the exported certified registry back as
// drafts: every module comes back with its price.
func TestProgrammesRoundTrip(t *testing.T) {
	st := demoStore(t)
	tab := export(t, st, "programmes", sheets.Filter{})
	ps, ms := programmes(t, st)
	rep, err := sheets.ImportProgrammes(st, bytes.NewReader(xlsx(t, tab)), sheets.ImportOptions{})
	if err != nil || rep.Imported != len(tab.Rows) {
		t.Fatalf("rep %+v (%d rows), err %v\n%s", rep, len(tab.Rows), err, problems(rep))
	}
	ps2, ms2 := programmes(t, st)
	if len(ms2)-len(ms) != len(tab.Rows) || len(ps2) <= len(ps) {
		t.Fatalf("modules %d → %d, programmes %d → %d, rows %d", len(ms), len(ms2), len(ps), len(ps2), len(tab.Rows))
	}
}
