//go:build !nogui

package ui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"kruzhok/app"
	"kruzhok/store"
	ksync "kruzhok/sync"
)

// fakeSync is a node's sync over its real store, with a sync round the test
// decides.
type fakeSync struct {
	*store.DB
	rep   ksync.Report
	err   error
	calls int
}

func (f *fakeSync) SyncNow(context.Context) (ksync.Report, error) {
	f.calls++
	return f.rep, f.err
}

const balanceChanged = "Условия изменились: на сертификате доступно 5 000,00 ₽; сертификатом оплачивается 5 000,00 ₽ (было 5 500,00 ₽), родителем 3 000,00 ₽ (было 2 500,00 ₽). Покажите семье новый расчёт"

// rejectedNode is the filled region turned into the node of its active
// provider, which enrolled a child offline; the server rejected the
// enrolment with BALANCE_CHANGED, and the sync brought the answer back.
func rejectedNode(t *testing.T) (*rgWorld, *fakeSync, app.Op) {
	t.Helper()
	w := newRgWorld(t, "2026-11-27")
	w.fill()
	if err := w.db.SetScope(app.ProviderScope(w.provActive), false); err != nil {
		t.Fatal(err)
	}
	var q app.Quote
	_ = w.db.View(func(r app.Reader) error {
		e, err := app.PrepareEnrolment(r, w.certs[1], w.group, app.MustDate("2026-12-01"), app.DateOf(w.now))
		q = e.Quote
		return err
	})
	op, err := w.db.Exec(&app.Enrol{ID: w.id("contract"), Certificate: w.certs[1], Group: w.group,
		Start: app.MustDate("2026-12-01"), QuotedCert: q.Cert, QuotedParent: q.Parent, ParentConfirmed: true})
	if err != nil {
		t.Fatalf("enrol on the node: %v", err)
	}
	err = w.db.RecordResults(op.Seq, []store.Result{{Seq: op.Seq, Status: store.StatusRejected,
		Code: app.BALANCE_CHANGED, Message: balanceChanged, Detail: "available=5000.00 cert=5000.00 parent=3000.00"}})
	if err != nil {
		t.Fatalf("record results: %v", err)
	}
	if err := w.db.Rebase(); err != nil {
		t.Fatalf("rebase: %v", err)
	}
	if err := w.db.SetLastSync(time.Date(2026, 11, 27, 14, 5, 0, 0, mskZone), ""); err != nil {
		t.Fatal(err)
	}
	return w, &fakeSync{DB: w.db}, op
}

func TestRejectedOpShowsTheReasonAndCanBeDismissed(t *testing.T) {
	a := test.NewTempApp(t)
	w, sy, op := rejectedNode(t)
	bar := newSyncBar(w.db, sy)
	if !bar.rejected.Visible() || bar.rejected.Text != "Отклонено сервером: 1" {
		t.Fatalf("bar: rejected button %q (shown %v)", bar.rejected.Text, bar.rejected.Visible())
	}
	if bar.status.Text != "Синхронизировано 27.11.2026 14:05" || bar.pending.Text != "всё отправлено" {
		t.Errorf("bar: %q, %q", bar.status.Text, bar.pending.Text)
	}

	s := newRejectedScreen(w.db, sy, bar.dismiss, w.clock)
	rgShow(t, s.content)
	if len(s.rows) != 1 {
		t.Fatalf("%d rejected rows", len(s.rows))
	}
	row := s.rows[0]
	if row.what != "Зачисление по договору: Петрова Мария Андреевна (сертификат 26-27-000002), группа «Роботы-1», с 01.12.2026" {
		t.Errorf("what = %q", row.what)
	}
	if !rgShows(s.content, balanceChanged) {
		t.Error("the list does not show the server's reason")
	}
	s.list.Select(0)
	for _, want := range []string{
		"Пока этот компьютер был без связи, остаток на сертификате изменился",
		"Расчёт сервера: доступно на сертификате 5\u00a0000,00\u00a0₽, сертификатом 5\u00a0000,00\u00a0₽, родителем 3\u00a0000,00\u00a0₽.",
		"Новый расчёт: всего",
	} {
		if !rgShows(s.content, want) {
			t.Errorf("the detail does not say %q", want)
		}
	}

	rgTap(t, s.content, "Скрыть из списка")
	if len(s.rows) != 0 || !rgShows(s.content, "Отклонённых операций нет") || !rgShows(s.content, "Выберите операцию") {
		t.Errorf("after dismissing: %d rows", len(s.rows))
	}
	if !bar.dismiss.has(op) {
		t.Error("the dismissal is not kept")
	}
	bar.refresh()
	if bar.rejected.Visible() {
		t.Error("the bar still counts the dismissed op")
	}
	// The dismissal is the user's note: the store still holds the server's answer.
	if st, _ := w.db.SyncState(); st.Rejected != 1 {
		t.Errorf("store rejected = %d", st.Rejected)
	}
	// It outlives the window: another screen on the same app does not show it.
	if s2 := newRejectedScreen(w.db, sy, &dismissals{prefs: a.Preferences()}, w.clock); len(s2.rows) != 0 {
		t.Errorf("a new list shows %d dismissed rows", len(s2.rows))
	}
}

func TestRejectedEnrolmentIsMadeAgainOnTheNewFigures(t *testing.T) {
	a := test.NewTempApp(t)
	w, sy, op := rejectedNode(t)
	s := newRejectedScreen(w.db, sy, &dismissals{prefs: a.Preferences()}, w.clock)
	rgShow(t, s.content)
	s.list.Select(0)
	before := w.outbox()
	// The family pays a part now: nothing is made until they agree to it.
	rgTap(t, s.content, "Заключить договор по новому расчёту")
	if w.outbox() != before || !strings.HasPrefix(s.status.Text, "Семья должна согласиться со своей частью") {
		t.Fatalf("made without the family's consent: %q", s.status.Text)
	}
	s.agree.SetChecked(true)
	rgTap(t, s.content, "Заключить договор по новому расчёту")
	if w.outbox() != before+1 {
		t.Fatalf("no new enrolment: %s", s.status.Text)
	}
	if !strings.HasPrefix(s.status.Text, "Договор заключён заново по новому расчёту") || len(s.rows) != 0 {
		t.Errorf("status %q, %d rows", s.status.Text, len(s.rows))
	}
	pending, err := w.db.PendingOps(0)
	if err != nil || len(pending) != 1 || pending[0].Type != "enrol" || pending[0].Seq == op.Seq {
		t.Fatalf("pending = %+v, %v", pending, err)
	}
}

func TestRejectedOpCorrectedOnItsTab(t *testing.T) {
	a := test.NewTempApp(t)
	w, sy, _ := rejectedNode(t)
	s := newRejectedScreen(w.db, sy, &dismissals{prefs: a.Preferences()}, w.clock)
	var went string
	s.tabs, s.gotoTab = providerTabs, func(title string) { went = title }
	rgShow(t, s.content)
	s.list.Select(0)
	rgTap(t, s.content, "Исправить на вкладке «Зачисление»")
	if went != "Зачисление" {
		t.Errorf("went to %q", went)
	}
}

func TestSyncNowRunsOffTheWindowAndReports(t *testing.T) {
	test.NewTempApp(t)
	w, sy, _ := rejectedNode(t)
	bar := newSyncBar(w.db, sy)
	bar.async = func(f func()) { f() }
	synced := 0
	bar.onSynced = func() { synced++ }
	sy.rep = ksync.Report{Pushed: 2, Applied: 1, Rejected: 1, Pulled: 40}
	test.Tap(bar.syncNow)
	if sy.calls != 1 || synced != 1 || bar.pending.Text != "отправлено 2, получено 40, отклонено 1" {
		t.Errorf("calls %d, synced %d, pending %q", sy.calls, synced, bar.pending.Text)
	}
	if bar.syncNow.Disabled() || bar.progBox.Visible() {
		t.Error("the button or the progress bar did not come back")
	}

	sy.err = errors.New(`health https://rmc.example.ru:8443: Get "https://rmc.example.ru:8443/v1/health": dial tcp 10.0.0.1:8443: connect: connection refused`)
	test.Tap(bar.syncNow)
	if !bar.failure.Visible() || !strings.HasPrefix(bar.failure.Text, "Нет связи с сервером РМЦ") {
		t.Errorf("failure = %q", bar.failure.Text)
	}
	sy.err = &app.Error{Code: app.UNAUTHORIZED, Message: "Узел отключён в РМЦ"}
	test.Tap(bar.syncNow)
	if bar.failure.Text != "Синхронизация не удалась: Узел отключён в РМЦ" {
		t.Errorf("failure = %q", bar.failure.Text)
	}
}

func TestSyncErrorsInRussian(t *testing.T) {
	for _, tc := range []struct{ name, stored, want string }{
		{"Refused", "health https://x: dial tcp: connect: connection refused",
			"Нет связи с сервером РМЦ. Данные сохранены на этом компьютере; синхронизация повторится автоматически"},
		{"Pin", "health https://x: tls: server certificate fingerprint mismatch",
			"Сертификат сервера не совпадает с кодом приглашения: обратитесь в РМЦ"},
		{"Coded", "pull 1: SCOPE_FORBIDDEN: Узел отключён", "Синхронизация не удалась: Узел отключён"},
		{"CodedWithDetail", "BALANCE_CHANGED available=1.00: Условия изменились", "Синхронизация не удалась: Условия изменились"},
		{"Other", "something odd", "Синхронизация не удалась: something odd"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := syncErrorRu(tc.stored); got != tc.want {
				t.Errorf("syncErrorRu(%q) = %q, want %q", tc.stored, got, tc.want)
			}
		})
	}
}

func TestRejectedButtonOpensTheListOverTheWindow(t *testing.T) {
	a := test.NewTempApp(t)
	w, sy, _ := rejectedNode(t)
	win := test.NewWindow(nil)
	win.Resize(fyne.NewSize(1200, 760))
	defer win.Close()
	m := newMainScreen(win, w.db, w.opts(), sy)
	win.SetContent(m.content)
	test.Tap(m.bar.sync.rejected)
	top := win.Canvas().Overlays().Top()
	if top == nil || !rgShows(top, balanceChanged) {
		t.Fatal("the list of rejected ops did not open with the reason")
	}
	_ = a
}

// The top bar of a node with a rejected op, and the list, as a person sees
// them in the real theme.
func TestRejectedImages(t *testing.T) {
	test.NewTempApp(t)
	test.ApplyTheme(t, theme.DefaultTheme())
	w, sy, _ := rejectedNode(t)
	bar := newTopBar(w.db, Options{DataPath: "/home/robo/.config/kruzhok/kruzhok.db"}, sy)
	win := test.NewWindow(bar.content)
	win.Resize(fyne.NewSize(1200, 60))
	defer win.Close()
	test.AssertImageMatches(t, "topbar_node.png", win.Canvas().Capture())

	s := newRejectedScreen(w.db, sy, bar.sync.dismiss, w.clock)
	s.list.Select(0)
	win2 := test.NewWindow(s.content)
	win2.Resize(fyne.NewSize(1050, 520))
	defer win2.Close()
	test.AssertImageMatches(t, "rejected_list.png", win2.Canvas().Capture())
}
