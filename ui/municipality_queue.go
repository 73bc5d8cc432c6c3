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

var queueColumns = []column{
	{"№ в очереди", 110},
	{"Дата заявки", 120},
	{"Сертификат", 140},
	{"Ребёнок", 320},
	{"Порядок поступления", 180},
}

// queueRow is one waiting request with its certificate and holder.
type queueRow struct {
	req    app.Request
	number string
	child  string
}

// queueScreen is the municipality's queue of requests for a financing
// certificate in the current period, in order of arrival at the server: the
// order in which places are given, with no selection of any kind (RULES.md §3).
type queueScreen struct {
	st  app.Store
	mun string
	now func() time.Time

	rows    []queueRow
	summary *widget.Label
	table   *widget.Table
	empty   *emptyNote
	content fyne.CanvasObject
}

func newQueueScreen(st app.Store, mun string, now func() time.Time) *queueScreen {
	s := &queueScreen{st: st, mun: mun, now: now, summary: newStatus()}
	s.table = widget.NewTableWithHeaders(s.size, s.createCell, s.updateCell)
	s.table.ShowHeaderColumn = false
	s.table.CreateHeader = s.createCell
	setColumns(s.table, queueColumns)
	help := helpText("Заявки обслуживаются строго в порядке поступления на сервер РМЦ, без какого-либо отбора: " +
		"место в квоте получает первая заявка очереди, как только оно освобождается.")
	s.empty = newEmptyNote(fitColumns(s.table, queueColumns), "Очередь пуста: все заявки обслужены")
	s.content = container.NewBorder(container.NewVBox(heading("Очередь на сертификаты финансирования"), help, s.summary),
		nil, nil, nil, s.empty.view)
	return s
}

// refresh reads the queue of the current period again.
func (s *queueScreen) refresh() {
	var rows []queueRow
	var prm app.Params
	var q app.Quota
	var period string
	err := s.st.View(func(r app.Reader) error {
		reg, err := app.Get[app.Region](r, "region")
		if err != nil {
			return err
		}
		period = reg.Current
		prm, _ = app.Get[app.Params](r, s.mun+"/"+period)
		q, _ = app.Get[app.Quota](r, s.mun+"/"+period)
		reqs, err := app.List[app.Request](r, app.IdxQueue, s.mun+"|"+period+"|", 0)
		if err != nil {
			return err
		}
		for _, rq := range reqs {
			row := queueRow{req: rq}
			if c, err := app.Get[app.Certificate](r, rq.Certificate); err == nil {
				row.number = c.Number
				if ch, err := app.Get[app.Child](r, c.Child); err == nil {
					row.child = ch.FullName()
				}
			}
			rows = append(rows, row)
		}
		return nil
	})
	if err != nil {
		sayErr(s.summary, err)
		return
	}
	s.rows = rows
	text := "Период " + period + ": выдано сертификатов финансирования " + numRu(q.Active)
	if prm.Mode == app.ModeFinancing {
		text += " из " + numRu(prm.Quota)
		if prm.SumLimit > 0 {
			text += " (номиналы " + rub(q.SumNominals) + " из " + rub(prm.SumLimit) + ")"
		}
	} else {
		text += "; муниципалитет в режиме только учёта"
	}
	text += ". В очереди: " + strconv.Itoa(len(rows))
	s.summary.Importance = widget.MediumImportance
	s.summary.SetText(text)
	s.table.Refresh()
	s.empty.set(len(rows), "")
}

func (s *queueScreen) size() (int, int) { return len(s.rows), len(queueColumns) }

func (s *queueScreen) createCell() fyne.CanvasObject {
	l := widget.NewLabel("")
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

func (s *queueScreen) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	o.(*widget.Label).SetText(s.cell(id.Row, id.Col))
}

// cell is the text at a row and column: what the table shows and tests read.
func (s *queueScreen) cell(row, col int) string {
	if row < 0 || row >= len(s.rows) {
		return ""
	}
	r := s.rows[row]
	switch col {
	case 0:
		return strconv.Itoa(row + 1)
	case 1:
		return dateRu(r.req.Date)
	case 2:
		return r.number
	case 3:
		return r.child
	case 4:
		return "№" + nbsp + strconv.FormatUint(r.req.Arrival, 10)
	}
	return ""
}
