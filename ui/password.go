//go:build !nogui

package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"kruzhok/keys"
)

// passwordChange is the «Сменить пароль…» dialog's form: the current
// password and the new one twice. keys.ChangePassword re-wraps the data key
// (two KDF runs, about a second) off the UI goroutine; the database does not
// change.
type passwordChange struct {
	path    string
	old     *widget.Entry
	pass    *widget.Entry
	again   *widget.Entry
	submit  *widget.Button
	status  *widget.Label
	busy    bool
	content fyne.CanvasObject
	// done runs after a successful change (the dialog closes).
	done func()

	async func(func())
}

func newPasswordChange(path string) *passwordChange {
	c := &passwordChange{path: path, old: widget.NewPasswordEntry(), pass: widget.NewPasswordEntry(),
		again: widget.NewPasswordEntry(), status: newStatus(), async: func(f func()) { go f() }}
	c.pass.SetPlaceHolder("не короче 8 символов")
	c.again.OnSubmitted = func(string) { c.onSubmit() }
	c.submit = widget.NewButton("Сменить пароль", c.onSubmit)
	c.submit.Importance = widget.HighImportance
	c.content = container.NewVBox(
		wrapped("Данные базы не меняются: новым паролем перешифровывается только её ключ. "+
			"Забытый пароль восстановить невозможно."),
		widget.NewLabel("Текущий пароль"), c.old,
		widget.NewLabel("Новый пароль"), c.pass,
		widget.NewLabel("Повторите новый пароль"), c.again,
		c.submit, c.status)
	return c
}

func (c *passwordChange) onSubmit() {
	if c.busy {
		return
	}
	if c.old.Text == "" {
		sayErr(c.status, msgf("Введите текущий пароль"))
		return
	}
	if err := checkNewPassword(c.pass.Text, c.again.Text); err != nil {
		sayErr(c.status, err)
		return
	}
	old, pass := keys.Password(c.old.Text), keys.Password(c.pass.Text)
	c.busy = true
	c.submit.Disable()
	c.status.Importance = widget.MediumImportance
	c.status.SetText("Перешифровка ключа…")
	c.async(func() {
		err := keys.ChangePassword(c.path, old, pass)
		fyne.Do(func() {
			c.busy = false
			c.submit.Enable()
			if err != nil {
				c.old.SetText("")
				sayErr(c.status, fieldError(keyErrorText(err)))
				return
			}
			c.old.SetText("")
			c.pass.SetText("")
			c.again.SetText("")
			say(c.status, "Пароль изменён")
			if c.done != nil {
				c.done()
			}
		})
	})
}

// showPasswordChange opens the dialog over w for the key file of path.
func showPasswordChange(w fyne.Window, path string) {
	c := newPasswordChange(path)
	d := dialog.NewCustom("Сменить пароль базы", "Закрыть", c.content, w)
	c.done = func() {
		d.Hide()
		dialog.ShowInformation("Пароль изменён", "Новый пароль действует со следующего запуска программы.", w)
	}
	d.Resize(fyne.NewSize(520, 460))
	d.Show()
}
