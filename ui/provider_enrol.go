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

// contractRow is a contract with the names a person recognises.
type contractRow struct {
	k     app.Contract
	child string
	group string
}

// enrolScreen makes contracts: the family sees the quote of RULES.md §6 —
// the total, the certificate's part, their own part and the month-by-month
// schedule — before the provider confirms, and the contract carries exactly
// the figures shown. Below, the provider's contracts, with termination and
// the switch to another programme.
type enrolScreen struct {
	st       app.Store
	provider string
	now      func() time.Time

	finder *childFinder
	child  childRow
	chosen bool
	groups []app.Group

	group      *choice
	start      *field
	quote      app.Quote
	funded     bool
	quoted     bool // the quote shown is for the current child, group and start
	quoteMsg   *widget.Label
	total      *widget.Label
	certPart   *widget.Label
	parentPart *widget.Label
	months     []app.MonthShare
	schedule   *fyne.Container
	parentOK   *widget.Check
	parentMsg  *widget.Label
	confirm    *widget.Button

	contracts []contractRow
	clist     *widget.List
	csel      int // the chosen contract's row, -1 for none
	terminate *widget.Button
	switchTo  *widget.Button
	offerPDF  *widget.Button
	notice    *field // the termination dialog's notice date
	reason    *widget.Entry
	newGroup  *choice // the switch dialog's new group
	newNotice *field  // the switch dialog's notice date

	status  *widget.Label
	content fyne.CanvasObject
}

func newEnrolScreen(st app.Store, provider string, now func() time.Time) *enrolScreen {
	s := &enrolScreen{st: st, provider: provider, now: now, csel: -1, status: newStatus(), quoteMsg: newStatus(),
		total: widget.NewLabel(""), certPart: widget.NewLabel(""), parentPart: widget.NewLabel("")}
	s.finder = newChildFinder(st, s.onChildSelected)
	s.group = newChoice("выберите группу", "Выберите группу", func(string) { s.onGroupChanged() })
	s.start = newField("ДД.ММ.ГГГГ", validDate("дата начала", false))
	s.start.entry.OnChanged = func(string) {
		if s.start.msg.Visible() {
			s.start.validate()
		}
		s.onQuoteInputsChanged()
	}
	s.start.onEnter(s.onConfirm)
	s.total.TextStyle.Bold = true
	s.schedule = container.NewGridWithColumns(3)
	s.parentOK = widget.NewCheck("Родитель подтверждает оплату своей части", func(on bool) {
		if on {
			s.parentMsg.Hide()
		}
	})
	s.parentMsg = widget.NewLabel("")
	s.parentMsg.Importance = widget.DangerImportance
	s.parentMsg.Wrapping = fyne.TextWrapWord
	s.parentMsg.Hide()
	s.confirm = widget.NewButton("Заключить договор", s.onConfirm)
	s.confirm.Importance = widget.HighImportance

	s.clist = widget.NewList(func() int { return len(s.contracts) }, s.createContractRow, s.updateContractRow)
	s.clist.OnSelected = s.onContractSelected
	s.clist.OnUnselected = func(widget.ListItemID) { s.csel = -1; s.showActions() }
	s.terminate = widget.NewButton("Расторгнуть", s.onTerminate)
	s.switchTo = widget.NewButton("Сменить программу", s.onSwitch)
	s.offerPDF = widget.NewButton("Договор-оферта (PDF)…", s.onContractPDF)
	s.notice = newField("ДД.ММ.ГГГГ", validDate("дата уведомления", false))
	s.reason = widget.NewEntry()
	s.reason.SetPlaceHolder("например, переезд")
	s.newGroup = newChoice("новая группа", "Выберите новую группу", nil)
	s.newNotice = newField("ДД.ММ.ГГГГ", validDate("дата уведомления", false))

	form := widget.NewForm(
		widget.NewFormItem("Группа", s.group.box),
		widget.NewFormItem("Начало обучения", s.start.box),
	)
	// Totals and the confirmation beside the monthly schedule: the family
	// sees the whole quote without scrolling.
	quote := container.NewVBox(
		heading("Расчёт для семьи"), s.quoteMsg,
		container.NewGridWithColumns(2,
			container.NewVBox(s.total, s.certPart, s.parentPart, s.parentOK, s.parentMsg, s.confirm),
			s.schedule),
	)
	top := container.NewHSplit(
		container.NewBorder(heading("Ребёнок (сертификат)"), nil, nil, nil, s.finder.content),
		container.NewVScroll(container.NewVBox(form, widget.NewSeparator(), quote, s.status)),
	)
	top.Offset = 0.4
	bottom := container.NewBorder(
		container.NewBorder(nil, nil, heading("Договоры"), container.NewHBox(s.offerPDF, s.switchTo, s.terminate)),
		nil, nil, nil, s.clist)
	split := container.NewVSplit(top, bottom)
	split.Offset = 0.72
	s.content = split
	s.refresh()
	s.clearQuote("Выберите ребёнка, группу и дату начала: расчёт появится здесь")
	return s
}

func (s *enrolScreen) today() app.Date { return today(s.now) }

// refresh reloads the groups and the contracts.
func (s *enrolScreen) refresh() {
	var groups []app.Group
	var rows []contractRow
	err := s.st.View(func(r app.Reader) error {
		var err error
		if groups, err = app.List[app.Group](r, app.IdxProvider, s.provider, 0); err != nil {
			return err
		}
		names := map[string]string{}
		for _, g := range groups {
			names[g.ID] = g.Name
		}
		ks, err := app.List[app.Contract](r, app.IdxProvider, s.provider, 0)
		if err != nil {
			return err
		}
		for _, k := range ks {
			row := contractRow{k: k, group: names[k.Group], child: "ребёнок вне области узла"}
			if ch, err := app.Get[app.Child](r, k.Child); err == nil {
				row.child = ch.FullName()
			} else if app.ErrorCode(err) != app.ENOTFOUND {
				return err
			}
			rows = append(rows, row)
		}
		return nil
	})
	if err != nil {
		sayErr(s.status, err)
		return
	}
	slices.SortStableFunc(groups, func(a, b app.Group) int { return strings.Compare(a.Name, b.Name) })
	slices.SortStableFunc(rows, func(a, b contractRow) int {
		if c := strings.Compare(a.child, b.child); c != 0 {
			return c
		}
		return int(a.k.Start - b.k.Start)
	})
	chosen := ""
	if g, ok := s.selectedGroup(); ok {
		chosen = g.ID
	}
	s.groups, s.contracts = groups, rows
	s.group.sel.Options = s.groupOptions()
	// Keep the chosen group by its ID: its label carries the free places,
	// which may have changed.
	if i := slices.IndexFunc(groups, func(g app.Group) bool { return g.ID == chosen }); i >= 0 {
		s.group.sel.SetSelectedIndex(i)
	} else {
		s.group.sel.ClearSelected()
	}
	s.group.sel.Refresh()
	s.newGroup.sel.Options = s.group.sel.Options
	s.clist.UnselectAll()
	s.csel = -1
	s.clist.Refresh()
	s.showActions()
	if s.finder.query.Text != "" {
		s.finder.reload() // balances change with every contract
	}
}

// groupOptions labels the groups: «Роботы-1 · мест свободно 3».
func (s *enrolScreen) groupOptions() []string {
	out := make([]string, 0, len(s.groups))
	for _, g := range s.groups {
		out = append(out, g.Name+" · свободно мест: "+itoa(int(g.Free())))
	}
	return out
}

// selectedGroup is the group chosen in the form.
func (s *enrolScreen) selectedGroup() (app.Group, bool) {
	i := s.group.sel.SelectedIndex()
	if i < 0 || i >= len(s.groups) {
		return app.Group{}, false
	}
	return s.groups[i], true
}

func (s *enrolScreen) onChildSelected(row childRow) {
	s.child, s.chosen = row, true
	s.onQuoteInputsChanged()
}

// onGroupChanged offers the first possible day as the start: today or the
// group's first day, whichever is later.
func (s *enrolScreen) onGroupChanged() {
	if g, ok := s.selectedGroup(); ok && s.start.text() == "" {
		s.start.set(dateRu(max(s.today(), g.Start))) // runs onQuoteInputsChanged
		return
	}
	s.onQuoteInputsChanged()
}

// onQuoteInputsChanged asks the rules for the quote whenever the child, the
// group or the start changes: what the family sees is always current.
func (s *enrolScreen) onQuoteInputsChanged() {
	g, ok := s.selectedGroup()
	start, err := app.ParseDate(strings.TrimSpace(s.start.text()))
	switch {
	case !s.chosen:
		s.clearQuote("Выберите ребёнка: найдите его по фамилии или номеру сертификата")
		return
	case !s.child.hasCert:
		s.clearQuote("У ребёнка нет сертификата: выдайте его на вкладке «Дети»")
		return
	case !ok:
		s.clearQuote("Выберите группу")
		return
	case err != nil:
		s.clearQuote("Укажите дату начала обучения в формате ДД.ММ.ГГГГ")
		return
	}
	var e app.Enrolment
	err = s.st.View(func(r app.Reader) error {
		var err error
		e, err = app.PrepareEnrolment(r, s.child.cert.ID, g.ID, start, s.today())
		return err
	})
	if err != nil {
		s.clearQuote("")
		sayErr(s.quoteMsg, err)
		return
	}
	s.showQuote(e)
}

// clearQuote empties the quote and says what is missing.
func (s *enrolScreen) clearQuote(msg string) {
	s.quoted, s.quote, s.months, s.funded = false, app.Quote{}, nil, false
	s.quoteMsg.Importance = widget.MediumImportance
	s.quoteMsg.SetText(msg)
	for _, l := range []*widget.Label{s.total, s.certPart, s.parentPart} {
		l.SetText("")
		l.Hide()
	}
	s.schedule.RemoveAll()
	s.parentOK.SetChecked(false)
	s.parentOK.Hide()
	s.parentMsg.Hide()
	s.confirm.Disable()
}

// showQuote lays out the quote: totals and the monthly schedule.
func (s *enrolScreen) showQuote(e app.Enrolment) {
	s.quoted, s.quote, s.funded = true, e.Quote, e.Funded
	s.parentOK.SetChecked(false)
	s.parentMsg.Hide()
	s.schedule.RemoveAll()
	for _, l := range []*widget.Label{s.total, s.certPart, s.parentPart} {
		l.Show()
	}
	if !e.Funded {
		s.months = nil
		s.quoteMsg.Importance = widget.MediumImportance
		s.quoteMsg.SetText("Программа «" + e.Programme.Title + "» в муниципальном реестре: обучение бесплатно, сертификат не расходуется")
		s.total.SetText("Договор с " + dateRu(e.Start) + " по " + dateRu(e.End))
		s.certPart.Hide()
		s.parentPart.Hide()
		s.parentOK.Hide()
		s.confirm.Enable()
		return
	}
	q := e.Quote
	s.months = q.Schedule(e.Start)
	s.quoteMsg.Importance = widget.MediumImportance
	s.quoteMsg.SetText("Договор с " + dateRu(e.Start) + " по " + dateRu(e.End) + ": " + itoa(int(q.Days)) + " дн. из " +
		itoa(int(q.GroupDays)) + ", месяцев: " + itoa(int(q.Months)) + ". Остаток сертификата: " + rub(e.Cert.LedgerOf(e.Period.ID).Balance))
	s.total.SetText("Стоимость обучения: " + rub(q.All))
	s.certPart.SetText("Из сертификата: " + rub(q.Cert))
	s.parentPart.SetText("Платит семья: " + rub(q.Parent))
	for r := -1; r < len(s.months); r++ {
		for c := 0; c < 3; c++ {
			l := widget.NewLabel(s.scheduleCell(r, c))
			if r < 0 {
				l.TextStyle.Bold = true
			}
			s.schedule.Add(l)
		}
	}
	if q.Parent > 0 {
		s.parentOK.Show()
	} else {
		s.parentOK.Hide()
	}
	s.confirm.Enable()
}

// scheduleCell is the text of the quote's monthly schedule at a row (-1 is
// the header) and column: month, certificate share, family share.
func (s *enrolScreen) scheduleCell(row, col int) string {
	if row < 0 {
		return [...]string{"Месяц", "Из сертификата", "Семья"}[col]
	}
	m := s.months[row]
	switch col {
	case 0:
		return m.Month.Russian()
	case 1:
		return rub(m.Cert)
	}
	return rub(m.Parent)
}

func (s *enrolScreen) onConfirm() {
	if err := firstError(s.group, s.start); err != nil {
		sayErr(s.status, err)
		return
	}
	if !s.quoted {
		sayErr(s.status, fieldError("Сначала нужен расчёт: "+s.quoteMsg.Text))
		return
	}
	if s.quote.Parent > 0 && !s.parentOK.Checked {
		s.parentMsg.SetText("Отметьте, что родитель подтверждает оплату своей части: " + rub(s.quote.Parent))
		s.parentMsg.Show()
		sayErr(s.status, fieldError(s.parentMsg.Text))
		return
	}
	g, _ := s.selectedGroup()
	start, _ := app.ParseDate(strings.TrimSpace(s.start.text()))
	cmd := &app.Enrol{ID: newID(), Certificate: s.child.cert.ID, Group: g.ID, Start: start,
		QuotedCert: s.quote.Cert, QuotedParent: s.quote.Parent, ParentConfirmed: s.parentOK.Checked}
	if _, err := s.st.Exec(cmd); err != nil {
		sayErr(s.status, err)
		if app.ErrorCode(err) == app.BALANCE_CHANGED {
			s.onQuoteInputsChanged() // show the family the new figures
		}
		return
	}
	name := s.child.child.FullName()
	s.refresh()
	s.group.sel.ClearSelected()
	s.start.set("")
	s.clearQuote("Договор заключён. Выберите следующего ребёнка или группу")
	status, title := "действует", app.Contract{}.Title()
	for _, k := range s.contracts {
		if k.k.ID == cmd.ID {
			status, title = app.ContractStatusRu(k.k.Status), k.k.Title()
		}
	}
	// «Договор …: <ФИО>», not «Договор с <ФИО>»: no case to decline (docs/DOMAIN.md).
	say(s.status, title+" заключён: "+name+", группа «"+g.Name+"» — "+status)
}

func (s *enrolScreen) createContractRow() fyne.CanvasObject {
	name := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l1, l2 := widget.NewLabel(""), widget.NewLabel("")
	for _, l := range []*widget.Label{name, l1, l2} {
		l.Truncation = fyne.TextTruncateEllipsis
	}
	return container.NewVBox(name, l1, l2)
}

func (s *enrolScreen) updateContractRow(id widget.ListItemID, o fyne.CanvasObject) {
	if id < 0 || id >= len(s.contracts) {
		return
	}
	row, c := s.contracts[id], o.(*fyne.Container)
	c.Objects[0].(*widget.Label).SetText(row.child)
	c.Objects[1].(*widget.Label).SetText(row.group + " · " + dateRu(row.k.Start) + " – " + dateRu(row.k.End))
	c.Objects[2].(*widget.Label).SetText(contractText(row.k))
}

// contractText is a contract's status, number and money in one line.
func contractText(k app.Contract) string {
	t := app.ContractStatusRu(k.Status) + " · № " + k.NumberRu()
	if k.Funded {
		t += " · из сертификата " + rub(k.Quote.Cert) + ", семья " + rub(k.Quote.Parent)
	} else {
		t += " · муниципальный реестр, бесплатно"
	}
	if !k.Notice.IsZero() {
		t += " · уведомление " + dateRu(k.Notice)
	}
	if k.Status == app.ContractRejected && k.Reason != "" {
		t += " · " + k.Reason
	}
	return t
}

func (s *enrolScreen) onContractSelected(id widget.ListItemID) {
	s.csel = id
	s.showActions()
}

// showActions enables termination and the switch for a contract in force.
func (s *enrolScreen) showActions() {
	on := s.csel >= 0 && s.csel < len(s.contracts) &&
		(s.contracts[s.csel].k.Status == app.ContractActive || s.contracts[s.csel].k.Status == app.ContractRequested)
	setEnabled(s.terminate, on)
	setEnabled(s.switchTo, on)
	_, chosen := s.chosenContract()
	setEnabled(s.offerPDF, chosen)
}

// onContractPDF offers the chosen contract's договор-оферта for saving.
func (s *enrolScreen) onContractPDF() { saveDocument(s.content, s.status, s.contractPDF) }

// contractPDF renders the chosen contract's договор-оферта and names the file
// after its number: «Договор-оферта ДД-27-2026-000001.pdf».
func (s *enrolScreen) contractPDF() (name string, data []byte, err error) {
	row, ok := s.chosenContract()
	if !ok {
		return "", nil, fieldError("Выберите договор в списке")
	}
	err = s.st.View(func(r app.Reader) error {
		data, err = pdf.ContractOffer(r, row.k.ID)
		return err
	})
	if err != nil {
		return "", nil, err
	}
	title := "Договор-оферта " + row.k.Number
	if row.k.Number == "" {
		title = "Договор-оферта " + row.child + " " + dateRu(row.k.Start)
	}
	return fileName(title, ".pdf"), data, nil
}

// chosenContract is the contract chosen in the list.
func (s *enrolScreen) chosenContract() (contractRow, bool) {
	if s.csel < 0 || s.csel >= len(s.contracts) {
		return contractRow{}, false
	}
	return s.contracts[s.csel], true
}

// onTerminate asks for the notice date and terminates the chosen contract.
func (s *enrolScreen) onTerminate() {
	row, ok := s.chosenContract()
	if !ok {
		return
	}
	s.notice.set(dateRu(s.today()))
	s.reason.SetText("")
	items := []*widget.FormItem{
		widget.NewFormItem("Договор", widget.NewLabel(row.k.Title())),
		widget.NewFormItem("Ребёнок", widget.NewLabel(row.child)),
		widget.NewFormItem("Дата уведомления", s.notice.entry),
		widget.NewFormItem("Причина", s.reason),
	}
	if !confirmForm(s.content, "Расторжение договора", "Расторгнуть", items, func() { s.onTerminateConfirmed(row.k.ID) }) {
		sayErr(s.status, fieldError("Окно программы недоступно: расторжение не выполнено"))
	}
}

// giveNotice gives notice on the contract and returns what went back to the
// certificate: every later month's share (RULES.md §6).
func (s *enrolScreen) giveNotice(id string, notice app.Date, reason string) (app.Contract, int64, error) {
	before, after := app.Contract{}, app.Contract{}
	read := func(k *app.Contract) error {
		return s.st.View(func(r app.Reader) error {
			var err error
			*k, err = app.Get[app.Contract](r, id)
			return err
		})
	}
	if err := read(&before); err != nil {
		return after, 0, err
	}
	if _, err := s.st.Exec(&app.Terminate{Contract: id, Notice: notice, Reason: reason}); err != nil {
		return after, 0, err
	}
	if err := read(&after); err != nil {
		return after, 0, err
	}
	var back int64
	for i, m := range after.Schedule {
		if m.Returned && (i >= len(before.Schedule) || !before.Schedule[i].Returned) {
			back += m.Cert
		}
	}
	return after, back, nil
}

func (s *enrolScreen) onTerminateConfirmed(id string) {
	if err := s.notice.validate(); err != nil {
		sayErr(s.status, err)
		return
	}
	notice, _ := app.ParseDate(strings.TrimSpace(s.notice.text()))
	k, back, err := s.giveNotice(id, notice, strings.TrimSpace(s.reason.Text))
	if err != nil {
		sayErr(s.status, err)
		return
	}
	s.refresh()
	say(s.status, terminatedText(k, back))
}

// terminatedText says when the contract ends and what the certificate got back.
func terminatedText(k app.Contract, back int64) string {
	t := "Договор расторгнут: обучение до " + dateRu(k.End) + ", последний оплачиваемый месяц — " + k.End.Month().Russian() + "."
	if k.Funded {
		t += " На сертификат возвращено " + rub(back) + "."
	}
	return t
}

// onSwitch is the change of programme: notice on the contract, then the new
// group's quote from the first day after it ends. The child loses nothing:
// every unpaid month is back on the certificate before the new quote.
func (s *enrolScreen) onSwitch() {
	row, ok := s.chosenContract()
	if !ok {
		return
	}
	s.newNotice.set(dateRu(s.today()))
	s.newGroup.sel.ClearSelected()
	items := []*widget.FormItem{
		widget.NewFormItem("Ребёнок", widget.NewLabel(row.child)),
		widget.NewFormItem("Дата уведомления", s.newNotice.entry),
		widget.NewFormItem("Новая группа", s.newGroup.sel),
	}
	if !confirmForm(s.content, "Смена программы", "Расторгнуть и перейти", items, func() { s.onSwitchConfirmed(row) }) {
		sayErr(s.status, fieldError("Окно программы недоступно: смена программы не выполнена"))
	}
}

func (s *enrolScreen) onSwitchConfirmed(row contractRow) {
	if err := firstError(s.newNotice, s.newGroup); err != nil {
		sayErr(s.status, err)
		return
	}
	gi := s.newGroup.sel.SelectedIndex()
	if gi < 0 || gi >= len(s.groups) {
		return
	}
	g := s.groups[gi]
	notice, _ := app.ParseDate(strings.TrimSpace(s.newNotice.text()))
	k, back, err := s.giveNotice(row.k.ID, notice, "смена программы")
	if err != nil {
		sayErr(s.status, err)
		return
	}
	s.refresh()
	// The new contract starts the day after the old one ends.
	s.finder.show(row.k.Child, row.child)
	s.chosen = false
	for _, r := range s.finder.rows {
		if r.child.ID == row.k.Child {
			s.child, s.chosen = r, true
		}
	}
	s.start.set("")
	s.group.sel.SetSelectedIndex(gi)
	s.start.set(dateRu(max(k.End.AddDays(1), g.Start)))
	say(s.status, terminatedText(k, back)+" Проверьте с семьёй расчёт по группе «"+g.Name+"» и заключите договор.")
}
