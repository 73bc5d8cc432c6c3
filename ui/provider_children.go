//go:build !nogui

package ui

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
	"kruzhok/store"
)

// searchLimit bounds a search: a person narrows the query rather than scroll
// through thousands, and the list never holds more rows than this.
const searchLimit = 50

// childRow is a search result: a child with the certificate, if any, and
// the state of its financing request.
type childRow struct {
	child   app.Child
	cert    app.Certificate
	hasCert bool
	pending bool   // a financing request recorded on this node, not yet decided by the server
	waiting bool   // the request waits in the municipality's queue
	mun     string // the municipality's name
}

// certText is one line about the certificate: number, type, balance and the
// state of a request.
func (c childRow) certText() string {
	if !c.hasCert {
		return "Сертификата нет"
	}
	num := c.cert.Number
	if num == "" {
		num = "номер присвоит РМЦ (ожидает РМЦ)"
	}
	t := "Сертификат " + num + " · " + app.CertificateTypeRu(c.cert.Type)
	if c.cert.Type == app.CertFinancing {
		t += " · остаток " + rub(c.cert.LedgerOf(c.cert.Period).Balance)
	}
	if c.cert.Status == app.CertFrozen {
		t += " · заморожен"
	}
	if c.cert.Unconfirmed {
		t += " · не подтверждён муниципалитетом"
	}
	switch {
	case c.pending:
		t += " · финансирование: ожидает РМЦ"
	case c.waiting:
		t += " · финансирование: в очереди муниципалитета"
	}
	return t
}

// personText is «д. р. 10.03.2015 · Шпаковский муниципальный округ».
func (c childRow) personText() string {
	mun := c.mun
	if mun == "" {
		mun = c.child.Municipality
	}
	return "д. р. " + dateRu(c.child.BirthDate) + " · " + mun
}

// childFinder is search as you type over children: by the start of the full
// name, or by a certificate number when the query looks like one (26-…).
// Its widget.List reuses a handful of row widgets however many children the
// database holds.
type childFinder struct {
	st       app.Store
	muns     map[string]string
	rows     []childRow
	selected string // the chosen child's ID
	onSelect func(childRow)

	query   *widget.Entry
	list    *widget.List
	info    *widget.Label
	content fyne.CanvasObject
}

func newChildFinder(st app.Store, onSelect func(childRow)) *childFinder {
	f := &childFinder{st: st, onSelect: onSelect, info: widget.NewLabel("")}
	f.query = widget.NewEntry()
	f.query.SetPlaceHolder("Фамилия, имя или номер сертификата 26-…")
	f.query.OnChanged = f.onQueryChanged
	f.list = widget.NewList(func() int { return len(f.rows) }, f.createRow, f.updateRow)
	f.list.OnSelected = f.onRowSelected
	f.info.Importance = widget.LowImportance
	f.info.Wrapping = fyne.TextWrapWord // a long hint must not widen the pane past a 1024-pixel screen
	f.info.SetText("Начните вводить фамилию ребёнка или номер сертификата")
	f.content = container.NewBorder(container.NewVBox(f.query, f.info), nil, nil, nil, f.list)
	return f
}

// onQueryChanged runs the search for the typed text and shows the rows. A
// search reads at most searchLimit children through an index prefix, so it
// stays fast on the UI goroutine whatever the size of the registry.
func (f *childFinder) onQueryChanged(q string) {
	rows, err := f.search(q)
	f.rows = rows
	f.list.UnselectAll()
	f.list.ScrollToTop()
	f.list.Refresh()
	switch {
	case err != nil:
		f.info.Importance = widget.DangerImportance
		f.info.SetText("Поиск не удался: " + app.ErrorMessage(err))
	case strings.TrimSpace(q) == "":
		f.info.Importance = widget.LowImportance
		f.info.SetText("Начните вводить фамилию ребёнка или номер сертификата")
	case tooShort(q):
		f.info.Importance = widget.LowImportance
		f.info.SetText("Введите хотя бы две буквы фамилии")
	case len(rows) == 0:
		f.info.Importance = widget.MediumImportance
		f.info.SetText("Никого не нашлось. Проверьте написание или зарегистрируйте ребёнка")
	case len(rows) == searchLimit:
		f.info.Importance = widget.LowImportance
		f.info.SetText("Показаны первые 50: уточните запрос")
	default:
		f.info.Importance = widget.LowImportance
		f.info.SetText("Найдено: " + itoa(len(rows)))
	}
}

// tooShort: a name search starts at two letters. On a sealed database one
// letter would read every child (the blinded name index has no one-letter
// entries, docs/SECURITY.md); two letters are also what a person types
// before the list is worth reading.
func tooShort(q string) bool {
	return !looksLikeCertNumber(q) && utf8.RuneCountInString(strings.TrimSpace(q)) < 2
}

// search finds up to searchLimit children for the query.
func (f *childFinder) search(q string) ([]childRow, error) {
	q = strings.TrimSpace(q)
	if q == "" || tooShort(q) {
		return nil, nil
	}
	var rows []childRow
	err := f.st.View(func(r app.Reader) error {
		if f.muns == nil {
			m, err := municipalityNames(r)
			if err != nil {
				return err
			}
			f.muns = m
		}
		if looksLikeCertNumber(q) {
			certs, err := app.List[app.Certificate](r, app.IdxNumber, q, searchLimit)
			if err != nil {
				return err
			}
			for _, c := range certs {
				ch, err := app.Get[app.Child](r, c.Child)
				if app.ErrorCode(err) == app.ENOTFOUND {
					continue // outside this node's scope
				} else if err != nil {
					return err
				}
				row, err := f.row(r, ch, &c)
				if err != nil {
					return err
				}
				rows = append(rows, row)
			}
			return nil
		}
		kids, err := app.List[app.Child](r, app.IdxName, app.NameKey(q), searchLimit)
		if err != nil {
			return err
		}
		for _, ch := range kids {
			row, err := f.row(r, ch, nil)
			if err != nil {
				return err
			}
			rows = append(rows, row)
		}
		return nil
	})
	return rows, err
}

// row completes a child's row with its certificate (read when cert is nil)
// and the state of its financing requests.
func (f *childFinder) row(r app.Reader, ch app.Child, cert *app.Certificate) (childRow, error) {
	row := childRow{child: ch, mun: f.muns[ch.Municipality]}
	if cert == nil {
		cs, err := app.List[app.Certificate](r, app.IdxChild, ch.ID, 1)
		if err != nil {
			return row, err
		}
		if len(cs) == 0 {
			return row, nil
		}
		cert = &cs[0]
	}
	row.cert, row.hasCert = *cert, true
	reqs, err := app.List[app.Request](r, app.IdxCertificate, cert.ID, 0)
	if err != nil {
		return row, err
	}
	for _, q := range reqs {
		row.pending = row.pending || q.Status == app.ReqPending
		row.waiting = row.waiting || q.Status == app.ReqWaiting
	}
	return row, nil
}

func (f *childFinder) createRow() fyne.CanvasObject {
	name := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	person, cert := widget.NewLabel(""), widget.NewLabel("")
	for _, l := range []*widget.Label{name, person, cert} {
		l.Truncation = fyne.TextTruncateEllipsis
	}
	return container.NewVBox(name, person, cert)
}

func (f *childFinder) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	if id < 0 || id >= len(f.rows) {
		return
	}
	row, c := f.rows[id], o.(*fyne.Container)
	c.Objects[0].(*widget.Label).SetText(row.child.FullName())
	c.Objects[1].(*widget.Label).SetText(row.personText())
	c.Objects[2].(*widget.Label).SetText(row.certText())
}

func (f *childFinder) onRowSelected(id widget.ListItemID) {
	if id < 0 || id >= len(f.rows) {
		return
	}
	f.selected = f.rows[id].child.ID
	if f.onSelect != nil {
		f.onSelect(f.rows[id])
	}
}

// show searches for the child's full name and selects the child: after a
// registration or a change, the person sees the row they acted on.
func (f *childFinder) show(childID, name string) {
	if f.query.Text == name {
		f.onQueryChanged(name)
	} else {
		f.query.SetText(name) // runs onQueryChanged
	}
	for i, r := range f.rows {
		if r.child.ID == childID {
			f.list.Select(i)
			return
		}
	}
}

// reload repeats the search and keeps the chosen child chosen.
func (f *childFinder) reload() {
	id := f.selected
	f.onQueryChanged(f.query.Text)
	for i, r := range f.rows {
		if r.child.ID == id {
			f.list.Select(i)
		}
	}
}

// childrenScreen finds children, registers a child with the guardian's
// consent, and issues the certificate and asks for financing.
type childrenScreen struct {
	st       app.Store
	provider string
	now      func() time.Time
	muns     []app.Municipality

	finder    *childFinder
	current   childRow
	chosen    bool
	detail    *widget.Label
	issue     *widget.Button
	decline   *widget.Button // the provider declines the child's application (RULES.md §10)
	financing *widget.Button
	phoneEdit *field
	savePhone *widget.Button

	// Finding a child the node does not see yet, by the certificate's
	// number and code (RULES.md §3).
	byNumber *field
	byCode   *field
	apply    *widget.Button
	applies  *widget.Label // the node's recent searches and what the server said

	last       *field
	first      *field
	middle     *widget.Entry
	birth      *field
	mun        *choice
	snils      *widget.Entry
	guardian   *field
	phone      *field
	consentOn  *field
	consent    *widget.Check
	consentMsg *widget.Label
	consentBy  *field
	form       *widget.Form

	status  *widget.Label
	right   *fyne.Container // the chosen child, the search by certificate and the form
	content fyne.CanvasObject
}

func newChildrenScreen(st app.Store, provider string, now func() time.Time) *childrenScreen {
	s := &childrenScreen{st: st, provider: provider, now: now, status: newStatus(), detail: newStatus()}
	s.finder = newChildFinder(st, s.onChildSelected)
	s.issue = widget.NewButton("Выдать сертификат", s.onIssueCertificate)
	s.financing = widget.NewButton("Запросить финансирование", s.onRequestFinancing)
	s.decline = widget.NewButton("Отклонить заявление…", s.onDecline)
	s.phoneEdit = newField("например, +7 918 123-45-67", validPhone)
	s.phoneEdit.onEnter(s.onSavePhone)
	s.savePhone = widget.NewButton("Сохранить телефон", s.onSavePhone)
	s.byNumber = newField("26-27-000123", func(v string) error {
		if !looksLikeCertNumber(strings.TrimSpace(v)) {
			return fieldError("Номер сертификата — как в выписке: 26-ММ-NNNNNN")
		}
		return nil
	})
	s.byCode = newField("8 знаков из выписки, например ABCD 2345", validCertCode)
	s.byCode.onEnter(s.onApply)
	s.byNumber.onEnter(s.onApply)
	s.apply = widget.NewButton("Найти по сертификату", s.onApply)
	s.applies = newStatus()

	s.last = newField("например, Петров", notEmpty("Укажите фамилию ребёнка"))
	s.first = newField("например, Иван", notEmpty("Укажите имя ребёнка"))
	s.middle = widget.NewEntry()
	s.middle.SetPlaceHolder("если есть")
	s.birth = newField("ДД.ММ.ГГГГ", validBirthDate(now))
	s.mun = newChoice("где ребёнок живёт", "Выберите муниципалитет, где живёт ребёнок", nil)
	s.snils = widget.NewEntry()
	s.snils.SetPlaceHolder("123-456-789 01, не обязательно")
	s.guardian = newField("фамилия, имя, отчество полностью", notEmpty("Укажите ФИО родителя (законного представителя)"))
	s.phone = newField("например, +7 918 123-45-67", validPhone)
	s.consentOn = newField("ДД.ММ.ГГГГ", func(v string) error {
		d, err := parseDateField("дата согласия", v)
		if err != nil {
			return err
		}
		if d > today(now) {
			return msgf("Дата согласия %s ещё не наступила", dateRu(d))
		}
		return nil
	})
	s.consent = widget.NewCheck("Согласие на обработку персональных данных получено", func(on bool) {
		if on {
			s.consentMsg.Hide()
		}
	})
	s.consentMsg = widget.NewLabel("Без согласия родителя (законного представителя) на обработку персональных данных ребёнка зарегистрировать нельзя")
	s.consentMsg.Importance = widget.DangerImportance
	s.consentMsg.Wrapping = fyne.TextWrapWord
	s.consentMsg.Hide()
	s.consentBy = newField("ФИО сотрудника", notEmpty("Укажите, кто принял согласие"))
	for _, f := range []*field{s.last, s.first, s.birth, s.guardian, s.phone, s.consentOn, s.consentBy} {
		f.onEnter(s.onRegister)
	}
	s.middle.OnSubmitted = func(string) { s.onRegister() }
	s.snils.OnSubmitted = func(string) { s.onRegister() }
	s.form = widget.NewForm(
		widget.NewFormItem("Фамилия", s.last.box),
		widget.NewFormItem("Имя", s.first.box),
		widget.NewFormItem("Отчество", s.middle),
		widget.NewFormItem("Дата рождения", s.birth.box),
		widget.NewFormItem("Муниципалитет", s.mun.box),
		widget.NewFormItem("СНИЛС", s.snils),
		widget.NewFormItem("Родитель (представитель)", s.guardian.box),
		widget.NewFormItem("Телефон", s.phone.box),
		widget.NewFormItem("Дата согласия", s.consentOn.box),
		widget.NewFormItem("", container.NewVBox(s.consent, messageLine(s.consentMsg))),
		widget.NewFormItem("Согласие принял", s.consentBy.box),
	)
	s.form.SubmitText = "Зарегистрировать"
	s.form.OnSubmit = s.onRegister

	left := container.NewBorder(heading("Поиск ребёнка"), nil, nil, nil, s.finder.content)
	byCert := widget.NewForm(
		widget.NewFormItem("Номер сертификата", s.byNumber.box),
		widget.NewFormItem("Код из выписки", s.byCode.box),
	)
	s.right = container.NewVBox(
		heading("Выбранный ребёнок"), s.detail, container.NewHBox(s.issue, s.financing, s.decline),
		widget.NewForm(widget.NewFormItem("Телефон представителя", container.NewBorder(nil, nil, nil, s.savePhone, s.phoneEdit.box))),
		widget.NewSeparator(),
		heading("Найти ребёнка по сертификату"),
		helpText("Ребёнка, которого нет в вашем списке, найдёт сервер по номеру сертификата и коду из выписки, "+
			"которую семья получила в МОЦ. После синхронизации ребёнок появится в списке слева."),
		byCert, container.NewHBox(s.apply), s.applies,
		widget.NewSeparator(),
		heading("Регистрация ребёнка"), s.form, s.status,
	)
	split := container.NewHSplit(left, container.NewVScroll(s.right))
	split.Offset = 0.4
	s.content = split
	s.clearForm()
	s.refresh()
	s.showChosen()
	return s
}

// validCertCode checks a certificate code as typed: CodeLen characters of the
// code alphabet once spaces and dashes are gone, in any case.
func validCertCode(v string) error {
	c := app.NormalizeCode(v)
	if c == "" {
		return fieldError("Введите код из выписки из реестра сертификатов")
	}
	if len([]rune(c)) != app.CodeLen || strings.Trim(c, "23456789ABCDEFGHJKMNPQRSTUVWXYZ") != "" {
		return msgf("Код — %d латинских букв и цифр из выписки, например ABCD 2345; в коде нет 0, 1, O, I, L", app.CodeLen)
	}
	return nil
}

// refresh reloads the municipalities and repeats the search.
func (s *childrenScreen) refresh() {
	var muns []app.Municipality
	var prov app.Provider
	err := s.st.View(func(r app.Reader) error {
		var err error
		if muns, err = app.List[app.Municipality](r, "", "", 0); err != nil {
			return err
		}
		prov, err = app.Get[app.Provider](r, s.provider)
		if app.ErrorCode(err) == app.ENOTFOUND {
			err = nil
		}
		return err
	})
	if err != nil {
		sayErr(s.status, err)
		return
	}
	s.muns = muns
	opts := make([]string, 0, len(muns))
	for _, m := range muns {
		opts = append(opts, m.Code+" — "+m.Name)
	}
	s.mun.sel.Options = opts
	if s.mun.sel.SelectedIndex() < 0 {
		for i, m := range muns {
			if m.Code == prov.Municipality {
				s.mun.sel.SetSelectedIndex(i) // most children live where the provider is
			}
		}
	}
	s.mun.sel.Refresh()
	s.finder.muns = nil
	if s.finder.query.Text != "" {
		s.finder.reload()
	}
	s.showApplies()
}

func (s *childrenScreen) clearForm() {
	for _, f := range []*field{s.last, s.first, s.birth, s.guardian, s.phone, s.consentBy} {
		f.set("")
	}
	s.middle.SetText("")
	s.snils.SetText("")
	s.consentOn.set(dateRu(today(s.now)))
	s.consent.SetChecked(false)
	s.consentMsg.Hide()
}

func (s *childrenScreen) onChildSelected(row childRow) {
	s.current, s.chosen = row, true
	s.showChosen()
	say(s.status, "")
}

// showChosen describes the chosen child and enables what can be done next.
func (s *childrenScreen) showChosen() {
	if !s.chosen {
		s.detail.Importance = widget.LowImportance
		s.detail.SetText("Найдите ребёнка слева или зарегистрируйте нового")
		s.issue.Disable()
		s.financing.Disable()
		s.decline.Disable()
		s.phoneEdit.set("")
		s.phoneEdit.entry.Disable()
		s.savePhone.Disable()
		return
	}
	c := s.current
	s.detail.Importance = widget.MediumImportance
	s.detail.SetText(c.child.FullName() + "\n" + c.personText() + "\nПредставитель: " + c.child.GuardianName +
		"\n" + c.certText())
	setEnabled(s.issue, !c.hasCert)
	setEnabled(s.financing, c.hasCert && c.cert.Type == app.CertAccounting && c.cert.Status == app.CertActive &&
		!c.cert.Unconfirmed && !c.pending && !c.waiting)
	setEnabled(s.decline, c.hasCert && c.cert.ID != "" && !s.declined(c.cert))
	s.phoneEdit.set(c.child.GuardianPhone)
	s.phoneEdit.entry.Enable()
	s.savePhone.Enable()
	s.right.Refresh() // the detail's lines changed: lay the column out again
}

// reloadChosen reads the chosen child's row again after a change.
func (s *childrenScreen) reloadChosen() {
	s.finder.reload()
	for _, r := range s.finder.rows {
		if r.child.ID == s.current.child.ID {
			s.current = r
		}
	}
	s.showChosen()
}

func (s *childrenScreen) onRegister() {
	fields := []checker{s.last, s.first, s.birth, s.mun, s.guardian, s.phone, s.consentOn, s.consentBy}
	err := firstError(fields...)
	if !s.consent.Checked {
		s.consentMsg.Show()
		if err == nil {
			err = fieldError(s.consentMsg.Text)
		}
	}
	if err != nil {
		sayInvalid(s.status, "Ребёнок не зарегистрирован", fields...)
		return
	}
	birth, _ := app.ParseDate(strings.TrimSpace(s.birth.text()))
	consentOn, _ := app.ParseDate(strings.TrimSpace(s.consentOn.text()))
	ch := app.Child{ID: newID(), LastName: strings.TrimSpace(s.last.text()), FirstName: strings.TrimSpace(s.first.text()),
		MiddleName: strings.TrimSpace(s.middle.Text), BirthDate: birth,
		Municipality: s.muns[s.mun.sel.SelectedIndex()].Code, GuardianName: strings.TrimSpace(s.guardian.text()),
		GuardianPhone: strings.TrimSpace(s.phone.text()), ConsentDate: consentOn,
		ConsentBy: strings.TrimSpace(s.consentBy.text()), SNILS: strings.TrimSpace(s.snils.Text)}
	if _, err := s.st.Exec(&app.RegisterChild{Child: ch}); err != nil {
		sayErr(s.status, err)
		watchFields(s.status, fields...) // the error goes with the next edit
		return
	}
	s.clearForm()
	s.finder.show(ch.ID, ch.FullName())
	say(s.status, ch.FullName()+" зарегистрирован(а). Теперь можно выдать сертификат")
}

// onIssueCertificate issues the chosen child's certificate of accounting
// with a new code: only the code's hash goes to the server, the code itself
// is shown once, for the guardian's extract (RULES.md §3). A certificate a
// provider issues waits for the municipality's confirmation.
func (s *childrenScreen) onIssueCertificate() {
	if !s.chosen || s.current.hasCert {
		return
	}
	id, code := newID(), app.NewCode()
	if _, err := s.st.Exec(&app.IssueCertificate{ID: id, Child: s.current.child.ID, CodeHash: app.CodeHash(id, code)}); err != nil {
		sayErr(s.status, err)
		return
	}
	s.reloadChosen()
	c := s.current.cert
	msg := "Сертификат учёта выдан: " + c.Number
	if c.Number == "" {
		msg = "Сертификат учёта выдан; номер присвоит РМЦ после синхронизации (ожидает РМЦ)"
	}
	if c.Unconfirmed {
		msg += ". Он не подтверждён муниципалитетом: МОЦ проверит документы, до этого финансирование и зачисление недоступны"
	}
	say(s.status, msg)
	showCertCode(s.content, s.st, id, c.Number, code, s.now, s.status)
}

// onSavePhone changes the guardian's phone: the one field of a child a
// provider may change (RULES.md §11); the rest is the municipality's.
func (s *childrenScreen) onSavePhone() {
	if !s.chosen {
		return
	}
	if err := s.phoneEdit.validate(); err != nil {
		sayInvalid(s.status, "Телефон не сохранён", s.phoneEdit) // the field says why
		return
	}
	phone := strings.TrimSpace(s.phoneEdit.text())
	if _, err := s.st.Exec(&app.SetGuardianPhone{Child: s.current.child.ID, Phone: phone}); err != nil {
		sayErr(s.status, err)
		return
	}
	s.reloadChosen()
	say(s.status, "Телефон представителя сохранён")
}

// onApply asks the server for a child by the certificate's number and the
// code the guardian reads out. A node cannot check a code (it holds no
// hash): the op waits for the server, which adds the child to this
// provider's list or answers with one message for any wrong pair.
func (s *childrenScreen) onApply() {
	if err := firstError(s.byNumber, s.byCode); err != nil {
		sayInvalid(s.applies, "", s.byNumber, s.byCode)
		return
	}
	number := strings.TrimSpace(s.byNumber.text())
	code := app.NormalizeCode(s.byCode.text())
	if _, err := s.st.Exec(&app.ApplyChild{Number: number, Code: code, Provider: s.provider}); err != nil {
		sayErr(s.applies, err)
		return
	}
	s.byNumber.set("")
	s.byCode.set("")
	if row, ok := s.seenByNumber(number); ok {
		s.finder.show(row.child.ID, row.child.FullName())
		say(s.applies, "Ребёнок найден: "+row.child.FullName()+" (сертификат "+number+")")
		return
	}
	s.showApplies()
}

// seenByNumber is the row of the child holding the certificate when this
// node sees it.
func (s *childrenScreen) seenByNumber(number string) (childRow, bool) {
	var row childRow
	found := false
	_ = s.st.View(func(r app.Reader) error {
		certs, err := app.List[app.Certificate](r, app.IdxNumber, number, 1)
		if err != nil || len(certs) == 0 || certs[0].Number != number || !slices.Contains(certs[0].Providers, s.provider) {
			return err
		}
		ch, err := app.Get[app.Child](r, certs[0].Child)
		if err != nil {
			return nil
		}
		row, found = childRow{child: ch, cert: certs[0], hasCert: true}, true
		return nil
	})
	return row, found
}

// opResulter is a store that keeps the server's answers to its ops.
type opResulter interface {
	OpResults(onlyRejected bool, limit int) ([]store.OpResult, error)
}

// Bounds of the searches shown: the newest few, among the newest ops.
const (
	appliesShown   = 5
	appliesScanned = 300
)

// showApplies tells what became of this node's recent searches by
// certificate: waiting for the server, the child found, or the server's
// refusal in Russian. The server's own node decides at once and shows none.
func (s *childrenScreen) showApplies() {
	or, ok := s.st.(opResulter)
	if a, isA := s.st.(interface{ Authority() bool }); !ok || isA && a.Authority() {
		return
	}
	res, err := or.OpResults(false, appliesScanned)
	if err != nil {
		sayErr(s.applies, err)
		return
	}
	var lines []string
	waiting, refused := false, false
	for _, r := range res {
		if r.Op.Type != "apply_child" || len(lines) == appliesShown {
			continue
		}
		cmd, err := store.DecodeCommand(r.Op.Type, r.Op.Payload)
		if err != nil {
			continue
		}
		number := cmd.(*app.ApplyChild).Number
		line := "Сертификат " + number + " — "
		switch {
		case r.Result.Status == store.StatusRejected:
			refused = true
			line += "отказ сервера: " + r.Result.Message + " " + adviceFor(r.Op.Type, r.Result.Code)
		case r.Pending:
			waiting = true
			line += "ожидает РМЦ: запрос уйдёт на сервер при синхронизации"
		default:
			if row, ok := s.seenByNumber(number); ok {
				line += "ребёнок найден: " + row.child.FullName()
			} else {
				line += "сервер принял запрос; ребёнок появится в списке после синхронизации"
			}
		}
		lines = append(lines, line)
	}
	switch {
	case refused:
		s.applies.Importance = widget.DangerImportance
	case waiting:
		s.applies.Importance = widget.WarningImportance
	default:
		s.applies.Importance = widget.MediumImportance
	}
	s.applies.SetText(strings.Join(lines, "\n"))
}

// declined reports whether this provider has declined the certificate's
// application already.
func (s *childrenScreen) declined(c app.Certificate) bool {
	for _, d := range c.Declined {
		if d.Provider == s.provider {
			return true
		}
	}
	return false
}

// onDecline declines the chosen child's application after a question: the
// child's records leave this node 90 days later unless it applies again.
func (s *childrenScreen) onDecline() {
	if !s.chosen || !s.current.hasCert {
		return
	}
	c := s.current
	askConfirm(s.content, "Отклонить заявление",
		"Отклонить заявление ребёнка "+c.child.FullName()+"? Через "+strconv.Itoa(app.SightDays)+
			" дней его данные уйдут с этого компьютера, если семья не подаст заявление снова.", "Отклонить", func() {
			if _, err := s.st.Exec(&app.DeclineApplication{Certificate: c.cert.ID, Provider: s.provider}); err != nil {
				sayErr(s.status, err)
				return
			}
			s.reloadChosen()
			say(s.status, "Заявление "+c.child.FullName()+" отклонено")
		})
}

func (s *childrenScreen) onRequestFinancing() {
	if !s.chosen || !s.current.hasCert {
		return
	}
	if _, err := s.st.Exec(&app.RequestFinancing{ID: newID(), Certificate: s.current.cert.ID}); err != nil {
		sayErr(s.status, err)
		return
	}
	s.reloadChosen()
	c := s.current
	switch {
	case c.cert.Type == app.CertFinancing:
		say(s.status, "Сертификат стал сертификатом финансирования: "+rub(c.cert.LedgerOf(c.cert.Period).Balance))
	case c.pending:
		say(s.status, "Заявка на финансирование записана и ожидает РМЦ: решение придёт после синхронизации")
	case c.waiting:
		say(s.status, "Свободных сертификатов финансирования сейчас нет: заявка в очереди муниципалитета")
	default:
		say(s.status, "Заявка подана")
	}
}
