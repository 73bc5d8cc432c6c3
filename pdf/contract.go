package pdf

import (
	"fmt"

	"kruzhok/app"
)

// ContractOffer renders the договор-оферта of a contract: the parties (the
// provider with its INN and licence, the guardian and the child with the
// certificate), the programme, module and group with its weekly schedule and
// dates, and the money of RULES.md §6 — the total, the certificate's part,
// the family's part and the month-by-month schedule of both shares.
// Errors: ENOTFOUND when the contract or a record it names is not in r.
func ContractOffer(r app.Reader, contractID string) ([]byte, error) {
	k, err := app.Get[app.Contract](r, contractID)
	if err != nil {
		return nil, err
	}
	prov, err := app.Get[app.Provider](r, k.Provider)
	if err != nil {
		return nil, err
	}
	prog, err := app.Get[app.Programme](r, k.Programme)
	if err != nil {
		return nil, err
	}
	mod, err := app.Get[app.Module](r, k.Module)
	if err != nil {
		return nil, err
	}
	grp, err := app.Get[app.Group](r, k.Group)
	if err != nil {
		return nil, err
	}
	child, err := app.Get[app.Child](r, k.Child)
	if err != nil {
		return nil, err
	}
	cert, err := app.Get[app.Certificate](r, k.Certificate)
	if err != nil {
		return nil, err
	}
	direction := prog.Direction
	if d, err := app.Get[app.Direction](r, prog.Direction); err == nil {
		direction = d.Name
	}

	p := newPage("Договор-оферта № "+k.NumberRu(), k.Created, false)
	p.h1("ДОГОВОР-ОФЕРТА")
	if k.Funded {
		p.sub("об обучении по дополнительной общеобразовательной программе\nс оплатой за счёт сертификата дополнительного образования")
	} else {
		p.sub("об обучении по дополнительной общеобразовательной программе\nв рамках муниципального задания")
	}
	p.sub("№ " + k.NumberRu())
	p.placeDate(munName(r, prov.Municipality), k.Created.Russian())

	p.para(fmt.Sprintf("%s (далее — Исполнитель) предлагает законному представителю обучающегося "+
		"(далее — Заказчик) заключить договор об обучении на условиях, изложенных ниже. "+
		"Оферта принята, когда Заказчик её подтвердил.", prov.Name))

	p.h2("1. Стороны")
	p.field("Исполнитель", fmt.Sprintf("%s (%s), ИНН\u00a0%s, лицензия на осуществление образовательной деятельности №\u00a0%s",
		prov.Name, prov.Type, orDash(prov.INN), orDash(prov.Licence)))
	p.field("Заказчик", fmt.Sprintf("%s, законный представитель обучающегося, телефон %s",
		orDash(child.GuardianName), nbsp(orDash(child.GuardianPhone))))
	p.field("Обучающийся", fmt.Sprintf("%s, дата рождения %s", child.FullName(), child.BirthDate.Russian()))
	p.field("Сертификат", fmt.Sprintf("№\u00a0%s (%s), муниципалитет — %s",
		certNumber(cert), app.CertificateTypeRu(cert.Type), munName(r, k.Municipality)))

	p.h2("2. Предмет договора")
	p.field("Программа", fmt.Sprintf("«%s», направленность — %s, форма обучения — %s", prog.Title, direction, orDash(prog.Form)))
	p.field("Модуль", fmt.Sprintf("«%s», %d ч.", mod.Name, mod.Hours))
	p.field("Группа", fmt.Sprintf("«%s», занятия с %s по %s", grp.Name, grp.Start.Russian(), grp.End.Russian()))
	p.field("Срок обучения по договору", fmt.Sprintf("с %s по %s", k.Start.Russian(), k.End.Russian()))
	p.f.Ln(1)
	p.para("Расписание занятий (еженедельно):")
	p.f.Ln(1)
	var slots [][]string
	for _, s := range grp.Schedule {
		slots = append(slots, []string{weekdayRu(s.Weekday), app.ClockRu(s.Start) + "–" + app.ClockRu(s.End),
			orDash(s.Room), orDash(s.Address)})
	}
	if len(slots) == 0 {
		slots = [][]string{{"—", "—", "—", "—"}}
	}
	// The room and the address share the rest of the line and wrap: a room
	// «каб. робототехники…» is printed whole.
	p.table([]col{{"День недели", 30, "L"}, {"Время", 24, "C"}, {"Кабинет", 0, "L"}, {"Адрес", 0, "L"}}, slots, nil)

	if !k.Funded {
		// A programme of the municipal registry: the municipality pays by its
		// assignment, the certificate only counts the child (RULES.md §4).
		p.h2("3. Стоимость обучения")
		p.para("Обучение бесплатно для Заказчика: программа входит в муниципальный реестр образовательных программ " +
			"и оплачивается по муниципальному заданию. Сертификат учитывает обучающегося; средства с него не списываются.")
		p.h2("4. Состояние договора")
		p.para(contractState(k))
		p.signatures("Исполнитель", "Заказчик")
		return p.bytes()
	}
	q := k.Quote
	p.h2("3. Стоимость обучения")
	p.table([]col{{"Показатель", 0, "L"}, {"Сумма", 40, "R"}}, [][]string{
		{"Полная стоимость обучения по договору", app.FormatRub(q.All)},
		{"в том числе за счёт сертификата дополнительного образования", app.FormatRub(q.Cert)},
		{"в том числе за счёт Заказчика", app.FormatRub(q.Parent)},
	}, nil)
	p.f.Ln(1)
	p.note(fmt.Sprintf("Стоимость модуля %s (нормативная стоимость %s) относится ко всему сроку группы — %d дн.; "+
		"договор действует %d дн., и его стоимость — та же доля, округлённая до копейки вверх. "+
		"Сертификат оплачивает не больше нормативной доли и своего остатка; остальное оплачивает Заказчик.",
		app.FormatRub(mod.Price), app.FormatRub(mod.NormPrice), q.GroupDays, q.Days))

	p.h2("4. График оплаты по месяцам")
	var rows [][]string
	var sumCert, sumParent int64
	for _, s := range k.Schedule {
		rows = append(rows, []string{s.Month.Russian(), app.FormatRub(s.Cert), app.FormatRub(s.Parent), app.FormatRub(s.Cert + s.Parent)})
		sumCert += s.Cert
		sumParent += s.Parent
	}
	p.table([]col{{"Месяц", 0, "L"}, {"За счёт сертификата", 40, "R"}, {"За счёт Заказчика", 40, "R"}, {"Всего", 40, "R"}},
		rows, []string{"Итого", app.FormatRub(sumCert), app.FormatRub(sumParent), app.FormatRub(sumCert + sumParent)})
	p.f.Ln(1)
	p.note("Месяц оплачивается полностью, если договор действует на его 1-е число (или начинается в нём); " +
		"пропуски занятий обучающимся оплату не уменьшают. Доля сертификата за месяц уменьшается " +
		"пропорционально занятиям, отменённым Исполнителем. При расторжении договор прекращается в последний " +
		"день месяца уведомления; доли последующих месяцев возвращаются на сертификат.")

	p.h2("5. Состояние договора")
	p.para(contractState(k))

	p.signatures("Исполнитель", "Заказчик")
	return p.bytes()
}

// contractState says where the contract stands, in words for a parent:
// no status code and no «РМЦ», which a family does not know.
func contractState(k app.Contract) string {
	var state string
	switch k.Status {
	case app.ContractRequested:
		state = "Договор заключён и ждёт регистрации в региональной системе учёта сертификатов; " +
			"номер договора будет присвоен при регистрации."
	case app.ContractActive:
		state = "Договор действует."
	case app.ContractTerminating:
		state = "Договор расторгается."
	case app.ContractClosed:
		state = "Договор исполнен и закрыт."
	case app.ContractRejected:
		state = "Договор не зарегистрирован в региональной системе учёта сертификатов и не действует."
	}
	if !k.Notice.IsZero() {
		state += fmt.Sprintf(" Уведомление о расторжении от %s: обучение по договору — по %s.", k.Notice.Russian(), k.End.Russian())
	}
	return state
}

// certNumber is the certificate's number, or words saying it is to come.
func certNumber(c app.Certificate) string {
	if c.Number == "" {
		return app.NumberPending
	}
	return c.Number
}
