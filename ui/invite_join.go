//go:build !nogui

package ui

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/url"
	"strings"
	"syscall"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
	ksync "kruzhok/sync"
)

// codeHint is the grey text of an empty code field: the shape of a code.
const codeHint = "XXXX-XXXX-XXXX-…"

// joinForm is the server's address and the invite code with «Подключиться»,
// on the first-start screen and in the top bar's «Подключить…». Each field
// has a reserved place for its message under it, and the form one for the
// outcome, so nothing moves when a message appears or goes.
type joinForm struct {
	server  *field
	code    *field
	button  *widget.Button
	message *widget.Label
	box     fyne.CanvasObject
}

func newJoinForm(server string, submit func()) *joinForm {
	f := &joinForm{server: newField("https://rmc.example.ru:8443", checkServerAddress),
		code: newField(codeHint, checkInviteToken), message: newStatus()}
	if server != "" {
		f.server.set(server)
	}
	f.server.onEnter(submit)
	f.code.onEnter(submit)
	f.button = widget.NewButton("Подключиться", submit)
	f.button.Importance = widget.HighImportance
	f.box = container.NewVBox(
		widget.NewLabel("Адрес сервера"), reserved(f.server.entry, f.server.msg),
		widget.NewLabel("Код приглашения"), reserved(f.code.entry, f.code.msg),
		f.button)
	return f
}

// values checks both fields, each showing its own message, and returns
// what to join with. The outcome's place is cleared: a field's message is
// shown once, under the field.
func (f *joinForm) values() (server, code string, err error) {
	say(f.message, "")
	if err := firstError(f.server, f.code); err != nil {
		return "", "", err
	}
	return strings.TrimRight(strings.TrimSpace(f.server.text()), "/"), strings.TrimSpace(f.code.text()), nil
}

// failed shows why a join failed in the outcome's place; the fields keep
// what was typed, so a typo is fixed rather than retyped.
func (f *joinForm) failed(err error) {
	f.message.Importance = widget.DangerImportance
	f.message.SetText(joinErrorRu(err))
}

// reserved stacks an entry over its message, with room for two lines of
// message whether it shows or not.
func reserved(entry fyne.CanvasObject, msg *widget.Label) fyne.CanvasObject {
	return container.NewVBox(entry, container.New(&reserveLayout{lines: 2}, msg))
}

// reserveLayout gives its objects at least lines lines of text in height,
// hidden or not: a message that appears does not move what is below.
type reserveLayout struct{ lines int }

func (r *reserveLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	h := float32(r.lines)*fyne.MeasureText("Ж", theme.TextSize(), fyne.TextStyle{}).Height + 2*theme.InnerPadding()
	var w float32
	for _, o := range objs {
		if o.Visible() {
			w = max(w, o.MinSize().Width)
			h = max(h, o.MinSize().Height)
		}
	}
	return fyne.NewSize(w, h)
}

func (r *reserveLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// checkServerAddress requires an http(s) address with a host.
func checkServerAddress(v string) error {
	v = strings.TrimRight(strings.TrimSpace(v), "/")
	if v == "" {
		return msgf("Укажите адрес сервера, например https://rmc.example.ru:8443")
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.User != nil {
		return msgf("Адрес сервера начинается с https:// и содержит имя сервера, например https://rmc.example.ru:8443")
	}
	return nil
}

// checkInviteToken requires a code the sync package can read.
func checkInviteToken(v string) error {
	if strings.TrimSpace(v) == "" {
		return msgf("Введите код приглашения с листа, который выдал муниципалитет или РМЦ")
	}
	if _, _, err := ksync.ParseToken(v); err != nil {
		return msgf("%s", app.ErrorMessage(err))
	}
	return nil
}

// joinErrorRu is what a person is told when a join fails: one plain
// message for each way it fails (docs/SYNC.md, «Код приглашения»).
func joinErrorRu(err error) string {
	var fe fieldError
	var dns *net.DNSError
	var netErr net.Error
	var recordErr tls.RecordHeaderError
	switch {
	case errors.As(err, &fe):
		return string(fe)
	case errors.Is(err, ksync.ErrWrongCertificate):
		return "Сертификат сервера не совпадает с кодом приглашения. Возможно, адрес сервера введён с ошибкой — " +
			"или кто-то подменяет соединение. Проверьте адрес; если он верный, не продолжайте и позвоните в муниципалитет или РМЦ"
	}
	var ae *app.Error
	code := ""
	if errors.As(err, &ae) {
		code = ae.Code
	}
	switch code {
	case app.ENOTFOUND:
		return "Код не подходит: на сервере нет такого действующего приглашения. Сверьте код с листом приглашения. " +
			"Если код выдали только что, попросите муниципалитет нажать «Синхронизировать сейчас» и попробуйте ещё раз"
	case app.INVITE_EXPIRED:
		return "Срок действия кода истёк. Попросите у муниципалитета новое приглашение"
	case app.INVITE_USED:
		return "Этот код уже использован: один код подключает один компьютер. Попросите у муниципалитета новое приглашение"
	case "":
	default:
		return ae.Message
	}
	switch {
	case errors.As(err, &dns):
		return "Сервер «" + dns.Name + "» не найден. Проверьте адрес сервера и подключение к интернету"
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout():
		return "Сервер не ответил вовремя. Проверьте подключение к интернету и повторите"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "Сервер по этому адресу не принимает подключения: проверьте адрес и номер порта после двоеточия. " +
			"Если они верны, сервер сейчас выключен — повторите позже"
	case errors.As(err, &recordErr):
		return "По этому адресу отвечает не сервер «Кружка»: проверьте адрес и номер порта"
	case errors.As(err, &netErr) || errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EHOSTUNREACH):
		return "Нет связи с сервером. Проверьте подключение к интернету и адрес сервера"
	}
	text := err.Error()
	low := strings.ToLower(text)
	switch {
	case strings.Contains(low, "eof") || strings.Contains(low, "connection reset") || strings.Contains(low, "broken pipe"):
		return "Связь с сервером оборвалась. Проверьте подключение к интернету и повторите"
	case strings.Contains(low, "tls") || strings.Contains(low, "x509") || strings.Contains(low, "certificate"):
		return "Не удалось установить защищённое соединение с сервером: проверьте адрес сервера и номер порта"
	case isRussian(text):
		return "Подключиться не удалось: " + text
	}
	return "Подключиться не удалось: сервер ответил непонятно. Проверьте адрес сервера"
}

// joinAsync runs the join of the top bar's form off the UI goroutine (tests
// run it in place).
var joinAsync = func(f func()) { go f() }

// showJoinDialog opens the join form over w: for a database that is not
// joined yet, from the top bar. joined runs after a join that worked.
func showJoinDialog(w fyne.Window, join func(ctx context.Context, server, code string) error, joined func()) {
	var d dialog.Dialog
	var f *joinForm
	busy := false
	waiting := widget.NewProgressBarInfinite()
	waiting.Stop()
	waiting.Hide()
	submit := func() {
		if busy {
			return
		}
		server, code, err := f.values()
		if err != nil {
			return
		}
		busy = true
		f.button.Disable()
		waiting.Show()
		waiting.Start()
		say(f.message, "Подключение к серверу и загрузка данных…")
		joinAsync(func() {
			ctx, cancel := context.WithTimeout(context.Background(), joinTimeout)
			defer cancel()
			err := join(ctx, server, code)
			fyne.Do(func() {
				busy = false
				waiting.Stop()
				waiting.Hide()
				f.button.Enable()
				if err != nil {
					f.failed(err)
					return
				}
				d.Hide()
				if joined != nil {
					joined()
				}
			})
		})
	}
	f = newJoinForm("", submit)
	intro := wrapped("Адрес сервера и код приглашения напечатаны на листе приглашения, который выдаёт муниципалитет " +
		"(исполнителям) или РМЦ (муниципалитетам). Подключают новую, пустую базу.")
	content := container.NewVBox(intro, f.box, waiting, container.New(&reserveLayout{lines: 3}, f.message))
	d = dialog.NewCustom("Подключить к серверу", "Закрыть", content, w)
	d.Resize(fyne.NewSize(min(560, w.Canvas().Size().Width-40), 0))
	d.Show()
	w.Canvas().Focus(f.server.entry)
}
