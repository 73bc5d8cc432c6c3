package app_test

import (
	"strings"
	"testing"

	"kruzhok/app"
)

// «Укажите дата рождения» was the nominative where «Укажите» needs the
// accusative: every field name the forms pass, and a few more.
func TestAccusative(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"дата рождения", "дату рождения"},
		{"Дата рождения", "Дату рождения"},
		{"дата согласия", "дату согласия"},
		{"дата начала", "дату начала"},
		{"дата окончания", "дату окончания"},
		{"дата уведомления", "дату уведомления"},
		{"сумма счёта", "сумму счёта"},
		{"цена", "цену"},
		{"нормативная стоимость", "нормативную стоимость"},
		{"фамилия", "фамилию"},
		{"последняя дата", "последнюю дату"},
		{"имя", "имя"},
		{"время начала", "время начала"},
		{"отчество", "отчество"},
		{"вместимость", "вместимость"},
		{"начало приёма", "начало приёма"},
		{"окончание приёма", "окончание приёма"},
		{"возраст", "возраст"},
		{"часы", "часы"},
		{"месяцы", "месяцы"},
		{"коэффициент", "коэффициент"},
		{"число детей 5–18 лет", "число детей 5–18 лет"},
		{"число сертификатов финансирования", "число сертификатов финансирования"},
		{"срок до первой заявки", "срок до первой заявки"},
		{"лимит по направленности «Техническая»", "лимит по направленности «Техническая»"},
		{"дату начала", "дату начала"}, // already the accusative
		{"", ""},
	} {
		if got := app.Accusative(c.in); got != c.want {
			t.Errorf("Accusative(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// A date that does not exist is «такой даты нет», not a wrong format.
func TestParseDateMessages(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"31.02.2027", "Такой даты нет: 31.02.2027"},
		{"29.02.2026", "Такой даты нет: 29.02.2026"},
		{"2027-02-31", "Такой даты нет: 2027-02-31"},
		{"01.13.2027", "Такой даты нет: 01.13.2027"},
		{"00.01.2027", "Такой даты нет: 00.01.2027"},
		{"1 сентября", "Неверная дата «1 сентября»: нужен формат ДД.ММ.ГГГГ"},
		{"2015/03/01", "Неверная дата «2015/03/01»: нужен формат ДД.ММ.ГГГГ"},
		{"31.12.1850", "Неверная дата «31.12.1850»: год должен быть от 1900 до 2200"},
	} {
		_, err := app.ParseDate(c.in)
		if app.ErrorCode(err) != app.EINVALID || app.ErrorMessage(err) != c.want {
			t.Errorf("ParseDate(%q): %v, want %q", c.in, err, c.want)
		}
	}
	for _, ok := range []string{"29.02.2028", "2027-02-28", "31.12.2027"} {
		if _, err := app.ParseDate(ok); err != nil {
			t.Errorf("ParseDate(%q): %v", ok, err)
		}
	}
	if !app.LooksLikeDate("31.02.2027") || app.LooksLikeDate("31.2.2027") || app.LooksLikeDate("завтра") {
		t.Error("LooksLikeDate")
	}
}

// «Сертификат  не является…»: a certificate the authority has not numbered
// yet is named as such, never by an empty number.
func TestUnnumberedCertificateInMessages(t *testing.T) {
	if got := (app.Certificate{}).NumberRu(); got != "(номер ещё не присвоен)" {
		t.Errorf("an unnumbered certificate is %q", got)
	}
	if got := (app.Certificate{Number: "26-27-000001"}).NumberRu(); got != "26-27-000001" {
		t.Errorf("a numbered certificate is %q", got)
	}
	w := newWorld(t, "2026-09-01")
	w.params("27", 10, 10_000_00)
	w.provider(20)
	// A municipality registry's programme is free; a certified one needs a
	// financing certificate, which an accounting one is not.
	// The municipality's own node: it numbers nothing, the server does.
	if err := w.db.SetScope(app.MunicipalityScope("27"), false); err != nil {
		t.Fatal(err)
	}
	c := w.childCmd("2015-03-10")
	w.must(c)
	cert := w.id("cert")
	w.must(&app.IssueCertificate{ID: cert, Child: c.Child.ID})
	err := w.exec(&app.Enrol{ID: w.id("k"), Certificate: cert, Group: w.Group, Start: day("2026-09-01"), ParentConfirmed: true})
	msg := app.ErrorMessage(err)
	if app.ErrorCode(err) != app.CERTIFICATE_NOT_FUNDED || strings.Contains(msg, "  ") || !strings.Contains(msg, "Сертификат (номер ещё не присвоен) не является") {
		t.Errorf("enrolment on an accounting certificate: %v", err)
	}
}
