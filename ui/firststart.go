//go:build !nogui

package ui

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
	"kruzhok/assets"
	ksync "kruzhok/sync"
)

// joinTimeout bounds the join and the first download: a region's data over a
// poor link takes minutes, not hours.
const joinTimeout = 30 * time.Minute

// firstStart is what a brand-new database offers instead of the main window:
// the demo region, joining the regional server with an invite, or a new
// region with the reference data only. Long work runs off the UI goroutine
// with its progress shown; when it is done the window opens the node's role.
type firstStart struct {
	st   app.Store
	opts Options
	done func()

	demo     *widget.Button
	join     *widget.Button
	region   *widget.Button
	server   *field
	token    *field
	stage    *widget.Label
	progress *widget.ProgressBar
	waiting  *widget.ProgressBarInfinite
	status   *widget.Label
	content  fyne.CanvasObject

	busy    bool
	started time.Time
	// async runs work off the UI goroutine (tests run it in place).
	async func(func())
}

func newFirstStart(st app.Store, opts Options, done func()) *firstStart {
	s := &firstStart{st: st, opts: opts, done: done, stage: newStatus(), status: newStatus(),
		progress: widget.NewProgressBar(), waiting: widget.NewProgressBarInfinite(),
		async: func(f func()) { go f() }}
	s.progress.Hide()
	s.waiting.Stop()
	s.waiting.Hide()
	fs := opts.FirstStart

	title := widget.NewLabelWithStyle("Добро пожаловать в «Кружок»", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameHeadingText
	intro := widget.NewLabelWithStyle("База данных на этом компьютере пока пуста. Выберите, с чего начать — "+
		"потом программа будет открываться сразу.", fyne.TextAlignCenter, fyne.TextStyle{})
	intro.Wrapping = fyne.TextWrapWord

	s.demo = widget.NewButton("Построить демонстрационный регион", s.onDemo)
	s.demo.Importance = widget.HighImportance
	demoCard := widget.NewCard("Демонстрационный регион", "чтобы посмотреть программу в деле",
		container.NewVBox(wrapped("33 муниципалитета, 40 исполнителей, 150 программ, 3 000 детей с сертификатами, "+
			"договорами, журналом посещаемости и счетами за осень. Построение займёт от 10 секунд до минуты."), s.demo))

	s.server = newField("https://rmc.example.ru:8443", checkServerAddress)
	s.token = newField("KRZ1-…", checkInviteToken)
	if fs != nil && fs.Server != "" {
		s.server.set(fs.Server)
	}
	s.server.onEnter(s.onJoin)
	s.token.onEnter(s.onJoin)
	s.join = widget.NewButton("Подключиться", s.onJoin)
	s.join.Importance = widget.HighImportance
	joinCard := widget.NewCard("Подключиться к РМЦ", "для МОЦ и исполнителей",
		container.NewVBox(wrapped("Адрес сервера и код приглашения выдаёт региональный модельный центр."),
			widget.NewLabel("Адрес сервера"), s.server.box, widget.NewLabel("Код приглашения"), s.token.box, s.join))

	s.region = widget.NewButton("Создать новый регион", s.onNewRegion)
	regionCard := widget.NewCard("Новый регион", "для регионального модельного центра",
		container.NewVBox(wrapped("Пустая база РМЦ со справочниками: 33 муниципалитета Ставропольского края, "+
			"направленности, текущий и следующий периоды. Дальше — параметры, исполнители, приглашения узлов."), s.region))

	var cards []fyne.CanvasObject
	if fs == nil || fs.Demo != nil {
		cards = append(cards, demoCard)
	}
	if fs == nil || fs.Join != nil {
		cards = append(cards, joinCard)
	}
	cards = append(cards, regionCard)
	body := container.NewVBox(title, intro, container.NewGridWithColumns(len(cards), cards...),
		s.stage, s.progress, s.waiting, s.status)
	s.content = container.NewVScroll(container.NewPadded(body))
	return s
}

func wrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// checkServerAddress requires an http(s) address with a host.
func checkServerAddress(v string) error {
	v = strings.TrimRight(strings.TrimSpace(v), "/")
	if v == "" {
		return msgf("Укажите адрес сервера, например https://rmc.example.ru:8443")
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.User != nil {
		return msgf("Адрес сервера начинается с https:// и содержит имя сервера, например https://rmc.example.ru:8443")
	}
	return nil
}

// checkInviteToken requires a token the sync package can read.
func checkInviteToken(v string) error {
	if _, _, err := ksync.ParseToken(v); err != nil {
		if strings.TrimSpace(v) == "" {
			return msgf("Введите код приглашения KRZ1-…, выданный РМЦ или МОЦ")
		}
		return msgf("%s", app.ErrorMessage(err))
	}
	return nil
}

// begin disables the choices while work runs.
func (s *firstStart) begin(stage string, determinate bool) {
	s.busy = true
	s.started = time.Now()
	for _, b := range []*widget.Button{s.demo, s.join, s.region} {
		b.Disable()
	}
	say(s.status, "")
	s.stage.Importance = widget.MediumImportance
	s.stage.SetText(stage)
	if determinate {
		s.progress.SetValue(0)
		s.progress.Show()
	} else {
		s.waiting.Show()
		s.waiting.Start()
	}
}

// fail ends the work with its error and offers the choices again.
func (s *firstStart) fail(err error) {
	s.busy = false
	s.progress.Hide()
	s.waiting.Stop()
	s.waiting.Hide()
	s.stage.SetText("")
	for _, b := range []*widget.Button{s.demo, s.join, s.region} {
		b.Enable()
	}
	s.status.Importance = widget.DangerImportance
	s.status.SetText(firstStartError(err))
}

// finish opens the main window.
func (s *firstStart) finish() {
	s.busy = false
	s.waiting.Stop()
	if s.done != nil {
		s.done()
	}
}

// firstStartError is the Russian text of a failure of the first start.
func firstStartError(err error) string {
	var e *app.Error
	var fe fieldError
	switch {
	case errors.As(err, &fe):
		return string(fe)
	case errors.As(err, &e):
		return e.Message
	case errors.Is(err, context.DeadlineExceeded):
		return "Сервер не ответил вовремя. Проверьте связь и повторите"
	}
	return syncErrorRu(err.Error())
}

// onNewRegion loads the reference data: quick, so it runs in place.
func (s *firstStart) onNewRegion() {
	if s.busy {
		return
	}
	if _, err := s.st.Exec(assets.Seed(app.DateOf(s.opts.now()))); err != nil {
		s.fail(err)
		return
	}
	s.finish()
}

// onDemo builds the demo region off the UI goroutine, with its stages on
// the progress bar.
func (s *firstStart) onDemo() {
	fs := s.opts.FirstStart
	if s.busy || fs == nil || fs.Demo == nil {
		return
	}
	s.begin("Демонстрационный регион: начинаем…", true)
	s.async(func() {
		err := fs.Demo(func(stage string, done, total int) {
			fyne.Do(func() { s.showProgress(stage, done, total) })
		})
		fyne.Do(func() {
			if err != nil {
				s.fail(err)
				return
			}
			s.finish()
		})
	})
}

func (s *firstStart) showProgress(stage string, done, total int) {
	if !s.busy {
		return
	}
	s.stage.SetText("Демонстрационный регион: " + stage + " (прошло " + elapsedRu(time.Since(s.started)) + ")")
	if total > 0 {
		s.progress.SetValue(float64(done) / float64(total))
	}
}

func elapsedRu(d time.Duration) string {
	sec := int(d.Seconds())
	if sec < 60 {
		return itoa(sec) + nbsp + "с"
	}
	return itoa(sec/60) + nbsp + "мин " + itoa(sec%60) + nbsp + "с"
}

// onJoin checks the fields, then joins the server off the UI goroutine: the
// invite, the node's key and the first download of its data.
func (s *firstStart) onJoin() {
	fs := s.opts.FirstStart
	if s.busy || fs == nil || fs.Join == nil {
		return
	}
	if err := firstError(s.server, s.token); err != nil {
		s.status.Importance = widget.DangerImportance
		s.status.SetText(err.Error())
		return
	}
	server := strings.TrimRight(strings.TrimSpace(s.server.text()), "/")
	token := strings.TrimSpace(s.token.text())
	s.begin("Подключение к серверу "+server+" и загрузка данных области узла…", false)
	s.async(func() {
		ctx, cancel := context.WithTimeout(context.Background(), joinTimeout)
		defer cancel()
		err := fs.Join(ctx, server, token)
		fyne.Do(func() {
			if err != nil {
				s.fail(err)
				return
			}
			s.finish()
		})
	})
}
