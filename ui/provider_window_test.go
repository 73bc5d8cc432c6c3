//go:build !nogui

package ui

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
)

// hasLabel reports whether a label with the text is drawn inside o.
func hasLabel(o fyne.CanvasObject, text string) bool {
	found := false
	walk(o, func(o fyne.CanvasObject) bool {
		if l, ok := o.(*widget.Label); ok && l.Text == text {
			found = true
		}
		return !found
	})
	return found
}

// catalogue is a provider with programmes in every state the list shows.
func catalogue(w *provWorld) {
	w.programme("Робототехника", 12_000_00, 10_000_00)
	draft := w.id("prog")
	w.must(&app.SaveProgramme{ID: draft, Provider: w.prov, Title: "Английский через игру", Direction: "social",
		AgeMin: 6, AgeMax: 9, Form: "очная"})
	denied, mod := w.id("prog"), w.id("mod")
	w.must(&app.SaveProgramme{ID: denied, Provider: w.prov, Title: "Шахматы", Direction: "sport",
		AgeMin: 7, AgeMax: 14, Form: "очно-заочная"})
	w.must(&app.SaveModule{ID: mod, Programme: denied, Name: "Дебюты", Hours: 36, Months: 4,
		MinChildren: 4, MaxChildren: 12, Price: 6_000_00, NormPrice: 6_000_00})
	w.must(&app.SubmitProgramme{Programme: denied})
	w.must(&app.DenyProgramme{Programme: denied, Reason: "нет календарного учебного графика"})
	sent, mod2 := w.id("prog"), w.id("mod")
	w.must(&app.SaveProgramme{ID: sent, Provider: w.prov, Title: "Лего-конструирование", Direction: "tech",
		AgeMin: 5, AgeMax: 8, Form: "очная"})
	w.must(&app.SaveModule{ID: mod2, Programme: sent, Name: "Первые шаги", Hours: 64, Months: 8,
		MinChildren: 5, MaxChildren: 15, Price: 8_000_00, NormPrice: 8_000_00})
	w.must(&app.SubmitProgramme{Programme: sent})
}

func TestProviderWindowHasEveryScreen(t *testing.T) {
	a := test.NewTempApp(t)
	w := newProvWorld(t, "2026-11-10")
	catalogue(w)
	win := newMainWindow(a, w.db, "")
	defer win.Close()
	tabs := findTabs(win.Content())
	if got := tabTitles(t, win); !slices.Equal(got, providerTabs) {
		t.Fatalf("tabs = %q", got)
	}
	for _, it := range tabs.Items {
		if _, ok := it.Content.(*refreshOnShow); !ok {
			t.Errorf("tab «%s» is a placeholder", it.Text)
		}
	}
	if !hasLabel(tabs.Items[0].Content, "отказано: нет календарного учебного графика") {
		t.Error("the programmes list does not show the denial's reason")
	}

	// A screen reads the store again when its tab comes into view.
	w.must(&app.SaveProgramme{ID: w.id("prog"), Provider: w.prov, Title: "Юный натуралист", Direction: "science",
		AgeMin: 7, AgeMax: 11, Form: "очная"})
	if hasLabel(tabs.Items[0].Content, "Юный натуралист") {
		t.Fatal("the list changed without a refresh: the test proves nothing")
	}
	tabs.SelectIndex(1)
	tabs.SelectIndex(0)
	if !hasLabel(tabs.Items[0].Content, "Юный натуралист") {
		t.Error("the programmes tab did not reload when shown again")
	}
}

// The provider's main screen as a person sees it, in the real theme. A
// changed rendering writes testdata/failed/provider_window.png: look at it,
// and move it into testdata/ if the change is meant.
func TestProviderWindowImage(t *testing.T) {
	a := test.NewTempApp(t)
	test.ApplyTheme(t, theme.DefaultTheme())
	w := newProvWorld(t, "2026-11-10")
	catalogue(w)
	win := newMainWindow(a, w.db, "/home/robo/.config/kruzhok/kruzhok.db")
	defer win.Close()
	win.Resize(fyne.NewSize(1200, 760))
	test.AssertImageMatches(t, "provider_window.png", win.Canvas().Capture())
}
