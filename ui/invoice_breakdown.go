//go:build !nogui

package ui

import (
	"image/color"
	"slices"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
)

// invoiceLine is one row behind an invoice's total: a contract's money for
// the month, or (in a final invoice) the advance already claimed, negative.
type invoiceLine struct {
	child     string // «Петров И. С.»
	number    string // the certificate's number
	programme string
	amount    int64
}

// invoiceBreakdown is what a money action covers, read from the records:
// the contracts whose certificate shares make the invoice (RULES.md §8).
//
// An advance's rows are the month's shares of the contracts written off at
// the month close; their sum is the base, and the advance may claim up to
// 80 % of it. A final invoice's rows are each contract's due after the
// group's completeness, as the month close settled it into this invoice,
// and, last, the advance claimed for the month with a minus: their sum is
// the invoice's amount.
type invoiceBreakdown struct {
	inv          app.Invoice
	provider     string
	municipality string
	lines        []invoiceLine
	sum          int64 // Σ lines
}

// readBreakdown reads the contracts behind an invoice.
func readBreakdown(st app.Store, inv app.Invoice) (invoiceBreakdown, error) {
	b := invoiceBreakdown{inv: inv, provider: inv.Provider, municipality: inv.Municipality}
	err := st.View(func(r app.Reader) error {
		if p, err := app.Get[app.Provider](r, inv.Provider); err == nil {
			b.provider = p.Name
		}
		if m, err := app.Get[app.Municipality](r, inv.Municipality); err == nil {
			b.municipality = m.Name
		}
		ks, err := app.List[app.Contract](r, app.IdxProvider, inv.Provider, 0)
		if err != nil {
			return err
		}
		progs := map[string]string{}
		for _, k := range ks {
			if k.Municipality != inv.Municipality || !k.Funded {
				continue
			}
			l := invoiceLine{child: "—", number: "—"}
			in := false
			for _, share := range k.Schedule {
				switch {
				case share.Returned:
				case inv.Type == app.InvAdvance && share.Month == inv.Month && share.WrittenOff:
					l.amount, in = share.Cert, true
				case inv.Type == app.InvFinal && share.Settled && share.SettledIn == inv.Month:
					// A month written off late settles into a later final:
					// the invoice's sum counts it here, so does the row.
					l.amount, in = l.amount+share.Due, true
				}
			}
			if !in {
				continue
			}
			if ch, err := app.Get[app.Child](r, k.Child); err == nil {
				l.child = initials(ch)
			} else if app.ErrorCode(err) != app.ENOTFOUND {
				return err
			}
			if c, err := app.Get[app.Certificate](r, k.Certificate); err == nil {
				l.number = c.Number
			} else if app.ErrorCode(err) != app.ENOTFOUND {
				return err
			}
			if _, ok := progs[k.Programme]; !ok {
				p, err := app.Get[app.Programme](r, k.Programme)
				if err != nil && app.ErrorCode(err) != app.ENOTFOUND {
					return err
				}
				progs[k.Programme] = p.Title
			}
			l.programme = progs[k.Programme]
			b.lines = append(b.lines, l)
		}
		slices.SortStableFunc(b.lines, func(a, b invoiceLine) int {
			if c := strings.Compare(app.NameKey(a.child), app.NameKey(b.child)); c != 0 {
				return c
			}
			return strings.Compare(a.number, b.number)
		})
		if inv.Type == app.InvFinal {
			adv, err := app.Get[app.Invoice](r, app.InvoiceID(inv.Provider, inv.Municipality, inv.Month, app.InvAdvance))
			if err != nil && app.ErrorCode(err) != app.ENOTFOUND {
				return err
			}
			if adv.Status == app.InvSubmitted || adv.Status == app.InvApproved || adv.Status == app.InvPaid {
				b.lines = append(b.lines, invoiceLine{child: "—", number: "—",
					programme: "аванс за " + inv.Month.Russian(), amount: -adv.Amount})
			}
		}
		return nil
	})
	for _, l := range b.lines {
		b.sum += l.amount
	}
	return b, err
}

// initials is «Петров И. С.»: enough to recognise a contract, no more of
// a child's name than that.
func initials(c app.Child) string {
	out := c.LastName
	for _, n := range []string{c.FirstName, c.MiddleName} {
		if r, _ := utf8.DecodeRuneInString(n); n != "" {
			out += " " + string(r) + "."
		}
	}
	return out
}

// breakdownColumns are the columns of the contracts behind a total.
var breakdownColumns = []column{
	{"Ребёнок", 135},
	{"Сертификат", 125},
	{"Программа", 160},
	{"Сумма", 115},
}

// cell is the text of a row and column of the breakdown's table.
func (b invoiceBreakdown) cell(row, col int) string {
	if row < 0 || row >= len(b.lines) {
		return ""
	}
	l := b.lines[row]
	return [...]string{l.child, l.number, l.programme, rub(l.amount)}[col]
}

// summary says what the action covers above the rows: the invoice, the
// parties and how the rows make the amount asked.
func (b invoiceBreakdown) summary(amount int64) []string {
	inv := b.inv
	out := []string{
		capitalize(app.InvoiceTypeRu(inv.Type)) + " за " + inv.Month.Russian() + ": " + rub(amount),
		"Исполнитель: " + b.provider,
		"Плательщик: " + b.municipality,
	}
	switch inv.Type {
	case app.InvAdvance:
		out = append(out, "Договоров: "+itoa(len(b.lines))+", доли сертификатов за месяц: "+rub(b.sum)+
			". Аванс — не больше 80 % этой суммы: "+rub(app.AdvanceMax(b.sum)))
		if app.AdvanceMax(b.sum) != inv.Max {
			// A contract confirmed after the month close is written off
			// later, outside this advance: say so rather than hide it.
			out = append(out, "Договоры изменились после закрытия месяца: аванс считался от долей, дающих не больше "+
				rub(inv.Max)+". Разница войдёт в итоговый счёт")
		}
	default:
		out = append(out, "Строк: "+itoa(len(b.lines))+": к оплате по договорам с учётом проведённых занятий, "+
			"за вычетом аванса. Итого по строкам: "+rub(b.sum))
		if b.sum != inv.Amount {
			out = append(out, "Сумма строк расходится с суммой счёта на "+rub(inv.Amount-b.sum)+
				": проверьте журнал месяца перед утверждением")
		}
	}
	return out
}

// view is the breakdown for a confirmation dialog: the summary lines and a
// table of the rows, which scrolls when the contracts are many.
func (b invoiceBreakdown) view(amount int64) fyne.CanvasObject {
	top := container.NewVBox()
	for _, s := range b.summary(amount) {
		l := widget.NewLabel(s)
		l.Wrapping = fyne.TextWrapWord
		top.Add(l)
	}
	if len(b.lines) == 0 {
		top.Add(widget.NewLabel("Договоров с долей в этом месяце нет"))
		return top
	}
	t := widget.NewTableWithHeaders(func() (int, int) { return len(b.lines), len(breakdownColumns) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) { o.(*widget.Label).SetText(b.cell(id.Row, id.Col)) })
	t.ShowHeaderColumn = false
	t.CreateHeader = func() fyne.CanvasObject { return widget.NewLabel("") }
	setColumns(t, breakdownColumns)
	space := canvas.NewRectangle(color.Transparent)
	space.SetMinSize(fyne.NewSize(560, min(260, float32(len(b.lines)+1)*44)))
	return container.NewBorder(top, nil, nil, nil, container.NewStack(space, t))
}
