//go:build !nogui

package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// column is one column of a table screen: its header and its width.
type column struct {
	title string
	width float32
}

// setColumns gives a table with a header row its columns: bold titles in the
// header (nothing beyond the last column) and the widths.
func setColumns(t *widget.Table, cols []column) {
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		l := o.(*widget.Label)
		l.TextStyle = fyne.TextStyle{Bold: true}
		if id.Col >= 0 && id.Col < len(cols) {
			l.SetText(cols[id.Col].title)
		} else {
			l.SetText("")
		}
	}
	for i, c := range cols {
		t.SetColumnWidth(i, c.width)
	}
}
