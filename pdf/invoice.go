package pdf

import (
	"cmp"
	"fmt"
	"slices"

	"kruzhok/app"
)

// Invoice renders a provider's invoice to a municipality for a month
// (RULES.md §8): the parties, the amount, the maximum it may claim, the
// status and the due date. A final invoice also lists, for every funded
// contract of the provider paid by that municipality with a share in the
// month, the child, the certificate number, the month's certificate share,
// the group's completeness and the due after it, and then how Σ due less the
// advance makes the amount.
// Errors: ENOTFOUND when the invoice or its provider is not in r.
func Invoice(r app.Reader, invoiceID string) ([]byte, error) {
	inv, err := app.Get[app.Invoice](r, invoiceID)
	if err != nil {
		return nil, err
	}
	prov, err := app.Get[app.Provider](r, inv.Provider)
	if err != nil {
		return nil, err
	}
	// The month-close job makes an advance on the 1st of its month and a
	// final invoice on the 1st of the next.
	date := inv.Month.First()
	kind := "аванс за " + inv.Month.Russian()
	if inv.Type == app.InvFinal {
		date = (inv.Month + 1).First()
		kind = "итоговый расчёт за " + inv.Month.Russian()
	}
	p := newPage("Счёт № "+inv.NumberRu()+", "+kind, date, false)
	p.h1("СЧЁТ НА ОПЛАТУ")
	p.sub("за обучение детей по сертификатам дополнительного образования\n" + kind)
	p.sub("№ " + inv.NumberRu())
	p.placeDate(munName(r, inv.Municipality), date.Russian())

	p.h2("Стороны")
	p.field("Исполнитель (получатель)", fmt.Sprintf("%s (%s), ИНН\u00a0%s, лицензия №\u00a0%s",
		prov.Name, prov.Type, orDash(prov.INN), orDash(prov.Licence)))
	p.field("Плательщик", fmt.Sprintf("муниципалитет %s — %s (уполномоченный орган по сертификатам)",
		inv.Municipality, munName(r, inv.Municipality)))

	p.h2("Счёт")
	status := app.InvoiceStatusRu(inv.Status)
	if status == "" {
		status = inv.Status
	}
	p.table([]col{{"Месяц", 0, "L"}, {"Вид", 24, "C"}, {"Сумма", 30, "R"}, {"Максимум", 30, "R"},
		{"Статус", 24, "C"}, {"Оплатить до", 26, "C"}},
		[][]string{{inv.Month.Russian(), app.InvoiceTypeRu(inv.Type), app.FormatRub(inv.Amount), app.FormatRub(inv.Max),
			status, inv.Due.Russian()}}, nil)
	p.f.Ln(1)

	if inv.Type != app.InvFinal {
		p.note("Аванс — не более 80\u00a0% долей сертификатов за месяц по договорам, действующим на его 1-е число; " +
			"исполнитель может запросить меньше. Окончательный расчёт за месяц — итоговым счётом " +
			"с учётом полноты проведения занятий.")
		p.signatures("Исполнитель", "Плательщик")
		return p.bytes()
	}

	lines, err := invoiceLines(r, inv)
	if err != nil {
		return nil, err
	}
	p.h2("Расчёт по договорам")
	var rows [][]string
	var sumShare, sumDue int64
	for i, l := range lines {
		rows = append(rows, []string{fmt.Sprint(i + 1), l.child, l.number, app.FormatRub(l.share),
			fmt.Sprintf("%d\u00a0%%", l.completeness), app.FormatRub(l.due)})
		sumShare += l.share
		sumDue += l.due
	}
	if len(rows) == 0 {
		rows = [][]string{{"", "Договоров с долей в этом месяце нет", "", "", "", ""}}
	}
	p.table([]col{{"№", 9, "R"}, {"Обучающийся", 0, "L"}, {"Сертификат", 28, "C"}, {"Доля месяца", 28, "R"},
		{"Полнота", 21, "R"}, {"К оплате", 28, "R"}},
		rows, []string{"", "Итого", "", app.FormatRub(sumShare), "", app.FormatRub(sumDue)})
	p.f.Ln(3)
	var advance int64
	if adv, err := app.Get[app.Invoice](r, app.InvoiceID(inv.Provider, inv.Municipality, inv.Month, app.InvAdvance)); err == nil {
		advance = adv.Amount
	} else if app.ErrorCode(err) != app.ENOTFOUND {
		return nil, err
	}
	p.table([]col{{"Расчёт суммы счёта", 0, "L"}, {"Сумма", 40, "R"}}, [][]string{
		{"Начислено с учётом полноты занятий (Σ к оплате)", app.FormatRub(sumDue)},
		{"Аванс за месяц", app.FormatRub(advance)},
	}, []string{"К оплате по итоговому счёту", app.FormatRub(inv.Amount)})
	p.f.Ln(1)
	p.note("К оплате по договору = ⌊доля месяца × полнота / 100⌋, где полнота — доля занятий группы за месяц, " +
		"проведённых исполнителем; остаток доли возвращается на сертификат. " +
		"Итоговый счёт = Σ к оплате − аванс за месяц.")
	p.signatures("Исполнитель", "Плательщик")
	return p.bytes()
}

// invoiceLine is one contract's part of a final invoice.
type invoiceLine struct {
	child, number string
	share, due    int64
	completeness  int64
}

// invoiceLines are the lines of a final invoice, in the order of the
// children's names: the provider's funded contracts paid by the invoice's
// municipality whose schedule has a share in the month that was not
// returned on termination. A settled share shows the due the month close
// recorded; an unsettled one, the due at the group's completeness so far.
func invoiceLines(r app.Reader, inv app.Invoice) ([]invoiceLine, error) {
	ks, err := app.List[app.Contract](r, app.IdxProvider, inv.Provider, 0)
	if err != nil {
		return nil, err
	}
	completeness := map[string]int64{}
	var out []invoiceLine
	for _, k := range ks {
		if k.Provider != inv.Provider || k.Municipality != inv.Municipality || !k.Funded {
			continue
		}
		i := slices.IndexFunc(k.Schedule, func(s app.MonthShare) bool { return s.Month == inv.Month && !s.Returned })
		if i < 0 {
			continue
		}
		s := k.Schedule[i]
		c, ok := completeness[k.Group]
		if !ok {
			g, err := app.Get[app.Group](r, k.Group)
			if err != nil {
				return nil, err
			}
			if c, err = app.GroupCompleteness(r, g, inv.Month); err != nil {
				return nil, err
			}
			completeness[k.Group] = c
		}
		l := invoiceLine{child: "—", number: "—", share: s.Cert, completeness: c, due: app.DueAfterCompleteness(s.Cert, c)}
		if s.Settled {
			l.due = s.Due
		}
		if ch, err := app.Get[app.Child](r, k.Child); err == nil {
			l.child = ch.FullName()
		} else if app.ErrorCode(err) != app.ENOTFOUND {
			return nil, err
		}
		if cert, err := app.Get[app.Certificate](r, k.Certificate); err == nil {
			l.number = certNumber(cert)
		} else if app.ErrorCode(err) != app.ENOTFOUND {
			return nil, err
		}
		out = append(out, l)
	}
	slices.SortStableFunc(out, func(a, b invoiceLine) int {
		if a.child != b.child {
			return cmp.Compare(app.NameKey(a.child), app.NameKey(b.child))
		}
		return cmp.Compare(a.number, b.number)
	})
	return out, nil
}
