//go:build !nogui

package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// column is one column of a table screen: its header and its width.
type column struct {
	title string
	width float32
}

// setColumns gives a table with a header row its columns: bold titles in the
// header (nothing beyond the last column) and the widths. Text cells are cut
// with «…» rather than drawn over the next column.
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
	if create := t.CreateCell; create != nil {
		t.CreateCell = func() fyne.CanvasObject {
			o := create()
			if l, ok := o.(*widget.Label); ok && l.Wrapping == fyne.TextWrapOff {
				l.Truncation = fyne.TextTruncateEllipsis
			}
			return o
		}
	}
	for i, c := range cols {
		t.SetColumnWidth(i, c.width)
	}
}

// fitColumns is the table t of setColumns's cols in a box that fits the
// columns to the width it gets: on a small screen the columns narrow (no
// narrower than their titles) so that every column stays in view, on a
// large one the widest column takes the room left over.
func fitColumns(t *widget.Table, cols []column) fyne.CanvasObject {
	return container.New(&fitLayout{table: t, cols: cols}, t)
}

type fitLayout struct {
	table *widget.Table
	cols  []column
	width float32 // the width the columns were last fitted to
}

func (l *fitLayout) MinSize([]fyne.CanvasObject) fyne.Size { return l.table.MinSize() }

func (l *fitLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if size.Width != l.width {
		l.width = size.Width
		sep := theme.Size(theme.SizeNameSeparatorThickness) * float32(len(l.cols))
		for i, w := range fitWidths(l.cols, size.Width-theme.ScrollBarSize()-sep-2*theme.Padding()) {
			l.table.SetColumnWidth(i, w)
		}
	}
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// fitWidths shares avail among the columns: their own widths when they fit
// (the widest one taking what is left), else each narrowed in proportion to
// what it has above its title's width.
func fitWidths(cols []column, avail float32) []float32 {
	out := make([]float32, len(cols))
	var total, floor float32
	widest := 0
	mins := make([]float32, len(cols))
	for i, c := range cols {
		mins[i] = min(c.width, titleWidth(c.title))
		total += c.width
		floor += mins[i]
		if c.width > cols[widest].width {
			widest = i
		}
		out[i] = c.width
	}
	switch {
	case len(cols) == 0:
	case total <= avail:
		out[widest] += avail - total
	case floor >= avail:
		copy(out, mins)
	default:
		k := (avail - floor) / (total - floor)
		for i, c := range cols {
			out[i] = mins[i] + k*(c.width-mins[i])
		}
	}
	return out
}

// titleWidth is the width a column's bold title needs.
func titleWidth(title string) float32 {
	th := theme.Current()
	s := fyne.MeasureText(title, th.Size(theme.SizeNameText), fyne.TextStyle{Bold: true})
	return s.Width + 2*th.Size(theme.SizeNameInnerPadding) + 2
}
