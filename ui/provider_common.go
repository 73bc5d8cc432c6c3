//go:build !nogui

package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"kruzhok/app"
)

// refreshOnShow wraps a screen and reloads it whenever it goes from hidden to
// shown, which is what AppTabs does to the content of a selected tab.
type refreshOnShow struct {
	widget.BaseWidget
	content fyne.CanvasObject
	refresh func()
}

func newRefreshOnShow(content fyne.CanvasObject, refresh func()) *refreshOnShow {
	r := &refreshOnShow{content: content, refresh: refresh}
	r.ExtendBaseWidget(r)
	return r
}

// Show reloads the screen if it was hidden: tabs call Show on every layout,
// and a visible screen must not re-read the store each time.
func (r *refreshOnShow) Show() {
	if !r.Visible() {
		r.refresh()
	}
	r.BaseWidget.Show()
}

func (r *refreshOnShow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(r.content)
}

// newID is a new entity ID: UUIDv7, made on the node (DESIGN.md).
func newID() string { return uuid.Must(uuid.NewV7()).String() }

// input is a one-line entry that checks itself when the user leaves it, so a
// mistake is named at the field before anything is saved.
type input struct {
	widget.Entry
	onBlur func()
}

func newInput() *input {
	e := &input{}
	e.ExtendBaseWidget(e)
	return e
}

// FocusLost checks the field after the entry's own handling.
func (e *input) FocusLost() {
	e.Entry.FocusLost()
	if e.onBlur != nil {
		e.onBlur()
	}
}

// field is an input with its check and the message under it. The message is
// the Russian text of the check's error; it stays until the input is fixed.
type field struct {
	entry *input
	msg   *widget.Label
	check func(string) error
	box   *fyne.Container
}

// newField makes a field; hint is the grey text of an empty entry and check
// (may be nil) the rule of its content.
func newField(hint string, check func(string) error) *field {
	f := &field{entry: newInput(), msg: widget.NewLabel(""), check: check}
	f.entry.SetPlaceHolder(hint)
	f.entry.Validator = check
	f.msg.Importance = widget.DangerImportance
	f.msg.Wrapping = fyne.TextWrapWord
	f.msg.Hide()
	f.entry.onBlur = func() {
		if f.entry.Text != "" || f.msg.Visible() {
			f.validate()
		}
	}
	f.entry.OnChanged = func(string) {
		if f.msg.Visible() {
			f.validate() // a shown message goes as soon as the input is right
		}
	}
	f.box = container.NewVBox(f.entry, f.msg)
	return f
}

// validate runs the check and shows or hides the message; it returns the error.
func (f *field) validate() error {
	var err error
	if f.check != nil {
		err = f.check(f.entry.Text)
	}
	f.showError(err)
	return err
}

// showError shows err's message under the field (nil clears it).
func (f *field) showError(err error) {
	if err == nil {
		f.msg.SetText("")
		f.msg.Hide()
		f.entry.SetValidationError(nil)
		return
	}
	f.msg.SetText(err.Error())
	f.msg.Show()
	f.entry.AlwaysShowValidationError = true
	f.entry.SetValidationError(err)
}

// text is the trimmed input.
func (f *field) text() string { return f.entry.Text }

// set replaces the input and clears any message.
func (f *field) set(s string) {
	f.entry.SetText(s)
	f.showError(nil)
	f.entry.AlwaysShowValidationError = false
}

// onEnter makes Enter in the field submit the form.
func (f *field) onEnter(submit func()) { f.entry.OnSubmitted = func(string) { submit() } }

// checker is a field or a choice: something that names its own mistake.
type checker interface{ validate() error }

// firstError validates every field (so each shows its own message) and
// returns the first error, in the order given: the natural focus order.
func firstError(fields ...checker) error {
	var first error
	for _, f := range fields {
		if err := f.validate(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// choice is a select with the message under it, for a choice that must be made.
type choice struct {
	sel   *widget.Select
	msg   *widget.Label
	empty string // the message when nothing is chosen
	box   *fyne.Container
}

func newChoice(placeholder, empty string, onChanged func(string)) *choice {
	c := &choice{msg: widget.NewLabel(""), empty: empty}
	c.sel = widget.NewSelect(nil, func(v string) {
		if v != "" {
			c.msg.Hide()
		}
		if onChanged != nil {
			onChanged(v)
		}
	})
	c.sel.PlaceHolder = placeholder
	c.msg.Importance = widget.DangerImportance
	c.msg.Wrapping = fyne.TextWrapWord
	c.msg.SetText(empty)
	c.msg.Hide()
	c.box = container.NewVBox(c.sel, c.msg)
	return c
}

// validate requires a choice and shows the message when there is none.
func (c *choice) validate() error {
	if c.sel.SelectedIndex() < 0 {
		c.msg.Show()
		return fieldError(c.empty)
	}
	c.msg.Hide()
	return nil
}

// newStatus is a wrapping label for what a screen has to say: the result of
// an action or why it failed.
func newStatus() *widget.Label {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	return l
}

// say shows a neutral or successful message.
func say(l *widget.Label, msg string) {
	l.Importance = widget.SuccessImportance
	if msg == "" {
		l.Importance = widget.MediumImportance
	}
	l.SetText(msg)
}

// sayErr shows why something failed: the domain's Russian message for an
// app error, the field message for a fieldError.
func sayErr(l *widget.Label, err error) {
	l.Importance = widget.DangerImportance
	l.SetText(errorText(err))
}

// errorText is the Russian text of any error the screens meet.
func errorText(err error) string {
	if fe, ok := err.(fieldError); ok {
		return string(fe)
	}
	return app.ErrorMessage(err)
}

// windowOf finds the window that shows o, for dialogs; nil when o is not in a
// window (a screen built for a test without one).
func windowOf(o fyne.CanvasObject) fyne.Window {
	a := fyne.CurrentApp()
	if a == nil {
		return nil
	}
	c := a.Driver().CanvasForObject(o)
	for _, w := range a.Driver().AllWindows() {
		if c != nil && w.Canvas() == c {
			return w
		}
	}
	return nil
}

// confirmForm asks for the items in a dialog over o's window and calls
// onConfirm when the user confirms. Without a window it calls nothing and
// returns false, so the caller can say so.
func confirmForm(o fyne.CanvasObject, title, confirm string, items []*widget.FormItem, onConfirm func()) bool {
	w := windowOf(o)
	if w == nil {
		return false
	}
	d := dialog.NewForm(title, confirm, "Отмена", items, func(ok bool) {
		if ok {
			onConfirm()
		}
	}, w)
	d.Resize(fyne.NewSize(520, d.MinSize().Height))
	d.Show()
	return true
}

// heading is a bold section title.
func heading(s string) *widget.Label {
	return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// wrappedHeading is a bold title that wraps instead of widening its column.
func wrappedHeading(s string) *widget.Label {
	l := heading(s)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// municipalityNames maps codes to names, for rows that show where a child lives.
func municipalityNames(r app.Reader) (map[string]string, error) {
	ms, err := app.List[app.Municipality](r, "", "", 0)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(ms))
	for _, m := range ms {
		out[m.Code] = m.Name
	}
	return out, nil
}
