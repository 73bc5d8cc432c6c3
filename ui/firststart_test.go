//go:build !nogui

package ui

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

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
			if !strings.HasPrefix(s.stage.Text, "Демонстрационный регион: Исполнители") || s.progress.Value != 0.05 ||
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
	if s.join.server.text() != "https://rmc.stavregion.ru:8443/" {
		t.Errorf("server not prefilled: %q", s.join.server.text())
	}

	rgType(s.join.server, "rmc.stavregion.ru")
	rgType(s.join.code, "12345")
	pressEnterIn(s.join.code)
	if len(calls) != 0 {
		t.Fatal("joined with bad fields")
	}
	if !strings.HasPrefix(s.join.server.msg.Text, "Адрес сервера начинается с https://") {
		t.Errorf("server message = %q", s.join.server.msg.Text)
	}
	if !strings.Contains(s.join.code.msg.Text, "знаков из 36") || strings.Contains(s.join.code.msg.Text, "KRZ1") {
		t.Errorf("code message = %q", s.join.code.msg.Text)
	}
	// A field's message is shown once, under the field: not again below.
	if s.status.Text != "" || s.join.message.Text != "" {
		t.Errorf("the field's message repeated: %q %q", s.status.Text, s.join.message.Text)
	}

	token := "KRZ1-" + strings.Repeat("ab", 32) + "-" + strings.Repeat("cd", 16)
	rgType(s.join.server, "https://rmc.stavregion.ru:8443/")
	rgType(s.join.code, token)
	joinErr = &app.Error{Code: app.INVITE_USED, Message: "Этот код приглашения уже использован"}
	rgTap(t, s.content, "Подключиться")
	if len(calls) != 1 || calls[0] != "https://rmc.stavregion.ru:8443 "+token {
		t.Fatalf("calls = %q", calls)
	}
	if opened || !strings.HasPrefix(s.join.message.Text, "Этот код уже использован") || s.join.button.Disabled() {
		t.Errorf("after a refusal: opened %v, message %q, join disabled %v", opened, s.join.message.Text, s.join.button.Disabled())
	}
	if s.join.code.text() != token || strings.Contains(s.join.message.Text+s.status.Text, "Данные сохранены") {
		t.Errorf("after a refusal the form is %q, message %q", s.join.code.text(), s.join.message.Text)
	}
	joinErr = nil
	rgTap(t, s.content, "Подключиться")
	if !opened {
		t.Errorf("not opened after joining: %q", s.join.message.Text)
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

// The demo's stages each count from zero; the bar goes once from 0 to 1
// over all of them and never back.
func TestFirstStartDemoProgressIsContinuous(t *testing.T) {
	p := newDemoProgress(time.Date(2026, time.December, 8, 12, 0, 0, 0, time.UTC))
	if p.months != 4 {
		t.Fatalf("months = %d, want August and three more", p.months)
	}
	steps := []struct {
		stage       string
		done, total int
	}{
		{"Справочники и параметры муниципалитетов", 0, 2}, {"Справочники и параметры муниципалитетов", 2, 2},
		{"Исполнители", 0, 40}, {"Исполнители", 40, 40},
		{"Программы, реестры и группы", 0, 5}, {"Программы, реестры и группы", 5, 5},
		{"Август: дети, сертификаты, договоры", 1, 17}, {"Август: дети, сертификаты, договоры", 17, 17},
		{"Сентябрь: журнал, договоры, счета", 1, 30}, {"Сентябрь: журнал, договоры, счета", 30, 30},
		{"Октябрь: журнал, договоры, счета", 1, 31}, {"Октябрь: журнал, договоры, счета", 31, 31},
		{"Ноябрь: журнал, договоры, счета", 1, 30}, {"Ноябрь: журнал, договоры, счета", 30, 30},
		{"Декабрь: журнал, договоры, счета", 1, 8}, {"Декабрь: журнал, договоры, счета", 8, 8},
		{"Итоги", 0, 1}, {"Итоги", 1, 1},
	}
	prev := -1.0
	for _, st := range steps {
		v := p.at(st.stage, st.done, st.total)
		if v < prev || v > 1 {
			t.Fatalf("%s %d/%d: %v after %v", st.stage, st.done, st.total, v, prev)
		}
		if st.done == 0 && prev > 0 && v < prev {
			t.Fatalf("stage %q restarted the bar", st.stage)
		}
		prev = v
	}
	if prev != 1 {
		t.Fatalf("the bar ends at %v", prev)
	}
	if v := p.at("Ноябрь: журнал, договоры, счета", 0, 30); v != 1 {
		t.Fatalf("went back to %v", v)
	}
}

// At 1024×600 the cards wrap: each lies inside the window, none is cut.
func TestFirstStartFitsSmallScreen(t *testing.T) {
	test.NewTempApp(t)
	test.ApplyTheme(t, theme.DefaultTheme())
	st := newTestStore(t, "region")
	s := newFirstStart(st, Options{FirstStart: &FirstStart{
		Demo: func(func(string, int, int)) error { return nil },
		Join: func(context.Context, string, string) error { return nil },
	}}, nil)
	win := test.NewWindow(s.content)
	defer win.Close()
	win.Resize(fyne.NewSize(1024, 600))
	if got := win.Canvas().Size(); got.Width > 1024 {
		t.Fatalf("the window widened itself to %v", got)
	}
	var cards []*widget.Card
	rgWalk(s.content, func(o fyne.CanvasObject) bool {
		if c, ok := o.(*widget.Card); ok {
			cards = append(cards, c)
		}
		return false
	})
	if len(cards) != 3 {
		t.Fatalf("%d cards", len(cards))
	}
	for _, c := range cards {
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(c)
		if pos.X < 0 || pos.X+c.Size().Width > 1024 || c.Size().Width < c.MinSize().Width {
			t.Errorf("card %q at x %v, width %v (min %v): cut at 1024", c.Title, pos.X, c.Size().Width, c.MinSize().Width)
		}
	}
	if dir := os.Getenv("KRUZHOK_SHOTS"); dir != "" {
		screenshot(t, win, dir, "firststart-1024")
	}
}
