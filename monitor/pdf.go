package monitor

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"codeberg.org/go-pdf/fpdf"

	"kruzhok/app"
	"kruzhok/assets"
)

// family is the embedded font's family name inside the PDF. The set-up
// below repeats the minimum of package pdf's unexported page set-up.
const family = "DejaVu"

const pdfMargin = 12.0

// PDF builds the monitoring report of the period ("" = current) as a PDF
// document (A4 landscape): the targets, the figures of each municipality and
// the region, the enrolments by direction, and the four charts.
func PDF(r app.Reader, period string) ([]byte, error) {
	rep, err := app.Monitoring(r, period)
	if err != nil {
		return nil, err
	}
	charts, err := Charts(rep)
	if err != nil {
		return nil, err
	}
	return buildPDF(rep, charts)
}

func buildPDF(rep app.Report, charts []Chart) ([]byte, error) {
	title := "Мониторинг показателей Концепции, период " + rep.Period
	f := fpdf.New("L", "mm", "A4", "")
	f.AddUTF8FontFromBytes(family, "", assets.FontRegular)
	f.AddUTF8FontFromBytes(family, "B", assets.FontBold)
	f.SetMargins(pdfMargin, pdfMargin, pdfMargin)
	f.SetAutoPageBreak(true, pdfMargin+4)
	f.SetTitle(title, true)
	f.SetCreator("Кружок", true)
	f.SetLang("ru")
	f.SetCatalogSort(true)
	f.AliasNbPages("{nb}")
	f.SetFooterFunc(func() {
		f.SetY(-pdfMargin)
		f.SetFont(family, "", 7.5)
		f.SetTextColor(110, 110, 110)
		f.CellFormat(0, 4, fmt.Sprintf("%s · стр. %d из {nb}", title, f.PageNo()), "", 0, "C", false, 0, "")
		f.SetTextColor(0, 0, 0)
	})
	f.AddPage()
	f.SetFont(family, "B", 14)
	f.MultiCell(0, 7, "МОНИТОРИНГ ПОКАЗАТЕЛЕЙ КОНЦЕПЦИИ ПЕРСОНИФИЦИРОВАННОГО ДОПОЛНИТЕЛЬНОГО ОБРАЗОВАНИЯ ДЕТЕЙ", "", "C", false)
	f.SetFont(family, "", 9.5)
	f.MultiCell(0, 5, app.RegionName+", период "+rep.Period, "", "C", false)

	h2 := func(s string) {
		f.Ln(3)
		f.SetFont(family, "B", 11)
		f.MultiCell(0, 6, s, "", "L", false)
		f.Ln(1)
	}
	h2("Целевые показатели")
	var rows [][]string
	for _, t := range targets(rep) {
		rows = append(rows, []string{t.What, t.Value, t.Goal, t.Met})
	}
	table(f, []pcol{{"Показатель", 0, "L"}, {"Значение", 60, "R"}, {"Цель", 40, "C"}, {"Итог", 32, "C"}}, rows, nil)

	h2("Показатели муниципалитетов")
	rows = rows[:0]
	for _, m := range rep.Municipalities {
		m.Name = shortName(m.Name)
		rows = append(rows, munCells(m, m.Code, modeShort(m)))
	}
	table(f, []pcol{{"Код", 11, "C"}, {"Муниципалитет", 0, "L"}, {"Режим", 28, "L"}, {"Квота", 16, "R"},
		{"Сертиф. финанс.", 18, "R"}, {"Детей 5–18 лет", 18, "R"}, {"Охват", 16, "R"}, {"Лимит бюджета", 34, "R"},
		{"В резерве", 30, "R"}, {"Оплачено", 28, "R"}, {"Зачислено детей", 24, "R"}},
		rows, munCells(rep.Region, "", "итого"))

	h2("Зачисления, исполнители и программы по направленностям (по краю)")
	rows = rows[:0]
	for _, d := range rep.Region.Directions {
		rows = append(rows, []string{capitalize(d.Name), strconv.FormatInt(d.Children, 10), strconv.FormatInt(d.Contracts, 10),
			strconv.FormatInt(d.Providers, 10), strconv.FormatInt(d.Certified, 10)})
	}
	table(f, []pcol{{"Направленность", 0, "L"}, {"Детей зачислено хотя бы раз", 45, "R"}, {"Договоров действует", 40, "R"},
		{"Исполнителей", 35, "R"}, {"Сертифицированных программ", 45, "R"}},
		rows, []string{"Всего (детей — без повторов)", strconv.FormatInt(rep.Region.Enrolled, 10),
			strconv.FormatInt(rep.Region.ContractsInForce, 10), "", ""})

	h2("Средства периода (по краю)")
	g := rep.Region
	table(f, []pcol{{"Лимит бюджета", 0, "R"}, {"Лимит суммы номиналов", 0, "R"}, {"Номиналы периода", 0, "R"},
		{"В резерве", 0, "R"}, {"Оплачено", 0, "R"}, {"Свободно от лимита", 0, "R"}},
		[][]string{{app.FormatRub(g.BudgetLimit), app.FormatRub(g.SumLimit), app.FormatRub(g.Nominals),
			app.FormatRub(g.Reserved), app.FormatRub(g.Paid), app.FormatRub(g.Free())}}, nil)

	// The charts, each scaled to the page's width or height.
	pw, ph := f.GetPageSize()
	for _, c := range charts {
		f.AddPage()
		f.RegisterImageOptionsReader(c.Name, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(c.PNG))
		maxW, maxH := pw-2*pdfMargin, ph-2*pdfMargin-8
		w := maxW
		h := w * float64(c.H) / float64(c.W)
		if h > maxH {
			h = maxH
			w = h * float64(c.W) / float64(c.H)
		}
		f.ImageOptions(c.Name, (pw-w)/2, pdfMargin, w, h, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	}
	if err := f.Error(); err != nil {
		return nil, fmt.Errorf("pdf %s: %w", title, err)
	}
	var b bytes.Buffer
	if err := f.Output(&b); err != nil {
		return nil, fmt.Errorf("pdf %s: %w", title, err)
	}
	return b.Bytes(), nil
}

// modeShort is the mode in a narrow column.
func modeShort(f app.Figures) string {
	switch {
	case !f.HasParams:
		return "нет параметров"
	case f.Mode == app.ModeFinancing:
		return "финансирование"
	}
	return "только учёт"
}

func munCells(m app.Figures, code, mode string) []string {
	return []string{code, m.Name, mode, strconv.FormatInt(m.Quota, 10), strconv.FormatInt(m.Financing, 10),
		strconv.FormatInt(m.Population, 10), app.FormatBP(m.CoverageBP), app.FormatRub(m.BudgetLimit),
		app.FormatRub(m.Reserved), app.FormatRub(m.Paid), strconv.FormatInt(m.Enrolled, 10)}
}

// pcol is a table column: heading, width in mm (0 = share the rest), alignment.
type pcol struct {
	head  string
	w     float64
	align string
}

// table draws a table with a shaded heading that repeats on every page and
// a bold total row if given; long cells are cut with «…».
func table(f *fpdf.Fpdf, cols []pcol, rows [][]string, total []string) {
	const rowH, size = 5.5, 8.0
	l, _, r, _ := f.GetMargins()
	pw, ph := f.GetPageSize()
	cols = append([]pcol(nil), cols...)
	fixed, flex := 0.0, 0
	for _, c := range cols {
		if c.w == 0 {
			flex++
		}
		fixed += c.w
	}
	for i := range cols {
		if cols[i].w == 0 {
			cols[i].w = (pw - l - r - fixed) / float64(flex)
		}
	}
	head := func() {
		f.SetFont(family, "B", size)
		f.SetFillColor(228, 232, 240)
		lines := 1
		for _, c := range cols {
			lines = max(lines, len(f.SplitText(c.head, c.w-2)))
		}
		h := float64(lines)*4 + 1.6
		x, y := f.GetX(), f.GetY()
		for _, c := range cols {
			f.Rect(x, y, c.w, h, "FD")
			f.SetXY(x+1, y+0.8)
			f.MultiCell(c.w-2, 4, c.head, "", "C", false)
			x += c.w
		}
		f.SetXY(l, y+h)
	}
	if f.GetY()+3*rowH > ph-pdfMargin-4 {
		f.AddPage()
	}
	head()
	draw := func(cells []string, bold bool) {
		if f.GetY()+rowH > ph-pdfMargin-4 {
			f.AddPage()
			head()
		}
		style := ""
		if bold {
			style = "B"
		}
		f.SetFont(family, style, size)
		for i, c := range cols {
			s := ""
			if i < len(cells) {
				s = fit(f, cells[i], c.w-2)
			}
			f.CellFormat(c.w, rowH, s, "1", 0, c.align, false, 0, "")
		}
		f.Ln(rowH)
	}
	for _, row := range rows {
		draw(row, false)
	}
	if total != nil {
		draw(total, true)
	}
}

// fit cuts s to width w millimetres at the current font, ending it with «…».
func fit(f *fpdf.Fpdf, s string, w float64) string {
	if f.GetStringWidth(s) <= w {
		return s
	}
	rs := []rune(s)
	for len(rs) > 0 && f.GetStringWidth(string(rs)+"…") > w {
		rs = rs[:len(rs)-1]
	}
	return strings.TrimRight(string(rs), " ") + "…"
}
