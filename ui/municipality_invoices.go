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

var munInvoiceColumns = []column{
	{"Исполнитель", 300},
	{"Месяц", 140},
	{"Вид", 90},
	{"Сумма", 140},
	{"Статус", 110},
	{"Оплатить до", 120},
}

// Filters of the municipality's invoices.
const (
	invToApprove = "К утверждению"
	invToPay     = "К оплате"
	invAll       = "Все счета"
)

// munInvoicesScreen is the municipality's side of the providers' invoices
// (RULES.md §8): submitted ones to approve, approved ones to pay by the 10th
// of the following month.
type munInvoicesScreen struct {
	st  app.Store
	mun string
	now func() time.Time

	all   []app.Invoice
	rows  []app.Invoice
	provs map[string]string
	sel   int

	filter  *widget.RadioGroup
	summary *widget.Label
	table   *widget.Table
	empty   *emptyNote
	chosen  *widget.Label
	approve *widget.Button
	pay     *widget.Button
	pdf     *widget.Button
	status  *widget.Label
	content fyne.CanvasObject
}

func newMunInvoicesScreen(st app.Store, mun string, now func() time.Time) *munInvoicesScreen {
	s := &munInvoicesScreen{st: st, mun: mun, now: now, sel: -1, summary: newStatus(), chosen: newStatus(), status: newStatus()}
	s.filter = widget.NewRadioGroup([]string{invToApprove, invToPay, invAll}, func(string) { s.applyFilter() })
	s.filter.Horizontal = true
	s.filter.Required = true
	s.filter.Selected = invToApprove
	s.table = widget.NewTableWithHeaders(s.size, s.createCell, s.updateCell)
	s.table.ShowHeaderColumn = false
	s.table.CreateHeader = s.createCell
	s.table.OnSelected = func(id widget.TableCellID) { s.choose(id.Row) }
	setColumns(s.table, munInvoiceColumns)
	s.approve = widget.NewButton("Утвердить счёт", s.onApprove)
	s.approve.Importance = widget.HighImportance
	s.pay = widget.NewButton("Отметить оплату", s.onPay)
	s.pay.Importance = widget.HighImportance
	s.pdf = widget.NewButton("Счёт (PDF)…", s.onInvoicePDF)
	s.pdf.Disable()
	s.empty = newEmptyNote(fitColumns(s.table, munInvoiceColumns), "")
	s.content = container.NewBorder(container.NewVBox(heading("Счета исполнителей"), s.filter, s.summary),
		container.NewVBox(s.chosen, container.NewHBox(s.approve, s.pay, s.pdf), s.status), nil, nil, s.empty.view)
	return s
}

// refresh reads the municipality's invoices again.
func (s *munInvoicesScreen) refresh() {
	var all []app.Invoice
	provs := map[string]string{}
	err := s.st.View(func(r app.Reader) error {
		var err error
		if all, err = app.List[app.Invoice](r, app.IdxMunicipality, s.mun+"|", 0); err != nil {
			return err
		}
		ps, err := app.List[app.Provider](r, "", "", 0)
		for _, p := range ps {
			provs[p.ID] = p.Name
		}
		return err
	})
	if err != nil {
		sayErr(s.status, err)
		return
	}
	// Newest month first, then by provider.
	slices.SortStableFunc(all, func(a, b app.Invoice) int {
		if a.Month != b.Month {
			return int(b.Month - a.Month)
		}
		if c := strings.Compare(app.NameKey(provs[a.Provider]), app.NameKey(provs[b.Provider])); c != 0 {
			return c
		}
		return strings.Compare(a.Type, b.Type)
	})
	s.all, s.provs = all, provs
	var approveN, payN int
	var approveSum, paySum int64
	for _, inv := range all {
		switch inv.Status {
		case app.InvSubmitted:
			approveN++
			approveSum += inv.Amount
		case app.InvApproved:
			payN++
			paySum += inv.Amount
		}
	}
	s.summary.Importance = widget.MediumImportance
	s.summary.SetText("К утверждению: " + strconv.Itoa(approveN) + " на " + rub(approveSum) +
		"; к оплате: " + strconv.Itoa(payN) + " на " + rub(paySum) + ". Всего счетов: " + strconv.Itoa(len(all)))
	s.applyFilter()
}

func (s *munInvoicesScreen) applyFilter() {
	id := ""
	if s.sel >= 0 && s.sel < len(s.rows) {
		id = s.rows[s.sel].ID
	}
	s.rows = s.rows[:0]
	for _, inv := range s.all {
		switch {
		case s.filter.Selected == invToApprove && inv.Status != app.InvSubmitted:
		case s.filter.Selected == invToPay && inv.Status != app.InvApproved:
		default:
			s.rows = append(s.rows, inv)
		}
	}
	s.table.UnselectAll()
	s.table.Refresh()
	s.empty.set(len(s.rows), map[string]string{invToApprove: "Счетов к утверждению нет", invToPay: "Счетов к оплате нет",
		invAll: "Счетов пока нет: исполнители подают их после закрытия месяца"}[s.filter.Selected])
	s.choose(slices.IndexFunc(s.rows, func(i app.Invoice) bool { return i.ID == id }))
}

func (s *munInvoicesScreen) choose(row int) {
	if row < 0 || row >= len(s.rows) {
		s.sel = -1
		s.chosen.Importance = widget.LowImportance
		s.chosen.SetText("Выберите счёт в таблице")
		s.approve.Disable()
		s.pay.Disable()
		s.pdf.Disable()
		return
	}
	s.pdf.Enable()
	s.sel = row
	inv := s.rows[row]
	s.chosen.Importance = widget.MediumImportance
	text := capitalize(app.InvoiceTypeRu(inv.Type)) + " за " + inv.Month.Russian() + ", " + s.providerName(inv) +
		": " + rub(inv.Amount) + " (" + app.InvoiceStatusRu(inv.Status) + "), оплатить до " + dateRu(inv.Due)
	if inv.Amount < 0 {
		text += ". Сумма отрицательная: исполнитель возвращает её из-за невыполненных занятий"
	}
	s.chosen.SetText(text)
	setEnabled(s.approve, inv.Status == app.InvSubmitted)
	setEnabled(s.pay, inv.Status == app.InvApproved)
	// A negative final is the provider's refund (RULES.md §8): it is
	// received, not paid.
	if inv.Amount < 0 {
		s.pay.SetText("Отметить получение возврата")
	} else {
		s.pay.SetText("Отметить оплату")
	}
}

func (s *munInvoicesScreen) providerName(inv app.Invoice) string {
	if n := s.provs[inv.Provider]; n != "" {
		return n
	}
	return inv.Provider
}

// onApprove shows the contracts behind the chosen invoice's total and
// approves it only when the municipality confirms.
func (s *munInvoicesScreen) onApprove() {
	if s.sel < 0 || s.sel >= len(s.rows) {
		return
	}
	inv := s.rows[s.sel]
	b, err := readBreakdown(s.st, inv)
	if err != nil {
		sayErr(s.status, err)
		return
	}
	if !confirmContent(s.content, "Утвердить счёт?", "Утвердить", b.view(inv.Amount), func() {
		s.move(inv, &app.ApproveInvoice{}, "утверждён")
	}) {
		sayErr(s.status, fieldError("Окно программы недоступно: счёт не утверждён"))
	}
}
func (s *munInvoicesScreen) onPay() {
	if s.sel < 0 || s.sel >= len(s.rows) {
		return
	}
	if inv := s.rows[s.sel]; inv.Amount < 0 {
		s.move(inv, &app.RecordRefund{}, "возврат получен")
	} else {
		s.move(inv, &app.PayInvoice{}, "отмечен оплаченным")
	}
}

// move takes the invoice to its next status with cmd.
func (s *munInvoicesScreen) move(inv app.Invoice, cmd app.Command, done string) {
	switch c := cmd.(type) {
	case *app.ApproveInvoice:
		c.Invoice = inv.ID
	case *app.PayInvoice:
		c.Invoice = inv.ID
	case *app.RecordRefund:
		c.Invoice = inv.ID
	}
	if _, err := s.st.Exec(cmd); err != nil {
		sayErr(s.status, err)
		return
	}
	s.refresh()
	say(s.status, capitalize(app.InvoiceTypeRu(inv.Type))+" за "+inv.Month.Russian()+", "+s.providerName(inv)+", "+
		rub(inv.Amount)+": "+done)
}

func (s *munInvoicesScreen) size() (int, int) { return len(s.rows), len(munInvoiceColumns) }

func (s *munInvoicesScreen) createCell() fyne.CanvasObject {
	l := widget.NewLabel("")
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

func (s *munInvoicesScreen) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	l.Importance = widget.MediumImportance
	if id.Row >= 0 && id.Row < len(s.rows) {
		inv := s.rows[id.Row]
		switch {
		case id.Col == 3 && inv.Amount < 0:
			l.Importance = widget.DangerImportance
		case id.Col == 5 && inv.Status != app.InvPaid && inv.Due < app.DateOf(s.now()):
			l.Importance = widget.DangerImportance // overdue
		}
	}
	l.SetText(s.cell(id.Row, id.Col))
}

// cell is the text at a row and column: what the table shows and tests read.
func (s *munInvoicesScreen) cell(row, col int) string {
	if row < 0 || row >= len(s.rows) {
		return ""
	}
	inv := s.rows[row]
	switch col {
	case 0:
		return s.providerName(inv)
	case 1:
		return capitalize(inv.Month.Russian())
	case 2:
		return app.InvoiceTypeRu(inv.Type)
	case 3:
		return rub(inv.Amount)
	case 4:
		return app.InvoiceStatusRu(inv.Status)
	case 5:
		return dateRu(inv.Due)
	}
	return ""
}

// onInvoicePDF offers the chosen invoice as a PDF for saving.
func (s *munInvoicesScreen) onInvoicePDF() { saveDocument(s.content, s.status, s.invoicePDF) }

// invoicePDF renders the chosen invoice, named by kind, month and provider.
func (s *munInvoicesScreen) invoicePDF() (name string, data []byte, err error) {
	if s.sel < 0 || s.sel >= len(s.rows) {
		return "", nil, fieldError("Выберите счёт в таблице")
	}
	inv := s.rows[s.sel]
	if data, err = invoicePDF(s.st, inv.ID); err != nil {
		return "", nil, err
	}
	return fileName(invoiceTitle(inv, s.providerName(inv)), ".pdf"), data, nil
}
