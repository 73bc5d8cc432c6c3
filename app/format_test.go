package app_test

import (
	"math"
	"testing"
	"time"

	"kruzhok/app"
)

func TestFormatRub(t *testing.T) {
	for k, want := range map[int64]string{0: "0,00\u00a0₽", 123456: "1\u00a0234,56\u00a0₽", 870330: "8\u00a0703,30\u00a0₽",
		-5: "−0,05\u00a0₽", 100000000: "1\u00a0000\u00a0000,00\u00a0₽"} {
		if got := app.FormatRub(k); got != want {
			t.Errorf("FormatRub(%d) = %q, want %q", k, got, want)
		}
	}
}

func TestParseRub(t *testing.T) {
	for s, want := range map[string]int64{"1 234,56": 123456, "1234.5": 123450, "12000": 1200000, "0,01 ₽": 1} {
		if got, err := app.ParseRub(s); err != nil || got != want {
			t.Errorf("ParseRub(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "-5", "1,234", "abc", "1e9", "99999999999999999999", "1.2.3"} {
		if _, err := app.ParseRub(s); app.ErrorCode(err) != app.EINVALID {
			t.Errorf("ParseRub(%q) err %v, want INVALID", s, err)
		}
	}
}

func TestDates(t *testing.T) {
	d := day("2026-11-27")
	if d.Russian() != "27.11.2026" || d.String() != "2026-11-27" || d.Month().String() != "2026-11" {
		t.Fatalf("formats %s %s %s", d.Russian(), d, d.Month())
	}
	if got, _ := app.ParseDate("27.11.2026"); got != d {
		t.Fatal("Russian date form")
	}
	if _, err := app.ParseDate("31.02.2026"); app.ErrorCode(err) != app.EINVALID {
		t.Fatal("impossible date accepted")
	}
	if app.AgeOn(day("2021-11-28"), d) != 4 || app.AgeOn(day("2021-11-27"), d) != 5 {
		t.Fatal("age on birthday")
	}
	if m := day("2027-02-03").Month(); m.First() != day("2027-02-01") || m.Last() != day("2027-02-28") {
		t.Fatal("month bounds")
	}
}

// String writes the ISO form by hand; it must be what time.Format writes,
// for every day of the years a record can hold and at the edges of Date.
func TestDateStringIsISO(t *testing.T) {
	check := func(d app.Date) {
		y, m, dd := d.Parts()
		want := time.Date(y, m, dd, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
		if got := d.String(); got != want {
			t.Fatalf("Date(%d).String() = %q, want %q", int32(d), got, want)
		}
	}
	for d := app.NewDate(1899, time.December, 1); d <= app.NewDate(2201, time.February, 1); d++ {
		check(d)
	}
	for _, d := range []app.Date{1, 2, 365, 3652058, 3652059, math.MaxInt32, math.MinInt32, -1} {
		check(d)
	}
}

func FuzzParseRub(f *testing.F) {
	for _, s := range []string{"1 234,56", "0", "-1", "1.234", "12,3 ₽", "\u00a0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := app.ParseRub(s)
		if err == nil && (k < 0 || k > app.MaxAmount) {
			t.Fatalf("ParseRub(%q) = %d out of range", s, k)
		}
		if err == nil {
			if back, err := app.ParseRub(app.FormatRub(k)); err != nil || back != k {
				t.Fatalf("round trip %q → %d → %q → %d, %v", s, k, app.FormatRub(k), back, err)
			}
		}
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-11-27", "27.11.2026", "2026-02-30", "", "0000-01-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := app.ParseDate(s)
		if err == nil {
			if back, err := app.ParseDate(d.String()); err != nil || back != d {
				t.Fatalf("round trip %q → %v", s, d)
			}
		}
	})
}

// A lesson's id is the group, the ISO date and the start minute in four digits.
func TestLessonIDForm(t *testing.T) {
	d := day("2026-11-27")
	for start, want := range map[int]string{0: "g|2026-11-27|0000", 5: "g|2026-11-27|0005", 960: "g|2026-11-27|0960",
		1439: "g|2026-11-27|1439", 12345: "g|2026-11-27|12345", -5: "g|2026-11-27|-005"} {
		if got := app.LessonID("g", d, start); got != want {
			t.Errorf("LessonID(g, %s, %d) = %q, want %q", d, start, got, want)
		}
	}
}
