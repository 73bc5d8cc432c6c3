//go:build !nogui

package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// emptyNote is the short line a table shows in its place when it has no
// rows, so an empty list is never mistaken for one that failed to load.
type emptyNote struct {
	label *widget.Label
	view  fyne.CanvasObject // the table with the line over its middle
}

func newEmptyNote(table fyne.CanvasObject, text string) *emptyNote {
	// One short line, neither wrapped nor cut: a wrapped label in a centring
	// container has no width to wrap to and would ask for a screen of height.
	l := widget.NewLabelWithStyle(text, fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
	l.Hide()
	return &emptyNote{label: l, view: container.NewStack(table, container.NewCenter(container.NewPadded(l)))}
}

// set shows the line when rows is 0, with text if it is not empty.
func (e *emptyNote) set(rows int, text string) {
	if text != "" {
		e.label.SetText(text)
	}
	if rows == 0 {
		e.label.Show()
	} else {
		e.label.Hide()
	}
}
