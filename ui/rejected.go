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
	"kruzhok/store"
)

// maxRejectedShown bounds the rejected ops the bar counts and the list
// shows: a node with more has a problem no list will solve.
const maxRejectedShown = 500

// dismissals are the rejected ops the user has dealt with, kept in the
// app's preferences per node: hiding a line is the user's own note and no
// business of the store, which holds only what the server said.
type dismissals struct{ prefs fyne.Preferences }

func dismissKey(node string) string { return "rejected.dismissed." + node }

// has reports whether the op was dismissed; a nil receiver has none.
func (d *dismissals) has(op app.Op) bool {
	if d == nil {
		return false
	}
	return slices.Contains(d.prefs.StringList(dismissKey(op.Node)), strconv.FormatUint(op.Seq, 10))
}

// add dismisses the op.
func (d *dismissals) add(op app.Op) {
	if d == nil || d.has(op) {
		return
	}
	k := dismissKey(op.Node)
	d.prefs.SetStringList(k, append(d.prefs.StringList(k), strconv.FormatUint(op.Seq, 10)))
}

// rejectedRow is one rejected op as the list shows it.
type rejectedRow struct {
	res    store.OpResult
	cmd    app.Command // nil when the op does not decode
	what   string      // what was done: «Зачисление: Петров Иван, группа «Роботы-1», с 15.11.2026»
	reason string      // the server's message
	advice string      // what to do about it
}

// rejectedScreen lists the ops the server rejected, with the server's reason
// in plain Russian and what can be done about each: make the contract again
// on the new figures, correct the record on its screen, or hide the line.
type rejectedScreen struct {
	st      app.Store
	sy      Syncer
	dismiss *dismissals
	now     func() time.Time

	rows []rejectedRow
	sel  int

	list    *widget.List
	empty   *widget.Label
	what    *widget.Label
	reason  *widget.Label
	advice  *widget.Label
	figures *widget.Label
	agree   *widget.Check
	requote *widget.Button
	correct *widget.Button
	hide    *widget.Button
	status  *widget.Label
	content fyne.CanvasObject

	// tabs are the window's tab titles and gotoTab shows one of them, where
	// a record is corrected; onChanged tells the top bar the count changed.
	tabs      []string
	gotoTab   func(title string)
	onChanged func()
}

func newRejectedScreen(st app.Store, sy Syncer, dismiss *dismissals, now func() time.Time) *rejectedScreen {
	s := &rejectedScreen{st: st, sy: sy, dismiss: dismiss, now: now, sel: -1,
		empty: heading(""), what: newStatus(), reason: newStatus(), advice: newStatus(),
		figures: newStatus(), status: newStatus()}
	s.list = widget.NewList(func() int { return len(s.rows) }, s.createRow, s.updateRow)
	s.list.OnSelected = func(id widget.ListItemID) { s.choose(id) }
	s.what.TextStyle = fyne.TextStyle{Bold: true}
	s.reason.Importance = widget.DangerImportance
	s.agree = widget.NewCheck("Семья согласна с новым расчётом", nil)
	s.requote = widget.NewButton("Заключить договор по новому расчёту", s.onRequote)
	s.requote.Importance = widget.HighImportance
	s.correct = widget.NewButton("Исправить запись", s.onCorrect)
	s.hide = widget.NewButton("Скрыть из списка", s.onDismiss)
	actions := container.NewHBox(s.requote, s.correct, s.hide)
	detail := container.NewVBox(s.what, heading("Почему сервер отклонил"), s.reason,
		heading("Что делать"), s.advice, s.figures, s.agree, actions, s.status)
	split := container.NewHSplit(container.NewBorder(s.empty, nil, nil, nil, s.list), container.NewVScroll(detail))
	split.Offset = 0.42
	s.content = split
	s.refresh()
	return s
}

// refresh reads the rejected ops again and keeps the chosen one if it is
// still there.
func (s *rejectedScreen) refresh() {
	var keep app.Op
	if s.sel >= 0 && s.sel < len(s.rows) {
		keep = s.rows[s.sel].res.Op
	}
	all, err := s.sy.OpResults(true, maxRejectedShown)
	if err != nil {
		s.rows = nil
		s.empty.SetText("Не удалось прочитать ответы сервера: " + app.ErrorMessage(err))
		s.list.Refresh()
		s.choose(-1)
		return
	}
	rows := make([]rejectedRow, 0, len(all))
	_ = s.st.View(func(r app.Reader) error {
		for _, res := range all {
			if !s.dismiss.has(res.Op) {
				rows = append(rows, describeRejected(r, res))
			}
		}
		return nil
	})
	s.rows = rows
	switch len(rows) {
	case 0:
		s.empty.SetText("Отклонённых операций нет")
	default:
		s.empty.SetText("Отклонено сервером: " + strconv.Itoa(len(rows)))
	}
	s.list.Refresh()
	s.list.UnselectAll()
	s.sel = -1
	for i, r := range rows {
		if keep.Seq != 0 && r.res.Op.Seq == keep.Seq && r.res.Op.Node == keep.Node {
			s.list.Select(i)
			return
		}
	}
	s.choose(-1)
}

func (s *rejectedScreen) createRow() fyne.CanvasObject {
	what := widget.NewLabel("")
	what.TextStyle = fyne.TextStyle{Bold: true}
	what.Truncation = fyne.TextTruncateEllipsis
	why := widget.NewLabel("")
	why.Importance = widget.DangerImportance
	why.Truncation = fyne.TextTruncateEllipsis
	return container.NewVBox(what, why)
}

func (s *rejectedScreen) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	box := o.(*fyne.Container)
	what, why := box.Objects[0].(*widget.Label), box.Objects[1].(*widget.Label)
	if id < 0 || id >= len(s.rows) {
		what.SetText("")
		why.SetText("")
		return
	}
	what.SetText(s.rows[id].what)
	why.SetText(s.rows[id].reason)
}

// choose shows the row's detail and the actions it allows; -1 clears it.
func (s *rejectedScreen) choose(i int) {
	s.sel = i
	say(s.status, "")
	s.agree.SetChecked(false)
	if i < 0 || i >= len(s.rows) {
		s.sel = -1
		s.what.SetText("Выберите операцию в списке слева, чтобы решить, что с ней делать. " +
			"Всё, что сделано на этом компьютере и не отклонено, принято сервером или ждёт отправки.")
		for _, l := range []*widget.Label{s.reason, s.advice, s.figures} {
			l.SetText("")
		}
		s.agree.Hide()
		s.requote.Hide()
		s.correct.Hide()
		s.hide.Disable()
		return
	}
	row := s.rows[i]
	s.what.SetText(row.what)
	s.reason.SetText(row.reason)
	s.advice.SetText(row.advice)
	s.figures.SetText("")
	s.hide.Enable()
	_, isEnrol := row.cmd.(*app.Enrol)
	if isEnrol && row.res.Result.Code == app.BALANCE_CHANGED {
		s.showRequote(row)
	} else {
		s.agree.Hide()
		s.requote.Hide()
	}
	if tab := correctionTab(row.res.Op.Type, s.tabs); tab != "" && s.gotoTab != nil {
		s.correct.SetText("Исправить на вкладке «" + tab + "»")
		s.correct.Show()
	} else {
		s.correct.Hide()
	}
}

// showRequote computes the contract again on the node's current state (after
// the sync that brought the rejection, the server's) and shows the figures
// the family has to agree to.
func (s *rejectedScreen) showRequote(row rejectedRow) {
	c := row.cmd.(*app.Enrol)
	var e app.Enrolment
	err := s.st.View(func(r app.Reader) error {
		var err error
		e, err = app.PrepareEnrolment(r, c.Certificate, c.Group, c.Start, app.DateOf(s.now()))
		return err
	})
	if err != nil {
		s.figures.Importance = widget.DangerImportance
		s.figures.SetText("Заново заключить договор нельзя: " + app.ErrorMessage(err))
		s.agree.Hide()
		s.requote.Hide()
		return
	}
	q := e.Quote
	s.figures.Importance = widget.MediumImportance
	s.figures.SetText("Новый расчёт: всего " + rub(q.All) + "; сертификатом " + rub(q.Cert) +
		" (было " + rub(c.QuotedCert) + "), родителем " + rub(q.Parent) + " (было " + rub(c.QuotedParent) + ")." +
		" Остаток на сертификате: " + rub(e.Cert.LedgerOf(e.Period.ID).Balance))
	s.agree.Hidden = q.Parent == 0
	s.agree.Refresh()
	s.requote.Show()
}

// onRequote makes the contract again on the new figures; the old op stays
// rejected and leaves the list.
func (s *rejectedScreen) onRequote() {
	if s.sel < 0 {
		return
	}
	row := s.rows[s.sel]
	c, ok := row.cmd.(*app.Enrol)
	if !ok {
		return
	}
	var e app.Enrolment
	err := s.st.View(func(r app.Reader) error {
		var err error
		e, err = app.PrepareEnrolment(r, c.Certificate, c.Group, c.Start, app.DateOf(s.now()))
		return err
	})
	if err == nil && e.Quote.Parent > 0 && !s.agree.Checked {
		err = msgf("Семья должна согласиться со своей частью: %s. Отметьте согласие", rub(e.Quote.Parent))
	}
	if err == nil {
		_, err = s.st.Exec(&app.Enrol{ID: newID(), Certificate: c.Certificate, Group: c.Group, Start: c.Start,
			QuotedCert: e.Quote.Cert, QuotedParent: e.Quote.Parent, ParentConfirmed: s.agree.Checked})
	}
	if err != nil {
		sayErr(s.status, err)
		return
	}
	s.dismiss.add(row.res.Op)
	s.refresh()
	say(s.status, "Договор заключён заново по новому расчёту: сертификатом "+rub(e.Quote.Cert)+
		", родителем "+rub(e.Quote.Parent)+". Он уйдёт на сервер при следующей синхронизации")
	s.changed()
}

func (s *rejectedScreen) onCorrect() {
	if s.sel < 0 || s.gotoTab == nil {
		return
	}
	if tab := correctionTab(s.rows[s.sel].res.Op.Type, s.tabs); tab != "" {
		s.gotoTab(tab)
	}
}

func (s *rejectedScreen) onDismiss() {
	if s.sel < 0 || s.sel >= len(s.rows) {
		return
	}
	if s.dismiss == nil {
		sayErr(s.status, msgf("Скрыть нельзя: настройки программы недоступны"))
		return
	}
	s.dismiss.add(s.rows[s.sel].res.Op)
	s.refresh()
	s.changed()
}

func (s *rejectedScreen) changed() {
	if s.onChanged != nil {
		s.onChanged()
	}
}

// describeRejected says what the op did, why it was rejected and what to do.
func describeRejected(r app.Reader, res store.OpResult) rejectedRow {
	row := rejectedRow{res: res, reason: res.Result.Message, advice: adviceFor(res.Op.Type, res.Result.Code)}
	if row.reason == "" {
		row.reason = "Сервер не назвал причину (код " + res.Result.Code + ")"
	}
	row.what = opTitleRu(res.Op.Type)
	cmd, err := store.DecodeCommand(res.Op.Type, res.Op.Payload)
	if err != nil {
		return row
	}
	row.cmd = cmd
	if about := aboutRu(r, cmd); about != "" {
		row.what += ": " + about
	}
	if res.Result.Code == app.BALANCE_CHANGED && res.Result.Detail != "" {
		row.advice += " " + detailRu(res.Result.Detail)
	}
	return row
}

// opTitles name the op types for people.
var opTitles = map[string]string{
	"apply_child": "Заявление ребёнка к исполнителю", "approve_invoice": "Утверждение счёта",
	"archive_programme": "Перенос программы в архив", "cancel_lesson": "Отмена занятия",
	"certify_programme": "Сертификация программы", "create_invite": "Приглашение узла",
	"deny_programme": "Отказ в сертификации программы", "enrol": "Зачисление по договору",
	"freeze_certificate": "Заморозка сертификата", "issue_certificate": "Выдача сертификата",
	"list_programme": "Включение программы в муниципальный реестр", "mark_attendance": "Отметка посещаемости",
	"open_group": "Открытие группы", "pay_invoice": "Оплата счёта", "register_child": "Регистрация ребёнка",
	"register_provider": "Регистрация исполнителя", "request_financing": "Заявка на сертификат финансирования",
	"return_to_accounting": "Возврат сертификата в учёт", "revoke_invite": "Отзыв приглашения",
	"revoke_node": "Отключение узла", "save_module": "Сохранение модуля", "save_programme": "Сохранение программы",
	"set_municipality_type": "Тип муниципалитета", "set_params": "Параметры муниципалитета",
	"set_period": "Период программ", "set_price_cap": "Предельный коэффициент цены",
	"set_provider_status": "Статус исполнителя", "submit_invoice": "Подача счёта",
	"submit_programme": "Отправка программы на экспертизу", "terminate": "Расторжение договора",
	"transfer_certificate": "Передача сертификата", "unlist_programme": "Исключение программы из муниципального реестра",
	"update_child": "Изменение данных ребёнка", "set_guardian_phone": "Телефон представителя",
	"confirm_certificate": "Подтверждение сертификата", "new_certificate_code": "Новый код сертификата",
	"record_refund": "Возврат по итоговому счёту", "decline_application": "Отказ по заявлению ребёнка",
	"erase_child": "Удаление персональных данных ребёнка",
}

func opTitleRu(op string) string {
	if t, ok := opTitles[op]; ok {
		return t
	}
	return "Операция «" + op + "»"
}

// correctionTabs are where a record of each op type is corrected; a tab the
// node's role does not have is not offered.
var correctionTabs = map[string][]string{
	"register_child": {"Дети", "Сертификаты"}, "update_child": {"Дети", "Сертификаты"},
	"issue_certificate": {"Дети", "Сертификаты"}, "request_financing": {"Дети", "Сертификаты"},
	"apply_child": {"Дети"}, "freeze_certificate": {"Сертификаты"}, "return_to_accounting": {"Сертификаты"},
	"set_guardian_phone": {"Дети", "Сертификаты"}, "confirm_certificate": {"Подтверждение"},
	"new_certificate_code": {"Сертификаты"}, "record_refund": {"Счета"}, "decline_application": {"Дети"}, "erase_child": {"Сертификаты"},
	"enrol": {"Зачисление"}, "terminate": {"Зачисление"},
	"mark_attendance": {"Журнал"}, "cancel_lesson": {"Журнал"}, "submit_invoice": {"Счета"},
	"approve_invoice": {"Счета"}, "pay_invoice": {"Счета"},
	"save_programme": {"Программы"}, "save_module": {"Программы"}, "submit_programme": {"Программы"},
	"archive_programme": {"Программы"}, "open_group": {"Группы"}, "set_params": {"Параметры"},
	"list_programme": {"Муниципальный реестр"}, "unlist_programme": {"Муниципальный реестр"},
	"register_provider": {"Исполнители"}, "set_provider_status": {"Исполнители"},
	"certify_programme": {"Экспертиза программ"}, "deny_programme": {"Экспертиза программ"},
	"set_period": {"Периоды"}, "set_price_cap": {"Периоды"},
	"create_invite": {"Узлы"}, "revoke_invite": {"Узлы"}, "revoke_node": {"Узлы"},
}

// correctionTab is the first of tabs where the op's record is corrected, ""
// if the window has none of them.
func correctionTab(op string, tabs []string) string {
	for _, t := range correctionTabs[op] {
		if slices.Contains(tabs, t) {
			return t
		}
	}
	return ""
}

// adviceFor says what to do about a rejection of an op type: what its code
// means for that op, or for any op.
func adviceFor(op, code string) string {
	if op == "apply_child" && code == app.ENOTFOUND {
		// The server gives one answer to every failed lookup by number and
		// code, so as not to tell which half was wrong.
		return "Ребёнок не найден: номер сертификата или код не совпали. Сверьте оба с выпиской из реестра " +
			"сертификатов, которую семья получила в МОЦ, и попробуйте снова. Каждая неверная попытка считается: " +
			"после пяти за час поиск по сертификату закроется на час. Если код потерян, МОЦ выдаст новый."
	}
	return adviceRu(code)
}

// adviceRu says what to do about a rejection, by its code.
func adviceRu(code string) string {
	switch code {
	case app.THROTTLED:
		return "Слишком много неверных кодов сертификата с этого компьютера: поиск по сертификату закрыт на час, " +
			"РМЦ получил уведомление. Не подбирайте код: попросите семью показать выписку или обратиться в МОЦ за новым кодом."
	case app.CERTIFICATE_UNCONFIRMED:
		return "Сертификат ещё не подтверждён муниципалитетом: МОЦ должен проверить документы ребёнка. " +
			"После подтверждения сделайте действие заново."
	case app.BUDGET_LIMIT:
		return "Средства муниципалитета на этот период исчерпаны: договор превысил бы лимит бюджета. " +
			"Обратитесь в МОЦ; договор можно заключить, когда лимит увеличат или средства освободятся."
	case app.INVITE_EXPIRED:
		return "Срок приглашения истёк. Попросите у РМЦ или МОЦ новое приглашение."
	case app.CHILD_ERASED:
		return "Персональные данные ребёнка удалены по решению муниципалитета: с этой записью больше ничего нельзя сделать. " +
			"Если семья снова обратится, зарегистрируйте ребёнка заново."
	case app.BALANCE_CHANGED:
		return "Пока этот компьютер был без связи, остаток на сертификате изменился (другой договор, списание или возврат). Договор не заключён: покажите семье новый расчёт и заключите его заново."
	case app.BALANCE_INSUFFICIENT:
		return "На сертификате не хватает средств на этот договор. Предложите семье другую группу или оплату за свой счёт."
	case app.GROUP_FULL:
		return "В группе не осталось мест: другие узлы успели раньше. Выберите другую группу."
	case app.MUNICIPAL_PLACES_FULL:
		return "Места муниципального задания по этой программе закончились. Выберите другую программу или обратитесь в МОЦ."
	case app.DIRECTION_LIMIT:
		return "Муниципалитет исчерпал лимит зачислений по этой направленности. Обратитесь в МОЦ."
	case app.CERTIFICATE_NOT_FUNDED:
		return "Сертификат ребёнка — сертификат учёта: сначала нужна заявка на сертификат финансирования."
	case app.CERTIFICATE_FROZEN:
		return "Сертификат заморожен муниципалитетом. Обратитесь в МОЦ."
	case app.CERTIFICATE_EXISTS, app.REQUEST_EXISTS:
		return "Такая запись уже есть на сервере: скорее всего, её сделали на другом узле. Строку можно скрыть."
	case app.ENROLMENT_CLOSED:
		return "Запись в группу закрыта. Проверьте сроки записи группы."
	case app.AGE_OUT_OF_RANGE, app.AGE_NOT_IN_GROUP:
		return "Возраст ребёнка не подходит. Проверьте дату рождения или выберите другую группу."
	case app.DUPLICATE_MODULE:
		return "Ребёнок уже учится по этому модулю по другому договору."
	case app.PROGRAMME_NOT_CERTIFIED, app.PROGRAMME_STATUS:
		return "Статус программы изменился на сервере. Проверьте программу на её вкладке."
	case app.PROVIDER_NOT_ACTIVE:
		return "Исполнитель не активен (приостановлен или ещё не допущен). Обратитесь в РМЦ."
	case app.MONTH_CLOSED:
		return "Месяц уже закрыт: отметки и отмены за него не принимаются."
	case app.LESSON_IN_FUTURE:
		return "Занятие ещё не прошло по дате сервера: отметки ставятся в день занятия или позже. Проверьте дату и часы на этом компьютере."
	case app.INVOICE_STATUS, app.INVOICE_ABOVE_LIMIT:
		return "Счёт изменился на сервере. Откройте его и проверьте статус и сумму."
	case app.SCOPE_FORBIDDEN:
		return "Этому узлу такое действие не разрешено правилами (кто что может делать): например, данные ребёнка, " +
			"кроме телефона представителя, меняет только МОЦ. Сервер записал отказ, РМЦ его видит. Если это ошибка, обратитесь в РМЦ."
	case app.NOT_RESIDENT, app.CONSENT_REQUIRED, app.EINVALID:
		return "Исправьте запись и сохраните её снова."
	case app.ECONFLICT:
		return "Запись успели изменить на другом узле. Проверьте её и при необходимости сделайте действие заново."
	case app.ENOTFOUND:
		return "Запись не найдена на сервере: её удалили или она ещё не дошла. Проверьте и сделайте действие заново."
	}
	return "Проверьте запись и сделайте действие заново, или скройте строку, если оно больше не нужно."
}

// detailRu reads the figures of BALANCE_CHANGED ("available=1234.00
// cert=725275.00 parent=0.00") into a sentence.
func detailRu(detail string) string {
	names := map[string]string{"available": "доступно на сертификате", "cert": "сертификатом",
		"parent": "родителем"}
	var parts []string
	for _, f := range strings.Fields(detail) {
		k, v, ok := strings.Cut(f, "=")
		name, known := names[k]
		if !ok || !known {
			continue
		}
		if kop, err := app.ParseRub(v); err == nil {
			parts = append(parts, name+" "+rub(kop))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "Расчёт сервера: " + strings.Join(parts, ", ") + "."
}

// aboutRu names the records an op was about, from what the node holds.
func aboutRu(r app.Reader, cmd app.Command) string {
	childName := func(id string) string {
		if ch, err := app.Get[app.Child](r, id); err == nil {
			return ch.FullName()
		}
		return ""
	}
	certChild := func(id string) string {
		if c, err := app.Get[app.Certificate](r, id); err == nil {
			n := childName(c.Child)
			if c.Number != "" {
				n += " (сертификат " + c.Number + ")"
			}
			return strings.TrimSpace(n)
		}
		return ""
	}
	groupName := func(id string) string {
		if g, err := app.Get[app.Group](r, id); err == nil {
			return "группа «" + g.Name + "»"
		}
		return ""
	}
	join := func(parts ...string) string {
		return strings.Join(slices.DeleteFunc(parts, func(s string) bool { return s == "" }), ", ")
	}
	switch c := cmd.(type) {
	case *app.Enrol:
		return join(certChild(c.Certificate), groupName(c.Group), "с "+dateRu(c.Start))
	case *app.Terminate:
		if k, err := app.Get[app.Contract](r, c.Contract); err == nil {
			return join(childName(k.Child), groupName(k.Group), "уведомление "+dateRu(c.Notice))
		}
	case *app.RegisterChild:
		return join(c.Child.FullName(), dateRu(c.Child.BirthDate))
	case *app.UpdateChild:
		return c.Child.FullName()
	case *app.SetGuardianPhone:
		return childName(c.Child)
	case *app.ApplyChild:
		return "сертификат " + c.Number
	case *app.ConfirmCertificate:
		return certChild(c.Certificate)
	case *app.NewCertificateCode:
		return certChild(c.Certificate)
	case *app.RecordRefund:
		return invoiceAbout(r, c.Invoice)
	case *app.IssueCertificate:
		return childName(c.Child)
	case *app.RequestFinancing:
		return certChild(c.Certificate)
	case *app.FreezeCertificate:
		return certChild(c.Certificate)
	case *app.ReturnToAccounting:
		return certChild(c.Certificate)
	case *app.MarkAttendance:
		return join(groupName(c.Group), dateRu(c.Date))
	case *app.CancelLesson:
		return join(groupName(c.Group), dateRu(c.Date))
	case *app.SubmitInvoice:
		return invoiceAbout(r, c.Invoice)
	case *app.ApproveInvoice:
		return invoiceAbout(r, c.Invoice)
	case *app.PayInvoice:
		return invoiceAbout(r, c.Invoice)
	case *app.SaveProgramme:
		return "«" + c.Title + "»"
	case *app.SubmitProgramme:
		return programmeAbout(r, c.Programme)
	case *app.CertifyProgramme:
		return programmeAbout(r, c.Programme)
	case *app.DenyProgramme:
		return programmeAbout(r, c.Programme)
	case *app.ListProgramme:
		return programmeAbout(r, c.Programme)
	case *app.UnlistProgramme:
		return programmeAbout(r, c.Programme)
	case *app.RegisterProvider:
		return c.Name
	case *app.SetParams:
		return "период " + c.Params.Period
	}
	return ""
}

func programmeAbout(r app.Reader, id string) string {
	if p, err := app.Get[app.Programme](r, id); err == nil {
		return "«" + p.Title + "»"
	}
	return ""
}

func invoiceAbout(r app.Reader, id string) string {
	inv, err := app.Get[app.Invoice](r, id)
	if err != nil {
		return ""
	}
	return app.InvoiceTypeRu(inv.Type) + " за " + inv.Month.Russian() + ", " + rub(inv.Amount)
}
