//go:build !nogui

package ui

import (
	"context"
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
	"kruzhok/assets"
)

// joinTimeout bounds the join and the first download: a region's data over a
// poor link takes minutes, not hours.
const joinTimeout = 30 * time.Minute

// firstStart is what a brand-new database offers instead of the main window:
// the demo region, joining the regional server with an invite, or a new
// region with the reference data only. Long work runs off the UI goroutine
// with its progress shown; when it is done the window opens the node's role.
// The cards wrap to the window's width, and every message has its reserved
// place: nothing moves when one appears.
type firstStart struct {
	st   app.Store
	opts Options
	done func()

	demo     *widget.Button
	join     *joinForm
	region   *widget.Button
	stage    *widget.Label
	progress *widget.ProgressBar
	waiting  *widget.ProgressBarInfinite
	status   *widget.Label
	content  fyne.CanvasObject

	busy     bool
	started  time.Time
	demoDone *demoProgress
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

	server := ""
	if fs != nil {
		server = fs.Server
	}
	s.join = newJoinForm(server, s.onJoin)
	joinCard := widget.NewCard("Подключиться к РМЦ", "для муниципалитетов и исполнителей",
		container.NewVBox(wrapped("Адрес сервера и код приглашения напечатаны на листе приглашения: его выдаёт "+
			"муниципалитет исполнителям или РМЦ муниципалитетам."), s.join.box,
			container.New(&reserveLayout{lines: 3}, s.join.message)))

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
	// The progress and the outcome of the demo and of a new region: one
	// place of fixed height under the cards.
	work := container.New(&reserveLayout{lines: 4}, container.NewVBox(s.stage, s.progress, s.waiting, s.status))
	body := container.NewVBox(title, intro, container.New(&cardsLayout{minCol: 300}, cards...), work)
	s.content = container.NewVScroll(container.NewPadded(body))
	return s
}

func wrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// cardsLayout puts cards side by side while each gets minCol (or its own
// minimum width, if wider), else wraps them into more rows: at 1024×600 no
// card is cut. Its height is that of the last width it was laid out at.
type cardsLayout struct {
	minCol float32
	width  float32
}

func (l *cardsLayout) columns(objs []fyne.CanvasObject, width float32) (n int, colW float32) {
	var vis int
	col := l.minCol
	for _, o := range objs {
		if o.Visible() {
			vis++
			col = max(col, o.MinSize().Width)
		}
	}
	gap := theme.Padding()
	n = max(vis, 1)
	for n > 1 && float32(n)*col+float32(n-1)*gap > width {
		n--
	}
	return n, max((width-float32(n-1)*gap)/float32(n), col)
}

// rows lays objs out at width (move false: only measures) and returns the height.
func (l *cardsLayout) rows(objs []fyne.CanvasObject, width float32, move bool) float32 {
	n, colW := l.columns(objs, width)
	gap := theme.Padding()
	var y, rowH float32
	i := 0
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		if i > 0 && i%n == 0 {
			y += rowH + gap
			rowH = 0
		}
		if move {
			o.Resize(fyne.NewSize(colW, o.MinSize().Height))
		}
		rowH = max(rowH, o.MinSize().Height)
		i++
	}
	if move {
		// Each card of a row as tall as the row's tallest.
		i, top := 0, float32(0)
		var row []fyne.CanvasObject
		flush := func() {
			h := float32(0)
			for _, o := range row {
				h = max(h, o.MinSize().Height)
			}
			for k, o := range row {
				o.Move(fyne.NewPos(float32(k)*(colW+gap), top))
				o.Resize(fyne.NewSize(colW, h))
			}
			top += h + gap
			row = row[:0]
		}
		for _, o := range objs {
			if !o.Visible() {
				continue
			}
			row = append(row, o)
			i++
			if i%n == 0 {
				flush()
			}
		}
		if len(row) > 0 {
			flush()
		}
		return top - gap
	}
	return y + rowH
}

func (l *cardsLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	grew := l.width != size.Width
	l.width = size.Width
	l.rows(objs, size.Width, true)
	if grew {
		// The height at the new width differs: let the scroller know.
		for _, o := range objs {
			o.Refresh()
		}
	}
}

func (l *cardsLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	n, col := l.columns(objs, 0)
	_ = n
	if l.width == 0 {
		return fyne.NewSize(col, l.rows(objs, col, false))
	}
	return fyne.NewSize(col, l.rows(objs, l.width, false))
}

// demoProgress turns the demo's stages, each counting from 0, into one
// bar from 0 to 1 that never goes back: the reference data, providers and
// programmes first, then the simulated months, which take the most time.
type demoProgress struct {
	months int     // months the demo simulates (August and up to three)
	month  int     // months begun so far
	last   string  // the stage of the last call
	value  float64 // what the bar shows
}

// newDemoProgress expects the months from August to today's month, at most
// three after August (demo.Build's months).
func newDemoProgress(now time.Time) *demoProgress {
	m := int(now.Month())
	n := m - int(time.September) + 1
	if n <= 0 {
		n += 12
	}
	return &demoProgress{months: 1 + min(max(n, 1), 3)}
}

// demoStages are the bar's share before each fixed stage ends.
var demoStages = map[string][2]float64{
	"Справочники и параметры муниципалитетов": {0, 0.04},
	"Исполнители":                 {0.04, 0.08},
	"Программы, реестры и группы": {0.08, 0.15},
	"Итоги": {0.97, 1},
}

// at is the bar's value after the demo said stage, done of total.
func (p *demoProgress) at(stage string, done, total int) float64 {
	frac := 0.0
	if total > 0 {
		frac = min(max(float64(done)/float64(total), 0), 1)
	}
	v := p.value
	if r, ok := demoStages[stage]; ok {
		v = r[0] + (r[1]-r[0])*frac
	} else if strings.Contains(stage, ":") {
		if stage != p.last {
			p.month++
		}
		done := float64(p.month-1) + frac
		v = min(0.15+0.82*done/float64(max(p.months, p.month)), 0.97)
	}
	p.last = stage
	p.value = max(p.value, v)
	return p.value
}

// begin disables the choices while work runs.
func (s *firstStart) begin(stage string, determinate bool) {
	s.busy = true
	s.started = time.Now()
	for _, b := range []*widget.Button{s.demo, s.join.button, s.region} {
		b.Disable()
	}
	say(s.status, "")
	say(s.join.message, "")
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
	for _, b := range []*widget.Button{s.demo, s.join.button, s.region} {
		b.Enable()
	}
	s.status.Importance = widget.DangerImportance
	s.status.SetText(firstStartError(err))
}

// joinFailed ends a join with its error, shown in the join card; the fields
// keep what was typed.
func (s *firstStart) joinFailed(err error) {
	s.fail(nil)
	s.join.failed(err)
}

// finish opens the main window.
func (s *firstStart) finish() {
	s.busy = false
	s.waiting.Stop()
	if s.done != nil {
		s.done()
	}
}

// firstStartError is the Russian text of a failure of the first start
// ("" for none).
func firstStartError(err error) string {
	if err == nil {
		return ""
	}
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
	s.demoDone = newDemoProgress(s.opts.now())
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
	s.progress.SetValue(s.demoDone.at(stage, done, total))
}

func elapsedRu(d time.Duration) string {
	sec := int(d.Seconds())
	if sec < 60 {
		return itoa(sec) + nbsp + "с"
	}
	return itoa(sec/60) + nbsp + "мин " + itoa(sec%60) + nbsp + "с"
}

// onJoin checks the fields, then joins the server off the UI goroutine: the
// invite, the node's key and the first download of its data. A failure
// leaves the form as it was typed, with the reason in the join card.
func (s *firstStart) onJoin() {
	fs := s.opts.FirstStart
	if s.busy || fs == nil || fs.Join == nil {
		return
	}
	server, code, err := s.join.values()
	if err != nil {
		return // each field says what is wrong with it
	}
	s.begin("Подключение к серверу "+server+" и загрузка данных…", false)
	s.async(func() {
		ctx, cancel := context.WithTimeout(context.Background(), joinTimeout)
		defer cancel()
		err := fs.Join(ctx, server, code)
		fyne.Do(func() {
			if err != nil {
				s.joinFailed(err)
				return
			}
			s.finish()
		})
	})
}
