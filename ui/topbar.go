//go:build !nogui

package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
)

// topBar is the always-visible strip above the tabs: whose node this is,
// which database it uses, and the state of sync with the regional server.
type topBar struct {
	scope   *widget.Label
	data    *widget.Label
	sync    *widget.Label
	syncNow *widget.Button
	content fyne.CanvasObject
}

func newTopBar(st app.Store, dataPath string) *topBar {
	b := &topBar{
		scope: widget.NewLabelWithStyle(scopeLabel(st), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		data:  widget.NewLabel(""),
		sync:  widget.NewLabel("Синхронизация: не настроена"),
	}
	if dataPath != "" {
		b.data.SetText("База: " + dataPath)
		b.data.Importance = widget.LowImportance
		b.data.Truncation = fyne.TextTruncateEllipsis
	}
	// Sync arrives with the sync package; the button is there so the place
	// users will look for it does not move.
	b.syncNow = widget.NewButton("Синхронизировать сейчас", b.onSyncNow)
	b.syncNow.Disable()
	b.content = container.NewVBox(
		container.NewBorder(nil, nil, b.scope, container.NewHBox(b.sync, b.syncNow), b.data),
		widget.NewSeparator(),
	)
	return b
}

// onSyncNow is wired now and does nothing while the button stays disabled.
func (b *topBar) onSyncNow() {}
