//go:build !nogui

package ui

import (
	"strings"

	"kruzhok/app"
)

// role is what a node's scope lets its user do; it decides the tabs.
type role int

const (
	roleRegion role = iota
	roleMunicipality
	roleProvider
)

// parseScope splits a store scope ("region", "municipality:27",
// "provider:<id>") into its role and id. An unknown scope is reported as
// false so the window can say so instead of guessing a role.
func parseScope(scope string) (role, string, bool) {
	kind, id, _ := strings.Cut(scope, ":")
	switch {
	case kind == "region" && id == "":
		return roleRegion, "", true
	case kind == "municipality" && id != "":
		return roleMunicipality, id, true
	case kind == "provider" && id != "":
		return roleProvider, id, true
	}
	return 0, "", false
}

// scopeLabel is the Russian name of the node's scope for the top bar. It
// reads the municipality's or provider's name from st when it is stored, and
// falls back to the bare code or id: a node that has not synced yet may not
// know its own name.
func scopeLabel(st app.Store) string {
	r, id, ok := parseScope(st.Scope())
	if !ok {
		return "Неизвестная область: " + st.Scope()
	}
	switch r {
	case roleMunicipality:
		label := "Муниципалитет " + id
		var m app.Municipality
		if st.View(func(rd app.Reader) error {
			var err error
			m, err = app.Get[app.Municipality](rd, id)
			return err
		}) == nil && m.Name != "" {
			label += " — " + m.Name
		}
		return label
	case roleProvider:
		var p app.Provider
		if st.View(func(rd app.Reader) error {
			var err error
			p, err = app.Get[app.Provider](rd, id)
			return err
		}) == nil && p.Name != "" {
			return "Исполнитель " + p.Name
		}
		return "Исполнитель " + id
	}
	return "Регион (РМЦ)"
}
