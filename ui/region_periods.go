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

var periodColumns = []column{
	{"Период", 120},
	{"Начало", 120},
	{"Окончание", 120},
	{"", 140},
}

// periodsScreen is the region's programme years (which is current, which is
// next) and the regional price cap coefficient: a module's price may not be
// above its normative price × the coefficient / 100 (RULES.md §4).
type periodsScreen struct {
	st  app.Store
	now func() time.Time

	reg  app.Region
	rows []app.Period

	table   *widget.Table
	start   *field
	end     *field
	id      *widget.Label
	current *widget.Check
	next    *widget.Check
	save    *widget.Button
	cap     *field
	capNow  *widget.Label
	saveCap *widget.Button
	status  *widget.Label
	content fyne.CanvasObject
}

func newPeriodsScreen(st app.Store, now func() time.Time) *periodsScreen {
	s := &periodsScreen{st: st, now: now, id: newStatus(), capNow: newStatus(), status: newStatus()}
	s.table = widget.NewTableWithHeaders(s.size, s.createCell, s.updateCell)
	s.table.ShowHeaderColumn = false
	s.table.CreateHeader = s.createCell
	s.table.OnSelected = func(id widget.TableCellID) { s.choose(id.Row) }
	setColumns(s.table, periodColumns)
	s.start = newField("01.09.2027", validDate("дата начала", false))
	s.end = newField("31.08.2028", validDate("дата окончания", false))
	for _, f := range []*field{s.start, s.end} {
		check := f.entry.OnChanged
		f.entry.OnChanged = func(v string) { check(v); s.showID() }
	}
	s.current = widget.NewCheck("Сделать текущим", nil)
	s.next = widget.NewCheck("Сделать следующим", nil)
	s.save = widget.NewButton("Сохранить период", s.onSavePeriod)
	s.save.Importance = widget.HighImportance
	s.start.onEnter(s.onSavePeriod)
	s.end.onEnter(s.onSavePeriod)
	s.cap = newField("100", validInt("коэффициент", 1, 1000, "Коэффициент — целое число процентов от 1 до 1000"))
	s.cap.onEnter(s.onSaveCap)
	s.saveCap = widget.NewButton("Сохранить коэффициент", s.onSaveCap)
	s.saveCap.Importance = widget.HighImportance

	periodForm := widget.NewForm(
		widget.NewFormItem("Начало", s.start.box),
		widget.NewFormItem("Окончание", s.end.box),
		widget.NewFormItem("Обозначение", s.id),
		widget.NewFormItem("", container.NewHBox(s.current, s.next)),
	)
	capHelp := helpText("Цена модуля программы не может быть выше нормативной стоимости × коэффициент / 100. " +
		"Цена модуля, по которому уже есть договоры, не меняется.")
	right := container.NewVScroll(container.NewVBox(
		heading("Период программ"), widget.NewLabel("Выберите период в таблице, чтобы изменить его, или введите новый."),
		periodForm, container.NewHBox(s.save), widget.NewSeparator(),
		heading("Предельный коэффициент цены"), capHelp, s.capNow,
		container.NewBorder(nil, nil, widget.NewLabel("Коэффициент, %"), s.saveCap, s.cap.box),
		s.status))
	split := container.NewHSplit(container.NewBorder(heading("Периоды"), nil, nil, nil, fitColumns(s.table, periodColumns)), right)
	split.Offset = 0.45
	s.content = split
	return s
}

// refresh reads the regional settings again.
func (s *periodsScreen) refresh() {
	var reg app.Region
	err := s.st.View(func(r app.Reader) error {
		var err error
		reg, err = app.Get[app.Region](r, "region")
		return err
	})
	if err != nil {
		sayErr(s.status, err)
		return
	}
	s.reg = reg
	s.rows = slices.Clone(reg.Periods)
	slices.SortFunc(s.rows, func(a, b app.Period) int { return int(a.Start - b.Start) })
	s.table.Refresh()
	s.capNow.Importance = widget.MediumImportance
	s.capNow.SetText("Сейчас: " + strconv.FormatInt(reg.PriceCapPct, 10) + nbsp + "%")
	s.cap.set(strconv.FormatInt(reg.PriceCapPct, 10))
	s.showID()
}

func (s *periodsScreen) choose(row int) {
	if row < 0 || row >= len(s.rows) {
		return
	}
	p := s.rows[row]
	s.start.set(dateRu(p.Start))
	s.end.set(dateRu(p.End))
	s.current.SetChecked(p.ID == s.reg.Current)
	s.next.SetChecked(p.ID == s.reg.Next)
	s.showID()
}

// periodID names a period by its years: «2027-2028».
func periodID(start, end app.Date) string {
	y1, _, _ := start.Parts()
	y2, _, _ := end.Parts()
	return strconv.Itoa(y1) + "-" + strconv.Itoa(y2)
}

func (s *periodsScreen) showID() {
	a, err1 := app.ParseDate(strings.TrimSpace(s.start.text()))
	b, err2 := app.ParseDate(strings.TrimSpace(s.end.text()))
	if err1 != nil || err2 != nil {
		s.id.SetText("—")
		return
	}
	s.id.SetText(periodID(a, b))
}

func (s *periodsScreen) onSavePeriod() {
	if err := firstError(s.start, s.end); err != nil {
		sayInvalid(s.status, "Период не сохранён", s.start, s.end)
		return
	}
	a, _ := app.ParseDate(strings.TrimSpace(s.start.text()))
	b, _ := app.ParseDate(strings.TrimSpace(s.end.text()))
	if b <= a {
		s.end.showError(msgf("Окончание периода должно быть позже начала"))
		sayInvalid(s.status, "Период не сохранён", s.start, s.end)
		return
	}
	p := app.Period{ID: periodID(a, b), Start: a, End: b}
	if _, err := s.st.Exec(&app.SetPeriod{Period: p, Current: s.current.Checked, Next: s.next.Checked}); err != nil {
		sayErr(s.status, err)
		watchFields(s.status, s.start, s.end)
		return
	}
	s.refresh()
	say(s.status, "Период "+p.ID+" ("+dateRu(a)+" – "+dateRu(b)+") сохранён")
}

func (s *periodsScreen) onSaveCap() {
	if err := s.cap.validate(); err != nil {
		sayInvalid(s.status, "Коэффициент не сохранён", s.cap) // the field says why
		return
	}
	n, _ := strconv.ParseInt(strings.TrimSpace(s.cap.text()), 10, 64)
	if _, err := s.st.Exec(&app.SetPriceCap{Pct: n}); err != nil {
		sayErr(s.status, err)
		return
	}
	s.refresh()
	say(s.status, "Предельный коэффициент цены: "+strconv.FormatInt(n, 10)+nbsp+"%")
}

func (s *periodsScreen) size() (int, int) { return len(s.rows), len(periodColumns) }

func (s *periodsScreen) createCell() fyne.CanvasObject { return widget.NewLabel("") }

func (s *periodsScreen) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	l.TextStyle = fyne.TextStyle{}
	if id.Row >= 0 && id.Row < len(s.rows) && s.rows[id.Row].ID == s.reg.Current {
		l.TextStyle = fyne.TextStyle{Bold: true}
	}
	l.SetText(s.cell(id.Row, id.Col))
}

// cell is the text at a row and column: what the table shows and tests read.
func (s *periodsScreen) cell(row, col int) string {
	if row < 0 || row >= len(s.rows) {
		return ""
	}
	p := s.rows[row]
	switch col {
	case 0:
		return p.ID
	case 1:
		return dateRu(p.Start)
	case 2:
		return dateRu(p.End)
	case 3:
		switch p.ID {
		case s.reg.Current:
			return "текущий"
		case s.reg.Next:
			return "следующий"
		}
	}
	return ""
}
