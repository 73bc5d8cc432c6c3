//go:build !nogui

package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
)

// confirmContent shows content in a dialog over o's window with the action's
// own name on the confirming button and «Отмена» beside it, and calls
// onConfirm only when the user confirms. Without a window it does nothing
// and returns false: an action that must be confirmed is never taken
// unconfirmed.
func confirmContent(o fyne.CanvasObject, title, confirm string, content fyne.CanvasObject, onConfirm func()) bool {
	w := windowOf(o)
	if w == nil {
		return false
	}
	d := dialog.NewCustomConfirm(title, confirm, "Отмена", content, func(ok bool) {
		if ok {
			onConfirm()
		}
	}, w)
	// As wide as a 1024-pixel screen allows, as tall as the content needs.
	size := d.MinSize().Max(fyne.NewSize(560, 0))
	if ws := w.Canvas().Size(); ws.Width > 0 {
		size = size.Min(fyne.NewSize(ws.Width-40, ws.Height-40))
	}
	d.Resize(size)
	d.Show()
	return true
}
