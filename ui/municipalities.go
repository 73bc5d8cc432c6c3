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

var municipalityColumns = []struct {
	title string
	width float32
}{
	{"Код", 70},
	{"Название", 460},
	{"Тип", 260},
}

// municipalitiesScreen is the region's list of the krai's municipalities.
type municipalitiesScreen struct {
	st      app.Store
	rows    []app.Municipality
	today   app.Date
	status  *widget.Label
	table   *widget.Table
	content fyne.CanvasObject
}

func newMunicipalitiesScreen(st app.Store) *municipalitiesScreen {
	s := &municipalitiesScreen{st: st, status: widget.NewLabel("")}
	s.table = widget.NewTableWithHeaders(s.size, s.createCell, s.updateCell)
	s.table.ShowHeaderColumn = false
	s.table.CreateHeader = s.createCell
	s.table.UpdateHeader = s.updateHeader
	for i, c := range municipalityColumns {
		s.table.SetColumnWidth(i, c.width)
	}
	s.content = container.NewBorder(s.status, nil, nil, nil, s.table)
	s.refresh()
	return s
}

// refresh reloads the municipalities from the store. A failed read leaves an
// empty table and the error's Russian message above it.
func (s *municipalitiesScreen) refresh() {
	var rows []app.Municipality
	err := s.st.View(func(r app.Reader) error {
		var err error
		rows, err = app.List[app.Municipality](r, "", "", 0)
		return err
	})
	s.today = app.DateOf(time.Now())
	switch {
	case err != nil:
		s.rows = nil
		s.status.SetText("Не удалось прочитать муниципалитеты: " + app.ErrorMessage(err))
		s.status.Importance = widget.DangerImportance
	case len(rows) == 0:
		s.rows = nil
		s.status.SetText("Муниципалитетов нет: справочник ещё не загружен.")
		s.status.Importance = widget.MediumImportance
	default:
		s.rows = rows
		s.status.SetText("Муниципалитетов: " + strconv.Itoa(len(rows)))
		s.status.Importance = widget.MediumImportance
	}
	s.status.Refresh()
	s.table.Refresh()
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
	l.SetText(s.cell(id.Row, id.Col))
}

// cell is the text at a row and column: what the table shows and tests read.
func (s *municipalitiesScreen) cell(row, col int) string {
	m := s.rows[row]
	switch col {
	case 0:
		return m.Code
	case 1:
		return m.Name
	case 2:
		return m.TypeOn(s.today)
	}
	return ""
}

func (s *municipalitiesScreen) updateHeader(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	l.TextStyle = fyne.TextStyle{Bold: true}
	if id.Col >= 0 && id.Col < len(municipalityColumns) {
		l.SetText(municipalityColumns[id.Col].title)
	} else {
		l.SetText("")
	}
}
