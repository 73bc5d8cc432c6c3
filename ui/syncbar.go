//go:build !nogui

package ui

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
	"kruzhok/store"
	ksync "kruzhok/sync"
)

// syncPollEvery is how often the bar reads the sync state again: the
// scheduler syncs in the background, and what it did should show within
// seconds without anyone pressing anything.
const syncPollEvery = 3 * time.Second

// syncTimeout bounds a sync the user asked for; the scheduler's own runs
// carry on after it.
const syncTimeout = 10 * time.Minute

// mskZone is Europe/Moscow (UTC+3, no DST since 2014), the krai's time.
var mskZone = time.FixedZone("MSK", 3*3600)

// syncBar is the sync part of the top bar: when the node last synced, what
// waits to be sent, what the server rejected, and «Синхронизировать сейчас».
// A database that syncs with no one says so and has no button.
type syncBar struct {
	st      app.Store
	sy      Syncer
	dismiss *dismissals

	status   *widget.Label
	pending  *widget.Label
	failure  *widget.Label
	rejected *widget.Button
	progress *widget.ProgressBarInfinite
	progBox  *fyne.Container // the progress bar at a readable width
	syncNow  *widget.Button
	content  fyne.CanvasObject

	state    store.SyncState
	rejects  []store.OpResult // rejected ops not dismissed, newest first
	running  bool
	lastSeen uint64 // the cursor at the last poll: new data arrived when it moves

	// async runs work off the UI goroutine (tests run it in place).
	async func(func())
	// onRejected opens the list of rejected ops; onSynced refreshes the
	// screen in view after new data arrived.
	onRejected func()
	onSynced   func()
	// onConnect opens the join form of a database that is not joined.
	onConnect func()

	stop chan struct{}
}

func newSyncBar(st app.Store, sy Syncer) *syncBar {
	b := &syncBar{st: st, sy: sy, status: widget.NewLabel(""), pending: widget.NewLabel(""),
		failure: widget.NewLabel(""), progress: widget.NewProgressBarInfinite(),
		async: func(f func()) { go f() }}
	b.failure.Importance = widget.DangerImportance
	b.failure.Wrapping = fyne.TextWrapWord
	b.failure.Hide()
	b.pending.Importance = widget.LowImportance
	b.progress.Stop()
	b.rejected = widget.NewButton("", func() {
		if b.onRejected != nil {
			b.onRejected()
		}
	})
	b.rejected.Importance = widget.DangerImportance
	b.rejected.Hide()
	b.syncNow = widget.NewButton("Синхронизировать сейчас", b.onSyncNow)
	if prefs := currentPreferences(); prefs != nil {
		b.dismiss = &dismissals{prefs: prefs}
	}
	switch {
	case sy == nil && st.Scope() == app.ScopeRegion:
		// A server or standalone region database is the authority itself.
		b.status.SetText("Автономная база региона")
		b.syncNow.Hide()
		b.pending.Hide()
	case sy == nil:
		// Not joined: «Подключить…» opens the join form, once the window
		// gives it (setConnect).
		b.status.SetText("Синхронизация: не настроена")
		b.syncNow.SetText("Подключить…")
		b.syncNow.Importance = widget.HighImportance
		b.syncNow.OnTapped = func() {
			if b.onConnect != nil {
				b.onConnect()
			}
		}
		b.syncNow.Disable()
		b.pending.Hide()
	default:
		b.syncNow.Importance = widget.HighImportance
		st, rej, err := b.poll()
		b.show(st, rej, err)
	}
	b.progBox = container.NewGridWrap(fyne.NewSize(120, b.syncNow.MinSize().Height), b.progress)
	b.progBox.Hide()
	b.content = container.NewHBox(b.status, b.pending, b.rejected, b.progBox, b.syncNow)
	if sy == nil {
		b.content = container.NewHBox(b.status, b.syncNow)
	}
	return b
}

// setConnect makes «Подключить…» of a database that is not joined open
// the join form through connect.
func (b *syncBar) setConnect(connect func()) {
	if b.sy != nil || b.st.Scope() == app.ScopeRegion {
		return
	}
	b.onConnect = connect
	b.syncNow.Enable()
}

// currentPreferences are the app's preferences, where dismissed rejections
// are kept; nil without an app.
func currentPreferences() fyne.Preferences {
	if a := fyne.CurrentApp(); a != nil {
		return a.Preferences()
	}
	return nil
}

// poll reads the sync state and the rejected ops not dismissed. It touches
// no widget, so the refresh loop runs it off the UI goroutine.
func (b *syncBar) poll() (store.SyncState, []store.OpResult, error) {
	st, err := b.sy.SyncState()
	if err != nil {
		return st, nil, err
	}
	var rej []store.OpResult
	if st.Rejected > 0 {
		all, err := b.sy.OpResults(true, maxRejectedShown)
		if err != nil {
			return st, nil, err
		}
		for _, r := range all {
			if !b.dismiss.has(r.Op) {
				rej = append(rej, r)
			}
		}
	}
	return st, rej, nil
}

// show puts a polled state on the widgets; UI goroutine only.
func (b *syncBar) show(st store.SyncState, rej []store.OpResult, err error) {
	if err != nil {
		b.status.SetText("Состояние синхронизации не прочитано")
		b.showFailure("Не удалось прочитать состояние синхронизации: " + app.ErrorMessage(err))
		return
	}
	b.state, b.rejects = st, rej
	if b.running {
		return // the bar says «Синхронизация…» until the run ends
	}
	switch {
	case st.LastSync.IsZero():
		b.status.SetText("Синхронизации ещё не было")
	case st.LastError == "":
		b.status.SetText("Синхронизировано " + clockDateRu(st.LastSync))
	default:
		b.status.SetText("Синхронизация не удалась " + clockDateRu(st.LastSync))
	}
	if st.LastError != "" {
		b.showFailure(syncErrorRu(st.LastError))
	} else {
		b.showFailure("")
	}
	if st.Pending > 0 {
		b.pending.SetText("ожидают отправки: " + strconv.Itoa(st.Pending))
	} else {
		b.pending.SetText("всё отправлено")
	}
	if n := len(rej); n > 0 {
		b.rejected.SetText("Отклонено сервером: " + strconv.Itoa(n))
		b.rejected.Show()
	} else {
		b.rejected.Hide()
	}
}

func (b *syncBar) showFailure(msg string) {
	b.failure.SetText(msg)
	b.failure.Hidden = msg == ""
	b.failure.Refresh()
}

// refresh polls in place; UI goroutine.
func (b *syncBar) refresh() {
	if b.sy == nil {
		return
	}
	st, rej, err := b.poll()
	b.show(st, rej, err)
}

// startPolling reads the state every interval off the UI goroutine until
// stopPolling; a moved cursor (the scheduler pulled new data) refreshes the
// screen in view.
func (b *syncBar) startPolling(every time.Duration) {
	if b.sy == nil || b.stop != nil {
		return
	}
	b.stop = make(chan struct{})
	b.lastSeen = b.state.Cursor
	stop := b.stop
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			st, rej, err := b.poll()
			fyne.Do(func() {
				moved := err == nil && st.Cursor != b.lastSeen
				if err == nil {
					b.lastSeen = st.Cursor
				}
				b.show(st, rej, err)
				if moved && !b.running && b.onSynced != nil {
					b.onSynced()
				}
			})
		}
	}()
}

func (b *syncBar) stopPolling() {
	if b.stop != nil {
		close(b.stop)
		b.stop = nil
	}
}

// onSyncNow runs one sync round off the UI goroutine with a progress bar;
// the window stays usable meanwhile.
func (b *syncBar) onSyncNow() {
	if b.sy == nil || b.running {
		return
	}
	b.running = true
	b.syncNow.Disable()
	b.status.SetText("Синхронизация…")
	b.showFailure("")
	b.progBox.Show()
	b.progress.Start()
	b.async(func() {
		ctx, cancel := context.WithTimeout(context.Background(), syncTimeout)
		defer cancel()
		rep, err := b.sy.SyncNow(ctx)
		st, rej, perr := b.poll()
		fyne.Do(func() { b.syncDone(rep, err, st, rej, perr) })
	})
}

func (b *syncBar) syncDone(rep ksync.Report, err error, st store.SyncState, rej []store.OpResult, perr error) {
	b.running = false
	b.progress.Stop()
	b.progBox.Hide()
	b.syncNow.Enable()
	b.show(st, rej, perr)
	if perr == nil {
		b.lastSeen = st.Cursor
	}
	if err != nil {
		b.showFailure(syncErrorText(err))
		return
	}
	b.pending.SetText(reportRu(rep))
	if b.onSynced != nil {
		b.onSynced()
	}
}

// reportRu is what a sync round did, in a few words.
func reportRu(r ksync.Report) string {
	s := "отправлено " + strconv.Itoa(r.Pushed) + ", получено " + strconv.Itoa(r.Pulled)
	if r.Rejected > 0 {
		s += ", отклонено " + strconv.Itoa(r.Rejected)
	}
	return s
}

// clockDateRu is a moment as «27.11.2026 14:05», Moscow time.
func clockDateRu(t time.Time) string { return t.In(mskZone).Format("02.01.2006 15:04") }

// syncErrorText is the Russian text of a sync error: the domain's message
// when the server answered with a code, a plain word about the link when it
// did not answer at all.
func syncErrorText(err error) string {
	var e *app.Error
	if errors.As(err, &e) {
		return "Синхронизация не удалась: " + e.Message
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "Сервер не ответил вовремя: синхронизация повторится автоматически"
	}
	return syncErrorRu(err.Error())
}

// codedError matches app.Error's text: "CODE detail: message".
var codedError = regexp.MustCompile(`(?s)^(?:.*: )?([A-Z][A-Z_]+)(?: [^:]*)?: (.+)$`)

// syncErrorRu turns the stored text of the last sync's error into what a
// person can act on. The store keeps err.Error(), so the code and message of
// a domain error are read back from the text; a network failure says that
// the server is out of reach, and the scheduler will try again.
func syncErrorRu(text string) string {
	low := strings.ToLower(text)
	switch {
	case strings.Contains(low, "certificate") || strings.Contains(low, "x509") || strings.Contains(low, "tls"):
		return "Сертификат сервера не совпадает с кодом приглашения: обратитесь в РМЦ"
	case strings.Contains(low, "connection refused") || strings.Contains(low, "no such host") ||
		strings.Contains(low, "network is unreachable") || strings.Contains(low, "timeout") ||
		strings.Contains(low, "deadline exceeded") || strings.Contains(low, "connection reset") ||
		strings.Contains(low, "eof") || strings.Contains(low, "no route to host"):
		return "Нет связи с сервером РМЦ. Данные сохранены на этом компьютере; синхронизация повторится автоматически"
	}
	if m := codedError.FindStringSubmatch(text); m != nil && isRussian(m[2]) {
		return "Синхронизация не удалась: " + m[2]
	}
	return "Синхронизация не удалась: " + text
}

// isRussian reports whether s has Cyrillic letters: a message meant for people.
func isRussian(s string) bool {
	for _, r := range s {
		if r >= 'А' && r <= 'я' || r == 'ё' || r == 'Ё' {
			return true
		}
	}
	return false
}
