//go:build !nogui

package ui

import (
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
)

// Mode choices of the parameters form.
const (
	modeAccountingRu = "Только персонифицированный учёт"
	modeFinancingRu  = "Учёт и персонифицированное финансирование"
)

// paramsScreen is the municipality's parameters for a period (RULES.md §2):
// the mode, the quota and nominal of financing certificates, the optional
// limits, the days to the first request, the child population and the
// budget limit. Each field names its own mistake before anything is saved.
type paramsScreen struct {
	st  app.Store
	mun string
	now func() time.Time

	periods []app.Period
	current string
	dirs    []app.Direction

	period     *widget.Select
	mode       *widget.RadioGroup
	quota      *field
	nominal    *field
	sumLimit   *field
	days       *field
	population *field
	budget     *field
	dirLimits  []*field
	dirBox     *fyne.Container
	save       *widget.Button
	issued     *widget.Label
	status     *widget.Label
	content    fyne.CanvasObject
}

func newParamsScreen(st app.Store, mun string, now func() time.Time) *paramsScreen {
	s := &paramsScreen{st: st, mun: mun, now: now, issued: newStatus(), status: newStatus()}
	s.period = widget.NewSelect(nil, func(string) { s.load() })
	s.mode = widget.NewRadioGroup([]string{modeAccountingRu, modeFinancingRu}, func(string) { s.recheck() })
	s.mode.Required = true
	s.quota = newField("например 500", s.checkQuota)
	s.nominal = newField("например 5 000,00", s.checkNominal)
	s.sumLimit = newField("необязательно", func(v string) error {
		_, err := amountField("лимит суммы номиналов", v, true)
		return err
	})
	s.days = newField("не меньше 5", func(v string) error { _, err := daysField(v); return err })
	s.population = newField("например 48 000", func(v string) error {
		_, err := countField("число детей 5–18 лет", v, false)
		return err
	})
	s.budget = newField("например 2 500 000,00", func(v string) error { _, err := amountField("лимит бюджета", v, false); return err })
	s.save = widget.NewButton("Сохранить параметры", s.onSave)
	s.save.Importance = widget.HighImportance
	for _, f := range s.fields() {
		f.onEnter(s.onSave)
	}
	s.dirBox = container.NewGridWithColumns(4)
	s.content = s.layout()
	return s
}

// fields are the form's fields in focus order (the direction limits last).
func (s *paramsScreen) fields() []*field {
	return append([]*field{s.quota, s.nominal, s.sumLimit, s.days, s.population, s.budget}, s.dirLimits...)
}

func (s *paramsScreen) layout() fyne.CanvasObject {
	form := widget.NewForm(
		widget.NewFormItem("Период", s.period),
		widget.NewFormItem("Режим", s.mode),
		widget.NewFormItem("Сертификатов финансирования (квота)", s.quota.box),
		widget.NewFormItem("Номинал сертификата, ₽", s.nominal.box),
		widget.NewFormItem("Лимит суммы номиналов, ₽", s.sumLimit.box),
		widget.NewFormItem("Срок до первой заявки, дней", s.days.box),
		widget.NewFormItem("Детей 5–18 лет в муниципалитете", s.population.box),
		widget.NewFormItem("Лимит бюджета на период, ₽", s.budget.box),
	)
	help := helpText("Сертификаты финансирования выдаются строго в порядке поступления заявок, пока есть места в квоте " +
		"и, если задан, в лимите суммы номиналов. Остатки в следующий период не переходят.")
	// The form scrolls; its button and status stay in a bar under it, so a
	// message that wraps moves nothing one clicks.
	return container.NewBorder(nil, container.NewVBox(container.NewHBox(s.save), statusLines(s.status, 2)), nil, nil,
		container.NewVScroll(container.NewVBox(heading("Параметры муниципалитета на период"), help, s.issued, form,
			heading("Лимиты зачислений по направленностям (необязательно)"), s.dirBox)))
}

// refresh reads the periods and directions and fills the form with the
// chosen period's parameters.
func (s *paramsScreen) refresh() {
	var reg app.Region
	var dirs []app.Direction
	err := s.st.View(func(r app.Reader) error {
		var err error
		if reg, err = app.Get[app.Region](r, "region"); err != nil {
			return err
		}
		dirs, err = app.List[app.Direction](r, "", "", 0)
		return err
	})
	if app.ErrorCode(err) == app.ENOTFOUND {
		sayErr(s.status, msgf("Справочники региона ещё не пришли с сервера: синхронизируйте узел"))
		s.save.Disable()
		return
	} else if err != nil {
		sayErr(s.status, err)
		return
	}
	s.save.Enable()
	s.periods, s.current = nil, reg.Current
	var opts []string
	for _, id := range []string{reg.Current, reg.Next} {
		if p, ok := reg.Period(id); ok {
			s.periods = append(s.periods, p)
			opts = append(opts, periodOptionRu(p, reg))
		}
	}
	if len(dirs) != len(s.dirs) {
		s.dirs = dirs
		s.dirLimits = nil
		var objs []fyne.CanvasObject
		for _, d := range dirs {
			f := newField("без лимита", func(v string) error {
				_, err := countField("лимит по направленности «"+d.Name+"»", v, true)
				return err
			})
			f.onEnter(s.onSave)
			s.dirLimits = append(s.dirLimits, f)
			objs = append(objs, widget.NewLabel(capitalize(d.Name)), f.box)
		}
		s.dirBox.Objects = objs
		s.dirBox.Refresh()
	}
	chosen := s.period.SelectedIndex()
	s.period.Options = opts
	if chosen < 0 || chosen >= len(opts) {
		chosen = 0
	}
	if len(opts) > 0 {
		s.period.SetSelectedIndex(chosen) // loads the period's parameters
	}
}

func periodOptionRu(p app.Period, reg app.Region) string {
	s := p.ID + " (" + dateRu(p.Start) + " – " + dateRu(p.End) + ")"
	switch p.ID {
	case reg.Current:
		s += ", текущий"
	case reg.Next:
		s += ", следующий"
	}
	return s
}

func (s *paramsScreen) chosenPeriod() (app.Period, bool) {
	i := s.period.SelectedIndex()
	if i < 0 || i >= len(s.periods) {
		return app.Period{}, false
	}
	return s.periods[i], true
}

// load fills the form with the stored parameters of the chosen period, or
// empties it for a period without them.
func (s *paramsScreen) load() {
	p, ok := s.chosenPeriod()
	if !ok {
		return
	}
	var prm app.Params
	var q app.Quota
	var have bool
	err := s.st.View(func(r app.Reader) error {
		var err error
		prm, err = app.Get[app.Params](r, s.mun+"/"+p.ID)
		switch {
		case err == nil:
			have = true
		case app.ErrorCode(err) != app.ENOTFOUND:
			return err
		}
		q, err = app.Get[app.Quota](r, s.mun+"/"+p.ID)
		if app.ErrorCode(err) == app.ENOTFOUND {
			err = nil
		}
		return err
	})
	if err != nil {
		sayErr(s.status, err)
		return
	}
	say(s.status, "")
	amount := func(k int64, optional bool) string {
		if k == 0 && optional {
			return ""
		}
		return rubInput(k)
	}
	if !have {
		prm = app.Params{Mode: app.ModeAccounting, DaysToRequest: 30}
		s.issued.SetText("Параметры на период " + p.ID + " ещё не заданы.")
	} else {
		s.issued.SetText("Выдано сертификатов финансирования: " + numRu(q.Active) + " на " + rub(q.SumNominals) +
			"; заявок в очереди: " + numRu(q.Waiting) + ".")
	}
	if prm.Mode == app.ModeFinancing {
		s.mode.SetSelected(modeFinancingRu)
	} else {
		s.mode.SetSelected(modeAccountingRu)
	}
	s.quota.set(countInput(prm.Quota))
	s.nominal.set(amount(prm.Nominal, false))
	s.sumLimit.set(amount(prm.SumLimit, true))
	s.days.set(strconv.Itoa(prm.DaysToRequest))
	s.population.set(countInput(prm.Population))
	s.budget.set(amount(prm.BudgetLimit, false))
	for i, d := range s.dirs {
		v := ""
		if n, ok := prm.DirectionLimits[d.Code]; ok {
			v = strconv.FormatInt(n, 10)
		}
		s.dirLimits[i].set(v)
	}
}

func (s *paramsScreen) financing() bool { return s.mode.Selected == modeFinancingRu }

// recheck runs the checks that depend on the mode again, where they show.
func (s *paramsScreen) recheck() {
	for _, f := range []*field{s.quota, s.nominal} {
		if f.msg.Visible() {
			f.validate()
		}
	}
}

func (s *paramsScreen) checkQuota(v string) error {
	n, err := countField("число сертификатов финансирования", v, false)
	if err == nil && n == 0 && s.financing() {
		err = msgf("В режиме финансирования нужна квота больше нуля")
	}
	return err
}

func (s *paramsScreen) checkNominal(v string) error {
	k, err := amountField("номинал", v, false)
	if err == nil && k == 0 && s.financing() {
		err = msgf("В режиме финансирования номинал должен быть больше нуля")
	}
	return err
}

// onSave checks every field, then saves the parameters with SetParams; a
// refusal of the domain is shown as its Russian message.
func (s *paramsScreen) onSave() {
	p, ok := s.chosenPeriod()
	if !ok {
		sayErr(s.status, msgf("Выберите период"))
		return
	}
	var checks []checker
	for _, f := range s.fields() {
		checks = append(checks, f)
	}
	if err := firstError(checks...); err != nil {
		sayInvalid(s.status, "Параметры не сохранены", checks...)
		return
	}
	if s.mode.Selected == "" {
		sayErr(s.status, msgf("Выберите режим"))
		return
	}
	prm := app.Params{Municipality: s.mun, Period: p.ID, Mode: app.ModeAccounting}
	if s.financing() {
		prm.Mode = app.ModeFinancing
	}
	prm.Quota, _ = countField("", s.quota.text(), false)
	prm.Nominal, _ = amountField("", s.nominal.text(), false)
	prm.SumLimit, _ = amountField("", s.sumLimit.text(), true)
	days, _ := daysField(s.days.text())
	prm.DaysToRequest = int(days)
	prm.Population, _ = countField("", s.population.text(), false)
	prm.BudgetLimit, _ = amountField("", s.budget.text(), false)
	for i, d := range s.dirs {
		if strings.TrimSpace(s.dirLimits[i].text()) == "" {
			continue
		}
		if prm.DirectionLimits == nil {
			prm.DirectionLimits = map[string]int64{}
		}
		prm.DirectionLimits[d.Code], _ = countField("", s.dirLimits[i].text(), true)
	}
	if _, err := s.st.Exec(&app.SetParams{Params: prm}); err != nil {
		sayErr(s.status, err)
		watchFields(s.status, checks...) // the error goes with the next edit
		return
	}
	s.load()
	say(s.status, "Параметры на период "+p.ID+" сохранены")
}

// amountField reads roubles that may not be negative; optional allows an
// empty field (zero).
func amountField(field, v string, optional bool) (int64, error) {
	t := strings.TrimSpace(v)
	switch {
	case t == "" && optional:
		return 0, nil
	case strings.HasPrefix(t, "-") || strings.HasPrefix(t, "−"):
		return 0, msgf("%s не может быть отрицательным", capitalize(field))
	}
	k, err := parseRubField(field, t)
	if err == nil && k > app.MaxAmount {
		err = msgf("%s слишком велик", capitalize(field))
	}
	return k, err
}

// countField reads a whole number ≥ 0 with groups of digits allowed
// («48 000»); optional allows an empty field.
func countField(field, v string, optional bool) (int64, error) {
	t := strings.NewReplacer(" ", "", nbsp, "").Replace(strings.TrimSpace(v))
	switch {
	case t == "" && optional:
		return 0, nil
	case t == "":
		return 0, msgf("Укажите %s", app.Accusative(field))
	case strings.HasPrefix(t, "-") || strings.HasPrefix(t, "−"):
		return 0, msgf("%s не может быть отрицательным", capitalize(field))
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		return 0, msgf("%s: нужно целое число, указано «%s»", capitalize(field), strings.TrimSpace(v))
	}
	if n > 100_000_000 {
		return 0, msgf("%s: слишком большое число", capitalize(field))
	}
	return n, nil
}

// daysField reads the days to the first request: 5 to 366 (RULES.md §2).
func daysField(v string) (int64, error) {
	n, err := countField("срок до первой заявки", v, false)
	if err != nil {
		return 0, err
	}
	if n < 5 || n > 366 {
		return 0, msgf("Срок до первой заявки — от 5 до 366 дней (правила ПФДО: не меньше 5), указано %d", n)
	}
	return n, nil
}

// countInput is a count as it is typed, digits grouped by plain spaces
// («21 000»), so that the text parses back with countField.
func countInput(n int64) string { return strings.ReplaceAll(numRu(n), nbsp, " ") }
