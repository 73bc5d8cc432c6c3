//go:build !nogui

package ui

import (
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"kruzhok/app"
)

func TestRegionWindowHasEveryScreen(t *testing.T) {
	a := test.NewTempApp(t)
	w := newRgWorld(t, "2026-11-27")
	w.fill()
	win := newWindow(a, w.db, w.opts())
	defer win.Close()
	tabs := findTabs(win.Content())
	if got := tabTitles(t, win); !slices.Equal(got, regionTabs) {
		t.Fatalf("tabs = %q", got)
	}
	for _, it := range tabs.Items {
		if _, ok := it.Content.(*refreshOnShow); !ok {
			t.Errorf("tab «%s» is a placeholder", it.Text)
		}
	}
	if !rgShows(tabs.Items[0].Content, "2 муниципалитетов") {
		t.Error("the municipalities tab does not show the financing target")
	}
	// Every other tab loads when it comes into view, and says nothing is wrong.
	for i, it := range tabs.Items[1:] {
		tabs.SelectIndex(i + 1)
		if rgShows(it.Content, "Не удалось") {
			t.Errorf("tab «%s» failed to load", it.Text)
		}
		if it.Text == "Экспертиза программ" && !rgShows(it.Content, "На экспертизе: 1") {
			t.Error("the expertise tab did not load its programmes when shown")
		}
	}
}

func TestMunicipalitiesAgainstTheTargets(t *testing.T) {
	test.NewTempApp(t)
	w := newRgWorld(t, "2026-11-27")
	w.fill()
	s := newMunicipalitiesScreen(w.db, w.clock)
	if rows, _ := s.size(); rows != 33 {
		t.Fatalf("%d municipalities", rows)
	}
	row := slices.IndexFunc(s.rows, func(m munFigures) bool { return m.Mun.Code == "27" })
	for col, want := range []string{"27", "г. Ставрополь", app.MunCity, "финансирование", "3 из 3", "12", "25,0\u00a0%", "1"} {
		if got := s.cell(row, col); got != want {
			t.Errorf("27, column %d = %q, want %q", col, got, want)
		}
	}
	if got := s.cell(slices.IndexFunc(s.rows, func(m munFigures) bool { return m.Mun.Code == "02" }), 3); got != "параметры не заданы" {
		t.Errorf("02 mode = %q", got)
	}
	ts := s.targetTexts()
	if ts[0].value != "3 из 33 муниципалитетов" || ts[0].met || ts[1].met || ts[2].met {
		t.Errorf("targets = %+v", ts)
	}
	// 3 financing certificates of 6 812 children: far below 25 %.
	if ts[2].value != "0,0\u00a0% детей 5–18 лет (3 из 6\u00a0812)" {
		t.Errorf("coverage = %q", ts[2].value)
	}
}

func TestExpertiseCertifiesASubmittedProgramme(t *testing.T) {
	test.NewTempApp(t)
	w := newRgWorld(t, "2026-11-27")
	w.fill()
	s := newExpertiseScreen(w.db, w.clock)
	rgShow(t, s.content)
	s.refresh()
	if len(s.rows) != 1 || s.rows[0].prog.ID != w.progSubmitted {
		t.Fatalf("submitted programmes: %d", len(s.rows))
	}
	s.list.Select(0)
	if !rgShows(s.content, "Осень: 32 ч, 4 мес., детей 4–12; цена 4\u00a0000,00\u00a0₽") {
		t.Errorf("modules = %q", s.modules.Text)
	}
	rgTap(t, s.content, "Сертифицировать")
	if p := rgGet[app.Programme](w, w.progSubmitted); p.Status != app.ProgCertified {
		t.Fatalf("status = %s (%s)", p.Status, s.status.Text)
	}
	if !strings.Contains(s.status.Text, "«Юный натуралист» сертифицирована") || len(s.rows) != 0 {
		t.Errorf("after certifying: %q, %d rows", s.status.Text, len(s.rows))
	}
	s.filter.SetSelected(expCertified)
	if len(s.rows) != 2 {
		t.Errorf("certified programmes: %d", len(s.rows))
	}
}

func TestExpertiseDenialNeedsAReason(t *testing.T) {
	test.NewTempApp(t)
	w := newRgWorld(t, "2026-11-27")
	w.fill()
	s := newExpertiseScreen(w.db, w.clock)
	rgShow(t, s.content)
	s.refresh()
	s.list.Select(0)
	rgTap(t, s.content, "Отказать")
	if p := rgGet[app.Programme](w, w.progSubmitted); p.Status != app.ProgSubmitted {
		t.Fatalf("denied without a reason: %s", p.Status)
	}
	if !s.reason.msg.Visible() {
		t.Error("no message at the reason field")
	}
	rgType(s.reason, "нет календарного учебного графика")
	pressEnterIn(s.reason)
	p := rgGet[app.Programme](w, w.progSubmitted)
	if p.Status != app.ProgDenied || p.DenyReason != "нет календарного учебного графика" {
		t.Errorf("after denial: %s %q", p.Status, p.DenyReason)
	}
}

func TestRegisterProviderAndTheExclusionRule(t *testing.T) {
	test.NewTempApp(t)
	w := newRgWorld(t, "2026-11-27")
	w.fill()
	s := newProvidersScreen(w.db, w.clock)
	rgShow(t, s.content)
	s.refresh()
	rgType(s.name, "МБУ ДО «Детская школа искусств № 1»")
	s.kind.sel.SetSelected(app.ProviderOrg)
	s.mun.sel.SetSelectedIndex(26) // 27 — г. Ставрополь
	rgType(s.inn, "2634011111")
	rgType(s.licence, "26Л01-0002")
	ops := w.outbox()
	pressEnterIn(s.licence)
	if w.outbox() != ops {
		t.Fatal("an excluded provider was registered")
	}
	if !s.name.msg.Visible() || !strings.Contains(s.name.msg.Text, "не участвуют в системе персонифицированного финансирования") {
		t.Errorf("name message = %q", s.name.msg.Text)
	}

	rgType(s.name, "ООО «Школа программирования»")
	rgType(s.inn, "12345")
	rgTap(t, s.content, "Зарегистрировать исполнителя")
	if s.inn.msg.Text != "ИНН — 10 цифр у организации или 12 у индивидуального предпринимателя" {
		t.Errorf("INN message = %q", s.inn.msg.Text)
	}
	rgType(s.inn, "2634011111")
	rgTap(t, s.content, "Зарегистрировать исполнителя")
	if w.outbox() != ops+1 || !strings.Contains(s.status.Text, "зарегистрирован") {
		t.Fatalf("not registered: %q", s.status.Text)
	}
	row := slices.IndexFunc(s.rows, func(p app.Provider) bool { return p.Name == "ООО «Школа программирования»" })
	if row < 0 || s.cell(row, 5) != "новый, не допущен" || s.cell(row, 2) != "г. Ставрополь" {
		t.Fatalf("row %d: %q %q", row, s.cell(row, 5), s.cell(row, 2))
	}
	s.table.Select(widgetCell(row, 0))
	rgTap(t, s.content, "Допустить к работе")
	if p := rgGet[app.Provider](w, s.rows[slices.IndexFunc(s.rows, func(p app.Provider) bool {
		return p.Name == "ООО «Школа программирования»"
	})].ID); p.Status != app.ProviderActive {
		t.Errorf("status = %s", p.Status)
	}
}

func TestPeriodsAndPriceCap(t *testing.T) {
	test.NewTempApp(t)
	w := newRgWorld(t, "2026-11-27")
	s := newPeriodsScreen(w.db, w.clock)
	rgShow(t, s.content)
	s.refresh()
	if rows, _ := s.size(); rows != 2 || s.cell(0, 3) != "текущий" || s.cell(1, 3) != "следующий" {
		t.Fatalf("periods: %d, %q %q", rows, s.cell(0, 3), s.cell(1, 3))
	}
	rgType(s.start, "01.09.2028")
	rgType(s.end, "31.08.2029")
	if s.id.Text != "2028-2029" {
		t.Errorf("id = %q", s.id.Text)
	}
	pressEnterIn(s.end)
	if r := rgGet[app.Region](w, "region"); len(r.Periods) != 3 {
		t.Errorf("periods after save: %d (%s)", len(r.Periods), s.status.Text)
	}
	rgType(s.cap, "0")
	rgTap(t, s.content, "Сохранить коэффициент")
	if s.cap.msg.Text != "Коэффициент — целое число процентов от 1 до 1000" {
		t.Errorf("cap message = %q", s.cap.msg.Text)
	}
	rgType(s.cap, "110")
	pressEnterIn(s.cap)
	if r := rgGet[app.Region](w, "region"); r.PriceCapPct != 110 {
		t.Errorf("cap = %d", r.PriceCapPct)
	}
}

func TestInviteAndRevoke(t *testing.T) {
	test.NewTempApp(t)
	w := newRgWorld(t, "2026-11-27")
	w.fill()
	n := 0
	newInvite := func() (string, string, error) {
		n++
		return "KRZ1-" + strings.Repeat("ab", 32) + "-" + strings.Repeat("0", 31) + string(rune('0'+n)),
			strings.Repeat("0", 63) + string(rune('0'+n)), nil
	}
	s := newNodesScreen(w.db, newInvite, w.clock)
	win := rgShow(t, s.content)
	s.refresh()
	s.target.sel.SetSelectedIndex(26) // 27 — г. Ставрополь
	rgTap(t, s.content, "Создать приглашение")
	if !strings.HasPrefix(s.token.Text, "KRZ1-abab") || len(s.invites) != 1 {
		t.Fatalf("token %q, %d invites (%s)", s.token.Text, len(s.invites), s.status.Text)
	}
	if got := s.inviteCell(0, 0); got != "Муниципалитет 27 — г. Ставрополь" || s.inviteCell(0, 2) != "действует" {
		t.Errorf("invite row = %q, %q", got, s.inviteCell(0, 2))
	}
	s.invTable.Select(widgetCell(0, 0))
	rgTap(t, s.content, "Отозвать приглашение")
	rgTap(t, win.Canvas().Overlays().Top(), "Отозвать") // the confirmation
	if inv := rgGet[app.Invite](w, strings.Repeat("0", 63)+"1"); inv.Status != app.InviteRevoked {
		t.Errorf("invite status = %s", inv.Status)
	}

	// A database that cannot invite says where to do it, in plain words.
	s2 := newNodesScreen(w.db, nil, w.clock)
	s2.refresh()
	if !s2.create.Disabled() || !strings.Contains(s2.tokenNote.Text, "Создайте приглашение на компьютере РМЦ") ||
		strings.Contains(s2.tokenNote.Text, "kruzhok") {
		t.Errorf("no inviter: %q", s2.tokenNote.Text)
	}
	failing := newNodesScreen(w.db, func() (string, string, error) {
		return "", "", &app.Error{Code: app.ENOTFOUND, Message: "У этой базы нет сертификата сервера"}
	}, w.clock)
	failing.refresh()
	failing.kind.SetSelected(inviteRegion)
	failing.onCreate()
	if failing.status.Text != "У этой базы нет сертификата сервера" {
		t.Errorf("status = %q", failing.status.Text)
	}
}

func TestRegionMonitoring(t *testing.T) {
	test.NewTempApp(t)
	w := newRgWorld(t, "2026-11-27")
	w.fill()
	s := newMonitoringScreen(w.db, "", w.clock)
	s.refresh()
	rows := s.targetRows()
	want := [][4]string{
		{"Муниципалитеты с персонифицированным учётом", "3 из 33", "все 33", "не достигнуто"},
		{"Муниципалитеты с персонифицированным финансированием", "2", "не меньше 17", "не достигнуто"},
	}
	for i, r := range want {
		if rows[i] != r {
			t.Errorf("target %d = %q, want %q", i, rows[i], r)
		}
	}
	if got := s.moneyRows()[0][1]; got != rub(550_000_00) {
		t.Errorf("budget = %q", got)
	}
	total := s.directionRows()[len(s.directionRows())-1]
	if total[1] != "1" || total[2] != "1" || total[4] != "1" {
		t.Errorf("total row = %q", total)
	}
	// The four charts of package monitor arrive from the background.
	deadline := time.Now().Add(20 * time.Second)
	for {
		n := s.chartCount()
		if n == 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("charts shown: %d, want 4", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// pressEnterIn is the Enter key in a field.
func pressEnterIn(f *field) { f.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) }
