//go:build !nogui

package ui

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
)

// programmesScreen is the provider's programmes: the list with each one's
// expertise status, and the forms of a programme and its modules. A programme
// can be changed only as a draft or after a denial (RULES.md §4), so the forms
// lock for the other statuses and say why.
type programmesScreen struct {
	st       app.Store
	provider string
	now      func() time.Time

	progs    []app.Programme
	modules  []app.Module // of the selected programme
	dirs     []app.Direction
	capPct   int64  // the region's price cap, percent of the normative price
	selected string // the programme in the form; "" for a new one
	module   string // the module in the module form; "" for a new one

	list      *widget.List
	title     *field
	direction *choice
	ageMin    *field
	ageMax    *field
	form      *choice
	descr     *widget.Entry
	progForm  *widget.Form
	saveProg  *widget.Button
	state     *widget.Label
	submit    *widget.Button

	modRows *fyne.Container
	modName *field
	hours   *field
	months  *field
	minKids *field
	maxKids *field
	price   *field
	norm    *field
	modForm *widget.Form
	saveMod *widget.Button
	newMod  *widget.Button
	status  *widget.Label
	content fyne.CanvasObject
}

func newProgrammesScreen(st app.Store, provider string, now func() time.Time) *programmesScreen {
	s := &programmesScreen{st: st, provider: provider, now: now, status: newStatus(), state: newStatus()}
	s.list = widget.NewList(func() int { return len(s.progs) }, s.createRow, s.updateRow)
	s.list.OnSelected = s.onProgrammeSelected

	s.title = newField("например, «Робототехника для начинающих»", notEmpty("Укажите название программы"))
	s.direction = newChoice("выберите направленность", "Выберите направленность", nil)
	ages := func(field string) func(string) error {
		return validInt(field, app.MinAge, app.MaxAge, "Возраст — от 5 до 18 лет")
	}
	s.ageMin = newField("например, 7", ages("возраст от"))
	s.ageMax = newField("например, 12", func(v string) error {
		if err := ages("возраст до")(v); err != nil {
			return err
		}
		lo, err1 := strconv.Atoi(strings.TrimSpace(s.ageMin.text()))
		hi, _ := strconv.Atoi(strings.TrimSpace(v))
		if err1 == nil && hi < lo {
			return msgf("Возраст «до» меньше возраста «от»")
		}
		return nil
	})
	s.form = newChoice("выберите форму обучения", "Выберите форму обучения", nil)
	s.form.sel.Options = app.Forms
	s.descr = widget.NewMultiLineEntry()
	s.descr.SetPlaceHolder("цели, содержание, ожидаемые результаты")
	s.descr.SetMinRowsVisible(3)
	s.descr.Wrapping = fyne.TextWrapWord
	for _, f := range []*field{s.title, s.ageMin, s.ageMax} {
		f.onEnter(s.onSaveProgramme)
	}
	s.progForm = widget.NewForm(
		widget.NewFormItem("Название", s.title.box),
		widget.NewFormItem("Направленность", s.direction.box),
		widget.NewFormItem("Возраст от", s.ageMin.box),
		widget.NewFormItem("Возраст до", s.ageMax.box),
		widget.NewFormItem("Форма обучения", s.form.box),
		widget.NewFormItem("Описание", s.descr),
	)
	// The forms' own submit buttons cannot be disabled before they are drawn;
	// these can, and a locked programme disables them.
	s.saveProg = widget.NewButtonWithIcon("Сохранить программу", theme.ConfirmIcon(), s.onSaveProgramme)
	s.saveProg.Importance = widget.HighImportance
	s.submit = widget.NewButton("Отправить на экспертизу", s.onSubmitProgramme)

	s.modName = newField("например, «Базовый»", notEmpty("Укажите название модуля"))
	s.hours = newField("например, 72", validInt("часы", 1, 5000, "Часов в модуле — от 1 до 5000"))
	s.months = newField("например, 9", validInt("месяцы", 1, 12, "Месяцев — от 1 до 12"))
	s.minKids = newField("например, 5", validInt("детей от", 1, 1000, "Детей в группе — от 1 до 1000"))
	s.maxKids = newField("например, 20", func(v string) error {
		hi, err := parseIntField("детей до", v, 1, 1000, "Детей в группе — от 1 до 1000")
		if err != nil {
			return err
		}
		if lo, err := strconv.Atoi(strings.TrimSpace(s.minKids.text())); err == nil && hi < lo {
			return msgf("Детей «до» меньше, чем «от»")
		}
		return nil
	})
	s.norm = newField("например, 10 000,00", validRub("нормативная стоимость", false))
	s.price = newField("например, 12 000,00", s.checkPrice)
	s.norm.entry.OnChanged = func(string) {
		if s.norm.msg.Visible() {
			s.norm.validate()
		}
		if s.price.text() != "" {
			s.price.validate() // the cap moves with the normative price
		}
	}
	for _, f := range []*field{s.modName, s.hours, s.months, s.minKids, s.maxKids, s.norm, s.price} {
		f.onEnter(s.onSaveModule)
	}
	s.modForm = widget.NewForm(
		widget.NewFormItem("Название модуля", s.modName.box),
		widget.NewFormItem("Часов", s.hours.box),
		widget.NewFormItem("Месяцев", s.months.box),
		widget.NewFormItem("Детей от", s.minKids.box),
		widget.NewFormItem("Детей до", s.maxKids.box),
		widget.NewFormItem("Нормативная стоимость, ₽", s.norm.box),
		widget.NewFormItem("Цена, ₽", s.price.box),
	)
	s.saveMod = widget.NewButtonWithIcon("Сохранить модуль", theme.ConfirmIcon(), s.onSaveModule)
	s.saveMod.Importance = widget.HighImportance
	s.newMod = widget.NewButton("Новый модуль", s.onNewModule)
	s.modRows = container.NewVBox()

	left := container.NewBorder(
		container.NewVBox(heading("Мои программы"), widget.NewButton("Новая программа", s.onNewProgramme)),
		nil, nil, nil, s.list)
	right := container.NewVScroll(container.NewVBox(
		heading("Программа"), s.state, s.progForm,
		container.NewHBox(layout.NewSpacer(), s.submit, s.saveProg),
		widget.NewSeparator(),
		container.NewBorder(nil, nil, heading("Модули"), s.newMod), s.modRows, s.modForm,
		container.NewHBox(layout.NewSpacer(), s.saveMod),
		s.status,
	))
	split := container.NewHSplit(left, right)
	split.Offset = 0.32
	s.content = split
	s.refresh()
	s.fillProgramme(app.Programme{})
	return s
}

// refresh reloads the programmes, directions, the price cap and the
// selected programme's modules.
func (s *programmesScreen) refresh() {
	var progs []app.Programme
	var mods []app.Module
	var dirs []app.Direction
	var region app.Region
	err := s.st.View(func(r app.Reader) error {
		var err error
		if progs, err = app.List[app.Programme](r, app.IdxProvider, s.provider, 0); err != nil {
			return err
		}
		if dirs, err = app.List[app.Direction](r, "", "", 0); err != nil {
			return err
		}
		if s.selected != "" {
			if mods, err = app.List[app.Module](r, app.IdxProgramme, s.selected, 0); err != nil {
				return err
			}
		}
		region, err = app.Get[app.Region](r, "region")
		if app.ErrorCode(err) == app.ENOTFOUND {
			err = nil // not synced yet: the server checks the cap
		}
		return err
	})
	if err != nil {
		sayErr(s.status, err)
		return
	}
	slices.SortStableFunc(progs, func(a, b app.Programme) int { return strings.Compare(a.Title, b.Title) })
	s.progs, s.modules, s.dirs, s.capPct = progs, mods, dirs, region.PriceCapPct
	names := make([]string, 0, len(dirs))
	for _, d := range dirs {
		names = append(names, d.Name)
	}
	s.direction.sel.Options = names
	s.direction.sel.Refresh()
	s.list.Refresh()
	s.showModules()
	s.lockForms()
}

func (s *programmesScreen) createRow() fyne.CanvasObject {
	title := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Truncation = fyne.TextTruncateEllipsis
	state := widget.NewLabel("")
	state.Truncation = fyne.TextTruncateEllipsis
	return container.NewVBox(title, state)
}

func (s *programmesScreen) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	c := o.(*fyne.Container)
	if id < 0 || id >= len(s.progs) {
		return
	}
	c.Objects[0].(*widget.Label).SetText(s.progs[id].Title)
	state := c.Objects[1].(*widget.Label)
	state.SetText(s.stateText(s.progs[id]))
	state.Importance = statusImportance(s.progs[id].Status)
	state.Refresh()
}

// stateText is a programme's status in Russian with the expertise's reason
// for a denial: «отказано: нет календарного графика».
func (s *programmesScreen) stateText(p app.Programme) string {
	t := app.ProgrammeStatusRu(p.Status)
	if p.Status == app.ProgDenied && p.DenyReason != "" {
		t += ": " + p.DenyReason
	}
	return t
}

func statusImportance(status string) widget.Importance {
	switch status {
	case app.ProgCertified:
		return widget.SuccessImportance
	case app.ProgDenied:
		return widget.DangerImportance
	case app.ProgArchived:
		return widget.LowImportance
	}
	return widget.MediumImportance
}

// current is the programme in the form as stored (zero for a new one).
func (s *programmesScreen) current() app.Programme {
	for _, p := range s.progs {
		if p.ID == s.selected {
			return p
		}
	}
	return app.Programme{}
}

// editable reports whether the programme in the form may change.
func (s *programmesScreen) editable() bool {
	p := s.current()
	return s.selected == "" || p.Status == app.ProgDraft || p.Status == app.ProgDenied
}

func (s *programmesScreen) onProgrammeSelected(id widget.ListItemID) {
	if id < 0 || id >= len(s.progs) {
		return
	}
	s.selected = s.progs[id].ID
	s.module = ""
	s.fillProgramme(s.progs[id])
	s.fillModule(app.Module{})
	s.refresh()
	say(s.status, "")
}

func (s *programmesScreen) onNewProgramme() {
	s.selected, s.module = "", ""
	s.list.UnselectAll()
	s.fillProgramme(app.Programme{})
	s.fillModule(app.Module{})
	s.refresh()
	say(s.status, "")
}

// fillProgramme puts a programme into the form (the zero programme clears it).
func (s *programmesScreen) fillProgramme(p app.Programme) {
	s.title.set(p.Title)
	s.direction.sel.ClearSelected()
	for _, d := range s.dirs {
		if d.Code == p.Direction {
			s.direction.sel.SetSelected(d.Name)
		}
	}
	s.direction.msg.Hide()
	s.ageMin.set(intText(p.AgeMin))
	s.ageMax.set(intText(p.AgeMax))
	s.form.sel.ClearSelected()
	if p.Form != "" {
		s.form.sel.SetSelected(p.Form)
	}
	s.form.msg.Hide()
	s.descr.SetText(p.Description)
}

func intText(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// lockForms enables the forms only where a change is allowed and says why not.
func (s *programmesScreen) lockForms() {
	p := s.current()
	switch {
	case s.selected == "":
		s.state.SetText("Новая программа: заполните и сохраните, затем добавьте модули")
		s.state.Importance = widget.MediumImportance
	case p.Status == app.ProgDenied:
		s.state.Importance = widget.DangerImportance
		s.state.SetText("Статус: отказано. Причина: " + p.DenyReason + ". Исправьте программу и отправьте на экспертизу снова")
	case p.Status == app.ProgDraft:
		s.state.Importance = widget.MediumImportance
		s.state.SetText("Статус: черновик")
	default:
		s.state.Importance = statusImportance(p.Status)
		s.state.SetText("Статус: " + app.ProgrammeStatusRu(p.Status) + ". Изменить программу и модули нельзя: изменения проходят новую экспертизу")
	}
	s.state.Refresh()
	on := s.editable()
	for _, w := range []fyne.Disableable{s.title.entry, s.direction.sel, s.ageMin.entry, s.ageMax.entry, s.form.sel, s.descr, s.saveProg} {
		setEnabled(w, on)
	}
	modOn := on && s.selected != ""
	for _, w := range []fyne.Disableable{s.modName.entry, s.hours.entry, s.months.entry, s.minKids.entry, s.maxKids.entry, s.norm.entry, s.price.entry, s.newMod, s.saveMod} {
		setEnabled(w, modOn)
	}
	setEnabled(s.submit, modOn && len(s.modules) > 0)
}

func setEnabled(w fyne.Disableable, on bool) {
	if on {
		w.Enable()
	} else {
		w.Disable()
	}
}

// showModules lists the selected programme's modules as buttons that open them.
func (s *programmesScreen) showModules() {
	s.modRows.RemoveAll()
	if s.selected == "" {
		return
	}
	if len(s.modules) == 0 {
		s.modRows.Add(widget.NewLabel("Модулей нет: программу без модуля нельзя отправить на экспертизу"))
	}
	for _, m := range s.modules {
		b := widget.NewButton(moduleText(m), func() { s.onModuleSelected(m) })
		b.Alignment = widget.ButtonAlignLeading
		if m.ID != s.module {
			b.Importance = widget.LowImportance
		}
		s.modRows.Add(b)
	}
}

// moduleText is one line about a module: «Базовый · 72 ч · 9 мес. · 5–20 детей · 12 000,00 ₽ (норматив 10 000,00 ₽)».
func moduleText(m app.Module) string {
	return m.Name + " · " + strconv.Itoa(m.Hours) + " ч · " + strconv.Itoa(m.Months) + " мес. · " +
		strconv.Itoa(m.MinChildren) + "–" + strconv.Itoa(m.MaxChildren) + " детей · " +
		rub(m.Price) + " (норматив " + rub(m.NormPrice) + ")"
}

func (s *programmesScreen) onModuleSelected(m app.Module) {
	s.module = m.ID
	s.fillModule(m)
	s.showModules()
	say(s.status, "")
}

func (s *programmesScreen) onNewModule() {
	s.module = ""
	s.fillModule(app.Module{})
	s.showModules()
}

// fillModule puts a module into the module form (the zero module clears it).
func (s *programmesScreen) fillModule(m app.Module) {
	s.modName.set(m.Name)
	s.hours.set(intText(m.Hours))
	s.months.set(intText(m.Months))
	s.minKids.set(intText(m.MinChildren))
	s.maxKids.set(intText(m.MaxChildren))
	if m.ID == "" {
		s.norm.set("")
		s.price.set("")
		return
	}
	s.norm.set(rubInput(m.NormPrice))
	s.price.set(rubInput(m.Price))
}

// checkPrice requires a price in roubles within the region's cap:
// P ≤ NS × cap / 100 (RULES.md §4), the rule SaveModule applies.
func (s *programmesScreen) checkPrice(v string) error {
	p, err := parseRubField("цена", v)
	if err != nil {
		return err
	}
	ns, err := app.ParseRub(s.norm.text())
	if err != nil || s.capPct <= 0 {
		return nil // the normative price names its own mistake
	}
	if capped := app.PriceCap(ns, s.capPct); p > capped {
		return msgf("Цена выше предельной: не больше %s (нормативная стоимость %s × %d %%)", rub(capped), rub(ns), s.capPct)
	}
	return nil
}

// lockedError says why the programme in the form cannot change (Enter in a
// disabled form can still reach the handlers).
func (s *programmesScreen) lockedError() error {
	return msgf("Программу в статусе «%s» изменить нельзя: изменения проходят новую экспертизу", app.ProgrammeStatusRu(s.current().Status))
}

func (s *programmesScreen) onSaveProgramme() {
	if !s.editable() {
		sayErr(s.status, s.lockedError())
		return
	}
	if err := firstError(s.title, s.direction, s.ageMin, s.ageMax, s.form); err != nil {
		sayInvalid(s.status, "Программа не сохранена", s.title, s.direction, s.ageMin, s.ageMax, s.form)
		return
	}
	lo, _ := strconv.Atoi(strings.TrimSpace(s.ageMin.text()))
	hi, _ := strconv.Atoi(strings.TrimSpace(s.ageMax.text()))
	id := s.selected
	if id == "" {
		id = newID()
	}
	cmd := &app.SaveProgramme{ID: id, Provider: s.provider, Title: strings.TrimSpace(s.title.text()),
		Direction: s.dirs[s.direction.sel.SelectedIndex()].Code, AgeMin: lo, AgeMax: hi,
		Form: s.form.sel.Selected, Description: strings.TrimSpace(s.descr.Text)}
	if _, err := s.st.Exec(cmd); err != nil {
		sayErr(s.status, err)
		watchFields(s.status, s.title, s.direction, s.ageMin, s.ageMax, s.form) // the error goes with the next edit
		return
	}
	s.selected = id
	s.refresh()
	s.selectInList()
	say(s.status, "Программа «"+cmd.Title+"» сохранена")
}

// selectInList highlights the programme in the form in the list without
// reloading the form.
func (s *programmesScreen) selectInList() {
	for i, p := range s.progs {
		if p.ID == s.selected {
			cb := s.list.OnSelected
			s.list.OnSelected = nil
			s.list.Select(i)
			s.list.OnSelected = cb
		}
	}
}

func (s *programmesScreen) onSaveModule() {
	if s.selected == "" {
		sayErr(s.status, fieldError("Сначала сохраните программу, затем добавляйте модули"))
		return
	}
	if !s.editable() {
		sayErr(s.status, s.lockedError())
		return
	}
	if err := firstError(s.modName, s.hours, s.months, s.minKids, s.maxKids, s.norm, s.price); err != nil {
		sayInvalid(s.status, "Модуль не сохранён", s.modName, s.hours, s.months, s.minKids, s.maxKids, s.norm, s.price)
		return
	}
	num := func(f *field) int { n, _ := strconv.Atoi(strings.TrimSpace(f.text())); return n }
	price, _ := app.ParseRub(s.price.text())
	norm, _ := app.ParseRub(s.norm.text())
	id := s.module
	if id == "" {
		id = newID()
	}
	cmd := &app.SaveModule{ID: id, Programme: s.selected, Name: strings.TrimSpace(s.modName.text()),
		Hours: num(s.hours), Months: num(s.months), MinChildren: num(s.minKids), MaxChildren: num(s.maxKids),
		Price: price, NormPrice: norm}
	if _, err := s.st.Exec(cmd); err != nil {
		if app.ErrorCode(err) == app.PRICE_ABOVE_CAP {
			// Said once, at the price; the status only points to it.
			s.price.showError(fieldError(app.ErrorMessage(err)))
			sayInvalid(s.status, "Модуль не сохранён", s.price)
			return
		}
		sayErr(s.status, err)
		watchFields(s.status, s.modName, s.hours, s.months, s.minKids, s.maxKids, s.norm, s.price)
		return
	}
	s.module = id
	s.refresh()
	say(s.status, "Модуль «"+cmd.Name+"» сохранён")
}

func (s *programmesScreen) onSubmitProgramme() {
	if s.selected == "" {
		return
	}
	p := s.current()
	if _, err := s.st.Exec(&app.SubmitProgramme{Programme: s.selected}); err != nil {
		sayErr(s.status, err)
		return
	}
	s.refresh()
	say(s.status, "Программа «"+p.Title+"» отправлена на экспертизу")
}
