package app

import (
	"strconv"
	"strings"
)

// Money amounts are int64 kopecks throughout; there are no floats in the domain.

// MaxAmount bounds any single amount a command may carry: 10 billion roubles.
// Anything above it is absurd input, and the bound keeps every product of an
// amount and a day count far inside int64.
const MaxAmount int64 = 1_000_000_000_000

// FormatRub renders kopecks the Russian way: "1 234,56 ₽".
func FormatRub(k int64) string {
	sign := ""
	if k < 0 {
		sign, k = "−", -k
	}
	r := strconv.FormatInt(k/100, 10)
	var b strings.Builder
	for i, c := range r {
		if i > 0 && (len(r)-i)%3 == 0 {
			b.WriteRune('\u00a0')
		}
		b.WriteRune(c)
	}
	kop := k % 100
	return sign + b.String() + "," + string(rune('0'+kop/10)) + string(rune('0'+kop%10)) + "\u00a0₽"
}

// ParseRub reads roubles as a person types them ("1 234,56", "1234.5", "1234")
// into kopecks without floats.
func ParseRub(s string) (int64, error) {
	in := s
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "₽"))
	s = strings.NewReplacer(" ", "", "\u00a0", "", ",", ".").Replace(s)
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 || strings.ContainsAny(frac, "+-") {
		return 0, Errorf(EINVALID, "Неверная сумма «%s»", in)
	}
	r, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || r < 0 || r > MaxAmount/100 {
		return 0, Errorf(EINVALID, "Неверная сумма «%s»", in)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	k, err := strconv.ParseInt(frac, 10, 64)
	if err != nil || k < 0 {
		return 0, Errorf(EINVALID, "Неверная сумма «%s»", in)
	}
	return r*100 + k, nil
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }
func minInt64(v ...int64) int64 {
	m := v[0]
	for _, x := range v[1:] {
		m = min(m, x)
	}
	return m
}

// checkAmount rejects a negative or absurd amount with EINVALID.
func checkAmount(field string, k int64) error {
	if k < 0 || k > MaxAmount {
		return Errorf(EINVALID, "%s: недопустимая сумма %d коп.", field, k)
	}
	return nil
}
