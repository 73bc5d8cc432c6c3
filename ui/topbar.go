//go:build !nogui

package ui

import (
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
	"kruzhok/keys"
)

// topBar is the always-visible strip above the tabs: whose node this is,
// which database it uses, and the state of sync with the regional server.
type topBar struct {
	scope *fullText
	data  *fullText
	sync  *syncBar
	// passwd is «Сменить пароль…», shown for a database with a key file.
	passwd  *widget.Button
	content fyne.CanvasObject
}

// newTopBar builds the bar of st; sy is the node's sync (nil for a database
// that syncs with no one). The bar does not poll until sync.startPolling.
// A long name or path is cut with «…» rather than widening the window; a
// click on it shows it whole.
func newTopBar(st app.Store, opts Options, sy Syncer) *topBar {
	b := &topBar{
		scope: newFullText(scopeLabel(st), widget.MediumImportance, fyne.TextStyle{Bold: true}),
		data:  newFullText("", widget.LowImportance, fyne.TextStyle{}),
		sync:  newSyncBar(st, sy),
	}
	if opts.DataPath != "" {
		b.data.setText("База: " + opts.DataPath)
	}
	right := b.sync.content
	if opts.DataPath != "" && keys.Exists(opts.DataPath) {
		path := opts.DataPath
		b.passwd = widget.NewButton("Сменить пароль…", nil)
		b.passwd.Importance = widget.LowImportance
		b.passwd.OnTapped = func() {
			if w := windowOf(b.passwd); w != nil {
				showPasswordChange(w, path)
			}
		}
		right = container.NewHBox(b.sync.content, b.passwd)
	}
	b.content = container.NewVBox(
		container.New(barLayout{}, b.scope, b.data, right),
		b.sync.failure,
		widget.NewSeparator(),
	)
	return b
}

// barLayout lays out the top bar's row: the name, the database path and,
// at the right end, the sync state. The sync state gets what it needs; the
// name gets its whole width if it fits, the path what is left. Both are cut
// with «…» on a small screen, so the row never asks for more than its
// minimum.
type barLayout struct{}

// minPathWidth is the narrowest the database path is worth showing.
const minPathWidth = 120

func (barLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	w, h := float32(0), float32(0)
	for i, o := range objs {
		if i == 1 {
			continue // the path hides when there is no room
		}
		m := o.MinSize()
		w += m.Width + theme.Padding()
		h = max(h, m.Height)
	}
	return fyne.NewSize(w, h)
}

func (barLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	name, data, right := objs[0], objs[1], objs[2]
	pad := theme.Padding()
	rw := right.MinSize().Width
	right.Resize(fyne.NewSize(rw, size.Height))
	right.Move(fyne.NewPos(size.Width-rw, 0))
	left := max(0, size.Width-rw-pad)
	nw := name.MinSize().Width
	if f, ok := name.(*fullText); ok {
		nw = max(nw, f.wholeWidth())
	}
	nw = min(nw, left)
	name.Resize(fyne.NewSize(nw, size.Height))
	name.Move(fyne.NewPos(0, 0))
	dw := max(0, left-nw-pad)
	if dw < minPathWidth {
		data.Hide() // a path cut to «Ба…» says nothing
		return
	}
	data.Show()
	data.Resize(fyne.NewSize(dw, size.Height))
	data.Move(fyne.NewPos(nw+pad, 0))
}

// fullText is a one-line label that is cut with «…» when its place is too
// narrow, and shows its whole text in a pop-up when clicked: Fyne has no
// tooltips, and a tooltip on hover would also be lost on a touch pad.
type fullText struct {
	widget.BaseWidget
	label *widget.Label
	popup *widget.PopUp
}

var (
	_ fyne.Tappable      = (*fullText)(nil)
	_ desktop.Cursorable = (*fullText)(nil)
)

func newFullText(s string, imp widget.Importance, style fyne.TextStyle) *fullText {
	f := &fullText{label: widget.NewLabelWithStyle(s, fyne.TextAlignLeading, style)}
	f.label.Importance = imp
	f.label.Truncation = fyne.TextTruncateEllipsis
	f.ExtendBaseWidget(f)
	return f
}

func (f *fullText) setText(s string) { f.label.SetText(s) }

// Text is the whole text, cut or not.
func (f *fullText) Text() string { return f.label.Text }

// wholeWidth is the width the text needs uncut.
func (f *fullText) wholeWidth() float32 {
	whole := widget.NewLabelWithStyle(f.label.Text, fyne.TextAlignLeading, f.label.TextStyle)
	return whole.MinSize().Width + 2*theme.Padding() // the cut starts a little before the text's end
}

// cut reports whether the text is shown cut.
func (f *fullText) cut() bool { return f.Size().Width+0.5 < f.wholeWidth() }

// Tapped shows the whole text under the label when it is cut.
func (f *fullText) Tapped(*fyne.PointEvent) {
	c := fyne.CurrentApp().Driver().CanvasForObject(f)
	if c == nil || !f.cut() || f.label.Text == "" {
		return
	}
	l := widget.NewLabel(f.label.Text)
	l.Wrapping = fyne.TextWrapWord
	width := min(f.wholeWidth(), c.Size().Width*0.8)
	lines := float32(math.Ceil(float64(f.wholeWidth()/width))) + 1
	box := container.NewGridWrap(fyne.NewSize(width, lines*l.MinSize().Height*0.75), l)
	f.popup = widget.NewPopUp(box, c)
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(f).AddXY(0, f.Size().Height)
	f.popup.ShowAtPosition(pos)
}

// Cursor says the cut text can be clicked.
func (f *fullText) Cursor() desktop.Cursor {
	if f.cut() {
		return desktop.PointerCursor
	}
	return desktop.DefaultCursor
}

func (f *fullText) MinSize() fyne.Size { return f.label.MinSize() }

func (f *fullText) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(f.label) }
