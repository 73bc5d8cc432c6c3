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

var municipalityColumns = []column{
	{"Код", 50},
	{"Название", 300},
	{"Тип", 190},
	{"Режим", 170},
	{"Выдано / квота", 145},
	{"Детей 5–18 лет", 125},
	{"Охват", 75},
	{"Очередь", 80},
}

// municipalitiesScreen is the region's list of the krai's municipalities with
// each one's mode and figures for the current period, under the Concept's
// three targets: accounting in all, financing in at least 17, a financing
// certificate for at least 25 % of the children.
type municipalitiesScreen struct {
	st      app.Store
	now     func() time.Time
	fig     figures
	rows    []munFigures
	today   app.Date
	status  *widget.Label
	targets *fyne.Container
	table   *widget.Table
	content fyne.CanvasObject
}

func newMunicipalitiesScreen(st app.Store, now func() time.Time) *municipalitiesScreen {
	s := &municipalitiesScreen{st: st, now: now, status: widget.NewLabel(""), targets: container.NewGridWithColumns(3)}
	s.table = widget.NewTableWithHeaders(s.size, s.createCell, s.updateCell)
	s.table.ShowHeaderColumn = false
	s.table.CreateHeader = s.createCell
	setColumns(s.table, municipalityColumns)
	s.content = container.NewBorder(container.NewVBox(s.status, s.targets), nil, nil, nil, fitColumns(s.table, municipalityColumns))
	s.refresh()
	return s
}

// refresh reloads the municipalities and their figures. A failed read leaves
// an empty table and the error's Russian message above it.
func (s *municipalitiesScreen) refresh() {
	var f figures
	err := s.st.View(func(r app.Reader) error {
		var err error
		f, err = loadFigures(r, "", false)
		return err
	})
	s.today = app.DateOf(s.now())
	s.fig = f
	s.targets.Objects = nil
	switch {
	case err != nil:
		s.rows = nil
		s.status.SetText("Не удалось прочитать муниципалитеты: " + app.ErrorMessage(err))
		s.status.Importance = widget.DangerImportance
	case len(f.Muns) == 0:
		s.rows = nil
		s.status.SetText("Муниципалитетов нет: справочник ещё не загружен.")
		s.status.Importance = widget.MediumImportance
	default:
		s.rows = f.Muns
		s.status.SetText("Муниципалитетов: " + strconv.Itoa(len(f.Muns)) + " · период " + f.Period)
		s.status.Importance = widget.MediumImportance
		for _, t := range s.targetTexts() {
			s.targets.Objects = append(s.targets.Objects, targetBox(t))
		}
	}
	s.targets.Refresh()
	s.status.Refresh()
	s.table.Refresh()
}

// target is one of the Concept's targets with where the region stands.
type target struct {
	title, value, goal string
	met                bool
}

// targetTexts are the Concept's three targets (RULES.md §9).
func (s *municipalitiesScreen) targetTexts() []target {
	f := s.fig
	n := len(f.Muns)
	return []target{
		{"Персонифицированный учёт", strconv.Itoa(f.Accounting) + " из " + strconv.Itoa(n) + " муниципалитетов",
			"цель — все " + strconv.Itoa(n), n > 0 && f.Accounting == n},
		{"Персонифицированное финансирование", strconv.Itoa(f.Financing) + " муниципалитетов",
			"цель — не меньше " + strconv.Itoa(targetFinancingMuns), f.Financing >= targetFinancingMuns},
		{"Охват сертификатами финансирования", f.coverage() + " детей 5–18 лет (" + numRu(f.Active) + " из " +
			numRu(f.Population) + ")", "цель — не меньше 25" + nbsp + "%", reaches(f.Active, f.Population, targetCoveragePct)},
	}
}

// targetBox shows a target: its name, the figure, and whether it is met.
func targetBox(t target) fyne.CanvasObject {
	value := widget.NewLabel(t.value)
	value.Truncation = fyne.TextTruncateEllipsis
	goal := widget.NewLabel(t.goal + ": достигнута")
	goal.Importance = widget.SuccessImportance
	if !t.met {
		goal.SetText(t.goal + ": не достигнута")
		goal.Importance = widget.DangerImportance
	}
	goal.Wrapping = fyne.TextWrapWord
	return container.NewVBox(wrappedHeading(t.title), value, goal)
}

func (s *municipalitiesScreen) size() (int, int) { return len(s.rows), len(municipalityColumns) }

func (s *municipalitiesScreen) createCell() fyne.CanvasObject {
	l := widget.NewLabel("")
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

func (s *municipalitiesScreen) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	if id.Row < 0 || id.Row >= len(s.rows) {
		l.SetText("")
		return
	}
	l.Importance = widget.MediumImportance
	mf := s.rows[id.Row]
	switch {
	case id.Col == 3 && !mf.HasParams:
		l.Importance = widget.DangerImportance
	case id.Col == 6 && mf.HasParams && mf.Params.Population > 0:
		l.Importance = widget.DangerImportance
		if reaches(mf.Quota.Active, mf.Params.Population, targetCoveragePct) {
			l.Importance = widget.SuccessImportance
		}
	}
	l.SetText(s.cell(id.Row, id.Col))
}

// cell is the text at a row and column: what the table shows and tests read.
func (s *municipalitiesScreen) cell(row, col int) string {
	mf := s.rows[row]
	m := mf.Mun
	switch col {
	case 0:
		return m.Code
	case 1:
		return m.Name
	case 2:
		return m.TypeOn(s.today)
	case 3:
		if mf.HasParams && mf.Params.Mode == app.ModeFinancing {
			return "финансирование"
		}
		return modeRu(mf)
	case 4:
		if !mf.HasParams || mf.Params.Mode != app.ModeFinancing {
			return numRu(mf.Quota.Active)
		}
		return numRu(mf.Quota.Active) + " из " + numRu(mf.Params.Quota)
	case 5:
		if !mf.HasParams {
			return "—"
		}
		return numRu(mf.Params.Population)
	case 6:
		if !mf.HasParams {
			return "—"
		}
		return shareRu(mf.Quota.Active, mf.Params.Population)
	case 7:
		return numRu(mf.Quota.Waiting)
	}
	return ""
}
