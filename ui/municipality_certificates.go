//go:build !nogui

package ui

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
	"kruzhok/pdf"
	"kruzhok/sheets"
)

var certificateColumns = []column{
	{"Номер", 130},
	{"Ребёнок", 290},
	{"Тип", 140},
	{"Статус", 110},
	{"Номинал", 120},
	{"Остаток", 120},
	{"В резерве", 120},
	{"Оплачено", 120},
}

// certRow is one certificate of the registry with its holder's name and the
// ledger of the current period.
type certRow struct {
	cert   app.Certificate
	child  string // full name
	key    string // app.NameKey of the name, for search
	ledger app.Ledger
}

// certificatesScreen is the municipality's certificate registry: every
// certificate of its residents, searched by the child's name or the number.
type certificatesScreen struct {
	st  app.Store
	mun string
	now func() time.Time

	all    []certRow
	rows   []certRow // what the search leaves
	period string

	sel int // the chosen row of rows, -1 for none

	due     map[string]bool // children whose data is due for erasure (app.ErasureDue)
	dueOnly *widget.Check   // show only them

	query   *widget.Entry
	summary *widget.Label
	table   *widget.Table
	newCode *widget.Button
	erase   *widget.Button // erase_child: the guardian withdrew consent (RULES.md §10)
	status  *widget.Label
	content fyne.CanvasObject
}

func newCertificatesScreen(st app.Store, mun string, now func() time.Time) *certificatesScreen {
	s := &certificatesScreen{st: st, mun: mun, now: now, sel: -1, summary: newStatus(), status: newStatus()}
	s.query = widget.NewEntry()
	s.query.SetPlaceHolder("Поиск: фамилия и имя ребёнка или номер сертификата 26-…")
	s.query.OnChanged = s.onQueryChanged
	s.table = widget.NewTableWithHeaders(s.size, s.createCell, s.updateCell)
	s.table.ShowHeaderColumn = false
	s.table.CreateHeader = s.createCell
	setColumns(s.table, certificateColumns)
	s.table.OnSelected = func(id widget.TableCellID) { s.choose(id.Row) }
	s.table.OnUnselected = func(widget.TableCellID) { s.choose(-1) }
	s.newCode = widget.NewButton("Выдать новый код…", s.onNewCode)
	s.newCode.Disable()
	s.erase = widget.NewButton("Удалить данные…", s.onErase)
	s.erase.Disable()
	docs := container.NewHBox(s.newCode, s.erase, widget.NewButton("Выписка из реестра (PDF)…", s.onRegistryPDF),
		widget.NewButton("Реестр в Excel…", s.onRegistryXLSX))
	s.dueOnly = widget.NewCheck("Срок хранения истёк", func(bool) { s.onQueryChanged(s.query.Text) })
	s.content = container.NewBorder(
		container.NewVBox(container.NewBorder(nil, nil, nil, docs, heading("Реестр сертификатов")),
			container.NewBorder(nil, nil, nil, s.dueOnly, s.query), s.summary),
		s.status, nil, nil, fitColumns(s.table, certificateColumns))
	return s
}

// refresh reads the municipality's certificates and their holders again.
func (s *certificatesScreen) refresh() {
	var rows []certRow
	var period string
	err := s.st.View(func(r app.Reader) error {
		if reg, err := app.Get[app.Region](r, "region"); err == nil {
			period = reg.Current
		}
		certs, err := app.List[app.Certificate](r, app.IdxMunicipality, s.mun, 0)
		if err != nil {
			return err
		}
		due, err := app.ErasureDue(r, s.mun, app.DateOf(s.now()))
		if err != nil {
			return err
		}
		s.due = make(map[string]bool, len(due))
		for _, ch := range due {
			s.due[ch.ID] = true
		}
		rows = make([]certRow, 0, len(certs))
		for _, c := range certs {
			row := certRow{cert: c, ledger: c.LedgerOf(period)}
			if ch, err := app.Get[app.Child](r, c.Child); err == nil {
				row.child = ch.FullName()
			}
			row.key = app.NameKey(row.child)
			rows = append(rows, row)
		}
		return nil
	})
	if err != nil {
		sayErr(s.summary, err)
		return
	}
	slices.SortFunc(rows, func(a, b certRow) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return strings.Compare(a.cert.Number, b.cert.Number)
	})
	s.all, s.period = rows, period
	s.dueOnly.SetText("Срок хранения истёк: " + strconv.Itoa(len(s.due)))
	s.onQueryChanged(s.query.Text)
}

// onQueryChanged keeps the rows whose name contains every word of the query,
// or whose number starts with it.
func (s *certificatesScreen) onQueryChanged(q string) {
	q = strings.TrimSpace(q)
	all := s.all
	if s.dueOnly.Checked {
		// 3 years after the last contract: the list to review and erase (RULES.md §10).
		all = nil
		for _, r := range s.all {
			if s.due[r.cert.Child] {
				all = append(all, r)
			}
		}
	}
	if q == "" {
		s.rows = all
	} else {
		words := strings.Fields(app.NameKey(q))
		s.rows = nil
		for _, r := range all {
			if looksLikeCertNumber(q) {
				if strings.HasPrefix(r.cert.Number, q) {
					s.rows = append(s.rows, r)
				}
				continue
			}
			if containsAll(r.key, words) {
				s.rows = append(s.rows, r)
			}
		}
	}
	var fin, acc int
	for _, r := range s.all {
		if r.cert.Type == app.CertFinancing {
			fin++
		} else {
			acc++
		}
	}
	s.summary.Importance = widget.MediumImportance
	text := "Сертификатов: " + strconv.Itoa(len(s.all)) + " (финансирования — " + strconv.Itoa(fin) +
		", учёта — " + strconv.Itoa(acc) + ")"
	if s.period != "" {
		text += "; суммы — за период " + s.period
	}
	if q != "" {
		text += ". Найдено: " + strconv.Itoa(len(s.rows))
	}
	s.summary.SetText(text)
	s.table.UnselectAll()
	s.choose(-1)
	s.table.Refresh()
	s.table.ScrollToTop()
}

// choose makes a row the one «Выдать новый код» acts on; -1 clears it.
func (s *certificatesScreen) choose(i int) {
	if i < 0 || i >= len(s.rows) {
		i = -1
	}
	s.sel = i
	setEnabled(s.newCode, i >= 0)
	setEnabled(s.erase, i >= 0 && s.rows[i].child != "")
}

// onErase erases the chosen child's personal data after a question: the
// guardian withdrew consent, or the purpose ended (RULES.md §10).
func (s *certificatesScreen) onErase() {
	if s.sel < 0 {
		return
	}
	r := s.rows[s.sel]
	askConfirm(s.content, "Удалить персональные данные",
		"Удалить персональные данные ребёнка "+r.child+" (сертификат "+r.cert.Number+")? ФИО, дата рождения, СНИЛС "+
			"и контакты представителя будут удалены на всех узлах и из журнала сервера; договоры и деньги останутся "+
			"за обезличенной записью. Отменить нельзя.", "Удалить", func() {
			if _, err := s.st.Exec(&app.EraseChild{Child: r.cert.Child}); err != nil {
				sayErr(s.status, err)
				return
			}
			s.refresh()
			say(s.status, "Персональные данные по сертификату "+r.cert.Number+" удалены")
		})
}

// onNewCode gives the chosen certificate a new code: the guardian lost the
// old one, or someone else learnt it.
func (s *certificatesScreen) onNewCode() {
	if s.sel < 0 {
		return
	}
	r := s.rows[s.sel]
	issueNewCode(s.content, s.st, r.cert, r.child, s.now, s.status, nil)
}

func containsAll(s string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}

func (s *certificatesScreen) size() (int, int) { return len(s.rows), len(certificateColumns) }

func (s *certificatesScreen) createCell() fyne.CanvasObject {
	l := widget.NewLabel("")
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

func (s *certificatesScreen) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	l.Importance = widget.MediumImportance
	if id.Col == 3 && id.Row >= 0 && id.Row < len(s.rows) && (s.rows[id.Row].cert.Status == app.CertFrozen || s.rows[id.Row].cert.Unconfirmed) {
		l.Importance = widget.WarningImportance
	}
	l.SetText(s.cell(id.Row, id.Col))
}

// cell is the text at a row and column: what the table shows and tests read.
func (s *certificatesScreen) cell(row, col int) string {
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
		return r.child
	case 2:
		return app.CertificateTypeRu(r.cert.Type)
	case 3:
		if r.cert.Unconfirmed && r.cert.Status == app.CertActive {
			return "не подтверждён"
		}
		return app.CertificateStatusRu(r.cert.Status)
	case 4:
		return rub(r.ledger.Nominal)
	case 5:
		return rub(r.ledger.Balance)
	case 6:
		return rub(r.ledger.Reserved)
	case 7:
		return rub(r.ledger.Paid)
	}
	return ""
}

// onRegistryPDF offers the extract from the registry as of today for saving.
func (s *certificatesScreen) onRegistryPDF() { saveDocument(s.content, s.status, s.registryPDF) }

// onRegistryXLSX offers the whole registry as an Excel workbook for saving.
func (s *certificatesScreen) onRegistryXLSX() { saveDocument(s.content, s.status, s.registryXLSX) }

// registryPDF renders the extract from the municipality's certificate
// registry as of today: «Выписка из реестра сертификатов 27 на 28.11.2026.pdf».
func (s *certificatesScreen) registryPDF() (name string, data []byte, err error) {
	on := today(s.now)
	err = s.st.View(func(r app.Reader) error {
		data, err = pdf.RegistryExtract(r, s.mun, on)
		return err
	})
	if err != nil {
		return "", nil, err
	}
	return fileName("Выписка из реестра сертификатов "+s.mun+" на "+dateRu(on), ".pdf"), data, nil
}

// registryXLSX writes the municipality's certificate registry — every
// certificate, not only what the search leaves — as an XLSX workbook.
func (s *certificatesScreen) registryXLSX() (name string, data []byte, err error) {
	var t sheets.Table
	err = s.st.View(func(r app.Reader) error {
		t, err = sheets.Export(r, "certificates", sheets.Filter{Municipality: s.mun})
		return err
	})
	if err != nil {
		return "", nil, err
	}
	var b bytes.Buffer
	if err := sheets.WriteXLSX(&b, t); err != nil {
		return "", nil, err
	}
	return fileName("Реестр сертификатов "+s.mun+" на "+dateRu(today(s.now)), ".xlsx"), b.Bytes(), nil
}
