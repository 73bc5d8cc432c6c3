//go:build !nogui

package ui

import (
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
)

// The Concept's targets for 31.12.2023 (RULES.md §9).
const (
	targetFinancingMuns = 17 // municipalities with personalised financing, at least
	targetCoveragePct   = 25 // children aged 5–18 with a financing certificate, at least, %
)

// munFigures are one municipality's figures for a period.
type munFigures struct {
	Mun       app.Municipality
	Params    app.Params
	HasParams bool
	Quota     app.Quota
}

// dirFigures are the figures of one direction.
type dirFigures struct {
	Direction app.Direction
	Children  int // children enrolled at least once (contracts not rejected)
	Contracts int // contracts in force
	Providers int // providers with a certified programme in it
	Certified int // certified programmes
}

// figures are the Concept's figures (RULES.md §9) of a municipality or,
// summed over all, of the region, for one period.
type figures struct {
	Period                string
	Muns                  []munFigures // in code order
	Accounting, Financing int
	Active, Population    int64 // financing certificates in force; children aged 5–18
	Budget                int64 // sum of the budget limits
	Waiting               int64 // requests in the queues

	// With ledgers only (loadFigures deep): the money of the certificates
	// of the period and the enrolments by direction.
	Certificates               int
	Nominals, Reserved, Paid   int64
	Directions                 []dirFigures
	ContractsInForce, Enrolled int
}

// loadFigures reads the figures of the current period for the municipality
// mun ("" for the whole region). deep adds the certificates' money and the
// enrolments by direction, which read every certificate and contract of the
// scope; the municipalities table needs only the parameters and quotas.
func loadFigures(r app.Reader, mun string, deep bool) (figures, error) {
	var f figures
	reg, err := app.Get[app.Region](r, "region")
	if app.ErrorCode(err) == app.ENOTFOUND {
		return f, nil // no reference data yet: all zeros
	} else if err != nil {
		return f, err
	}
	f.Period = reg.Current
	muns, err := app.List[app.Municipality](r, "", "", 0)
	if err != nil {
		return f, err
	}
	for _, m := range muns {
		if mun != "" && m.Code != mun {
			continue
		}
		mf := munFigures{Mun: m}
		p, err := app.Get[app.Params](r, m.Code+"/"+f.Period)
		switch {
		case err == nil:
			mf.Params, mf.HasParams = p, true
			f.Accounting++
			if p.Mode == app.ModeFinancing {
				f.Financing++
			}
			f.Population += p.Population
			f.Budget += p.BudgetLimit
		case app.ErrorCode(err) != app.ENOTFOUND:
			return f, err
		}
		q, err := app.Get[app.Quota](r, m.Code+"/"+f.Period)
		switch {
		case err == nil:
			mf.Quota = q
			f.Active += q.Active
			f.Waiting += q.Waiting
		case app.ErrorCode(err) != app.ENOTFOUND:
			return f, err
		}
		f.Muns = append(f.Muns, mf)
	}
	if !deep {
		return f, nil
	}
	return f, loadMoneyAndDirections(r, mun, &f)
}

func loadMoneyAndDirections(r app.Reader, mun string, f *figures) error {
	index := ""
	if mun != "" {
		index = app.IdxMunicipality
	}
	var ferr error
	err := r.Scan(app.KindCertificate, index, mun, func(id string) bool {
		c, err := app.Get[app.Certificate](r, id)
		if err != nil {
			ferr = err
			return false
		}
		f.Certificates++
		l := c.LedgerOf(f.Period)
		f.Nominals += l.Nominal
		f.Reserved += l.Reserved
		f.Paid += l.Paid
		return true
	})
	if err == nil {
		err = ferr
	}
	if err != nil {
		return err
	}
	dirs, err := app.List[app.Direction](r, "", "", 0)
	if err != nil {
		return err
	}
	byDir := map[string]*dirFigures{}
	for _, d := range dirs {
		f.Directions = append(f.Directions, dirFigures{Direction: d})
	}
	for i := range f.Directions {
		byDir[f.Directions[i].Direction.Code] = &f.Directions[i]
	}
	kids := map[string]map[string]bool{} // direction → children
	all := map[string]bool{}
	err = r.Scan(app.KindContract, "", "", func(id string) bool {
		k, err := app.Get[app.Contract](r, id)
		if err != nil {
			ferr = err
			return false
		}
		if mun != "" && k.Municipality != mun || k.Status == app.ContractRejected {
			return true
		}
		if kids[k.Direction] == nil {
			kids[k.Direction] = map[string]bool{}
		}
		kids[k.Direction][k.Child] = true
		all[k.Child] = true
		if k.InForce() {
			f.ContractsInForce++
			if d := byDir[k.Direction]; d != nil {
				d.Contracts++
			}
		}
		return true
	})
	if err == nil {
		err = ferr
	}
	if err != nil {
		return err
	}
	f.Enrolled = len(all)
	for code, set := range kids {
		if d := byDir[code]; d != nil {
			d.Children = len(set)
		}
	}
	progs, err := app.List[app.Programme](r, app.IdxStatus, app.ProgCertified, 0)
	if err != nil {
		return err
	}
	provs := map[string]map[string]bool{}
	for _, p := range progs {
		if p.Status != app.ProgCertified {
			continue // the index prefix "certified" matches only itself, but be sure
		}
		if mun != "" {
			pr, err := app.Get[app.Provider](r, p.Provider)
			if err != nil || pr.Municipality != mun {
				continue
			}
		}
		d := byDir[p.Direction]
		if d == nil {
			continue
		}
		d.Certified++
		if provs[p.Direction] == nil {
			provs[p.Direction] = map[string]bool{}
		}
		provs[p.Direction][p.Provider] = true
	}
	for code, set := range provs {
		byDir[code].Providers = len(set)
	}
	return nil
}

// coverage is the share of children aged 5–18 with a financing certificate.
func (f figures) coverage() string { return shareRu(f.Active, f.Population) }

// shareRu is a/b as «12,4 %» in integers, rounded down; «—» when b is 0.
func shareRu(a, b int64) string {
	if b <= 0 {
		return "—"
	}
	pm := a * 1000 / b
	return strconv.FormatInt(pm/10, 10) + "," + strconv.FormatInt(pm%10, 10) + nbsp + "%"
}

// reaches reports whether a/b ≥ pct %.
func reaches(a, b, pct int64) bool { return b > 0 && a*100 >= pct*b }

// numRu is a count with thin groups: «48 000».
func numRu(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	out := ""
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out += nbsp
		}
		out += string(c)
	}
	if neg {
		return "−" + out
	}
	return out
}

// modeRu is the Russian name of a municipality's mode.
func modeRu(mf munFigures) string {
	switch {
	case !mf.HasParams:
		return "параметры не заданы"
	case mf.Params.Mode == app.ModeFinancing:
		return "учёт и финансирование"
	}
	return "только учёт"
}

// monitoringScreen shows the Concept's figures for a municipality (mun) or
// the region (mun ""): the targets, the money against the limits, the
// enrolments by direction.
type monitoringScreen struct {
	st  app.Store
	mun string
	now func() time.Time

	fig     figures
	status  *widget.Label
	targets *fyne.Container
	money   *fyne.Container
	dirs    *fyne.Container
	content fyne.CanvasObject
}

func newMonitoringScreen(st app.Store, mun string, now func() time.Time) *monitoringScreen {
	s := &monitoringScreen{st: st, mun: mun, now: now, status: newStatus(),
		targets: container.NewGridWithColumns(2), money: container.NewVBox(), dirs: container.NewVBox()}
	title := "Показатели Концепции персонифицированного дополнительного образования"
	s.content = container.NewVScroll(container.NewVBox(heading(title), s.status,
		heading("Целевые показатели"), s.targets, widget.NewSeparator(),
		heading("Средства периода"), s.money, widget.NewSeparator(),
		heading("Зачисления по направленностям"), s.dirs))
	return s
}

// refresh reads the figures again.
func (s *monitoringScreen) refresh() {
	var f figures
	err := s.st.View(func(r app.Reader) error {
		var err error
		f, err = loadFigures(r, s.mun, true)
		return err
	})
	if err != nil {
		sayErr(s.status, err)
		return
	}
	s.fig = f
	if f.Period == "" {
		say(s.status, "Справочники региона ещё не загружены: показателей нет.")
	} else {
		s.status.Importance = widget.MediumImportance
		s.status.SetText("Период " + f.Period + ", на " + dateRu(app.DateOf(s.now())))
	}
	s.showTargets()
	s.showMoney()
	s.showDirections()
}

// targetRows are the rows of the targets table: what, value, target, met.
func (s *monitoringScreen) targetRows() [][4]string {
	f := s.fig
	met := func(ok bool) string {
		if ok {
			return "достигнуто"
		}
		return "не достигнуто"
	}
	cov := f.coverage() + " (" + numRu(f.Active) + " из " + numRu(f.Population) + ")"
	covOK := met(reaches(f.Active, f.Population, targetCoveragePct))
	if s.mun != "" {
		if len(f.Muns) == 0 {
			return nil
		}
		mf := f.Muns[0]
		quota := "—"
		if mf.HasParams {
			quota = numRu(mf.Quota.Active) + " из " + numRu(mf.Params.Quota)
		}
		return [][4]string{
			{"Режим", modeRu(mf), "учёт и финансирование", met(mf.HasParams && mf.Params.Mode == app.ModeFinancing)},
			{"Сертификаты финансирования (выдано из квоты)", quota, "—", ""},
			{"Доля детей 5–18 лет с сертификатом финансирования", cov, "не меньше 25" + nbsp + "%", covOK},
			{"Заявок в очереди", numRu(mf.Quota.Waiting), "—", ""},
		}
	}
	return [][4]string{
		{"Муниципалитеты с персонифицированным учётом", strconv.Itoa(f.Accounting) + " из " + strconv.Itoa(len(f.Muns)),
			"все " + strconv.Itoa(len(f.Muns)), met(len(f.Muns) > 0 && f.Accounting == len(f.Muns))},
		{"Муниципалитеты с персонифицированным финансированием", strconv.Itoa(f.Financing),
			"не меньше " + strconv.Itoa(targetFinancingMuns), met(f.Financing >= targetFinancingMuns)},
		{"Доля детей 5–18 лет с сертификатом финансирования", cov, "не меньше 25" + nbsp + "%", covOK},
		{"Заявок в очередях муниципалитетов", numRu(f.Waiting), "—", ""},
	}
}

func (s *monitoringScreen) showTargets() {
	var objs []fyne.CanvasObject
	for _, row := range s.targetRows() {
		if row[3] == "" {
			// A figure without a target.
			value := widget.NewLabel(row[1])
			objs = append(objs, container.NewVBox(heading(row[0]), value))
			continue
		}
		objs = append(objs, targetBox(target{title: row[0], value: row[1], goal: "цель — " + row[2],
			met: row[3] == "достигнуто"}))
	}
	s.targets.Objects = objs
	s.targets.Refresh()
}

// moneyRows are the money of the period: limit, nominals, reserved, paid, free.
func (s *monitoringScreen) moneyRows() [][2]string {
	f := s.fig
	return [][2]string{
		{"Лимит бюджета на период", rub(f.Budget)},
		{"Номиналы сертификатов периода", rub(f.Nominals) + " (сертификатов: " + numRu(int64(f.Certificates)) + ")"},
		{"В резерве по договорам", rub(f.Reserved)},
		{"Оплачено исполнителям", rub(f.Paid)},
		{"Свободно от лимита", rub(f.Budget - f.Reserved - f.Paid)},
	}
}

func (s *monitoringScreen) showMoney() {
	var objs []fyne.CanvasObject
	for _, row := range s.moneyRows() {
		l := widget.NewLabel(row[1])
		if row[0] == "Свободно от лимита" && s.fig.Budget-s.fig.Reserved-s.fig.Paid < 0 {
			l.Importance = widget.DangerImportance
		}
		objs = append(objs, container.NewGridWithColumns(2, widget.NewLabel(row[0]), l))
	}
	s.money.Objects = objs
	s.money.Refresh()
}

// directionRows are the enrolments by direction, with a total.
func (s *monitoringScreen) directionRows() [][5]string {
	var out [][5]string
	var prov, cert int
	for _, d := range s.fig.Directions {
		out = append(out, [5]string{capitalize(d.Direction.Name), strconv.Itoa(d.Children), strconv.Itoa(d.Contracts),
			strconv.Itoa(d.Providers), strconv.Itoa(d.Certified)})
		prov += d.Providers
		cert += d.Certified
	}
	out = append(out, [5]string{"Всего (детей — без повторов)", strconv.Itoa(s.fig.Enrolled),
		strconv.Itoa(s.fig.ContractsInForce), "", strconv.Itoa(cert)})
	return out
}

func (s *monitoringScreen) showDirections() {
	objs := []fyne.CanvasObject{container.NewGridWithColumns(5, heading("Направленность"), heading("Детей зачислено"),
		heading("Договоров действует"), heading("Исполнителей"), heading("Сертифицировано программ"))}
	for _, row := range s.directionRows() {
		cells := make([]fyne.CanvasObject, 0, len(row))
		for _, t := range row {
			l := widget.NewLabel(t)
			l.Truncation = fyne.TextTruncateEllipsis
			cells = append(cells, l)
		}
		objs = append(objs, container.NewGridWithColumns(5, cells...))
	}
	s.dirs.Objects = objs
	s.dirs.Refresh()
}
