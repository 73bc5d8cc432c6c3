//go:build !nogui

package ui

import (
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
	"kruzhok/pdf"
)

var invoiceColumns = []column{
	{"Месяц", 150},
	{"Вид", 100},
	{"Муниципалитет", 300},
	{"Сумма", 150},
	{"Не больше", 150},
	{"Статус", 120},
	{"Оплатить до", 120},
}

// invoicesScreen is the provider's invoices by month, newest first. A draft
// is submitted from here; the advance may ask less than its maximum (RULES.md §8).
type invoicesScreen struct {
	st       app.Store
	provider string
	now      func() time.Time

	rows []app.Invoice
	muns map[string]string
	sel  int // the chosen row, -1 for none

	table   *widget.Table
	empty   *emptyNote
	chosen  *widget.Label
	amount  *field
	submit  *widget.Button
	pdf     *widget.Button
	status  *widget.Label
	content fyne.CanvasObject
}

func newInvoicesScreen(st app.Store, provider string, now func() time.Time) *invoicesScreen {
	s := &invoicesScreen{st: st, provider: provider, now: now, sel: -1, status: newStatus(), chosen: newStatus()}
	s.table = widget.NewTableWithHeaders(s.size, s.createCell, s.updateCell)
	s.table.ShowHeaderColumn = false
	s.table.CreateHeader = s.createCell
	s.table.OnSelected = s.onInvoiceSelected
	setColumns(s.table, invoiceColumns)
	s.amount = newField("сумма, ₽", s.checkAmount)
	s.amount.onEnter(s.onSubmit)
	s.submit = widget.NewButton("Подать", s.onSubmit)
	s.submit.Importance = widget.HighImportance
	s.pdf = widget.NewButton("Счёт (PDF)…", s.onInvoicePDF)
	form := container.NewVBox(heading("Счёт"), s.chosen,
		container.NewBorder(nil, nil, widget.NewLabel("Сумма, ₽"), container.NewHBox(s.submit, s.pdf), s.amount.box), s.status)
	s.empty = newEmptyNote(fitColumns(s.table, invoiceColumns), "Счетов пока нет: черновики счетов появляются при закрытии месяца")
	s.content = container.NewBorder(heading("Счета муниципалитетам"), form, nil, nil, s.empty.view)
	s.refresh()
	return s
}

// refresh reloads the invoices.
func (s *invoicesScreen) refresh() {
	var rows []app.Invoice
	var muns map[string]string
	err := s.st.View(func(r app.Reader) error {
		var err error
		if rows, err = app.List[app.Invoice](r, app.IdxProvider, s.provider, 0); err != nil {
			return err
		}
		muns, err = municipalityNames(r)
		return err
	})
	if err != nil {
		sayErr(s.status, err)
		return
	}
	slices.SortStableFunc(rows, func(a, b app.Invoice) int {
		if a.Month != b.Month {
			return int(b.Month - a.Month)
		}
		if a.Municipality != b.Municipality {
			return strings.Compare(a.Municipality, b.Municipality)
		}
		return strings.Compare(a.Type, b.Type)
	})
	id := ""
	if s.sel >= 0 && s.sel < len(s.rows) {
		id = s.rows[s.sel].ID
	}
	s.rows, s.muns = rows, muns
	s.sel = slices.IndexFunc(rows, func(i app.Invoice) bool { return i.ID == id })
	s.table.Refresh()
	s.empty.set(len(rows), "")
	s.showChosen()
}

func (s *invoicesScreen) size() (int, int) { return len(s.rows), len(invoiceColumns) }

func (s *invoicesScreen) createCell() fyne.CanvasObject {
	l := widget.NewLabel("")
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

func (s *invoicesScreen) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	l.Importance = widget.MediumImportance
	if id.Row >= 0 && id.Row < len(s.rows) && s.rows[id.Row].Amount < 0 && id.Col == 3 {
		l.Importance = widget.DangerImportance // the provider owes it back
	}
	l.SetText(s.cell(id.Row, id.Col))
}

// cell is the text at a row and column: what the table shows and tests read.
func (s *invoicesScreen) cell(row, col int) string {
	if row < 0 || row >= len(s.rows) {
		return ""
	}
	inv := s.rows[row]
	switch col {
	case 0:
		return capitalize(inv.Month.Russian())
	case 1:
		return app.InvoiceTypeRu(inv.Type)
	case 2:
		if n := s.muns[inv.Municipality]; n != "" {
			return n
		}
		return inv.Municipality
	case 3:
		return rub(inv.Amount)
	case 4:
		return rub(inv.Max)
	case 5:
		return app.InvoiceStatusRu(inv.Status)
	case 6:
		return dateRu(inv.Due)
	}
	return ""
}

func (s *invoicesScreen) onInvoiceSelected(id widget.TableCellID) {
	if id.Row < 0 || id.Row >= len(s.rows) {
		return
	}
	s.sel = id.Row
	s.showChosen()
	s.amount.set(rubInput(s.rows[s.sel].Amount))
	say(s.status, "")
}

// showChosen describes the chosen invoice and what can be done with it.
func (s *invoicesScreen) showChosen() {
	if s.sel < 0 || s.sel >= len(s.rows) {
		s.chosen.Importance = widget.LowImportance
		s.chosen.SetText("Выберите счёт в таблице. Счета-черновики появляются при закрытии месяца")
		s.amount.entry.Disable()
		s.submit.Disable()
		s.pdf.Disable()
		return
	}
	s.pdf.Enable()
	inv := s.rows[s.sel]
	s.chosen.Importance = widget.MediumImportance
	t := capitalize(app.InvoiceTypeRu(inv.Type)) + " за " + inv.Month.Russian() + ", " + s.cell(s.sel, 2) +
		": " + rub(inv.Amount) + " (" + app.InvoiceStatusRu(inv.Status) + ")"
	switch {
	case inv.Status != app.InvDraft:
		t += ". Счёт уже подан"
	case inv.Type == app.InvAdvance:
		t += ". Аванс можно запросить меньше, но не больше " + rub(inv.Max)
	case inv.Amount < 0:
		t += ". Сумма отрицательная: это возврат муниципалитету из-за невыполненных занятий"
	}
	s.chosen.SetText(t)
	draft := inv.Status == app.InvDraft
	setEnabled(s.amount.entry, draft && inv.Type == app.InvAdvance)
	setEnabled(s.submit, draft)
}

// checkAmount requires an advance in roubles not above the invoice's maximum.
func (s *invoicesScreen) checkAmount(v string) error {
	k, err := parseRubField("сумма счёта", v)
	if err != nil {
		return err
	}
	if s.sel >= 0 && s.sel < len(s.rows) {
		if inv := s.rows[s.sel]; inv.Type == app.InvAdvance && k > inv.Max {
			return msgf("Аванс не может быть больше %s (80 %% начислений месяца)", rub(inv.Max))
		}
	}
	return nil
}

func (s *invoicesScreen) onSubmit() {
	if s.sel < 0 || s.sel >= len(s.rows) {
		return
	}
	inv := s.rows[s.sel]
	amount := inv.Amount
	if inv.Type == app.InvAdvance {
		if err := s.amount.validate(); err != nil {
			// Said once, at the field; the status only points at it.
			sayInvalid(s.status, "Счёт не подан", s.amount)
			return
		}
		amount, _ = app.ParseRub(s.amount.text())
	}
	// Money leaves with this: the provider sees the contracts behind the sum
	// before anything is sent.
	b, err := readBreakdown(s.st, inv)
	if err != nil {
		sayErr(s.status, err)
		return
	}
	if !confirmContent(s.content, "Подать счёт?", "Подать счёт", b.view(amount), func() { s.submitInvoice(inv, amount) }) {
		sayErr(s.status, fieldError("Окно программы недоступно: счёт не подан"))
	}
}

// submitInvoice submits the invoice once the provider has confirmed it.
func (s *invoicesScreen) submitInvoice(inv app.Invoice, amount int64) {
	if _, err := s.st.Exec(&app.SubmitInvoice{Invoice: inv.ID, Amount: amount}); err != nil {
		sayErr(s.status, err)
		return
	}
	s.refresh()
	say(s.status, capitalize(app.InvoiceTypeRu(inv.Type))+" за "+inv.Month.Russian()+" подан на "+rub(amount))
}

// onInvoicePDF offers the chosen invoice as a PDF for saving.
func (s *invoicesScreen) onInvoicePDF() { saveDocument(s.content, s.status, s.invoicePDF) }

// invoicePDF renders the chosen invoice: «Счёт аванс декабрь 2026 г. Ставрополь.pdf».
func (s *invoicesScreen) invoicePDF() (name string, data []byte, err error) {
	if s.sel < 0 || s.sel >= len(s.rows) {
		return "", nil, fieldError("Выберите счёт в таблице")
	}
	inv := s.rows[s.sel]
	if data, err = invoicePDF(s.st, inv.ID); err != nil {
		return "", nil, err
	}
	return fileName(invoiceTitle(inv, s.cell(s.sel, 2)), ".pdf"), data, nil
}

// invoicePDF renders an invoice inside one read transaction.
func invoicePDF(st app.Store, id string) (data []byte, err error) {
	err = st.View(func(r app.Reader) error {
		data, err = pdf.Invoice(r, id)
		return err
	})
	return data, err
}

// invoiceTitle names an invoice's file by kind, month and the other party.
func invoiceTitle(inv app.Invoice, party string) string {
	return "Счёт " + inv.Number + " " + app.InvoiceTypeRu(inv.Type) + " " + strings.ToLower(inv.Month.Russian()) + " " + party
}
