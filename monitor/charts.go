package monitor

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	xfont "golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"kruzhok/app"
	"kruzhok/assets"
)

// typeface is the name of the embedded DejaVu Sans in plot's font cache.
const typeface = "DejaVu"

var (
	fontsOnce sync.Once
	fontsErr  error
)

// loadFonts puts the embedded DejaVu Sans (regular and bold) into plot's
// font cache and makes it plot's default font, once.
func loadFonts() error {
	fontsOnce.Do(func() {
		reg, err := opentype.Parse(assets.FontRegular)
		if err != nil {
			fontsErr = fmt.Errorf("monitor: DejaVu Sans: %w", err)
			return
		}
		bold, err := opentype.Parse(assets.FontBold)
		if err != nil {
			fontsErr = fmt.Errorf("monitor: DejaVu Sans Bold: %w", err)
			return
		}
		font.DefaultCache.Add(font.Collection{
			{Font: font.Font{Typeface: typeface}, Face: reg},
			{Font: font.Font{Typeface: typeface, Weight: xfont.WeightBold}, Face: bold},
		})
		plot.DefaultFont = font.Font{Typeface: typeface}
	})
	return fontsErr
}

// Chart is one drawn chart: its title and PNG bytes.
type Chart struct {
	Name  string // a file-like name: "coverage", "municipalities", "funds", "directions"
	Title string
	PNG   []byte
	W, H  vg.Length // the drawn size
}

// Colours of the charts: Kruzhok's teal and orange, a red target line.
var (
	teal   = color.RGBA{0x00, 0x89, 0x7b, 0xff}
	orange = color.RGBA{0xf5, 0x7c, 0x00, 0xff}
	grey   = color.RGBA{0xb0, 0xbe, 0xc5, 0xff}
	red    = color.RGBA{0xd3, 0x2f, 0x2f, 0xff}
)

// Charts draws the four monitoring charts of the report: coverage by
// municipality against 25 %, the municipalities with accounting and
// financing against 33 and 17, the region's funds against the limits, the
// enrolments by direction.
func Charts(rep app.Report) ([]Chart, error) {
	if err := loadFonts(); err != nil {
		return nil, err
	}
	var out []Chart
	for _, f := range []func(app.Report) (Chart, error){CoverageChart, MunicipalitiesChart, FundsChart, DirectionsChart} {
		c, err := f(rep)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func newPlot(title string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Weight = xfont.WeightBold
	p.Title.TextStyle.Font.Size = vg.Points(13)
	p.Title.Padding = vg.Points(8)
	p.Legend.Top = true
	return p
}

// render draws p as a PNG of w × h points at 96 dpi.
func render(name, title string, p *plot.Plot, w, h vg.Length) (Chart, error) {
	c := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(96), vgimg.UseBackgroundColor(color.White))
	p.Draw(draw.New(c))
	var b bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&b); err != nil {
		return Chart{}, fmt.Errorf("monitor: chart %s: %w", name, err)
	}
	return Chart{Name: name, Title: title, PNG: b.Bytes(), W: w, H: h}, nil
}

// percent is basis points as a float percentage, for a chart axis only.
func percent(bp int64) float64 {
	if bp < 0 {
		return 0
	}
	return float64(bp) / 100
}

// millions is kopecks as millions of roubles, for a chart axis only.
func millions(k int64) float64 { return float64(k) / 1e8 }

// CoverageChart is the share of children aged 5–18 with a financing
// certificate by municipality, as horizontal bars, with the 25 % target line.
func CoverageChart(rep app.Report) (Chart, error) {
	if err := loadFonts(); err != nil {
		return Chart{}, err
	}
	title := "Охват сертификатами финансирования, % детей 5–18 лет"
	p := newPlot(title)
	n := len(rep.Municipalities)
	vals := make(plotter.Values, n)
	names := make([]string, n)
	top := 30.0
	// The first municipality at the top: the Y axis grows upwards.
	for i, f := range rep.Municipalities {
		j := n - 1 - i
		vals[j] = percent(f.CoverageBP)
		names[j] = f.Code + " " + shortName(f.Name)
		top = max(top, vals[j]+5)
	}
	if n > 0 {
		bars, err := plotter.NewBarChart(vals, vg.Points(13))
		if err != nil {
			return Chart{}, err
		}
		bars.Horizontal = true
		bars.Color = teal
		bars.LineStyle.Width = 0
		p.Add(bars)
		p.NominalY(names...)
		xy := make(plotter.XYs, n)
		texts := make([]string, n)
		for i, f := range rep.Municipalities {
			j := n - 1 - i
			xy[j] = plotter.XY{X: vals[j], Y: float64(j)}
			switch {
			case !f.HasParams:
				texts[j] = "параметры не заданы"
			case f.Mode != app.ModeFinancing:
				texts[j] = "только учёт"
			default:
				texts[j] = plain(app.FormatBP(f.CoverageBP))
			}
		}
		l, err := plotter.NewLabels(plotter.XYLabels{XYs: xy, Labels: texts})
		if err != nil {
			return Chart{}, err
		}
		for i := range l.TextStyle {
			l.TextStyle[i].YAlign = text.YCenter
			l.TextStyle[i].Font = font.From(plot.DefaultFont, vg.Points(10))
			l.TextStyle[i].Color = color.Gray{Y: 0x30}
		}
		l.Offset = vg.Point{X: vg.Points(4)}
		p.Add(l)
	}
	line, err := plotter.NewLine(plotter.XYs{{X: 25, Y: -0.7}, {X: 25, Y: float64(n) - 0.3}})
	if err != nil {
		return Chart{}, err
	}
	line.Color = red
	line.Width = vg.Points(2)
	line.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
	p.Add(line)
	p.X.Min, p.X.Max = 0, top
	p.X.Tick.Marker = intTicks{}
	p.X.Label.Text = "% детей с сертификатом финансирования; регион — " + plain(app.FormatBP(rep.Region.CoverageBP)) +
		"\nкрасная линия — цель Концепции: не меньше 25 %"
	p.Add(plotter.NewGrid())
	return render("coverage", title, p, vg.Points(720), vg.Points(70+float64(n)*18))
}

// MunicipalitiesChart is the count of municipalities with personalised
// accounting and with financing against the targets 33 and 17.
func MunicipalitiesChart(rep app.Report) (Chart, error) {
	if err := loadFonts(); err != nil {
		return Chart{}, err
	}
	title := "Муниципалитеты с персонифицированным учётом и финансированием"
	p := newPlot(title)
	acc, fin := float64(rep.AccountingMuns), float64(rep.FinancingMuns)
	// Five places: fact and target of accounting, a gap, fact and target of financing.
	fact, err := plotter.NewBarChart(plotter.Values{acc, 0, 0, fin, 0}, vg.Points(60))
	if err != nil {
		return Chart{}, err
	}
	fact.Color, fact.LineStyle.Width = teal, 0
	goal, err := plotter.NewBarChart(plotter.Values{0, app.TargetAccountingMuns, 0, 0, app.TargetFinancingMuns}, vg.Points(60))
	if err != nil {
		return Chart{}, err
	}
	goal.Color, goal.LineStyle.Width = grey, 0
	p.Add(plotter.NewGrid(), fact, goal)
	p.Legend.Add("факт", fact)
	p.Legend.Add("цель Концепции: учёт — все 33, финансирование — не меньше 17", goal)
	p.X.Tick.Marker = plot.ConstantTicks{{Value: 0.5, Label: "Персонифицированный учёт"},
		{Value: 3.5, Label: "Персонифицированное финансирование"}}
	p.X.Min, p.X.Max = -0.7, 4.7
	p.Y.Min, p.Y.Max = 0, 48
	p.Y.Tick.Marker = intTicks{}
	p.Legend.Left = true
	p.Legend.XOffs = vg.Points(10)
	labels, err := barLabels([]float64{0, 1, 3, 4}, []float64{acc, app.TargetAccountingMuns, fin, app.TargetFinancingMuns},
		[]string{fmt.Sprint(rep.AccountingMuns), fmt.Sprint(app.TargetAccountingMuns), fmt.Sprint(rep.FinancingMuns),
			fmt.Sprint(app.TargetFinancingMuns)})
	if err != nil {
		return Chart{}, err
	}
	p.Add(labels)
	p.Y.Label.Text = "муниципалитетов"
	return render("municipalities", title, p, vg.Points(560), vg.Points(360))
}

// FundsChart is the region's money of the period: the budget limit and the
// sum-of-nominals limit against the nominals, reserved and paid funds, in
// millions of roubles.
func FundsChart(rep app.Report) (Chart, error) {
	if err := loadFonts(); err != nil {
		return Chart{}, err
	}
	title := "Средства периода " + rep.Period + ", млн ₽"
	p := newPlot(title)
	g := rep.Region
	limits, err := plotter.NewBarChart(plotter.Values{millions(g.BudgetLimit), millions(g.SumLimit), 0, 0, 0}, vg.Points(50))
	if err != nil {
		return Chart{}, err
	}
	limits.Color, limits.LineStyle.Width = grey, 0
	used, err := plotter.NewBarChart(plotter.Values{0, 0, millions(g.Nominals), millions(g.Reserved), millions(g.Paid)}, vg.Points(50))
	if err != nil {
		return Chart{}, err
	}
	used.Color, used.LineStyle.Width = orange, 0
	p.Add(plotter.NewGrid(), limits, used)
	p.Legend.Add("лимиты", limits)
	p.Legend.Add("номиналы, резерв и оплата", used)
	p.NominalX("Лимит\nбюджета", "Лимит суммы\nноминалов", "Номиналы\nсертификатов", "В резерве", "Оплачено")
	vals := []float64{millions(g.BudgetLimit), millions(g.SumLimit), millions(g.Nominals), millions(g.Reserved), millions(g.Paid)}
	texts := []string{mln(g.BudgetLimit), mln(g.SumLimit), mln(g.Nominals), mln(g.Reserved), mln(g.Paid)}
	labels, err := barLabels([]float64{0, 1, 2, 3, 4}, vals, texts)
	if err != nil {
		return Chart{}, err
	}
	p.Add(labels)
	p.Y.Min, p.Y.Max = 0, max(1, slices.Max(vals))*1.3
	p.X.Padding = vg.Points(20)
	p.Y.Label.Text = "млн ₽"
	return render("funds", title, p, vg.Points(620), vg.Points(380))
}

// DirectionsChart is the children enrolled at least once in the period by
// direction, region-wide.
func DirectionsChart(rep app.Report) (Chart, error) {
	if err := loadFonts(); err != nil {
		return Chart{}, err
	}
	title := "Дети, зачисленные хотя бы раз, по направленностям"
	p := newPlot(title)
	ds := rep.Region.Directions
	n := len(ds)
	vals := make(plotter.Values, n)
	names := make([]string, n)
	for i, d := range ds {
		j := n - 1 - i
		vals[j] = float64(d.Children)
		names[j] = capitalize(d.Name)
	}
	if n > 0 {
		bars, err := plotter.NewBarChart(vals, vg.Points(22))
		if err != nil {
			return Chart{}, err
		}
		bars.Horizontal = true
		bars.Color, bars.LineStyle.Width = orange, 0
		p.Add(plotter.NewGrid(), bars)
		p.NominalY(names...)
		xy := make(plotter.XYs, n)
		texts := make([]string, n)
		for j := range vals {
			xy[j] = plotter.XY{X: vals[j], Y: float64(j)}
			texts[j] = strconv.FormatFloat(vals[j], 'f', 0, 64)
		}
		l, err := plotter.NewLabels(plotter.XYLabels{XYs: xy, Labels: texts})
		if err != nil {
			return Chart{}, err
		}
		for i := range l.TextStyle {
			l.TextStyle[i].YAlign = text.YCenter
			l.TextStyle[i].Font = font.From(plot.DefaultFont, vg.Points(10))
		}
		l.Offset = vg.Point{X: vg.Points(4)}
		p.Add(l)
	}
	p.X.Min, p.X.Max = 0, max(1, slices.Max(append([]float64{0}, vals...)))*1.15
	p.X.Tick.Marker = intTicks{}
	p.X.Label.Text = fmt.Sprintf("детей (всего без повторов: %d)", rep.Region.Enrolled)
	return render("directions", title, p, vg.Points(620), vg.Points(80+float64(n)*36))
}

// capitalize makes the first letter upper case.
func capitalize(s string) string {
	for i, r := range s {
		return strings.ToUpper(string(r)) + s[i+len(string(r)):]
	}
	return s
}

// shortName drops the legal type from a district's name: «Александровский».
func shortName(s string) string {
	return strings.TrimSuffix(s, " муниципальный округ")
}

// plain replaces non-breaking spaces, which plot's text may not measure well.
func plain(s string) string { return strings.ReplaceAll(s, "\u00a0", " ") }

// mln is kopecks as «1 921,9» millions of roubles, rounded down, in integers.
func mln(k int64) string {
	tenths := k / 10_000_000
	return plain(strconv.FormatInt(tenths/10, 10) + "," + strconv.FormatInt(tenths%10, 10))
}

// intTicks are plot's default ticks labelled as whole numbers.
type intTicks struct{}

func (intTicks) Ticks(lo, hi float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = strconv.FormatFloat(math.Round(ts[i].Value), 'f', 0, 64)
		}
	}
	return ts
}

// barLabels writes texts centred above the bars at xs with the heights ys.
func barLabels(xs, ys []float64, texts []string) (*plotter.Labels, error) {
	xy := make(plotter.XYs, len(xs))
	for i := range xs {
		xy[i] = plotter.XY{X: xs[i], Y: ys[i]}
	}
	l, err := plotter.NewLabels(plotter.XYLabels{XYs: xy, Labels: texts})
	if err != nil {
		return nil, err
	}
	for i := range l.TextStyle {
		l.TextStyle[i].XAlign = text.XCenter
		l.TextStyle[i].Font = font.From(plot.DefaultFont, vg.Points(10))
	}
	l.Offset = vg.Point{Y: vg.Points(4)}
	return l, nil
}
