//go:build !nogui

package ui

import (
	"errors"
	"os"
	"runtime"
	"sync"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"

	"kruzhok/app"
	"kruzhok/assets"
	"kruzhok/internal/rulocale"
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

// Run opens the desktop window on st and blocks until the user closes it:
// the choice of a first start when opts.FirstStart is set, then (or at once)
// the main window of the node's role. Without DISPLAY or WAYLAND_DISPLAY it
// returns ErrNoDisplay instead of starting GLFW, which would panic.
func Run(st app.Store, opts Options) error {
	if !haveDisplay(os.Getenv) {
		return ErrNoDisplay
	}
	a := newApp()
	w := newWindow(a, st, opts)
	fitToScreen(a, w)
	followFocus(w)
	w.ShowAndRun()
	return nil
}

// RunUnlock opens the desktop window on the unlock screen of u.DataPath
// (a new password for a new or plaintext database, the password of a sealed
// one), then on the store u.Open returns, and blocks until the user closes
// the window. Without a display it returns ErrNoDisplay.
func RunUnlock(u Unlock) error {
	if !haveDisplay(os.Getenv) {
		return ErrNoDisplay
	}
	a := newApp()
	w := newUnlockWindow(a, u)
	fitToScreen(a, w)
	followFocus(w)
	w.ShowAndRun()
	return nil
}

// newApp is the Fyne application with Kruzhok's metadata.
func newApp() fyne.App {
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
	RussianFyne()
	a := fyneapp.NewWithID(AppID)
	a.SetIcon(icon)
	a.Settings().SetTheme(newTheme())
	return a
}

var russianOnce sync.Once

// RussianFyne makes Fyne's own words (the file dialog, the date picker,
// «Отмена») Russian whatever the system's language: Fyne picks the closest
// of its translations to the user's locale, so its Russian strings are
// loaded under every language it ships. On Linux the locale itself is
// already Russian (package rulocale); on an English Windows this is what
// makes the dialogs Russian.
func RussianFyne() {
	russianOnce.Do(func() {
		for _, l := range rulocale.FyneLanguages {
			if err := lang.AddTranslationsForLocale([]byte(rulocale.FyneRussian), fyne.Locale(l)); err != nil {
				fyne.LogError("Russian translation for "+l, err)
			}
		}
	})
}

// haveDisplay reports whether a desktop session is reachable: GLFW panics
// without one instead of returning an error.
func haveDisplay(getenv func(string) string) bool {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		return true // their desktop is always there, and no variable names it
	}
	return getenv("DISPLAY") != "" || getenv("WAYLAND_DISPLAY") != ""
}

var icon = fyne.NewStaticResource("kruzhok.png", assets.Icon)

// newWindow builds the window of st: the first-start choice when
// opts.FirstStart is set, else the main screen at once. It is not shown.
func newWindow(a fyne.App, st app.Store, opts Options) fyne.Window {
	w := a.NewWindow(windowTitle)
	w.SetIcon(icon)
	w.Resize(preferredSize)
	showStore(w, st, opts)
	return w
}

// newUnlockWindow builds the window on the unlock screen of u; once the
// store is open it shows what newWindow shows. It is not shown.
func newUnlockWindow(a fyne.App, u Unlock) fyne.Window {
	w := a.NewWindow(windowTitle)
	w.SetIcon(icon)
	w.Resize(preferredSize)
	s := newUnlockScreen(u, func(st app.Store, opts Options) { showStore(w, st, opts) })
	w.SetContent(s.content)
	w.Canvas().Focus(s.pass)
	return w
}

// showStore puts the first-start choice of st into w when opts.FirstStart is
// set, else its main screen.
func showStore(w fyne.Window, st app.Store, opts Options) {
	if opts.FirstStart != nil {
		fs := newFirstStart(st, opts, func() { showMain(w, st, opts) })
		w.SetContent(fs.content)
		return
	}
	showMain(w, st, opts)
}

// showMain puts the main screen of st into w: the top bar and the tabs of the
// node's role, and starts the bar's polling of the sync state until the
// window closes.
func showMain(w fyne.Window, st app.Store, opts Options) *mainScreen {
	m := newMainScreen(w, st, opts, opts.syncer())
	w.SetContent(withFocusRing(w, m.content))
	m.bar.sync.startPolling(syncPollEvery)
	w.SetOnClosed(func() {
		m.bar.sync.stopPolling()
		delete(rings, w)
	})
	return m
}

// mainScreen is the top bar over the tabs of the node's role.
type mainScreen struct {
	bar     *topBar
	tabs    *container.AppTabs
	content fyne.CanvasObject
}

func newMainScreen(w fyne.Window, st app.Store, opts Options, sy Syncer) *mainScreen {
	m := &mainScreen{bar: newTopBar(st, opts, sy), tabs: newRoleTabs(st, opts)}
	m.content = container.NewBorder(m.bar.content, nil, nil, nil, m.tabs)
	m.bar.sync.onSynced = m.refreshInView
	if sy == nil && opts.Join != nil {
		m.bar.sync.setConnect(func() { showJoinDialog(w, opts.Join, func() { showMain(w, st, opts) }) })
	}
	if sy != nil {
		m.bar.sync.onRejected = func() { m.showRejected(w, st, sy, opts) }
	}
	return m
}

// refreshInView reloads the screen of the selected tab: new data came with
// a sync the user asked for.
func (m *mainScreen) refreshInView() {
	if it := m.tabs.Selected(); it != nil {
		if r, ok := it.Content.(*refreshOnShow); ok {
			r.refresh()
		}
	}
}

// showRejected opens the list of rejected ops over the window.
func (m *mainScreen) showRejected(w fyne.Window, st app.Store, sy Syncer, opts Options) {
	s := newRejectedScreen(st, sy, m.bar.sync.dismiss, opts.now)
	d := dialog.NewCustom("Отклонено сервером", "Закрыть", s.content, w)
	for _, it := range m.tabs.Items {
		s.tabs = append(s.tabs, it.Text)
	}
	s.gotoTab = func(title string) {
		for _, it := range m.tabs.Items {
			if it.Text == title {
				d.Hide()
				m.tabs.Select(it)
				return
			}
		}
	}
	s.onChanged = m.bar.sync.refresh
	d.SetOnClosed(m.bar.sync.refresh)
	d.Resize(fyne.NewSize(1000, 540)) // inside a 1024×600 screen
	d.Show()
}
