//go:build !nogui

package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
)

// newRegionScreens builds the screens of the region's node (РМЦ), by tab
// title. Each reads the store when its tab comes into view; the first tab,
// in view from the start, reads it now.
func newRegionScreens(st app.Store, opts Options) map[string]fyne.CanvasObject {
	muns := newMunicipalitiesScreen(st, opts.now)
	exp := newExpertiseScreen(st, opts.now)
	provs := newProvidersScreen(st, opts.now)
	periods := newPeriodsScreen(st, opts.now)
	nodes := newNodesScreen(st, opts.NewInvite, opts.now)
	alerts := newAlertsScreen(st, opts.now)
	mon := newMonitoringScreen(st, "", opts.now)
	return map[string]fyne.CanvasObject{
		"Муниципалитеты":      newRefreshOnShow(muns.content, muns.refresh),
		"Экспертиза программ": newRefreshOnShow(exp.content, exp.refresh),
		"Исполнители":         newRefreshOnShow(provs.content, provs.refresh),
		"Периоды":             newRefreshOnShow(periods.content, periods.refresh),
		"Узлы":                newRefreshOnShow(nodes.content, nodes.refresh),
		"Уведомления":         newRefreshOnShow(alerts.content, alerts.refresh),
		"Мониторинг":          newRefreshOnShow(mon.content, mon.refresh),
	}
}

// helpText is a short explanation beside a form, for people who are not IT
// staff: wrapped, in italics, in the normal colour so that it stays readable.
func helpText(s string) *widget.Label {
	l := widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	l.Wrapping = fyne.TextWrapWord
	return l
}

// askConfirm asks before an action that cannot be undone, with the action's
// own name on the button; without a window (a screen built for a test) it
// acts at once.
func askConfirm(o fyne.CanvasObject, title, msg, confirm string, do func()) {
	w := windowOf(o)
	if w == nil {
		do()
		return
	}
	l := widget.NewLabel(msg)
	l.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(title, confirm, "Отмена", l, func(ok bool) {
		if ok {
			do()
		}
	}, w)
	d.Resize(fyne.NewSize(520, 220))
	d.Show()
}
