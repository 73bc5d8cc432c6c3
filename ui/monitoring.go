//go:build !nogui

package ui

import (
	"slices"
	"strconv"
	gosync "sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
	"kruzhok/monitor"
)

// The Concept's targets for 31.12.2023 (RULES.md §9).
const (
	targetFinancingMuns = 17 // municipalities with personalised financing, at least
	targetCoveragePct   = 25 // children aged 5–18 with a financing certificate, at least, %
)

// munFigures are one municipality's figures for a period.
type munFigures struct {
	Mun       app.Municipality
	Params    app.Params
	HasParams bool
	Quota     app.Quota
}

// dirFigures are the figures of one direction.
type dirFigures struct {
	Direction app.Direction
	Children  int // children enrolled at least once (contracts not rejected)
	Contracts int // contracts in force
	Providers int // providers with a certified programme in it
	Certified int // certified programmes
}

// figures are the Concept's figures (RULES.md §9) of a municipality or,
// summed over all, of the region, for one period.
type figures struct {
	Period                string
	Muns                  []munFigures // in code order
	Accounting, Financing int
	Active, Population    int64 // financing certificates in force; children aged 5–18
	Budget                int64 // sum of the budget limits
	Waiting               int64 // requests in the queues

	// With ledgers only (loadFigures deep): the money of the certificates
	// of the period and the enrolments by direction.
	Certificates               int
	Nominals, Reserved, Paid   int64
	Directions                 []dirFigures
	ContractsInForce, Enrolled int
}

// loadFigures reads the figures of the current period for the municipality
// mun ("" for the whole region) from app.Monitoring, which computes them for
// every municipality and the region at once. deep is kept for the callers:
// the figures always include the money and the enrolments by direction.
func loadFigures(r app.Reader, mun string, deep bool) (figures, error) {
	_ = deep
	var f figures
	rep, err := app.Monitoring(r, "")
	if app.ErrorCode(err) == app.NO_PARAMETERS {
		return f, nil // no reference data yet: all zeros
	} else if err != nil {
		return f, err
	}
	f.Period = rep.Period
	sum := rep.Region
	for _, m := range rep.Municipalities {
		if mun != "" && m.Code != mun {
			continue
		}
		rec, err := app.Get[app.Municipality](r, m.Code) // for the dated legal type
		if err != nil {
			return f, err
		}
		f.Muns = append(f.Muns, munFigures{Mun: rec, Params: m.Params, HasParams: m.HasParams,
			Quota: app.Quota{Municipality: m.Code, Period: rep.Period, Active: m.Financing, Waiting: m.Waiting,
				SumNominals: m.SumNominals}})
		if m.HasParams {
			f.Accounting++
			if m.Mode == app.ModeFinancing {
				f.Financing++
			}
		}
		if mun != "" {
			sum = m
		}
	}
	if mun != "" && len(f.Muns) == 0 {
		sum = app.Figures{} // an unknown municipality: zeros under the directions' names
		for _, d := range rep.Region.Directions {
			sum.Directions = append(sum.Directions, app.DirFigures{Code: d.Code, Name: d.Name})
		}
	}
	f.Active, f.Population, f.Budget, f.Waiting = sum.Financing, sum.Population, sum.BudgetLimit, sum.Waiting
	f.Certificates, f.Nominals, f.Reserved, f.Paid = int(sum.Certificates), sum.Nominals, sum.Reserved, sum.Paid
	f.ContractsInForce, f.Enrolled = int(sum.ContractsInForce), int(sum.Enrolled)
	for _, d := range sum.Directions {
		f.Directions = append(f.Directions, dirFigures{Direction: app.Direction{Code: d.Code, Name: d.Name},
			Children: int(d.Children), Contracts: int(d.Contracts), Providers: int(d.Providers), Certified: int(d.Certified)})
	}
	return f, nil
}

// coverage is the share of children aged 5–18 with a financing certificate.
func (f figures) coverage() string { return shareRu(f.Active, f.Population) }

// shareRu is a/b as «12,4 %» in integers, rounded down; «—» when b is 0.
func shareRu(a, b int64) string {
	if b <= 0 {
		return "—"
	}
	pm := a * 1000 / b
	return strconv.FormatInt(pm/10, 10) + "," + strconv.FormatInt(pm%10, 10) + nbsp + "%"
}

// reaches reports whether a/b ≥ pct %.
func reaches(a, b, pct int64) bool { return b > 0 && a*100 >= pct*b }

// numRu is a count with thin groups: «48 000».
func numRu(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	out := ""
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out += nbsp
		}
		out += string(c)
	}
	if neg {
		return "−" + out
	}
	return out
}

// modeRu is the Russian name of a municipality's mode.
func modeRu(mf munFigures) string {
	switch {
	case !mf.HasParams:
		return "параметры не заданы"
	case mf.Params.Mode == app.ModeFinancing:
		return "учёт и финансирование"
	}
	return "только учёт"
}

// monitoringScreen shows the Concept's figures for a municipality (mun) or
// the region (mun ""): the targets, the money against the limits, the
// enrolments by direction.
type monitoringScreen struct {
	st  app.Store
	mun string
	now func() time.Time

	fig     figures
	status  *widget.Label
	targets *fyne.Container
	money   *fyne.Container
	dirs    *fyne.Container
	charts  *fyne.Container // the region's charts (package monitor), drawn off the UI goroutine
	// chartsMu orders the chart update with readers in tests: Fyne's test
	// driver runs fyne.Do on the calling goroutine, not on one main loop.
	chartsMu gosync.Mutex
	content  fyne.CanvasObject
}

func newMonitoringScreen(st app.Store, mun string, now func() time.Time) *monitoringScreen {
	s := &monitoringScreen{st: st, mun: mun, now: now, status: newStatus(),
		targets: container.NewGridWithColumns(2), money: container.NewVBox(), dirs: container.NewVBox(),
		charts: container.NewVBox()}
	title := "Показатели Концепции персонифицированного дополнительного образования"
	s.content = container.NewVScroll(container.NewVBox(heading(title), s.status,
		heading("Целевые показатели"), s.targets, widget.NewSeparator(),
		heading("Средства периода"), s.money, widget.NewSeparator(),
		heading("Зачисления по направленностям"), s.dirs, widget.NewSeparator(),
		heading("Диаграммы"), s.charts))
	return s
}

// refresh reads the figures again.
func (s *monitoringScreen) refresh() {
	var f figures
	err := s.st.View(func(r app.Reader) error {
		var err error
		f, err = loadFigures(r, s.mun, true)
		return err
	})
	if err != nil {
		sayErr(s.status, err)
		return
	}
	s.fig = f
	if f.Period == "" {
		say(s.status, "Справочники региона ещё не загружены: показателей нет.")
	} else {
		s.status.Importance = widget.MediumImportance
		s.status.SetText("Период " + f.Period + ", на " + dateRu(app.DateOf(s.now())))
	}
	s.showTargets()
	s.showMoney()
	s.showDirections()
	s.drawCharts()
}

// drawCharts draws the monitoring charts in the background (about a tenth of
// a second on the demo region) and shows them when ready.
func (s *monitoringScreen) drawCharts() {
	var rep app.Report
	if err := s.st.View(func(r app.Reader) error {
		var err error
		rep, err = app.Monitoring(r, "")
		return err
	}); err != nil {
		return // the figures above already say what is wrong
	}
	if s.mun != "" {
		rep.Municipalities = slices.DeleteFunc(rep.Municipalities, func(f app.Figures) bool { return f.Code != s.mun })
	}
	chartWork.Add(1)
	go func() {
		defer chartWork.Done()
		charts, err := monitor.Charts(rep)
		fyne.Do(func() {
			s.chartsMu.Lock()
			defer s.chartsMu.Unlock()
			if err != nil {
				s.charts.Objects = []fyne.CanvasObject{widget.NewLabel("Диаграммы не построены: " + err.Error())}
			} else {
				s.charts.Objects = chartImages(charts)
			}
			s.charts.Refresh()
		})
	}()
}

// chartWork counts the chart drawings under way. The desktop driver runs
// fyne.Do's function on its own goroutine later; Fyne's test driver runs it
// at once on the drawing goroutine, so a test that goes on using the window
// waits for them first (settleCharts), or it would lay the window out while
// the charts are put in.
var chartWork gosync.WaitGroup

// chartCount is how many chart images are shown.
func (s *monitoringScreen) chartCount() int {
	s.chartsMu.Lock()
	defer s.chartsMu.Unlock()
	n := 0
	for _, o := range s.charts.Objects {
		if _, ok := o.(*canvas.Image); ok {
			n++
		}
	}
	return n
}

// maxChartWidth is the widest a chart is shown: what a 1024 px screen has
// beside the window's padding and the scroll bar.
const maxChartWidth = 940

// chartImages are the PNG charts one under another, each at the size it was
// drawn (96 dpi, so 10 pt labels are 13 px), shrunk only to fit a small
// screen's width: a chart scaled down to half, as two side by side were,
// has labels no one can read.
func chartImages(charts []monitor.Chart) []fyne.CanvasObject {
	out := make([]fyne.CanvasObject, 0, len(charts))
	for _, c := range charts {
		img := canvas.NewImageFromResource(fyne.NewStaticResource(c.Name+".png", c.PNG))
		img.FillMode = canvas.ImageFillContain
		img.SetMinSize(chartSize(c))
		out = append(out, img)
	}
	return out
}

// chartSize is the size a chart is shown at: its drawn pixels, scaled down
// to maxChartWidth when wider.
func chartSize(c monitor.Chart) fyne.Size {
	w, h := float32(c.W.Points()*96/72), float32(c.H.Points()*96/72)
	if w > maxChartWidth {
		h, w = h*maxChartWidth/w, maxChartWidth
	}
	return fyne.NewSize(w, h)
}

// targetRows are the rows of the targets table: what, value, target, met.
func (s *monitoringScreen) targetRows() [][4]string {
	f := s.fig
	met := func(ok bool) string {
		if ok {
			return "достигнуто"
		}
		return "не достигнуто"
	}
	cov := f.coverage() + " (" + numRu(f.Active) + " из " + numRu(f.Population) + ")"
	covOK := met(reaches(f.Active, f.Population, targetCoveragePct))
	if s.mun != "" {
		if len(f.Muns) == 0 {
			return nil
		}
		mf := f.Muns[0]
		quota := "—"
		if mf.HasParams {
			quota = numRu(mf.Quota.Active) + " из " + numRu(mf.Params.Quota)
		}
		return [][4]string{
			{"Режим", modeRu(mf), "учёт и финансирование", met(mf.HasParams && mf.Params.Mode == app.ModeFinancing)},
			{"Сертификаты финансирования (выдано из квоты)", quota, "—", ""},
			{"Доля детей 5–18 лет с сертификатом финансирования", cov, "не меньше 25" + nbsp + "%", covOK},
			{"Заявок в очереди", numRu(mf.Quota.Waiting), "—", ""},
		}
	}
	return [][4]string{
		{"Муниципалитеты с персонифицированным учётом", strconv.Itoa(f.Accounting) + " из " + strconv.Itoa(len(f.Muns)),
			"все " + strconv.Itoa(len(f.Muns)), met(len(f.Muns) > 0 && f.Accounting == len(f.Muns))},
		{"Муниципалитеты с персонифицированным финансированием", strconv.Itoa(f.Financing),
			"не меньше " + strconv.Itoa(targetFinancingMuns), met(f.Financing >= targetFinancingMuns)},
		{"Доля детей 5–18 лет с сертификатом финансирования", cov, "не меньше 25" + nbsp + "%", covOK},
		{"Заявок в очередях муниципалитетов", numRu(f.Waiting), "—", ""},
	}
}

func (s *monitoringScreen) showTargets() {
	var objs []fyne.CanvasObject
	for _, row := range s.targetRows() {
		if row[3] == "" {
			// A figure without a target.
			value := widget.NewLabel(row[1])
			objs = append(objs, container.NewVBox(wrappedHeading(row[0]), value))
			continue
		}
		objs = append(objs, targetBox(target{title: row[0], value: row[1], goal: "цель — " + row[2],
			met: row[3] == "достигнуто"}))
	}
	s.targets.Objects = objs
	s.targets.Refresh()
}

// moneyRows are the money of the period: limit, nominals, reserved, paid, free.
func (s *monitoringScreen) moneyRows() [][2]string {
	f := s.fig
	return [][2]string{
		{"Лимит бюджета на период", rub(f.Budget)},
		{"Номиналы сертификатов периода", rub(f.Nominals) + " (сертификатов: " + numRu(int64(f.Certificates)) + ")"},
		{"В резерве по договорам", rub(f.Reserved)},
		{"Оплачено исполнителям", rub(f.Paid)},
		{"Свободно от лимита", rub(f.Budget - f.Reserved - f.Paid)},
	}
}

func (s *monitoringScreen) showMoney() {
	var objs []fyne.CanvasObject
	for _, row := range s.moneyRows() {
		l := widget.NewLabel(row[1])
		if row[0] == "Свободно от лимита" && s.fig.Budget-s.fig.Reserved-s.fig.Paid < 0 {
			l.Importance = widget.DangerImportance
		}
		objs = append(objs, container.NewGridWithColumns(2, widget.NewLabel(row[0]), l))
	}
	s.money.Objects = objs
	s.money.Refresh()
}

// directionRows are the enrolments by direction, with a total.
func (s *monitoringScreen) directionRows() [][5]string {
	var out [][5]string
	var prov, cert int
	for _, d := range s.fig.Directions {
		out = append(out, [5]string{capitalize(d.Direction.Name), strconv.Itoa(d.Children), strconv.Itoa(d.Contracts),
			strconv.Itoa(d.Providers), strconv.Itoa(d.Certified)})
		prov += d.Providers
		cert += d.Certified
	}
	out = append(out, [5]string{"Всего (детей — без повторов)", strconv.Itoa(s.fig.Enrolled),
		strconv.Itoa(s.fig.ContractsInForce), "", strconv.Itoa(cert)})
	return out
}

func (s *monitoringScreen) showDirections() {
	objs := []fyne.CanvasObject{container.NewGridWithColumns(5, wrappedHeading("Направленность"), wrappedHeading("Детей зачислено"),
		wrappedHeading("Договоров действует"), wrappedHeading("Исполнителей"), wrappedHeading("Сертифицировано программ"))}
	for _, row := range s.directionRows() {
		cells := make([]fyne.CanvasObject, 0, len(row))
		for _, t := range row {
			l := widget.NewLabel(t)
			l.Truncation = fyne.TextTruncateEllipsis
			cells = append(cells, l)
		}
		objs = append(objs, container.NewGridWithColumns(5, cells...))
	}
	s.dirs.Objects = objs
	s.dirs.Refresh()
}
