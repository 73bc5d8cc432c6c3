//go:build !nogui

package ui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"kruzhok/app"
)

// Russian formats for what the screens show and parse. The domain keeps
// kopecks and calendar dates; people read «1 234,56 ₽» and «27.11.2026» and
// type the same, so every entry parses what it displays.

// nbsp keeps a number and its unit on one line.
const nbsp = "\u00a0"

// dateRu is a calendar date as people read it: 27.11.2026 («—» for none).
func dateRu(d app.Date) string { return d.Russian() }

// rub is an amount in kopecks as «1 234,56 ₽».
func rub(k int64) string { return app.FormatRub(k) }

// rubInput is an amount as it is typed into an entry, «12 000,00», without the
// rouble sign, so that the text parses back to the same kopecks.
func rubInput(k int64) string {
	return strings.ReplaceAll(strings.TrimSuffix(app.FormatRub(k), nbsp+"₽"), nbsp, " ")
}

// percentRu is «75 %».
func percentRu(n int64) string { return strconv.FormatInt(n, 10) + nbsp + "%" }

// clockRu is minutes after midnight as «15:30».
func clockRu(min int) string { return app.ClockRu(min) }

// weekdaysRu are the short weekday names, Monday first, as app.Slot numbers them (1…7).
var weekdaysRu = []string{"Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"}

// weekdayRu is the short name of an app.Slot weekday (1 = Monday … 7 = Sunday).
func weekdayRu(n int) string {
	if n < 1 || n > 7 {
		return "?"
	}
	return weekdaysRu[n-1]
}

// weekdayOf is the app.Slot weekday of a date (1 = Monday … 7 = Sunday).
func weekdayOf(d app.Date) int {
	wd := int(d.Weekday())
	if wd == 0 {
		wd = 7
	}
	return wd
}

// slotRu is one weekly lesson: «Вт 15:00–16:30, каб. 12, ул. Ленина, 1».
func slotRu(s app.Slot) string {
	out := weekdayRu(s.Weekday) + " " + clockRu(s.Start) + "–" + clockRu(s.End)
	if s.Room != "" {
		out += ", каб. " + s.Room
	}
	if s.Address != "" {
		out += ", " + s.Address
	}
	return out
}

// scheduleRu is a weekly schedule in short form: «Вт 15:00–16:30; Чт 15:00–16:30».
func scheduleRu(slots []app.Slot) string {
	parts := make([]string, 0, len(slots))
	for _, s := range slots {
		parts = append(parts, weekdayRu(s.Weekday)+" "+clockRu(s.Start)+"–"+clockRu(s.End))
	}
	if len(parts) == 0 {
		return "расписания нет"
	}
	return strings.Join(parts, "; ")
}

// markRu is the journal's sign for an attendance mark.
func markRu(m string) string {
	switch m {
	case app.MarkPresent:
		return "был"
	case app.MarkAbsent:
		return "н"
	case app.MarkExcused:
		return "ув"
	}
	return ""
}

// nextMark is the mark a tap on a journal cell moves to: present → absent →
// excused → none → present.
func nextMark(m string) string {
	switch m {
	case "":
		return app.MarkPresent
	case app.MarkPresent:
		return app.MarkAbsent
	case app.MarkAbsent:
		return app.MarkExcused
	}
	return ""
}

// today is the calendar date of now() in Moscow.
func today(now func() time.Time) app.Date { return app.DateOf(now()) }

// looksLikeCertNumber reports whether a search query is (the start of) a
// certificate number 26-MM-NNNNNN rather than a name.
func looksLikeCertNumber(q string) bool {
	q = strings.TrimSpace(q)
	if len(q) < 2 || !strings.HasPrefix(q, "26") {
		return false
	}
	for _, r := range q {
		if (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}

// fieldError is a message for the person at the keyboard, shown as it is
// under the field it is about. It is not an app.Error: nothing was sent to the
// domain yet, so there is no code.
type fieldError string

func (e fieldError) Error() string { return string(e) }

// msgf makes a fieldError.
func msgf(format string, args ...any) error { return fieldError(fmt.Sprintf(format, args...)) }

// Input parsing. Each parser names the field in its message, so a message
// shown under the field or in a summary says what to fix.

// parseRubField reads roubles typed as «12 000,00», «12000» or «12000.5».
func parseRubField(field, s string) (int64, error) {
	if strings.TrimSpace(s) == "" {
		return 0, msgf("Укажите %s в рублях, например 12 000,00", app.Accusative(field))
	}
	k, err := app.ParseRub(s)
	if err != nil {
		return 0, msgf("Неверная сумма «%s» в поле «%s»: пишите рубли и копейки, например 12 000,00", strings.TrimSpace(s), field)
	}
	return k, nil
}

// parseDateField reads a date typed as 27.11.2026.
func parseDateField(field, s string) (app.Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, msgf("Укажите %s в формате ДД.ММ.ГГГГ", app.Accusative(field))
	}
	d, err := app.ParseDate(s)
	if err != nil && app.LooksLikeDate(s) { // 31.02.2027: «такой даты нет», not a format
		return 0, msgf("%s (поле «%s»)", app.ErrorMessage(err), field)
	} else if err != nil {
		return 0, msgf("Неверная дата «%s» в поле «%s»: нужен формат ДД.ММ.ГГГГ, например 27.11.2026", s, field)
	}
	return d, nil
}

// parseIntField reads a whole number within lo…hi; msg, when not empty,
// replaces the default out-of-range message.
func parseIntField(field, s string, lo, hi int, msg string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		if strings.TrimSpace(s) == "" {
			return 0, msgf("Укажите %s", app.Accusative(field))
		}
		return 0, msgf("В поле «%s» нужно целое число, указано «%s»", field, strings.TrimSpace(s))
	}
	if n < lo || n > hi {
		if msg != "" {
			return n, msgf("%s", msg)
		}
		return n, msgf("%s: от %d до %d", capitalize(field), lo, hi)
	}
	return n, nil
}

// parseClock reads a time of day «15:00» (or «9:30», «15.00») as minutes after midnight.
func parseClock(field, s string) (int, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ".", ":")
	h, m, ok := strings.Cut(s, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(m) != 2 || hh < 0 || hh > 24 || mm < 0 || mm > 59 || hh*60+mm > 24*60 {
		return 0, msgf("Неверное время «%s» в поле «%s»: нужен формат ЧЧ:ММ, например 15:00", s, field)
	}
	return hh*60 + mm, nil
}

func capitalize(s string) string {
	for i := range s {
		if i > 0 {
			return strings.ToUpper(s[:i]) + s[i:]
		}
	}
	return strings.ToUpper(s)
}

// Field validators: func(string) error for widget.Entry.Validator and the
// screens' own checks. Their messages are shown to a user as they are.

// notEmpty requires some text; msg is the message for an empty field.
func notEmpty(msg string) func(string) error {
	return func(s string) error {
		if strings.TrimSpace(s) == "" {
			return msgf("%s", msg)
		}
		return nil
	}
}

// validRub requires an amount in roubles (or allows an empty field when optional).
func validRub(field string, optional bool) func(string) error {
	return func(s string) error {
		if optional && strings.TrimSpace(s) == "" {
			return nil
		}
		_, err := parseRubField(field, s)
		return err
	}
}

// validDate requires a date 27.11.2026 (or allows an empty field when optional).
func validDate(field string, optional bool) func(string) error {
	return func(s string) error {
		if optional && strings.TrimSpace(s) == "" {
			return nil
		}
		_, err := parseDateField(field, s)
		return err
	}
}

// validInt requires a whole number within lo…hi; msg replaces the range message.
func validInt(field string, lo, hi int, msg string) func(string) error {
	return func(s string) error {
		_, err := parseIntField(field, s, lo, hi, msg)
		return err
	}
}

// validClock requires a time of day «15:00».
func validClock(field string) func(string) error {
	return func(s string) error {
		_, err := parseClock(field, s)
		return err
	}
}

// validBirthDate requires a birth date that makes the child 5 to 17 full
// years old on the date now() gives (RULES.md §1): the message names the age.
func validBirthDate(now func() time.Time) func(string) error {
	return func(s string) error {
		d, err := parseDateField("дата рождения", s)
		if err != nil {
			return err
		}
		if err := app.CheckAge(d, today(now)); err != nil {
			return msgf("%s", app.ErrorMessage(err)) // the rule's own words, at the field
		}
		return nil
	}
}

// validPhone allows an empty phone or digits with + ( ) - and spaces.
func validPhone(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	n := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			n++
		case strings.ContainsRune("+()- ", r):
		default:
			return msgf("Неверный телефон «%s»: только цифры, например +7 918 123-45-67", s)
		}
	}
	if n < 5 || n > 15 {
		return msgf("Неверный телефон «%s»: нужно от 5 до 15 цифр", s)
	}
	return nil
}

func itoa(n int) string { return strconv.Itoa(n) }

// twoDigits is a day or month number as in dates: 03.
func twoDigits(n int) string {
	if n < 10 {
		return "0" + itoa(n)
	}
	return itoa(n)
}
