package app

import (
	"strings"
	"unicode/utf8"
)

// Ages of a child who may hold a certificate or enrol: ≥ MinAge and < MaxAge.
const (
	MinAge = 5
	MaxAge = 18
)

// CheckAge enforces RULES.md §1 on the date that matters: ≥ 5 and < 18.
// Errors: AGE_OUT_OF_RANGE, EINVALID (no birth date, or one after on).
func CheckAge(birth, on Date) error {
	if birth.IsZero() {
		return Errorf(EINVALID, "Не указана дата рождения")
	}
	if birth > on {
		return Errorf(EINVALID, "Дата рождения %s позже даты %s", birth.Russian(), on.Russian())
	}
	if a := AgeOn(birth, on); a < MinAge || a >= MaxAge {
		return Errorf(AGE_OUT_OF_RANGE, "Возраст ребёнка на %s — %d %s: сертификат и зачисление доступны детям от 5 до 18 лет",
			on.Russian(), a, yearsWord(a))
	}
	return nil
}

func yearsWord(n int) string {
	switch {
	case n%100 >= 11 && n%100 <= 14:
		return "лет"
	case n%10 == 1:
		return "год"
	case n%10 >= 2 && n%10 <= 4:
		return "года"
	}
	return "лет"
}

// excludedNames are the special names of RULES.md §1 whose holders may not be providers.
var excludedNames = []string{
	"детская школа искусств", "детская музыкальная школа", "детская хоровая школа",
	"детская художественная школа", "детская хореографическая школа",
	"детская театральная школа", "детская цирковая школа",
	"детская школа художественных ремесел",
}

// ExcludedProvider reports whether a full name carries one of the special names
// (case-insensitive, ё = е, any spacing or quotes).
func ExcludedProvider(name string) bool {
	n := NameKey(strings.NewReplacer("\"", " ", "«", " ", "»", " ", "“", " ", "”", " ").Replace(name))
	for _, x := range excludedNames {
		if strings.Contains(n, x) {
			return true
		}
	}
	return false
}

// checkMunicipality makes sure the municipality code is one of the region's.
func checkMunicipality(tx Reader, code string) (Municipality, error) {
	m, err := Get[Municipality](tx, code)
	if ErrorCode(err) == ENOTFOUND {
		return m, Errorf(NOT_RESIDENT, "Муниципалитет «%s» не входит в Ставропольский край", code)
	}
	return m, err
}

// checkText requires a non-empty, bounded, printable text field.
func checkText(field, s string, maxLen int, required bool) error {
	t := strings.TrimSpace(s)
	if required && t == "" {
		return Errorf(EINVALID, "Поле «%s» не заполнено", field)
	}
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > maxLen {
		return Errorf(EINVALID, "Поле «%s»: не больше %d символов", field, maxLen)
	}
	for _, r := range s {
		if r < ' ' && r != '\n' && r != '\t' {
			return Errorf(EINVALID, "Поле «%s» содержит недопустимые символы", field)
		}
	}
	return nil
}

// checkID requires an id a node generated (UUID-like: 1…64 chars of [0-9a-zA-Z-]).
func checkID(field, id string) error {
	if id == "" || len(id) > 64 {
		return Errorf(EINVALID, "Не указан идентификатор: %s", field)
	}
	for _, r := range id {
		if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return Errorf(EINVALID, "Недопустимый идентификатор %s «%s»", field, id)
		}
	}
	return nil
}

// region loads the regional settings; a database without them is not seeded.
func region(tx Reader) (Region, error) {
	r, err := Get[Region](tx, "region")
	if ErrorCode(err) == ENOTFOUND {
		return r, Errorf(NO_PARAMETERS, "Справочники региона не загружены")
	}
	return r, err
}

// periodOf returns the period containing d, or DATE_OUT_OF_PERIOD.
func periodOf(tx Reader, d Date) (Period, error) {
	r, err := region(tx)
	if err != nil {
		return Period{}, err
	}
	p, ok := r.PeriodOn(d)
	if !ok {
		return p, Errorf(DATE_OUT_OF_PERIOD, "Дата %s не входит ни в один период программ", d.Russian())
	}
	return p, nil
}

// paramsOf returns the municipality's parameters for a period.
func paramsOf(tx Reader, mun, period string) (Params, error) {
	p, err := Get[Params](tx, mun+"/"+period)
	if ErrorCode(err) == ENOTFOUND {
		return p, Errorf(NO_PARAMETERS, "Муниципалитет %s не установил параметры на период %s", mun, period)
	}
	return p, err
}

// quotaOf returns the running quota counters (zero if none yet).
func quotaOf(tx Reader, mun, period string) (Quota, error) {
	q, err := Get[Quota](tx, mun+"/"+period)
	if ErrorCode(err) == ENOTFOUND {
		return Quota{Municipality: mun, Period: period}, nil
	}
	return q, err
}

// PriceCap is the highest price a module may have: NS × cap / 100 (RULES.md §4).
func PriceCap(norm, capPct int64) int64 { return norm * capPct / 100 }
