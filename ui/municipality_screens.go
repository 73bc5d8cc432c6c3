//go:build !nogui

package ui

import (
	"fyne.io/fyne/v2"

	"kruzhok/app"
)

// munInvitesTab is the municipality's tab of invites for its providers
// (connecting a provider's computer); short, so the tabs fit 1024 pixels.
const munInvitesTab = "Приглашения"

// newMunicipalityScreens builds the screens of a municipality's node (МОЦ),
// by tab title. Each reads the store when its tab comes into view; the first
// tab, in view from the start, reads it now.
func newMunicipalityScreens(st app.Store, mun string, opts Options) map[string]fyne.CanvasObject {
	params := newParamsScreen(st, mun, opts.now)
	certs := newCertificatesScreen(st, mun, opts.now)
	confirm := newConfirmScreen(st, mun, opts.now)
	queue := newQueueScreen(st, mun, opts.now)
	reg := newRegistryScreen(st, mun, opts.now)
	inv := newMunInvoicesScreen(st, mun, opts.now)
	mon := newMonitoringScreen(st, mun, opts.now)
	invites := newMunInvitesScreen(st, mun, opts)
	params.refresh()
	return map[string]fyne.CanvasObject{
		"Параметры":            newRefreshOnShow(params.content, params.refresh),
		"Сертификаты":          newRefreshOnShow(certs.content, certs.refresh),
		"Подтверждение":        newRefreshOnShow(confirm.content, confirm.refresh),
		"Очередь":              newRefreshOnShow(queue.content, queue.refresh),
		"Муниципальный реестр": newRefreshOnShow(reg.content, reg.refresh),
		"Счета":                newRefreshOnShow(inv.content, inv.refresh),
		"Мониторинг":           newRefreshOnShow(mon.content, mon.refresh),
		munInvitesTab:          newRefreshOnShow(invites.content, invites.refresh),
	}
}
