//go:build !nogui

package ui

import (
	"errors"
	"os"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"kruzhok/app"
	"kruzhok/assets"
)

// AppID is the application ID: Fyne keeps preferences and storage under it,
// and FyneApp.toml carries the same value for `fyne package`.
const AppID = "ru.stavregion.kruzhok"

// version and build mirror FyneApp.toml; a test keeps them in step.
const (
	version = "0.1.0"
	build   = 1
)

// ErrNoDisplay is returned by Run when there is no graphical display to open
// a window on.
var ErrNoDisplay = errors.New("нет графического дисплея: запустите в сеансе рабочего стола, под xvfb-run, или используйте `kruzhok serve` " +
	"(no display: DISPLAY and WAYLAND_DISPLAY are unset)")

// Run opens the desktop window on st and blocks until the user closes it.
// dataPath is the database file, shown to the user so they know which data
// they are looking at. Without DISPLAY or WAYLAND_DISPLAY it returns
// ErrNoDisplay instead of starting GLFW, which would panic.
func Run(st app.Store, dataPath string) error {
	if !haveDisplay(os.Getenv) {
		return ErrNoDisplay
	}
	// A plain `go build` binary reads FyneApp.toml only when it sits beside
	// it, so the metadata, and with it the fyneDo migration (widgets are
	// touched from other goroutines only through fyne.Do), is set here.
	fyneapp.SetMetadata(fyne.AppMetadata{
		ID:         AppID,
		Name:       "Kruzhok",
		Version:    version,
		Build:      build,
		Icon:       icon,
		Migrations: map[string]bool{"fyneDo": true},
	})
	a := fyneapp.NewWithID(AppID)
	a.SetIcon(icon)
	newMainWindow(a, st, dataPath).ShowAndRun()
	return nil
}

// haveDisplay reports whether a desktop session is reachable: GLFW panics
// without one instead of returning an error.
func haveDisplay(getenv func(string) string) bool {
	return getenv("DISPLAY") != "" || getenv("WAYLAND_DISPLAY") != ""
}

var icon = fyne.NewStaticResource("kruzhok.png", assets.Icon)
