//go:build !nogui

package ui

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
)

var providerColumns = []column{
	{"Наименование", 300},
	{"Тип", 230},
	{"Муниципалитет", 170},
	{"ИНН", 120},
	{"Лицензия", 120},
	{"Статус", 150},
}

// excludedMessage explains the exclusion rule (RULES.md §1) at the name field.
const excludedMessage = "Организации дополнительного образования со специальным наименованием («детская школа искусств», " +
	"«детская музыкальная школа», «детская художественная школа» и подобные) не участвуют в системе персонифицированного " +
	"финансирования: такого исполнителя зарегистрировать нельзя"

// providersScreen is the region's register of providers: their status, and
// the registration of a new one after the check of the licence and of the
// exclusion rule.
type providersScreen struct {
	st  app.Store
	now func() time.Time

	all   []app.Provider
	rows  []app.Provider
	muns  []app.Municipality
	names map[string]string
	sel   int

	search   *widget.Entry
	count    *widget.Label
	table    *widget.Table
	chosen   *widget.Label
	activate *widget.Button
	suspend  *widget.Button

	name    *field
	kind    *choice
	mun     *choice
	inn     *field
	licence *field
	save    *widget.Button
	status  *widget.Label
	content fyne.CanvasObject
}

func newProvidersScreen(st app.Store, now func() time.Time) *providersScreen {
	s := &providersScreen{st: st, now: now, sel: -1, count: newStatus(), chosen: newStatus(), status: newStatus()}
	s.search = widget.NewEntry()
	s.search.SetPlaceHolder("Поиск по наименованию или ИНН")
	s.search.OnChanged = func(string) { s.applySearch() }
	s.table = widget.NewTableWithHeaders(s.size, s.createCell, s.updateCell)
	s.table.ShowHeaderColumn = false
	s.table.CreateHeader = s.createCell
	s.table.OnSelected = func(id widget.TableCellID) { s.choose(id.Row) }
	setColumns(s.table, providerColumns)
	s.activate = widget.NewButton("Допустить к работе", func() { s.setStatus(app.ProviderActive) })
	s.activate.Importance = widget.SuccessImportance
	s.suspend = widget.NewButton("Приостановить", func() { s.setStatus(app.ProviderSuspended) })
	s.suspend.Importance = widget.DangerImportance

	s.name = newField("полное наименование по уставу", checkProviderName)
	s.kind = newChoice("Выберите тип", "Выберите тип исполнителя", func(string) {
		if s.licence.msg.Visible() {
			s.licence.validate()
		}
	})
	s.kind.sel.Options = app.ProviderTypes()
	s.mun = newChoice("Выберите муниципалитет", "Выберите муниципалитет, где зарегистрирован исполнитель", nil)
	s.inn = newField("10 или 12 цифр", checkINN)
	s.licence = newField("номер лицензии", s.checkLicence)
	s.save = widget.NewButton("Зарегистрировать исполнителя", s.onRegister)
	s.save.Importance = widget.HighImportance
	for _, f := range []*field{s.name, s.inn, s.licence} {
		f.onEnter(s.onRegister)
	}
	form := widget.NewForm(
		widget.NewFormItem("Наименование", s.name.box),
		widget.NewFormItem("Тип", s.kind.box),
		widget.NewFormItem("Муниципалитет", s.mun.box),
		widget.NewFormItem("ИНН", s.inn.box),
		widget.NewFormItem("Лицензия", s.licence.box),
	)
	help := helpText("Новый исполнитель получает статус «новый»: допустите его к работе после проверки лицензии, " +
		"затем выдайте ему приглашение узла на вкладке «Узлы».")
	left := container.NewBorder(container.NewVBox(heading("Исполнители"), s.search, s.count),
		container.NewVBox(s.chosen, container.NewHBox(s.activate, s.suspend)), nil, nil, fitColumns(s.table, providerColumns))
	// The form scrolls; its button and status stay in a bar under it, so a
	// message that wraps moves nothing one clicks.
	right := container.NewBorder(nil, container.NewVBox(container.NewHBox(s.save), statusLines(s.status, 2)), nil, nil,
		container.NewVScroll(container.NewVBox(heading("Новый исполнитель"), help, form)))
	split := container.NewHSplit(left, right)
	split.Offset = 0.6
	s.content = split
	return s
}

func checkProviderName(v string) error {
	switch {
	case strings.TrimSpace(v) == "":
		return msgf("Укажите полное наименование исполнителя")
	case app.ExcludedProvider(v):
		return msgf("%s", excludedMessage)
	}
	return nil
}

func checkINN(v string) error {
	v = strings.TrimSpace(v)
	if (len(v) != 10 && len(v) != 12) || strings.Trim(v, "0123456789") != "" {
		return msgf("ИНН — 10 цифр у организации или 12 у индивидуального предпринимателя")
	}
	return nil
}

func (s *providersScreen) checkLicence(v string) error {
	if strings.TrimSpace(v) == "" && s.kind.sel.Selected != app.ProviderIPNoStaff {
		return msgf("Укажите номер лицензии на образовательную деятельность (без неё — только ИП без работников)")
	}
	return nil
}

// refresh reads the providers and the municipalities again.
func (s *providersScreen) refresh() {
	var provs []app.Provider
	var muns []app.Municipality
	err := s.st.View(func(r app.Reader) error {
		var err error
		if provs, err = app.List[app.Provider](r, "", "", 0); err != nil {
			return err
		}
		muns, err = app.List[app.Municipality](r, "", "", 0)
		return err
	})
	if err != nil {
		sayErr(s.status, err)
		return
	}
	slices.SortFunc(provs, func(a, b app.Provider) int {
		if c := strings.Compare(app.NameKey(a.Name), app.NameKey(b.Name)); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	s.all, s.muns = provs, muns
	s.names = map[string]string{}
	var opts []string
	for _, m := range muns {
		s.names[m.Code] = m.Name
		opts = append(opts, munOption(m))
	}
	s.mun.sel.Options = opts
	s.mun.sel.Refresh()
	s.applySearch()
}

func munOption(m app.Municipality) string { return m.Code + " — " + m.Name }

func (s *providersScreen) applySearch() {
	id := ""
	if s.sel >= 0 && s.sel < len(s.rows) {
		id = s.rows[s.sel].ID
	}
	words := strings.Fields(app.NameKey(s.search.Text))
	s.rows = s.rows[:0]
	var active, fresh int
	for _, p := range s.all {
		switch p.Status {
		case app.ProviderActive:
			active++
		case app.ProviderNew:
			fresh++
		}
		if containsAll(app.NameKey(p.Name+" "+p.INN), words) {
			s.rows = append(s.rows, p)
		}
	}
	s.count.Importance = widget.MediumImportance
	s.count.SetText("Исполнителей: " + strconv.Itoa(len(s.all)) + " (действуют — " + strconv.Itoa(active) +
		", ждут допуска — " + strconv.Itoa(fresh) + ")")
	s.table.UnselectAll()
	s.table.Refresh()
	s.choose(slices.IndexFunc(s.rows, func(p app.Provider) bool { return p.ID == id }))
}

func (s *providersScreen) choose(row int) {
	if row < 0 || row >= len(s.rows) {
		s.sel = -1
		s.chosen.Importance = widget.LowImportance
		s.chosen.SetText("Выберите исполнителя в таблице, чтобы допустить его к работе или приостановить")
		s.activate.Disable()
		s.suspend.Disable()
		return
	}
	s.sel = row
	p := s.rows[row]
	s.chosen.Importance = widget.MediumImportance
	s.chosen.SetText(p.Name + ": " + providerStatusRu(p.Status))
	setEnabled(s.activate, p.Status != app.ProviderActive)
	setEnabled(s.suspend, p.Status == app.ProviderActive)
}

func (s *providersScreen) setStatus(status string) {
	if s.sel < 0 {
		return
	}
	p := s.rows[s.sel]
	if _, err := s.st.Exec(&app.SetProviderStatus{Provider: p.ID, Status: status}); err != nil {
		sayErr(s.status, err)
		return
	}
	s.refresh()
	say(s.status, p.Name+": "+providerStatusRu(status))
}

// onRegister checks every field and registers the provider.
func (s *providersScreen) onRegister() {
	if err := firstError(s.name, s.kind, s.mun, s.inn, s.licence); err != nil {
		sayInvalid(s.status, "Исполнитель не зарегистрирован", s.name, s.kind, s.mun, s.inn, s.licence)
		return
	}
	mun := s.muns[s.mun.sel.SelectedIndex()].Code
	cmd := &app.RegisterProvider{ID: newID(), Name: strings.TrimSpace(s.name.text()), Type: s.kind.sel.Selected,
		Municipality: mun, INN: strings.TrimSpace(s.inn.text()), Licence: strings.TrimSpace(s.licence.text())}
	if _, err := s.st.Exec(cmd); err != nil {
		if app.ErrorCode(err) == app.PROVIDER_EXCLUDED {
			s.name.showError(msgf("%s", excludedMessage))
			sayInvalid(s.status, "Исполнитель не зарегистрирован", s.name)
			return
		}
		sayErr(s.status, err)
		watchFields(s.status, s.name, s.kind, s.mun, s.inn, s.licence)
		return
	}
	for _, f := range []*field{s.name, s.inn, s.licence} {
		f.set("")
	}
	s.kind.sel.ClearSelected()
	s.mun.sel.ClearSelected()
	s.search.SetText("")
	s.refresh()
	say(s.status, "Исполнитель «"+cmd.Name+"» зарегистрирован. Допустите его к работе после проверки лицензии")
}

func (s *providersScreen) size() (int, int) { return len(s.rows), len(providerColumns) }

func (s *providersScreen) createCell() fyne.CanvasObject {
	l := widget.NewLabel("")
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

func (s *providersScreen) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	l.Importance = widget.MediumImportance
	if id.Col == 5 && id.Row >= 0 && id.Row < len(s.rows) {
		switch s.rows[id.Row].Status {
		case app.ProviderSuspended:
			l.Importance = widget.DangerImportance
		case app.ProviderNew:
			l.Importance = widget.WarningImportance
		}
	}
	l.SetText(s.cell(id.Row, id.Col))
}

// cell is the text at a row and column: what the table shows and tests read.
func (s *providersScreen) cell(row, col int) string {
	if row < 0 || row >= len(s.rows) {
		return ""
	}
	p := s.rows[row]
	switch col {
	case 0:
		return p.Name
	case 1:
		return p.Type
	case 2:
		if n := s.names[p.Municipality]; n != "" {
			return n
		}
		return p.Municipality
	case 3:
		return p.INN
	case 4:
		if p.Licence == "" {
			return "—"
		}
		return p.Licence
	case 5:
		return providerStatusRu(p.Status)
	}
	return ""
}
