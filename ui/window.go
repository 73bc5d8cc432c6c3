//go:build !nogui

package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
)

const windowTitle = "Кружок — ПФДО Ставропольского края"

// Tab titles, one set per role (DESIGN.md: a node's scope decides what it sees).
var (
	regionTabs       = []string{"Муниципалитеты", "Экспертиза программ", "Исполнители", "Периоды", "Узлы", "Уведомления", "Мониторинг"}
	municipalityTabs = []string{"Параметры", "Сертификаты", "Подтверждение", "Очередь", "Муниципальный реестр", "Счета", "Мониторинг", munInvitesTab}
	providerTabs     = []string{"Программы", "Группы", "Дети", "Зачисление", "Журнал", "Счета"}
)

// newMainWindow builds the main window of a node on st that syncs with no
// one: the top bar and the tabs of the node's role. dataPath is the database
// file shown in the bar ("" hides it). The window is not shown.
func newMainWindow(a fyne.App, st app.Store, dataPath string) fyne.Window {
	return newWindow(a, st, Options{DataPath: dataPath})
}

// newRoleTabs returns the tabs of the scope's role. A scope the UI does not
// know gets a single tab that says so rather than a guessed role.
func newRoleTabs(st app.Store, opts Options) *container.AppTabs {
	r, _, ok := parseScope(st.Scope())
	if !ok {
		return container.NewAppTabs(container.NewTabItem("Ошибка",
			widget.NewLabel("Неизвестная область узла «"+st.Scope()+"»: проверьте базу данных.")))
	}
	var titles []string
	screens := map[string]fyne.CanvasObject{}
	switch r {
	case roleRegion:
		titles = regionTabs
		for t, c := range newRegionScreens(st, opts) {
			screens[t] = c
		}
	case roleMunicipality:
		titles = municipalityTabs
		_, code, _ := parseScope(st.Scope())
		for t, c := range newMunicipalityScreens(st, code, opts) {
			screens[t] = c
		}
	case roleProvider:
		titles = providerTabs
		_, id, _ := parseScope(st.Scope())
		for t, c := range newProviderScreens(st, id, opts.Now) {
			screens[t] = c
		}
	}
	tabs := container.NewAppTabs()
	for _, t := range titles {
		c, ok := screens[t]
		if !ok {
			c = newPlaceholder()
		}
		tabs.Append(container.NewTabItem(t, c))
	}
	tabs.SetTabLocation(container.TabLocationTop)
	return tabs
}

// newPlaceholder stands in for a screen that a later version brings.
func newPlaceholder() fyne.CanvasObject {
	return container.NewCenter(widget.NewLabel("Раздел появится в следующей версии"))
}
