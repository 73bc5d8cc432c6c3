//go:build !nogui

package ui

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
)

var confirmColumns = []column{
	{"Номер", 130},
	{"Ребёнок", 255},
	{"Дата рождения", 135},
	{"Выдан", 100},
	{"Зарегистрировал", 330},
}

// confirmRow is a certificate waiting for the municipality's check, with its
// holder and who registered the child.
type confirmRow struct {
	cert  app.Certificate
	child app.Child
	by    string // the provider that registered the child, by name
}

// confirmScreen lists the certificates of the municipality's residents that
// a provider registered and nobody has confirmed yet (RULES.md §3): the МОЦ
// checks the documents and confirms each, and can give any of them a new
// code.
type confirmScreen struct {
	st  app.Store
	mun string
	now func() time.Time

	rows []confirmRow
	sel  int

	table   *widget.Table
	summary *widget.Label
	confirm *widget.Button
	newCode *widget.Button
	status  *widget.Label
	content fyne.CanvasObject
}

func newConfirmScreen(st app.Store, mun string, now func() time.Time) *confirmScreen {
	s := &confirmScreen{st: st, mun: mun, now: now, sel: -1, summary: newStatus(), status: newStatus()}
	s.table = widget.NewTableWithHeaders(s.size, s.createCell, s.updateCell)
	s.table.ShowHeaderColumn = false
	s.table.CreateHeader = s.createCell
	setColumns(s.table, confirmColumns)
	s.table.OnSelected = func(id widget.TableCellID) { s.choose(id.Row) }
	s.table.OnUnselected = func(widget.TableCellID) { s.choose(-1) }
	s.confirm = widget.NewButton("Подтвердить…", s.onConfirm)
	s.confirm.Importance = widget.HighImportance
	s.newCode = widget.NewButton("Выдать новый код…", s.onNewCode)
	help := helpText("Сертификаты, которые оформил исполнитель, помогая семье подать заявление. Пока МОЦ не проверил " +
		"документы и не подтвердил сертификат, его нельзя перевести в сертификат финансирования и по нему нельзя зачислить.")
	s.content = container.NewBorder(
		container.NewVBox(heading("Подтверждение сертификатов"), help, s.summary),
		container.NewVBox(container.NewHBox(s.confirm, s.newCode), s.status), nil, nil, fitColumns(s.table, confirmColumns))
	s.choose(-1)
	return s
}

// refresh reads the unconfirmed certificates of the municipality again.
func (s *confirmScreen) refresh() {
	var rows []confirmRow
	err := s.st.View(func(r app.Reader) error {
		certs, err := app.List[app.Certificate](r, app.IdxMunicipality, s.mun, 0)
		if err != nil {
			return err
		}
		for _, c := range certs {
			if !c.Unconfirmed {
				continue
			}
			row := confirmRow{cert: c}
			if ch, err := app.Get[app.Child](r, c.Child); err == nil {
				row.child = ch
			}
			row.by = registeredBy(r, row.child, c)
			rows = append(rows, row)
		}
		return nil
	})
	if err != nil {
		sayErr(s.summary, err)
		return
	}
	slices.SortFunc(rows, func(a, b confirmRow) int {
		if c := cmp.Compare(a.cert.Issued, b.cert.Issued); c != 0 {
			return c // who waits longest comes first
		}
		return strings.Compare(a.cert.Number, b.cert.Number)
	})
	s.rows = rows
	s.summary.Importance = widget.MediumImportance
	if len(rows) == 0 {
		s.summary.SetText("Неподтверждённых сертификатов нет")
	} else {
		s.summary.SetText("Ждут подтверждения: " + strconv.Itoa(len(rows)) + ". Выберите сертификат, проверьте документы и подтвердите")
	}
	s.table.UnselectAll()
	s.table.Refresh()
	s.choose(-1)
}

// registeredBy names who registered a child: the provider it applied to
// when a provider's node registered it, else the node.
func registeredBy(r app.Reader, ch app.Child, c app.Certificate) string {
	if kind, id, err := app.ParseScope(c.IssuedBy); err == nil && kind == "provider" {
		if p, err := app.Get[app.Provider](r, id); err == nil {
			return p.Name
		}
		return "исполнитель " + shortID(id)
	}
	// Certificates issued before IssuedBy was kept: the first provider the
	// child applied to.
	ids := c.Providers
	if len(ids) == 0 {
		ids = ch.Providers
	}
	if len(ids) > 0 {
		if p, err := app.Get[app.Provider](r, ids[0]); err == nil {
			return p.Name
		}
		return "исполнитель " + shortID(ids[0])
	}
	if ch.Registered != "" {
		return "узел " + shortID(ch.Registered)
	}
	return "—"
}

func (s *confirmScreen) size() (int, int) { return len(s.rows), len(confirmColumns) }

func (s *confirmScreen) createCell() fyne.CanvasObject {
	l := widget.NewLabel("")
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

func (s *confirmScreen) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	o.(*widget.Label).SetText(s.cell(id.Row, id.Col))
}

// cell is the text at a row and column: what the table shows and tests read.
func (s *confirmScreen) cell(row, col int) string {
	if row < 0 || row >= len(s.rows) {
		return ""
	}
	r := s.rows[row]
	switch col {
	case 0:
		if r.cert.Number == "" {
			return "ожидает РМЦ"
		}
		return r.cert.Number
	case 1:
		return r.child.FullName()
	case 2:
		return dateRu(r.child.BirthDate)
	case 3:
		return dateRu(r.cert.Issued)
	case 4:
		return r.by
	}
	return ""
}

// choose makes a row the one the buttons act on; -1 clears it.
func (s *confirmScreen) choose(i int) {
	if i < 0 || i >= len(s.rows) {
		i = -1
	}
	s.sel = i
	setEnabled(s.confirm, i >= 0)
	setEnabled(s.newCode, i >= 0)
}

// onConfirm asks whether the documents were checked, then confirms.
func (s *confirmScreen) onConfirm() {
	if s.sel < 0 {
		return
	}
	r := s.rows[s.sel]
	num := s.cell(s.sel, 0)
	askConfirm(s.content, "Подтвердить сертификат",
		"Документы проверены? Ребёнок: "+r.child.FullName()+", д. р. "+dateRu(r.child.BirthDate)+
			"; зарегистрировал: "+r.by+". После подтверждения сертификат "+num+
			" можно перевести в сертификат финансирования и зачислять по нему.", "Подтвердить", func() {
			if _, err := s.st.Exec(&app.ConfirmCertificate{Certificate: r.cert.ID}); err != nil {
				sayErr(s.status, err)
				return
			}
			s.refresh()
			say(s.status, "Сертификат "+num+" ("+r.child.FullName()+") подтверждён")
		})
}

// onNewCode gives the chosen certificate a new code.
func (s *confirmScreen) onNewCode() {
	if s.sel < 0 {
		return
	}
	r := s.rows[s.sel]
	issueNewCode(s.content, s.st, r.cert, r.child.FullName(), s.now, s.status, nil)
}
