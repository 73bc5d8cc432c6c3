package sheets

import (
	"cmp"
	"slices"

	"kruzhok/app"
)

// Registries are the kinds Export knows, for usage lines and errors.
var Registries = []string{"children", "certificates", "programmes", "municipal", "contracts", "invoices", "journal"}

// Filter narrows an export: Municipality ("27") for the municipal registries
// ("" = all); Group and Month for the journal (both required).
type Filter struct {
	Municipality string
	Group        string
	Month        app.Month
}

// Export builds the registry of the kind from r. Errors: EINVALID for an
// unknown kind or a journal without group and month, ENOTFOUND for an
// unknown group.
func Export(r app.Reader, kind string, f Filter) (Table, error) {
	switch kind {
	case "children":
		return Children(r, f.Municipality)
	case "certificates":
		return Certificates(r, f.Municipality)
	case "programmes":
		return Programmes(r)
	case "municipal":
		return Municipal(r, f.Municipality)
	case "contracts":
		return Contracts(r, f.Municipality)
	case "invoices":
		return Invoices(r, f.Municipality)
	case "journal":
		if f.Group == "" || f.Month == 0 {
			return Table{}, app.Errorf(app.EINVALID, "Для журнала укажите группу и месяц")
		}
		return Journal(r, f.Group, f.Month)
	}
	return Table{}, app.Errorf(app.EINVALID, "Неизвестный реестр «%s»", kind)
}

// names caches the names of referenced records.
type names struct {
	r     app.Reader
	muns  map[string]string
	provs map[string]app.Provider
	dirs  map[string]string
	kids  map[string]app.Child
	progs map[string]app.Programme
}

func newNames(r app.Reader) *names {
	return &names{r: r, muns: map[string]string{}, provs: map[string]app.Provider{},
		dirs: map[string]string{}, kids: map[string]app.Child{}, progs: map[string]app.Programme{}}
}

func (n *names) mun(code string) string {
	if v, ok := n.muns[code]; ok {
		return v
	}
	m, err := app.Get[app.Municipality](n.r, code)
	v := m.Name
	if err != nil {
		v = code
	}
	n.muns[code] = v
	return v
}

func (n *names) provider(id string) app.Provider {
	if v, ok := n.provs[id]; ok {
		return v
	}
	p, err := app.Get[app.Provider](n.r, id)
	if err != nil {
		p = app.Provider{ID: id, Name: id}
	}
	n.provs[id] = p
	return p
}

func (n *names) direction(code string) string {
	if v, ok := n.dirs[code]; ok {
		return v
	}
	d, err := app.Get[app.Direction](n.r, code)
	v := d.Name
	if err != nil {
		v = code
	}
	n.dirs[code] = v
	return v
}

func (n *names) child(id string) app.Child {
	if v, ok := n.kids[id]; ok {
		return v
	}
	c, err := app.Get[app.Child](n.r, id)
	if err != nil {
		c = app.Child{ID: id, LastName: id}
	}
	n.kids[id] = c
	return c
}

func (n *names) programme(id string) app.Programme {
	if v, ok := n.progs[id]; ok {
		return v
	}
	p, err := app.Get[app.Programme](n.r, id)
	if err != nil {
		p = app.Programme{ID: id, Title: id}
	}
	n.progs[id] = p
	return p
}

// byMun lists records of T by the municipality index, or all of them.
func byMun[T any, P interface {
	*T
	app.Record
}](r app.Reader, mun string) ([]T, error) {
	if mun == "" {
		return app.List[T, P](r, "", "", 0)
	}
	return app.List[T, P](r, app.IdxMunicipality, mun, 0)
}

// ChildColumns are the columns of the children registry; the children import
// reads the same columns (docs/IMPORT.md).
var ChildColumns = []string{colLast, colFirst, colMiddle, colBirth, colMun, colGuardian,
	colPhone, colConsentDate, colConsentBy, colSNILS}

// Column names shared by export and import.
const (
	colLast        = "Фамилия"
	colFirst       = "Имя"
	colMiddle      = "Отчество"
	colBirth       = "Дата рождения"
	colMun         = "Муниципалитет"
	colGuardian    = "ФИО представителя"
	colPhone       = "Телефон представителя"
	colConsentDate = "Дата согласия"
	colConsentBy   = "Согласие принял"
	colSNILS       = "СНИЛС"

	colProgID    = "Код программы"
	colINN       = "ИНН исполнителя"
	colProvider  = "Исполнитель"
	colTitle     = "Название программы"
	colDirection = "Направленность"
	colAgeMin    = "Возраст от"
	colAgeMax    = "Возраст до"
	colForm      = "Форма обучения"
	colDesc      = "Описание"
	colStatus    = "Статус"
	colModule    = "Модуль"
	colHours     = "Часов"
	colMonths    = "Месяцев"
	colKidsMin   = "Детей от"
	colKidsMax   = "Детей до"
	colPrice     = "Цена, ₽"
	colNorm      = "Нормативная стоимость, ₽"
)

// Children is the registry of children (personal data, RULES.md §1) of a
// municipality or all, by name.
func Children(r app.Reader, mun string) (Table, error) {
	kids, err := byMun[app.Child](r, mun)
	if err != nil {
		return Table{}, err
	}
	slices.SortFunc(kids, func(a, b app.Child) int {
		return cmp.Or(cmp.Compare(app.NameKey(a.FullName()), app.NameKey(b.FullName())), cmp.Compare(a.BirthDate, b.BirthDate))
	})
	n := newNames(r)
	t := Table{Name: "Дети", Columns: ChildColumns}
	for _, c := range kids {
		t.Rows = append(t.Rows, []Cell{Text(c.LastName), Text(c.FirstName), Text(c.MiddleName),
			DateCell(c.BirthDate), Text(n.mun(c.Municipality)), Text(c.GuardianName), Text(c.GuardianPhone),
			DateCell(c.ConsentDate), Text(c.ConsentBy), Text(c.SNILS)})
	}
	return t, nil
}

// Certificates is the certificate registry of a municipality or all, by
// number; money is the ledger of the certificate's financing period.
func Certificates(r app.Reader, mun string) (Table, error) {
	certs, err := byMun[app.Certificate](r, mun)
	if err != nil {
		return Table{}, err
	}
	slices.SortFunc(certs, func(a, b app.Certificate) int { return cmp.Compare(a.Number, b.Number) })
	n := newNames(r)
	t := Table{Name: "Сертификаты", Columns: []string{"Номер", colMun, colLast, colFirst, colMiddle, colBirth,
		"Вид", colStatus, "Дата выдачи", "Период", "Номинал, ₽", "Остаток, ₽", "Зарезервировано, ₽", "Оплачено, ₽"}}
	for _, c := range certs {
		ch := n.child(c.Child)
		l := c.LedgerOf(c.Period)
		t.Rows = append(t.Rows, []Cell{Text(c.Number), Text(n.mun(c.Municipality)), Text(ch.LastName),
			Text(ch.FirstName), Text(ch.MiddleName), DateCell(ch.BirthDate), Text(app.CertificateTypeRu(c.Type)),
			Text(app.CertificateStatusRu(c.Status)), DateCell(c.Issued), Text(c.Period),
			Money(l.Nominal), Money(l.Balance), Money(l.Reserved), Money(l.Paid)})
	}
	return t, nil
}

// ProgrammeColumns are the columns of the certified registry, one row per
// module; the programmes import reads the same columns.
var ProgrammeColumns = []string{colProgID, colINN, colProvider, colTitle, colDirection, colAgeMin, colAgeMax,
	colForm, colDesc, colStatus, colModule, colHours, colMonths, colKidsMin, colKidsMax, colPrice, colNorm}

// Programmes is the registry of certified programmes, one row per module.
func Programmes(r app.Reader) (Table, error) {
	progs, err := app.List[app.Programme](r, app.IdxStatus, app.ProgCertified, 0)
	if err != nil {
		return Table{}, err
	}
	n := newNames(r)
	slices.SortFunc(progs, func(a, b app.Programme) int {
		return cmp.Or(cmp.Compare(n.provider(a.Provider).Name, n.provider(b.Provider).Name), cmp.Compare(a.Title, b.Title), cmp.Compare(a.ID, b.ID))
	})
	t := Table{Name: "Сертифицированные программы", Columns: ProgrammeColumns}
	for _, p := range progs {
		if p.Status != app.ProgCertified {
			continue
		}
		mods, err := app.List[app.Module](r, app.IdxProgramme, p.ID, 0)
		if err != nil {
			return Table{}, err
		}
		pv := n.provider(p.Provider)
		for _, m := range mods {
			t.Rows = append(t.Rows, []Cell{Text(p.ID), Text(pv.INN), Text(pv.Name), Text(p.Title),
				Text(n.direction(p.Direction)), Int(int64(p.AgeMin)), Int(int64(p.AgeMax)), Text(p.Form),
				Text(p.Description), Text(app.ProgrammeStatusRu(p.Status)), Text(m.Name), Int(int64(m.Hours)),
				Int(int64(m.Months)), Int(int64(m.MinChildren)), Int(int64(m.MaxChildren)),
				Money(m.Price), Money(m.NormPrice)})
		}
	}
	return t, nil
}

// Municipal is the municipal registry of educational programmes (the
// listings) of a municipality or all.
func Municipal(r app.Reader, mun string) (Table, error) {
	ls, err := byMun[app.Listing](r, mun)
	if err != nil {
		return Table{}, err
	}
	n := newNames(r)
	t := Table{Name: "Муниципальный реестр", Columns: []string{colMun, colProgID, colTitle, colProvider,
		colDirection, colStatus, "Мест", "Зачислено"}}
	for _, l := range ls {
		p := n.programme(l.Programme)
		places := Text("без ограничения")
		if l.Places > 0 {
			places = Int(l.Places)
		}
		t.Rows = append(t.Rows, []Cell{Text(n.mun(l.Municipality)), Text(p.ID), Text(p.Title),
			Text(n.provider(p.Provider).Name), Text(n.direction(p.Direction)),
			Text(app.ProgrammeStatusRu(p.Status)), places, Int(l.Enrolled)})
	}
	return t, nil
}

// Contracts is the registry of contracts whose certificate belongs to the
// municipality (or all), by start date.
func Contracts(r app.Reader, mun string) (Table, error) {
	all, err := app.List[app.Contract](r, "", "", 0)
	if err != nil {
		return Table{}, err
	}
	var cs []app.Contract
	for _, c := range all {
		if mun == "" || c.Municipality == mun {
			cs = append(cs, c)
		}
	}
	slices.SortFunc(cs, func(a, b app.Contract) int { return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.ID, b.ID)) })
	n := newNames(r)
	t := Table{Name: "Договоры", Columns: []string{"Договор", "Сертификат", "Ребёнок", colBirth, colMun,
		colProvider, colTitle, "Группа", "Начало", "Окончание", colStatus, "Стоимость, ₽",
		"За счёт сертификата, ₽", "За счёт родителей, ₽", "Заключён"}}
	for _, c := range cs {
		ch := n.child(c.Child)
		num := c.Certificate
		if cert, err := app.Get[app.Certificate](r, c.Certificate); err == nil {
			num = cert.Number
		}
		grp := c.Group
		if g, err := app.Get[app.Group](r, c.Group); err == nil {
			grp = g.Name
		}
		t.Rows = append(t.Rows, []Cell{Text(c.NumberRu()), Text(num), Text(ch.FullName()), DateCell(ch.BirthDate),
			Text(n.mun(c.Municipality)), Text(n.provider(c.Provider).Name), Text(n.programme(c.Programme).Title),
			Text(grp), DateCell(c.Start), DateCell(c.End), Text(app.ContractStatusRu(c.Status)),
			Money(c.Quote.All), Money(c.Quote.Cert), Money(c.Quote.Parent), DateCell(c.Created)})
	}
	return t, nil
}

// Invoices is the registry of providers' invoices to the municipality (or
// all), by month.
func Invoices(r app.Reader, mun string) (Table, error) {
	prefix := ""
	if mun != "" {
		prefix = mun + "|"
	}
	var invs []app.Invoice
	var err error
	if prefix == "" {
		invs, err = app.List[app.Invoice](r, "", "", 0)
	} else {
		invs, err = app.List[app.Invoice](r, app.IdxMunicipality, prefix, 0)
	}
	if err != nil {
		return Table{}, err
	}
	n := newNames(r)
	slices.SortFunc(invs, func(a, b app.Invoice) int {
		return cmp.Or(cmp.Compare(a.Month, b.Month), cmp.Compare(a.Municipality, b.Municipality),
			cmp.Compare(n.provider(a.Provider).Name, n.provider(b.Provider).Name), cmp.Compare(a.Type, b.Type))
	})
	t := Table{Name: "Счета", Columns: []string{"Номер", "Месяц", colMun, colProvider, colINN, "Вид", "Сумма, ₽",
		"Предельная сумма, ₽", colStatus, "Срок оплаты"}}
	for _, i := range invs {
		pv := n.provider(i.Provider)
		t.Rows = append(t.Rows, []Cell{Text(i.NumberRu()), Text(i.Month.Russian()), Text(n.mun(i.Municipality)), Text(pv.Name),
			Text(pv.INN), Text(app.InvoiceTypeRu(i.Type)), Money(i.Amount), Money(i.Max),
			Text(app.InvoiceStatusRu(i.Status)), DateCell(i.Due)})
	}
	return t, nil
}

// Journal marks as written in the attendance journal.
var markRu = map[string]string{app.MarkPresent: "+", app.MarkAbsent: "н", app.MarkExcused: "у"}

// marksOf is the one place that reads attendance marks: child ID → mark of a
// lesson record. If marks move to records of their own, only this changes.
func marksOf(_ app.Reader, l app.Lesson) (map[string]string, error) {
	return l.Marks, nil
}

// Journal is the attendance journal of a group for a month: a row per child
// with a contract in force in the month, a column per lesson (scheduled or
// extra; a cancelled one shows «отм.»), marks + (present), н (absent), у
// (excused), and the totals. Errors: ENOTFOUND for an unknown group.
func Journal(r app.Reader, groupID string, mo app.Month) (Table, error) {
	g, err := app.Get[app.Group](r, groupID)
	if err != nil {
		return Table{}, err
	}
	lessons := map[string]app.Lesson{}
	for _, l := range app.ScheduledLessons(g, mo) {
		lessons[l.ID] = l
	}
	stored, err := app.List[app.Lesson](r, app.IdxGroup, g.ID+"|"+mo.String(), 0)
	if err != nil {
		return Table{}, err
	}
	for _, l := range stored {
		lessons[l.ID] = l
	}
	ls := make([]app.Lesson, 0, len(lessons))
	for _, l := range lessons {
		ls = append(ls, l)
	}
	slices.SortFunc(ls, func(a, b app.Lesson) int { return cmp.Or(cmp.Compare(a.Date, b.Date), cmp.Compare(a.Start, b.Start)) })
	marks := make([]map[string]string, len(ls))
	for i, l := range ls {
		if marks[i], err = marksOf(r, l); err != nil {
			return Table{}, err
		}
	}

	cs, err := app.List[app.Contract](r, app.IdxGroup, g.ID+"|", 0)
	if err != nil {
		return Table{}, err
	}
	n := newNames(r)
	var kids []app.Child
	seen := map[string]bool{}
	for _, c := range cs {
		if c.Status == app.ContractRejected || c.Start > mo.Last() || (c.End != 0 && c.End < mo.First()) || seen[c.Child] {
			continue
		}
		seen[c.Child] = true
		kids = append(kids, n.child(c.Child))
	}
	slices.SortFunc(kids, func(a, b app.Child) int { return cmp.Compare(app.NameKey(a.FullName()), app.NameKey(b.FullName())) })

	t := Table{Name: "Журнал " + mo.String(), Columns: []string{"№", "Ребёнок"}}
	for _, l := range ls {
		_, _, d := l.Date.Parts()
		_, m := l.Date.Month().Parts()
		h := textf("%02d.%02d %s", d, int(m), app.ClockRu(l.Start)).S
		if l.Cancelled {
			h += " (отменено)"
		}
		t.Columns = append(t.Columns, h)
	}
	t.Columns = append(t.Columns, "Присутствовал", "Отсутствовал", "По уважительной причине")
	for i, ch := range kids {
		row := []Cell{Int(int64(i + 1)), Text(ch.FullName())}
		var present, absent, excused int64
		for j, l := range ls {
			mk := marks[j][ch.ID]
			switch {
			case l.Cancelled:
				row = append(row, Text("отм."))
				continue
			case mk == app.MarkPresent:
				present++
			case mk == app.MarkAbsent:
				absent++
			case mk == app.MarkExcused:
				excused++
			}
			row = append(row, Text(markRu[mk]))
		}
		t.Rows = append(t.Rows, append(row, Int(present), Int(absent), Int(excused)))
	}
	return t, nil
}
