//go:build !nogui

package ui

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
)

var alertColumns = []column{
	{"Дата", 95},
	{"Узел", 80},
	{"Область узла", 200},
	{"Что случилось", 260},
	{"Операция", 225},
	{"Раз", 45},
	{"Последний", 90},
}

// msk is the krai's clock, for the times of alerts.
var msk = time.FixedZone("MSK", 3*3600)

// alertsScreen is the region's list of refusals that say something about a
// node (RULES.md §11): an op outside its rights (SCOPE_FORBIDDEN), or too
// many wrong certificate codes (THROTTLED). A stolen key or changed software
// shows here first.
type alertsScreen struct {
	st  app.Store
	now func() time.Time

	rows  []app.Alert
	provs map[string]string // provider id → name

	summary *widget.Label
	table   *widget.Table
	content fyne.CanvasObject
}

func newAlertsScreen(st app.Store, now func() time.Time) *alertsScreen {
	s := &alertsScreen{st: st, now: now, summary: newStatus()}
	s.table = widget.NewTableWithHeaders(s.size, s.createCell, s.updateCell)
	s.table.ShowHeaderColumn = false
	s.table.CreateHeader = s.createCell
	setColumns(s.table, alertColumns)
	help := helpText("Сервер отказал узлу в действии, которое правила ему не разрешают, или узел подбирал код " +
		"сертификата. Одна строка — узел, день и вид отказа. Если это не ошибка настройки, отключите узел на вкладке «Узлы».")
	s.content = container.NewBorder(container.NewVBox(heading("Уведомления о нарушениях"), help, s.summary),
		nil, nil, nil, fitColumns(s.table, alertColumns))
	return s
}

// refresh reads the alerts again, newest first.
func (s *alertsScreen) refresh() {
	var rows []app.Alert
	provs := map[string]string{}
	err := s.st.View(func(r app.Reader) error {
		var err error
		if rows, err = app.List[app.Alert](r, app.IdxDate, "", 0); err != nil {
			return err
		}
		for _, a := range rows {
			if kind, id, err := app.ParseScope(a.Scope); err == nil && kind == "provider" {
				if p, err := app.Get[app.Provider](r, id); err == nil {
					provs[id] = p.Name
				}
			}
		}
		return nil
	})
	if err != nil {
		sayErr(s.summary, err)
		return
	}
	slices.SortStableFunc(rows, func(a, b app.Alert) int {
		if c := cmp.Compare(b.Date, a.Date); c != 0 {
			return c
		}
		return cmp.Compare(b.Last, a.Last)
	})
	s.rows, s.provs = rows, provs
	if len(rows) == 0 {
		s.summary.Importance = widget.MediumImportance
		s.summary.SetText("Уведомлений нет: ни одному узлу не отказано в действии вне его прав")
	} else {
		s.summary.Importance = widget.WarningImportance
		s.summary.SetText("Уведомлений: " + strconv.Itoa(len(rows)))
	}
	s.table.Refresh()
	s.table.ScrollToTop()
}

func (s *alertsScreen) size() (int, int) { return len(s.rows), len(alertColumns) }

func (s *alertsScreen) createCell() fyne.CanvasObject {
	l := widget.NewLabel("")
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

func (s *alertsScreen) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	o.(*widget.Label).SetText(s.cell(id.Row, id.Col))
}

// cell is the text at a row and column: what the table shows and tests read.
func (s *alertsScreen) cell(row, col int) string {
	if row < 0 || row >= len(s.rows) {
		return ""
	}
	a := s.rows[row]
	switch col {
	case 0:
		return dateRu(a.Date)
	case 1:
		return shortID(a.Node)
	case 2:
		return s.scopeRu(a.Scope)
	case 3:
		return alertWhatRu(a.Code)
	case 4:
		return opTitleRu(a.Op)
	case 5:
		return strconv.FormatInt(a.Count, 10)
	case 6:
		if a.Last == 0 {
			return ""
		}
		t := time.Unix(a.Last, 0).In(msk)
		return clockRu(t.Hour()*60 + t.Minute())
	}
	return ""
}

// scopeRu names a node's scope: «исполнитель АНО …», «муниципалитет 27», «РМЦ».
func (s *alertsScreen) scopeRu(scope string) string {
	kind, id, err := app.ParseScope(scope)
	switch {
	case err != nil:
		return scope
	case kind == "provider":
		if name := s.provs[id]; name != "" {
			return "исполнитель " + name
		}
		return "исполнитель " + shortID(id)
	case kind == "municipality":
		return "муниципалитет " + id
	}
	return "РМЦ"
}

// alertWhatRu says what a node did, by the refusal's code.
func alertWhatRu(code string) string {
	switch code {
	case app.SCOPE_FORBIDDEN:
		return "попытка действия вне своих прав"
	case app.THROTTLED:
		return "подбор кода сертификата"
	}
	return "отказ " + code
}
