//go:build !nogui

package ui

import (
	"time"

	"fyne.io/fyne/v2"

	"kruzhok/app"
)

// newProviderScreens builds the screens of a provider's node, by tab title;
// now is the clock (nil: time.Now). Every screen reads the store when its tab
// comes into view, so what one screen saved (a programme, a child) is there
// on the next.
func newProviderScreens(st app.Store, provider string, now func() time.Time) map[string]fyne.CanvasObject {
	if now == nil {
		now = time.Now
	}
	prog := newProgrammesScreen(st, provider, now)
	groups := newGroupsScreen(st, provider, now)
	kids := newChildrenScreen(st, provider, now)
	enrol := newEnrolScreen(st, provider, now)
	journal := newJournalScreen(st, provider, now)
	inv := newInvoicesScreen(st, provider, now)
	return map[string]fyne.CanvasObject{
		"Программы":  newRefreshOnShow(prog.content, prog.refresh),
		"Группы":     newRefreshOnShow(groups.content, groups.refresh),
		"Дети":       newRefreshOnShow(kids.content, kids.refresh),
		"Зачисление": newRefreshOnShow(enrol.content, enrol.refresh),
		"Журнал":     newRefreshOnShow(journal.content, journal.refresh),
		"Счета":      newRefreshOnShow(inv.content, inv.refresh),
	}
}
