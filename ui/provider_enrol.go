//go:build !nogui

package ui

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
	"kruzhok/pdf"
)

// contractRow is a contract with the names a person recognises.
type contractRow struct {
	k      app.Contract
	child  string
	number string   // the certificate's number
	group  string   // «Робототехника · Базовый · Роботы-1»
	words  []string // what the search looks in: the words of the above, in lower case
}

// matches reports whether a word typed in the search starts a word of the
// row or, from three characters on, is part of the certificate's number. A
// short number must be a whole word: «1» finds «Группа 1», not «(9–12 лет)».
func (r contractRow) matches(w string) bool {
	long := utf8.RuneCountInString(w) >= 3
	if long && strings.Contains(r.number, w) {
		return true
	}
	short := !long && strings.IndexFunc(w, func(c rune) bool { return !unicode.IsDigit(c) }) < 0
	return slices.ContainsFunc(r.words, func(x string) bool { return x == w || !short && strings.HasPrefix(x, w) })
}

// contractColumns are the contracts table's columns: together no wider than
// a 1024-pixel screen.
var contractColumns = []column{
	{"Ребёнок", 195},
	{"Сертификат", 110},
	{"Программа и группа", 215},
	{"Срок", 175},
	{"Статус", 145},
	{"Сертификат / семья", 170},
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
	groups []groupInfo

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

	contracts []contractRow // all the provider's contracts
	shown     []contractRow // those the search finds
	search    *widget.Entry
	found     *widget.Label
	clist     *widget.Table
	csel      int // the chosen contract's row in shown, -1 for none
	terminate *widget.Button
	switchTo  *widget.Button
	offerPDF  *widget.Button
	notice    *field // the termination dialog's notice date
	reason    *widget.Entry
	newGroup  *choice // the switch dialog's new group
	newNotice *field  // the switch dialog's notice date

	status   *widget.Label
	tabs     *container.AppTabs
	enrolTab *container.TabItem
	listTab  *container.TabItem
	split    *container.Split // the child finder beside the group, quote and confirmation
	content  fyne.CanvasObject
}

func newEnrolScreen(st app.Store, provider string, now func() time.Time) *enrolScreen {
	s := &enrolScreen{st: st, provider: provider, now: now, csel: -1, status: newStatus(), quoteMsg: newStatus(),
		total: widget.NewLabel(""), certPart: widget.NewLabel(""), parentPart: widget.NewLabel("")}
	s.finder = newChildFinder(st, s.onChildSelected)
	s.group = newGroupChoice("выберите программу и группу", "Выберите группу", s.groupFull, func(string) { s.onGroupChanged() })
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

	s.search = widget.NewEntry()
	s.search.SetPlaceHolder("Поиск: фамилия, номер сертификата, программа или группа")
	s.search.OnChanged = func(string) { s.onSearchChanged() }
	s.found = widget.NewLabel("")
	s.found.Importance = widget.LowImportance
	s.found.Truncation = fyne.TextTruncateEllipsis
	s.clist = widget.NewTableWithHeaders(func() (int, int) { return len(s.shown), len(contractColumns) },
		s.createContractCell, s.updateContractCell)
	s.clist.ShowHeaderColumn = false
	s.clist.CreateHeader = s.createContractCell
	setColumns(s.clist, contractColumns)
	s.clist.OnSelected = func(id widget.TableCellID) { s.onContractSelected(id.Row) }
	s.clist.OnUnselected = func(widget.TableCellID) {
		s.csel = -1
		s.showActions()
		s.showCount(strings.TrimSpace(s.search.Text) != "")
	}
	s.terminate = widget.NewButton("Расторгнуть", s.onTerminate)
	s.switchTo = widget.NewButton("Сменить программу", s.onSwitch)
	s.offerPDF = widget.NewButton("Договор-оферта (PDF)…", s.onContractPDF)
	s.notice = newField("ДД.ММ.ГГГГ", validDate("дата уведомления", false))
	s.reason = widget.NewEntry()
	s.reason.SetPlaceHolder("например, переезд")
	s.newGroup = newGroupChoice("новая группа", "Выберите новую группу", s.groupFull, nil)
	s.newNotice = newField("ДД.ММ.ГГГГ", validDate("дата уведомления", false))

	form := widget.NewForm(
		widget.NewFormItem("Группа", s.group.box),
		widget.NewFormItem("Начало обучения", s.start.box),
	)
	// The quote scrolls; the parent's confirmation and «Заключить договор»
	// stay under it, so on a low screen they are never cut by the pane's edge.
	quote := container.NewVBox(
		heading("Расчёт для семьи"), s.quoteMsg,
		container.NewVBox(s.total, s.certPart, s.parentPart),
		s.schedule,
	)
	actions := container.NewVBox(widget.NewSeparator(), s.parentOK, s.parentMsg,
		container.NewBorder(nil, nil, nil, s.confirm), s.status)
	s.split = container.NewHSplit(
		container.NewBorder(heading("Ребёнок (сертификат)"), nil, nil, nil, s.finder.content),
		container.NewBorder(nil, actions, nil, nil, container.NewVScroll(container.NewVBox(form, widget.NewSeparator(), quote))),
	)
	s.split.Offset = 0.4
	// The contracts get a tab of their own: on a 600-pixel screen a list
	// under the quote would show two or three of them.
	list := container.NewBorder(
		container.NewVBox(
			container.NewBorder(nil, nil, heading("Договоры"), container.NewHBox(s.offerPDF, s.switchTo, s.terminate)),
			s.search, s.found),
		nil, nil, nil, fitColumns(s.clist, contractColumns))
	s.enrolTab = container.NewTabItem("Новый договор", s.split)
	s.listTab = container.NewTabItem("Договоры", list)
	s.tabs = container.NewAppTabs(s.enrolTab, s.listTab)
	s.content = s.tabs
	s.refresh()
	s.clearQuote("Выберите ребёнка, группу и дату начала: расчёт появится здесь")
	return s
}

func (s *enrolScreen) today() app.Date { return today(s.now) }

// refresh reloads the groups and the contracts.
func (s *enrolScreen) refresh() {
	var groups []groupInfo
	var rows []contractRow
	err := s.st.View(func(r app.Reader) error {
		var err error
		if groups, err = loadGroups(r, s.provider); err != nil {
			return err
		}
		rows, err = s.loadContracts(r, groups)
		return err
	})
	if err != nil {
		sayErr(s.status, err)
		return
	}
	slices.SortStableFunc(rows, func(a, b contractRow) int {
		if c := strings.Compare(app.NameKey(a.child), app.NameKey(b.child)); c != 0 {
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
	// which may have changed. A group that filled up is dropped.
	if i := slices.IndexFunc(groups, func(g groupInfo) bool { return g.g.ID == chosen }); i >= 0 && !groups[i].full() {
		s.group.sel.SetSelectedIndex(i)
	} else {
		s.group.sel.ClearSelected()
	}
	s.group.sel.Refresh()
	s.newGroup.sel.Options = s.group.sel.Options
	s.listTab.Text = "Договоры (" + itoa(len(rows)) + ")"
	s.tabs.Refresh()
	s.onSearchChanged()
	if s.finder.query.Text != "" {
		s.finder.reload() // balances change with every contract
	}
}

// loadContracts reads the provider's contracts with the child, the
// certificate's number and the group's full name.
func (s *enrolScreen) loadContracts(r app.Reader, groups []groupInfo) ([]contractRow, error) {
	names := map[string]string{}
	for _, g := range groups {
		names[g.g.ID] = g.label()
	}
	ks, err := app.List[app.Contract](r, app.IdxProvider, s.provider, 0)
	if err != nil {
		return nil, err
	}
	rows := make([]contractRow, 0, len(ks))
	for _, k := range ks {
		row := contractRow{k: k, group: names[k.Group], child: "ребёнок вне области узла"}
		if ch, err := app.Get[app.Child](r, k.Child); err == nil {
			row.child = ch.FullName()
		} else if app.ErrorCode(err) != app.ENOTFOUND {
			return nil, err
		}
		if c, err := app.Get[app.Certificate](r, k.Certificate); err == nil {
			row.number = c.Number
		} else if app.ErrorCode(err) != app.ENOTFOUND {
			return nil, err
		}
		row.words = strings.FieldsFunc(strings.ToLower(row.child+" "+row.number+" "+k.Number+" "+row.group), func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-'
		})
		rows = append(rows, row)
	}
	return rows, nil
}

// onSearchChanged shows the contracts whose child, certificate number,
// programme, module or group contain every word typed, in any case.
func (s *enrolScreen) onSearchChanged() {
	id := ""
	if row, ok := s.chosenContract(); ok {
		id = row.k.ID
	}
	words := strings.FieldsFunc(strings.ToLower(s.search.Text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-'
	})
	s.shown = s.shown[:0]
	for _, row := range s.contracts {
		if !slices.ContainsFunc(words, func(w string) bool { return !row.matches(w) }) {
			s.shown = append(s.shown, row)
		}
	}
	s.clist.UnselectAll()
	s.csel = -1
	s.clist.Refresh()
	s.showCount(len(words) > 0)
	if i := slices.IndexFunc(s.shown, func(r contractRow) bool { return r.k.ID == id }); i >= 0 {
		s.clist.Select(widget.TableCellID{Row: i, Col: 0})
	}
	s.showActions()
}

// showCount says how many contracts there are, or how many the search found.
func (s *enrolScreen) showCount(searching bool) {
	switch {
	case len(s.contracts) == 0:
		s.found.SetText("Договоров пока нет: заключите первый на вкладке «Новый договор»")
	case len(s.shown) == 0:
		s.found.SetText("Ничего не нашлось. Проверьте написание или сотрите часть запроса")
	case !searching:
		s.found.SetText("Всего договоров: " + itoa(len(s.contracts)))
	default:
		s.found.SetText("Найдено: " + itoa(len(s.shown)) + " из " + itoa(len(s.contracts)))
	}
}

// groupOptions labels the groups for the picker, full ones marked.
func (s *enrolScreen) groupOptions() []string {
	out := make([]string, 0, len(s.groups))
	for _, g := range s.groups {
		out = append(out, g.pickLabel())
	}
	return out
}

// groupFull reports whether the picker's option i is a full group.
func (s *enrolScreen) groupFull(i int) bool { return i >= 0 && i < len(s.groups) && s.groups[i].full() }

// selectedGroup is the group chosen in the form.
func (s *enrolScreen) selectedGroup() (app.Group, bool) {
	gi, ok := s.selectedInfo()
	return gi.g, ok
}

// selectedInfo is the group chosen in the form, with its full name.
func (s *enrolScreen) selectedInfo() (groupInfo, bool) {
	i := s.group.sel.SelectedIndex()
	if i < 0 || i >= len(s.groups) {
		return groupInfo{}, false
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
	gi, ok := s.selectedInfo()
	g := gi.g
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
	s.showQuote(e, gi.label())
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
func (s *enrolScreen) showQuote(e app.Enrolment, group string) {
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
		s.quoteMsg.SetText("«" + group + "»: программа в муниципальном реестре, обучение бесплатно, сертификат не расходуется")
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
	s.quoteMsg.SetText("«" + group + "». Обучение с " + dateRu(e.Start) + " по " + dateRu(e.End) + ": " + itoa(int(q.Days)) + " дн. из " +
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
	gi, _ := s.selectedInfo()
	g := gi.g
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
	say(s.status, title+" заключён: "+name+", «"+gi.label()+"» — "+status)
}

func (s *enrolScreen) createContractCell() fyne.CanvasObject {
	l := widget.NewLabel("")
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

func (s *enrolScreen) updateContractCell(id widget.TableCellID, o fyne.CanvasObject) {
	o.(*widget.Label).SetText(s.contractCell(id.Row, id.Col))
}

// contractCell is the text at a row and column of the contracts table: what
// it shows and tests read.
func (s *enrolScreen) contractCell(row, col int) string {
	if row < 0 || row >= len(s.shown) {
		return ""
	}
	r := s.shown[row]
	switch col {
	case 0:
		return r.child
	case 1:
		return r.number
	case 2:
		return r.group
	case 3:
		return dateRu(r.k.Start) + " – " + dateRu(r.k.End)
	case 4:
		t := app.ContractStatusRu(r.k.Status)
		if !r.k.Notice.IsZero() {
			t += " · уведомление " + dateRu(r.k.Notice)
		}
		if r.k.Status == app.ContractRejected && r.k.Reason != "" {
			t += " · " + r.k.Reason
		}
		return t
	case 5:
		if !r.k.Funded {
			return "бесплатно"
		}
		return strings.TrimSuffix(rub(r.k.Quote.Cert), nbsp+"₽") + " / " + rub(r.k.Quote.Parent)
	}
	return ""
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

// onContractSelected chooses the contract for the buttons and spells it out
// in full under the search: a narrow column cuts the group's name.
func (s *enrolScreen) onContractSelected(row int) {
	s.csel = row
	s.showActions()
	if r, ok := s.chosenContract(); ok {
		s.found.SetText(r.child + " · " + r.group + " · " + contractText(r.k))
	}
}

// showActions enables termination and the switch for a contract in force.
func (s *enrolScreen) showActions() {
	row, chosen := s.chosenContract()
	on := chosen && (row.k.Status == app.ContractActive || row.k.Status == app.ContractRequested)
	setEnabled(s.terminate, on)
	setEnabled(s.switchTo, on)
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
	if s.csel < 0 || s.csel >= len(s.shown) {
		return contractRow{}, false
	}
	return s.shown[s.csel], true
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
		widget.NewFormItem("Новая группа", s.newGroup.box),
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
	g := s.groups[gi].g
	label := s.groups[gi].label()
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
	say(s.status, terminatedText(k, back)+" Проверьте с семьёй расчёт по группе «"+label+"» и заключите договор.")
	s.tabs.Select(s.enrolTab)
}
