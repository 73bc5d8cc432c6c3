package app

import (
	"fmt"
	"time"
)

// Date is a calendar date (Europe/Moscow), counted in days since 0001-01-01.
// The zero Date means "no date".
type Date int32

// epochShift is the number of days from 0001-01-01 to 1970-01-01.
const epochShift = 719162

// NewDate returns the date y-m-d; out-of-range parts normalise as in time.Date.
func NewDate(y int, m time.Month, d int) Date {
	return Date(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix()/86400 + epochShift)
}

// DateOf returns the calendar date of t in Europe/Moscow (UTC+3, no DST since 2014).
func DateOf(t time.Time) Date {
	t = t.In(moscow)
	return NewDate(t.Year(), t.Month(), t.Day())
}

var moscow = time.FixedZone("MSK", 3*3600)

// ParseDate reads YYYY-MM-DD or DD.MM.YYYY. A malformed date, a date that
// does not exist (31.02.2027: «такой даты нет») or a year outside 1900…2200
// is EINVALID, each with its own message.
func ParseDate(s string) (Date, error) {
	for _, layout := range []string{"2006-01-02", "02.01.2006"} {
		t, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		if t.Year() < 1900 || t.Year() > 2200 {
			return 0, Errorf(EINVALID, "Неверная дата «%s»: год должен быть от 1900 до 2200", s)
		}
		return NewDate(t.Year(), t.Month(), t.Day()), nil
	}
	if LooksLikeDate(s) {
		return 0, Errorf(EINVALID, "Такой даты нет: %s", s)
	}
	return 0, Errorf(EINVALID, "Неверная дата «%s»: нужен формат ДД.ММ.ГГГГ", s)
}

// LooksLikeDate reports whether s is written as a date, DD.MM.YYYY or
// YYYY-MM-DD, whether or not that date exists: 31.02.2027 looks like one.
func LooksLikeDate(s string) bool {
	digits := func(s string) bool {
		for _, r := range s {
			if r < '0' || r > '9' {
				return false
			}
		}
		return true
	}
	if len(s) != 10 {
		return false
	}
	switch {
	case s[2] == '.' && s[5] == '.':
		return digits(s[:2]) && digits(s[3:5]) && digits(s[6:])
	case s[4] == '-' && s[7] == '-':
		return digits(s[:4]) && digits(s[5:7]) && digits(s[8:])
	}
	return false
}

// MustDate parses a YYYY-MM-DD literal and panics on error; for tests and fixed data.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func (d Date) time() time.Time { return time.Unix(int64(d-epochShift)*86400, 0).UTC() }

// Parts returns year, month and day.
func (d Date) Parts() (int, time.Month, int) { return d.time().Date() }

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d == 0 }

// String is the ISO form YYYY-MM-DD (used in keys and files).
func (d Date) String() string {
	if d == 0 {
		return ""
	}
	y, m, day := d.time().Date()
	if y < 0 || y > 9999 {
		return d.time().Format("2006-01-02")
	}
	// By hand: record ids and index keys of lessons hold a date, and a batch
	// of marks makes thousands of them; time.Format is the slow part.
	b := [10]byte{byte('0' + y/1000), byte('0' + y/100%10), byte('0' + y/10%10), byte('0' + y%10), '-',
		byte('0' + int(m)/10), byte('0' + int(m)%10), '-', byte('0' + day/10), byte('0' + day%10)}
	return string(b[:])
}

// Russian is the form people read: 27.11.2026.
func (d Date) Russian() string {
	if d == 0 {
		return "—"
	}
	return d.time().Format("02.01.2006")
}

// Weekday of d.
func (d Date) Weekday() time.Weekday { return d.time().Weekday() }

// Month is the calendar month d falls in.
func (d Date) Month() Month {
	y, m, _ := d.Parts()
	return MonthOf(y, m)
}

// AddDays returns d shifted by n days.
func (d Date) AddDays(n int) Date { return d + Date(n) }

// DaysInclusive returns the number of days from a to b, both included (0 if b < a).
func DaysInclusive(a, b Date) int64 {
	if b < a {
		return 0
	}
	return int64(b-a) + 1
}

// AgeOn returns the age in whole years of a person born on birth, on date on.
func AgeOn(birth, on Date) int {
	by, bm, bd := birth.Parts()
	y, m, d := on.Parts()
	age := y - by
	if m < bm || (m == bm && d < bd) {
		age--
	}
	return age
}

// Month is a calendar month counted as year*12 + month-1.
type Month int32

// MonthOf returns the month m of year y.
func MonthOf(y int, m time.Month) Month { return Month(y*12 + int(m) - 1) }

// ParseMonth reads YYYY-MM.
func ParseMonth(s string) (Month, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil || t.Year() < 1900 || t.Year() > 2200 {
		return 0, Errorf(EINVALID, "Неверный месяц «%s»: нужен формат ГГГГ-ММ", s)
	}
	return MonthOf(t.Year(), t.Month()), nil
}

// Year and calendar month of m.
func (m Month) Parts() (int, time.Month) { return int(m) / 12, time.Month(int(m)%12 + 1) }

// First day of the month.
func (m Month) First() Date { y, mm := m.Parts(); return NewDate(y, mm, 1) }

// Last day of the month.
func (m Month) Last() Date { return (m + 1).First() - 1 }

// String is YYYY-MM.
func (m Month) String() string { y, mm := m.Parts(); return fmt.Sprintf("%04d-%02d", y, int(mm)) }

var monthsRu = [...]string{"январь", "февраль", "март", "апрель", "май", "июнь", "июль",
	"август", "сентябрь", "октябрь", "ноябрь", "декабрь"}

// Russian is "ноябрь 2026".
func (m Month) Russian() string { y, mm := m.Parts(); return fmt.Sprintf("%s %d", monthsRu[mm-1], y) }
