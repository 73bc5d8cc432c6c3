//go:build !nogui

package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
	"kruzhok/keys"
)

// topBar is the always-visible strip above the tabs: whose node this is,
// which database it uses, and the state of sync with the regional server.
type topBar struct {
	scope *widget.Label
	data  *widget.Label
	sync  *syncBar
	// passwd is «Сменить пароль…», shown for a database with a key file.
	passwd  *widget.Button
	content fyne.CanvasObject
}

// newTopBar builds the bar of st; sy is the node's sync (nil for a database
// that syncs with no one). The bar does not poll until sync.startPolling.
func newTopBar(st app.Store, opts Options, sy Syncer) *topBar {
	b := &topBar{
		scope: widget.NewLabelWithStyle(scopeLabel(st), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		data:  widget.NewLabel(""),
		sync:  newSyncBar(st, sy),
	}
	if opts.DataPath != "" {
		b.data.SetText("База: " + opts.DataPath)
		b.data.Importance = widget.LowImportance
		b.data.Truncation = fyne.TextTruncateEllipsis
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
		container.NewBorder(nil, nil, b.scope, right, b.data),
		b.sync.failure,
		widget.NewSeparator(),
	)
	return b
}
