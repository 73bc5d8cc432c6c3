//go:build !nogui

package ui

import (
	"context"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"kruzhok/app"
	"kruzhok/demo"
)

func TestFirstStartNewRegionOpensTheRegionWindow(t *testing.T) {
	a := test.NewTempApp(t)
	st := newTestStore(t, "region")
	win := newWindow(a, st, Options{DataPath: "/tmp/new.db", FirstStart: &FirstStart{}})
	defer win.Close()
	if findTabs(win.Content()) != nil {
		t.Fatal("a brand-new database opened on the main window")
	}
	rgTap(t, win.Content(), "Создать новый регион")
	if got := tabTitles(t, win); !slices.Equal(got, regionTabs) {
		t.Fatalf("after the first start: tabs %q", got)
	}
	var muns []app.Municipality
	var reg app.Region
	err := st.View(func(r app.Reader) error {
		var err error
		if muns, err = app.List[app.Municipality](r, "", "", 0); err != nil {
			return err
		}
		reg, err = app.Get[app.Region](r, "region")
		return err
	})
	if err != nil || len(muns) != 33 || reg.Current == "" || reg.Next == "" {
		t.Errorf("seeded: %d municipalities, region %+v, %v", len(muns), reg, err)
	}
	if !rgShows(win.Content(), "Муниципалитетов: 33") {
		t.Error("the region window does not list the municipalities")
	}
}

func TestFirstStartDemoShowsProgressThenOpens(t *testing.T) {
	test.NewTempApp(t)
	st := newTestStore(t, "region")
	opened := false
	var s *firstStart
	s = newFirstStart(st, Options{FirstStart: &FirstStart{
		Demo: func(progress func(string, int, int)) error {
			if !s.demo.Disabled() || !s.region.Disabled() {
				t.Error("the choices stay enabled while the demo is built")
			}
			progress("Исполнители", 1, 4)
			if !strings.HasPrefix(s.stage.Text, "Демонстрационный регион: Исполнители") || s.progress.Value != 0.25 ||
				!s.progress.Visible() {
				t.Errorf("progress: %q %v", s.stage.Text, s.progress.Value)
			}
			_, err := demo.Build(st, demo.Options{Children: 60, Providers: 3, Programmes: 6, Progress: progress})
			return err
		},
	}}, func() { opened = true })
	s.async = func(f func()) { f() }
	rgShow(t, s.content)
	rgTap(t, s.content, "Построить демонстрационный регион")
	if !opened {
		t.Fatalf("the window did not open: %q", s.status.Text)
	}
	var provs []app.Provider
	_ = st.View(func(r app.Reader) error {
		var err error
		provs, err = app.List[app.Provider](r, "", "", 0)
		return err
	})
	if len(provs) != 3 {
		t.Errorf("demo providers: %d", len(provs))
	}
}

func TestFirstStartJoin(t *testing.T) {
	test.NewTempApp(t)
	st := newTestStore(t, "region")
	var calls []string
	var joinErr error
	opened := false
	s := newFirstStart(st, Options{FirstStart: &FirstStart{
		Join: func(_ context.Context, server, token string) error {
			calls = append(calls, server+" "+token)
			return joinErr
		},
		Server: "https://rmc.stavregion.ru:8443/",
	}}, func() { opened = true })
	s.async = func(f func()) { f() }
	rgShow(t, s.content)
	if s.server.text() != "https://rmc.stavregion.ru:8443/" {
		t.Errorf("server not prefilled: %q", s.server.text())
	}

	rgType(s.server, "rmc.stavregion.ru")
	rgType(s.token, "12345")
	pressEnterIn(s.token)
	if len(calls) != 0 {
		t.Fatal("joined with bad fields")
	}
	if !strings.HasPrefix(s.server.msg.Text, "Адрес сервера начинается с https://") {
		t.Errorf("server message = %q", s.server.msg.Text)
	}
	if !strings.HasPrefix(s.token.msg.Text, "Код приглашения должен начинаться с KRZ1-") {
		t.Errorf("token message = %q", s.token.msg.Text)
	}

	token := "KRZ1-" + strings.Repeat("ab", 32) + "-" + strings.Repeat("cd", 16)
	rgType(s.server, "https://rmc.stavregion.ru:8443/")
	rgType(s.token, token)
	joinErr = &app.Error{Code: app.ECONFLICT, Message: "Приглашение уже использовано или отозвано"}
	rgTap(t, s.content, "Подключиться")
	if len(calls) != 1 || calls[0] != "https://rmc.stavregion.ru:8443 "+token {
		t.Fatalf("calls = %q", calls)
	}
	if opened || s.status.Text != "Приглашение уже использовано или отозвано" || s.join.Disabled() {
		t.Errorf("after a refusal: opened %v, status %q, join disabled %v", opened, s.status.Text, s.join.Disabled())
	}
	joinErr = nil
	rgTap(t, s.content, "Подключиться")
	if !opened {
		t.Errorf("not opened after joining: %q", s.status.Text)
	}
}

// The first start as a person sees it, in the real theme.
func TestFirstStartImage(t *testing.T) {
	test.NewTempApp(t)
	test.ApplyTheme(t, theme.DefaultTheme())
	st := newTestStore(t, "region")
	s := newFirstStart(st, Options{FirstStart: &FirstStart{
		Demo: func(func(string, int, int)) error { return nil },
		Join: func(context.Context, string, string) error { return nil },
	}}, nil)
	win := test.NewWindow(s.content)
	win.Resize(fyne.NewSize(1200, 760))
	defer win.Close()
	test.AssertImageMatches(t, "firststart.png", win.Canvas().Capture())
}
