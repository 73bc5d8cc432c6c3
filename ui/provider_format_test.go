//go:build !nogui

package ui

import (
	"testing"
	"time"

	"kruzhok/app"
)

func TestRubles(t *testing.T) {
	for _, tc := range []struct {
		name string
		k    int64
		show string
		typd string
	}{
		{"Kopecks", 5, "0,05\u00a0₽", "0,05"},
		{"Thousands", 1_234_56, "1\u00a0234,56\u00a0₽", "1 234,56"},
		{"WorkedExample", 8_703_30, "8\u00a0703,30\u00a0₽", "8 703,30"},
		{"Million", 1_000_000_00, "1\u00a0000\u00a0000,00\u00a0₽", "1 000 000,00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := rub(tc.k); got != tc.show {
				t.Errorf("rub = %q, want %q", got, tc.show)
			}
			if got := rubInput(tc.k); got != tc.typd {
				t.Errorf("rubInput = %q, want %q", got, tc.typd)
			}
			if k, err := parseRubField("цену", rubInput(tc.k)); err != nil || k != tc.k {
				t.Errorf("parse(rubInput) = %d, %v", k, err)
			}
		})
	}
}

func TestParseRubField(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     int64
		msg      string
	}{
		{"Spaces", "12 000,00", 12_000_00, ""},
		{"Dot", "12000.5", 12_000_50, ""},
		{"WithSign", "12 000 ₽", 12_000_00, ""},
		{"Empty", " ", 0, "Укажите цену в рублях, например 12 000,00"},
		{"ThreeDecimals", "12,345", 0, "Неверная сумма «12,345» в поле «цена»: пишите рубли и копейки, например 12 000,00"},
		{"Negative", "-5", 0, "Неверная сумма «-5» в поле «цена»: пишите рубли и копейки, например 12 000,00"},
		{"Letters", "двенадцать", 0, "Неверная сумма «двенадцать» в поле «цена»: пишите рубли и копейки, например 12 000,00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := parseRubField("цена", tc.in)
			if tc.msg == "" && (err != nil || k != tc.want) {
				t.Errorf("= %d, %v; want %d", k, err, tc.want)
			}
			if tc.msg != "" && (err == nil || err.Error() != tc.msg) {
				t.Errorf("error = %v, want %q", err, tc.msg)
			}
		})
	}
}

func TestParseClock(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"15:00", 900, true}, {"9:30", 570, true}, {"15.45", 945, true}, {"24:00", 1440, true},
		{"24:01", 0, false}, {"15", 0, false}, {"15:7", 0, false}, {"полдень", 0, false},
	} {
		got, err := parseClock("начало", tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseClock(%q) = %d, %v", tc.in, got, err)
		}
	}
}

func TestValidBirthDate(t *testing.T) {
	now := func() time.Time { return time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC) }
	check := validBirthDate(now)
	for _, tc := range []struct{ name, in, msg string }{
		{"FiveToday", "10.11.2021", ""},
		{"FourTomorrowFive", "11.11.2021", "Возраст ребёнка на 10.11.2026 — 4 года: сертификат и зачисление доступны детям от 5 до 18 лет"},
		{"Seventeen", "11.11.2008", ""},
		{"Eighteen", "10.11.2008", "Возраст ребёнка на 10.11.2026 — 18 лет: сертификат и зачисление доступны детям от 5 до 18 лет"},
		{"Future", "01.01.2027", "Дата рождения 01.01.2027 позже даты 10.11.2026"},
		{"ISO", "2015-03-10", ""},
		{"Impossible", "30.02.2015", "Такой даты нет: 30.02.2015 (поле «дата рождения»)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := check(tc.in)
			if got := ""; err != nil {
				got = err.Error()
				if got != tc.msg {
					t.Errorf("= %q, want %q", got, tc.msg)
				}
			} else if tc.msg != "" {
				t.Errorf("accepted, want %q", tc.msg)
			}
		})
	}
}

func TestSmallFormats(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{percentRu(75), "75\u00a0%"},
		{dateRu(app.MustDate("2026-11-27")), "27.11.2026"}, {dateRu(0), "—"},
		{weekdayRu(2), "Вт"}, {weekdayRu(7), "Вс"}, {weekdayRu(8), "?"},
		{itoa(weekdayOf(app.MustDate("2026-11-29"))), "7"},
		{scheduleRu(nil), "расписания нет"},
		{markRu(app.MarkExcused), "ув"}, {nextMark(""), app.MarkPresent}, {nextMark(app.MarkExcused), ""},
		{twoDigits(3), "03"}, {capitalize("ноябрь 2026"), "Ноябрь 2026"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	for q, want := range map[string]bool{"26-27-000001": true, "26": true, "2": false, "26-27-А": false, "Петров": false} {
		if looksLikeCertNumber(q) != want {
			t.Errorf("looksLikeCertNumber(%q) = %v", q, !want)
		}
	}
}
