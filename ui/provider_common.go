//go:build !nogui

package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
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
// Its line is kept empty while there is no message, so nothing below the
// field moves when one appears.
type field struct {
	entry *input
	msg   *widget.Label
	check func(string) error
	box   *fyne.Container
	watch *statusWatch // the status line that speaks for this field's form, if any
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
		f.watch.changed()
	}
	f.box = container.NewVBox(container.NewStack(f.entry, newWheelToForm()), messageLine(f.msg))
	return f
}

// wheelToForm lies over a one-line entry and hands the mouse wheel to the
// scroll that holds the form. Fyne gives the wheel to the innermost
// scrollable object under the pointer, and an entry scrolls its own text
// inside, so with the pointer over a field the wheel did nothing; the last
// scrollable drawn wins, so this one, drawn over the entry, gets it. It
// takes no clicks or keys: the entry below gets those.
type wheelToForm struct{ widget.BaseWidget }

var _ fyne.Scrollable = (*wheelToForm)(nil)

func newWheelToForm() *wheelToForm {
	w := &wheelToForm{}
	w.ExtendBaseWidget(w)
	return w
}

func (w *wheelToForm) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewWithoutLayout())
}

func (w *wheelToForm) MinSize() fyne.Size { return fyne.NewSize(0, 0) }

// Scrolled scrolls the nearest scroll around the field.
func (w *wheelToForm) Scrolled(ev *fyne.ScrollEvent) {
	c := fyne.CurrentApp().Driver().CanvasForObject(w)
	if c == nil {
		return
	}
	roots := append([]fyne.CanvasObject{c.Content()}, c.Overlays().List()...)
	for _, root := range roots {
		if s, found := scrollAround(root, w, nil); found {
			if s != nil {
				s.Scrolled(ev)
			}
			return
		}
	}
}

// holds is what o shows inside it, for the kinds of objects the screens are
// built of (a widget's drawing is not public: these are the ones that hold
// other objects).
func holds(o fyne.CanvasObject) []fyne.CanvasObject {
	switch v := o.(type) {
	case *fyne.Container:
		return v.Objects
	case *container.Scroll:
		return []fyne.CanvasObject{v.Content}
	case *container.Split:
		return []fyne.CanvasObject{v.Leading, v.Trailing}
	case *container.AppTabs:
		if it := v.Selected(); it != nil {
			return []fyne.CanvasObject{it.Content}
		}
	case *refreshOnShow:
		return []fyne.CanvasObject{v.content}
	case *widget.Form:
		var out []fyne.CanvasObject
		for _, it := range v.Items {
			out = append(out, it.Widget)
		}
		return out
	case *widget.PopUp:
		return []fyne.CanvasObject{v.Content}
	}
	return nil
}

// scrollAround looks for target inside o and returns the innermost scroll
// that holds it (outer is the innermost one around o); found is false when
// target is not inside o.
func scrollAround(o, target fyne.CanvasObject, outer *container.Scroll) (s *container.Scroll, found bool) {
	if o == target {
		return outer, true
	}
	if s, ok := o.(*container.Scroll); ok {
		outer = s
	}
	for _, k := range holds(o) {
		if k == nil {
			continue
		}
		if s, found := scrollAround(k, target, outer); found {
			return s, true
		}
	}
	return nil, false
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
	defer f.watch.changed()
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

// failing reports whether the field shows a message.
func (f *field) failing() bool { return f.msg.Visible() }

func (f *field) watchedBy(w *statusWatch) { f.watch = w }

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
type checker interface {
	validate() error
	// failing reports whether its message is shown.
	failing() bool
	// watchedBy ties it to the status line of its form.
	watchedBy(*statusWatch)
}

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

// choice is a select with the message under it, for a choice that must be
// made; like a field's, the message's line is kept when there is none.
type choice struct {
	sel   *widget.Select
	msg   *widget.Label
	empty string // the message when nothing is chosen
	box   *fyne.Container
	watch *statusWatch
}

func newChoice(placeholder, empty string, onChanged func(string)) *choice {
	c := &choice{msg: widget.NewLabel(""), empty: empty}
	c.sel = widget.NewSelect(nil, func(v string) {
		if v != "" {
			c.msg.Hide()
		}
		c.watch.changed()
		if onChanged != nil {
			onChanged(v)
		}
	})
	c.sel.PlaceHolder = placeholder
	c.msg.Importance = widget.DangerImportance
	c.msg.Wrapping = fyne.TextWrapWord
	c.msg.SetText(empty)
	c.msg.Hide()
	c.box = container.NewVBox(c.sel, messageLine(c.msg))
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

func (c *choice) failing() bool { return c.msg.Visible() }

func (c *choice) watchedBy(w *statusWatch) { c.watch = w }

// messageLine keeps the place of a field's message: one line of text while
// the message is hidden or short, more only for a message that wraps. The
// label's own top padding is drawn over the gap above, so the reserved line
// is not taller than the text.
func messageLine(msg *widget.Label) fyne.CanvasObject {
	return container.New(messageLayout{}, msg)
}

type messageLayout struct{}

// lift is how far the message is drawn above its place: the label's inner
// padding less a little air under the field.
func (messageLayout) lift() float32 {
	return theme.Size(theme.SizeNameInnerPadding) - 2
}

func (l messageLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	line := fyne.MeasureText("Ág", theme.TextSize(), fyne.TextStyle{}).Height
	h := line + 2
	if m := objs[0]; m.Visible() {
		h = max(h, m.MinSize().Height-2*l.lift())
	}
	return fyne.NewSize(0, h)
}

func (l messageLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	m := objs[0]
	m.Move(fyne.NewPos(0, -l.lift()))
	m.Resize(fyne.NewSize(size.Width, m.MinSize().Height))
}

// statusLines keeps the place of a status line of n lines of text, so a
// message of up to n lines moves nothing around it.
func statusLines(l *widget.Label, n int) fyne.CanvasObject {
	return container.New(&linesLayout{n: n}, l)
}

type linesLayout struct{ n int }

func (l *linesLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	lines := widget.NewLabel(strings.Repeat("Ág\n", l.n-1) + "Ág")
	return fyne.NewSize(objs[0].MinSize().Width, max(lines.MinSize().Height, objs[0].MinSize().Height))
}

func (l *linesLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(size)
}

// statusWatch clears a form's status line once it no longer applies: the
// «исправьте поля» of sayInvalid when no field shows a message any more, any
// other error as soon as the person edits a field.
type statusWatch struct {
	status  *widget.Label
	fields  []checker
	invalid string // what sayInvalid said
}

// watchFields makes status speak for the fields: its error goes when they
// are edited.
func watchFields(status *widget.Label, fields ...checker) *statusWatch {
	w := &statusWatch{status: status, fields: fields}
	for _, f := range fields {
		f.watchedBy(w)
	}
	return w
}

// changed is called after every edit and check of a watched field.
func (w *statusWatch) changed() {
	if w == nil || w.status.Text == "" || w.status.Importance != widget.DangerImportance {
		return
	}
	if w.status.Text == w.invalid {
		for _, f := range w.fields {
			if f.failing() {
				return
			}
		}
	}
	say(w.status, "")
}

// sayInvalid is the status of a form whose fields were refused: each field
// names its own mistake under it, so the status only says that the form was
// not saved, and it goes once the fields are right.
func sayInvalid(status *widget.Label, what string, fields ...checker) {
	text := "Исправьте поля, отмеченные красным"
	if what != "" {
		text = what + ": исправьте поля, отмеченные красным"
	}
	w := watchFields(status, fields...)
	w.invalid = text
	status.Importance = widget.DangerImportance
	status.SetText(text)
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
