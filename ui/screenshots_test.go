//go:build !nogui

package ui

import (
	"context"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
)

// screenshot writes the window, at the smallest screen the app supports
// (1024×600), as dir/name.png.
func screenshot(t *testing.T, win fyne.Window, dir, name string) {
	t.Helper()
	f, err := os.Create(filepath.Join(dir, name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	relayout(win.Content())
	if err := png.Encode(f, win.Canvas().Capture()); err != nil {
		t.Fatal(err)
	}
}

// relayout lays out o and everything inside it again, top down, as the
// desktop driver does when a text changes the size something needs (the test
// driver lays out only on a resize).
func relayout(o fyne.CanvasObject) {
	if o == nil || !o.Visible() {
		return
	}
	var kids []fyne.CanvasObject
	switch v := o.(type) {
	case *fyne.Container:
		if v.Layout != nil {
			v.Layout.Layout(v.Objects, v.Size())
		}
		kids = v.Objects
	case fyne.Widget:
		r := test.WidgetRenderer(v)
		r.Layout(v.Size())
		kids = r.Objects()
	}
	for _, k := range kids {
		relayout(k)
	}
}

// openTab shows the window's tab of that title, as a click on it does.
func openTab(t *testing.T, win fyne.Window, title string) {
	t.Helper()
	tabs := findTabs(win.Content())
	for _, it := range tabs.Items {
		if it.Text == title {
			tabs.Select(it)
			return
		}
	}
	t.Fatalf("no tab «%s»", title)
}

// TestScreenshotsOfTrust draws the screens of certificate confirmation, the
// code, find-by-code and the region's alerts in the real theme at 1024×600
// into $KRUZHOK_SCREENSHOTS (docs/screenshots for the README); without it
// the test is skipped.
func TestScreenshotsOfTrust(t *testing.T) {
	dir := os.Getenv("KRUZHOK_SCREENSHOTS")
	if dir == "" {
		t.Skip("KRUZHOK_SCREENSHOTS is not set")
	}
	size := fyne.NewSize(1024, 600)

	t.Run("Municipality", func(t *testing.T) {
		win := munShot(t, size, "Подтверждение", "Орлова", "Беляев")
		screenshot(t, win, dir, "municipality-confirm")
	})

	t.Run("Registry", func(t *testing.T) {
		win := munShot(t, size, "Сертификаты", "Орлова")
		screenshot(t, win, dir, "municipality-certificates")
	})

	t.Run("Code", func(t *testing.T) {
		win := munShot(t, size, "Подтверждение", "Орлова")
		tapButton(t, win, "Выдать новый код…")
		tapButton(t, win, "Выдать новый код")
		screenshot(t, win, dir, "certificate-code")
	})

	t.Run("Provider", func(t *testing.T) {
		a := test.NewTempApp(t)
		test.ApplyTheme(t, newTheme())
		w := newProvWorld(t, "2026-11-10")
		child, _ := w.financed("Петров", "Иван")
		if err := w.db.SetScope(app.ProviderScope(w.prov), false); err != nil {
			t.Fatal(err)
		}
		w.must(&app.ApplyChild{Number: "26-27-000104", Code: "ABCD2345", Provider: w.prov})
		win := newWindow(a, w.db, Options{Now: w.clock})
		defer win.Close()
		win.Resize(size)
		openTab(t, win, "Дети")
		tab := selectedTab(win)
		var query *widget.Entry
		walk(tab, func(o fyne.CanvasObject) bool {
			if e, ok := o.(*widget.Entry); ok && strings.HasPrefix(e.PlaceHolder, "Фамилия, имя") {
				query = e
				return false
			}
			return true
		})
		if query == nil {
			t.Fatal("no search field")
		}
		test.Type(query, "Петров")
		find[*widget.List](t, tab).Select(0)
		_ = child
		screenshot(t, win, dir, "provider-find-by-certificate")
	})

	t.Run("Region", func(t *testing.T) {
		a := test.NewTempApp(t)
		test.ApplyTheme(t, newTheme())
		w := newRgWorld(t, "2026-11-27")
		w.fill()
		var cmds []app.Command
		for range app.CodeTries {
			cmds = append(cmds, &app.ApplyChild{Number: "26-27-000002", Code: "ZZZZ2222", Provider: w.provActive})
		}
		w.pushAs("0197b2c4-0000-7000-8000-0000000b0001", app.ProviderScope(w.provActive), cmds...)
		w.now = w.now.Add(90 * 60e9)
		w.pushAs("0197b2c4-0000-7000-8000-0000000b0002", app.MunicipalityScope("33"),
			&app.ConfirmCertificate{Certificate: w.certs[1]})
		win := newWindow(a, w.db, w.opts())
		defer win.Close()
		win.Resize(size)
		openTab(t, win, "Уведомления")
		screenshot(t, win, dir, "region-alerts")
	})
}

// selectedTab is the content of the window's tab in view.
func selectedTab(win fyne.Window) fyne.CanvasObject {
	return findTabs(win.Content()).Selected().Content
}

// find is the first object of type T drawn inside o.
func find[T fyne.CanvasObject](t *testing.T, o fyne.CanvasObject) T {
	t.Helper()
	var found T
	ok := false
	walk(o, func(o fyne.CanvasObject) bool {
		found, ok = o.(T)
		return !ok
	})
	if !ok {
		t.Fatalf("no %T inside", found)
	}
	return found
}

// munShot is a municipality's window at size, in the real theme, with
// certificates a provider registered for the surnames, the tab open and its
// first row chosen; the window closes with the test.
func munShot(t *testing.T, size fyne.Size, tab string, surnames ...string) fyne.Window {
	t.Helper()
	a := test.NewTempApp(t)
	test.ApplyTheme(t, newTheme())
	w := munWorld(t)
	first := map[string]string{"Орлова": "Вера", "Беляев": "Тимур"}
	for i, sn := range surnames {
		w.providerRegistered(sn, first[sn], "ABCD234"+string(rune('5'+i)))
	}
	win := newWindow(a, w.db, w.opts())
	t.Cleanup(win.Close)
	win.Resize(size)
	openTab(t, win, tab)
	find[*widget.Table](t, selectedTab(win)).Select(widgetCell(0, 1))
	return win
}

// TestScreenshotsSmall draws, at 1024×600 in the app's theme, a main screen
// of each role with long real-looking names into $KRUZHOK_SCREENSHOTS as
// small-<role>-<screen>.png (docs/screenshots); without it the test is
// skipped. TestLayout* checks the same screens for what does not fit.
func TestScreenshotsSmall(t *testing.T) {
	dir := os.Getenv("KRUZHOK_SCREENSHOTS")
	if dir == "" {
		t.Skip("KRUZHOK_SCREENSHOTS is not set")
	}
	t.Run("Region", func(t *testing.T) {
		a := test.NewTempApp(t)
		test.ApplyTheme(t, newTheme())
		w := layoutRegion(t)
		opts := w.opts()
		opts.DataPath = "C:\\Users\\РМЦ\\AppData\\Roaming\\kruzhok\\kruzhok.db"
		win := smallWindow(t, a, w.db, opts)
		screenshot(t, win, dir, "small-region-municipalities")
		openTab(t, win, "Экспертиза программ")
		find[*widget.List](t, selectedTab(win)).Select(0)
		screenshot(t, win, dir, "small-region-expertise")
		openTab(t, win, "Мониторинг")
		screenshot(t, win, dir, "small-region-monitoring")
		// The charts are drawn in the background: wait for them, then scroll
		// to the first.
		var chart *canvas.Image
		for range 200 {
			rgWalk(selectedTab(win), func(o fyne.CanvasObject) bool {
				chart, _ = o.(*canvas.Image)
				return chart != nil
			})
			if chart != nil {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if chart == nil {
			t.Fatal("no chart drawn")
		}
		scroll := find[*container.Scroll](t, selectedTab(win))
		relayout(win.Content())
		d := fyne.CurrentApp().Driver()
		y := d.AbsolutePositionForObject(chart).Y - d.AbsolutePositionForObject(scroll.Content).Y
		scroll.ScrollToOffset(fyne.NewPos(0, y))
		screenshot(t, win, dir, "small-region-monitoring-chart")
	})
	t.Run("Municipality", func(t *testing.T) {
		a := test.NewTempApp(t)
		test.ApplyTheme(t, newTheme())
		w := layoutRegion(t)
		if err := w.db.SetScope(app.MunicipalityScope("27"), true); err != nil {
			t.Fatal(err)
		}
		opts := w.opts()
		opts.DataPath = "C:\\Users\\Методист\\AppData\\Roaming\\kruzhok\\kruzhok.db"
		win := smallWindow(t, a, w.db, opts)
		openTab(t, win, "Счета")
		find[*widget.Table](t, selectedTab(win)).Select(widgetCell(0, 0))
		// Not «Параметры»: the test driver's painter does not clip an entry's
		// text to the scroll around the form (the desktop driver does), so a
		// field below the fold leaks its text under the button bar.
		screenshot(t, win, dir, "small-municipality-invoices")
	})
	t.Run("Provider", func(t *testing.T) {
		a := test.NewTempApp(t)
		test.ApplyTheme(t, newTheme())
		w := layoutProvider(t)
		opts := Options{Now: w.clock, DataPath: "C:\\Users\\Секретарь\\AppData\\Roaming\\kruzhok\\kruzhok.db"}
		win := smallWindow(t, a, w.db, opts)
		openTab(t, win, "Журнал")
		groups := find[*widget.Select](t, selectedTab(win))
		for _, o := range groups.Options {
			if strings.Contains(o, "Роботы-1") {
				groups.SetSelected(o)
			}
		}
		screenshot(t, win, dir, "small-provider-journal")
		openTab(t, win, "Счета")
		find[*widget.Table](t, selectedTab(win)).Select(widgetCell(0, 0))
		screenshot(t, win, dir, "small-provider-invoices")
		openTab(t, win, "Зачисление")
		findChild(t, selectedTab(win), "Иванова")
		pickEverything(selectedTab(win))
		screenshot(t, win, dir, "small-enrol-quote")
		openTab(t, win, "Программы")
		// The keyboard focus on «Новая программа», as Tab puts it there.
		win.Canvas().Focus(findButton(selectedTab(win), "Новая программа"))
		relayout(win.Content())
		rings[win].update()
		screenshot(t, win, dir, "small-provider-programmes")
		// Windows' usual light mode.
		test.ApplyTheme(t, lightVariant{newTheme()})
		rings[win].update()
		screenshot(t, win, dir, "small-provider-programmes-light")
	})
	t.Run("FirstStart", func(t *testing.T) {
		a := test.NewTempApp(t)
		test.ApplyTheme(t, newTheme())
		st := newTestStore(t, "region")
		win := smallWindow(t, a, st, Options{DataPath: "C:\\Users\\Секретарь\\AppData\\Roaming\\kruzhok\\kruzhok.db",
			FirstStart: &FirstStart{Demo: func(func(string, int, int)) error { return nil },
				Join: func(context.Context, string, string) error { return nil }}})
		screenshot(t, win, dir, "small-first-start")
	})
}

// lightVariant is a theme in its light variant whatever the settings say
// (the test app's settings are dark): Windows' usual look.
type lightVariant struct{ fyne.Theme }

func (l lightVariant) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return l.Theme.Color(n, theme.VariantLight)
}
