package pdf

import (
	"fmt"
	"slices"
	"strings"

	"kruzhok/app"
)

// RegistryExtract renders an extract from the certificate registry of a
// municipality as of the date on: for each certificate, in number order, its
// number, the child's name, type, status and its nominal, balance, reserved
// and paid in the current period (app.Region.Current), with totals.
// Errors: ENOTFOUND for an unknown municipality, NO_PARAMETERS when the
// region's reference data is not loaded.
func RegistryExtract(r app.Reader, municipality string, on app.Date) ([]byte, error) {
	mun, err := app.Get[app.Municipality](r, municipality)
	if err != nil {
		return nil, err
	}
	reg, err := app.Get[app.Region](r, "region")
	if app.ErrorCode(err) == app.ENOTFOUND {
		return nil, app.Errorf(app.NO_PARAMETERS, "Справочники региона не загружены")
	} else if err != nil {
		return nil, err
	}
	period, _ := reg.Period(reg.Current)
	certs, err := app.List[app.Certificate](r, app.IdxMunicipality, municipality, 0)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(certs, func(a, b app.Certificate) int { return strings.Compare(a.Number, b.Number) })

	p := newPage(fmt.Sprintf("Выписка из реестра сертификатов, %s, %s", mun.Name, on.Russian()), on, true)
	p.h1("ВЫПИСКА ИЗ РЕЕСТРА СЕРТИФИКАТОВ ДОПОЛНИТЕЛЬНОГО ОБРАЗОВАНИЯ")
	p.sub(fmt.Sprintf("муниципалитет %s — %s", mun.Code, mun.Name))
	p.placeDate(fmt.Sprintf("Период %s (%s – %s)", orDash(period.ID), period.Start.Russian(), period.End.Russian()),
		"по состоянию на "+on.Russian())

	var rows [][]string
	var nominal, balance, reserved, paid int64
	var financing int
	for i, c := range certs {
		name := "—"
		if ch, err := app.Get[app.Child](r, c.Child); err == nil {
			name = ch.FullName()
		} else if app.ErrorCode(err) != app.ENOTFOUND {
			return nil, err
		}
		l := c.LedgerOf(reg.Current)
		rows = append(rows, []string{fmt.Sprint(i + 1), c.Number, name, app.CertificateTypeRu(c.Type), app.CertificateStatusRu(c.Status),
			app.FormatRub(l.Nominal), app.FormatRub(l.Balance), app.FormatRub(l.Reserved), app.FormatRub(l.Paid)})
		nominal += l.Nominal
		balance += l.Balance
		reserved += l.Reserved
		paid += l.Paid
		if c.Type == app.CertFinancing {
			financing++
		}
	}
	p.para(fmt.Sprintf("Сертификатов в реестре: %d, из них сертификатов финансирования: %d.", len(certs), financing))
	p.f.Ln(2)
	if len(rows) == 0 {
		rows = [][]string{{"", "", "Сертификатов нет"}}
	}
	p.table([]col{{"№", 11, "R"}, {"Номер сертификата", 32, "C"}, {"Ребёнок", 0, "L"}, {"Тип", 30, "C"},
		{"Статус", 22, "C"}, {"Номинал", 27, "R"}, {"Остаток", 27, "R"}, {"В резерве", 27, "R"}, {"Оплачено", 27, "R"}},
		rows, []string{"", "", "Итого", "", "", app.FormatRub(nominal), app.FormatRub(balance),
			app.FormatRub(reserved), app.FormatRub(paid)})
	p.f.Ln(1)
	p.note("Суммы — за текущий период. По каждому сертификату номинал = остаток + в резерве + оплачено; " +
		"в резерве — доли договоров за ещё не оплаченные месяцы.")
	p.signatures("Ответственный за реестр")
	return p.bytes()
}
