package monitor

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/xuri/excelize/v2"

	"kruzhok/app"
)

// modeRu is the Russian name of a municipality's mode.
func modeRu(f app.Figures) string {
	switch {
	case !f.HasParams:
		return "параметры не заданы"
	case f.Mode == app.ModeFinancing:
		return "учёт и финансирование"
	}
	return "только учёт"
}

// metRu says whether a target is reached.
func metRu(ok bool) string {
	if ok {
		return "достигнуто"
	}
	return "не достигнуто"
}

// target is one row of the targets table.
type target struct {
	What, Value, Goal, Met string
}

// targets are the Concept's three targets for the region.
func targets(rep app.Report) []target {
	g := rep.Region
	return []target{
		{"Муниципалитеты с персонифицированным учётом", fmt.Sprintf("%d из %d", rep.AccountingMuns, len(rep.Municipalities)),
			fmt.Sprintf("все %d", app.TargetAccountingMuns), metRu(rep.AccountingMet())},
		{"Муниципалитеты с персонифицированным финансированием", strconv.Itoa(rep.FinancingMuns),
			fmt.Sprintf("не меньше %d", app.TargetFinancingMuns), metRu(rep.FinancingMet())},
		{"Доля детей 5–18 лет с сертификатом финансирования", fmt.Sprintf("%s (%d из %d)", app.FormatBP(g.CoverageBP), g.Financing, g.Population),
			"не меньше " + app.FormatBP(app.TargetCoverageBP), metRu(g.CoverageMet())},
	}
}

// The columns of the municipalities sheet and table.
var munColumns = []string{"Код", "Муниципалитет", "Режим", "Квота сертификатов финансирования",
	"Сертификатов финансирования", "Заявок в очереди", "Детей 5–18 лет", "Охват", "Цель 25 %",
	"Лимит бюджета", "Лимит суммы номиналов", "Номиналы сертификатов финансирования",
	"Номиналы периода", "В резерве", "Оплачено", "Свободно от лимита", "Детей зачислено", "Договоров действует"}

// The columns of the directions sheet.
var dirColumns = []string{"Код", "Муниципалитет", "Направленность", "Детей зачислено хотя бы раз",
	"Договоров действует", "Исполнителей с сертифицированными программами", "Сертифицированных программ"}

// xcell is one cell of the workbook: a text, a whole number, money in
// kopecks or a share in basis points (numbers without floats).
type xcell struct {
	kind int // 0 text, 1 int, 2 money, 3 basis points
	s    string
	n    int64
}

func xtext(s string) xcell  { return xcell{kind: 0, s: s} }
func xint(n int64) xcell    { return xcell{kind: 1, n: n} }
func xmoney(k int64) xcell  { return xcell{kind: 2, n: k} }
func xshare(bp int64) xcell { return xcell{kind: 3, n: bp} }

// munRow is a municipality's (or the region's) row.
func munRow(f app.Figures, code, mode string) []xcell {
	return []xcell{xtext(code), xtext(f.Name), xtext(mode), xint(f.Quota), xint(f.Financing), xint(f.Waiting),
		xint(f.Population), xshare(f.CoverageBP), xtext(metRu(f.CoverageMet())), xmoney(f.BudgetLimit),
		xmoney(f.SumLimit), xmoney(f.SumNominals), xmoney(f.Nominals), xmoney(f.Reserved), xmoney(f.Paid),
		xmoney(f.Free()), xint(f.Enrolled), xint(f.ContractsInForce)}
}

// XLSX builds the monitoring report of the period ("" = current) as an XLSX
// workbook: the sheets «Показатели» (the targets), «Муниципалитеты» (the
// figures of each municipality and the region's total), «Направленности»
// (by direction, for the region and each municipality) and «Диаграммы» (the
// charts). Money is a number cell of the exact roubles (written from
// kopecks as a decimal string, no float), the coverage a number cell of the
// exact share with a percent format.
func XLSX(r app.Reader, period string) ([]byte, error) {
	rep, err := app.Monitoring(r, period)
	if err != nil {
		return nil, err
	}
	charts, err := Charts(rep)
	if err != nil {
		return nil, err
	}
	return buildXLSX(rep, charts)
}

func buildXLSX(rep app.Report, charts []Chart) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	w := &book{f: f}
	w.styles()

	const s1 = "Показатели"
	if err := f.SetSheetName("Sheet1", s1); err != nil {
		return nil, err
	}
	w.row(s1, 1, []xcell{xtext("Показатели Концепции персонифицированного дополнительного образования детей, период " + rep.Period)}, true)
	w.row(s1, 3, []xcell{xtext("Показатель"), xtext("Значение"), xtext("Цель"), xtext("Итог")}, true)
	for i, t := range targets(rep) {
		w.row(s1, 4+i, []xcell{xtext(t.What), xtext(t.Value), xtext(t.Goal), xtext(t.Met)}, false)
	}
	w.widths(s1, []float64{58, 28, 20, 16})

	const s2 = "Муниципалитеты"
	if _, err := f.NewSheet(s2); err != nil {
		return nil, err
	}
	head := make([]xcell, len(munColumns))
	for i, c := range munColumns {
		head[i] = xtext(c)
	}
	w.row(s2, 1, head, true)
	for i, m := range rep.Municipalities {
		w.row(s2, 2+i, munRow(m, m.Code, modeRu(m)), false)
	}
	w.row(s2, 2+len(rep.Municipalities), munRow(rep.Region, "", "Итого по краю"), true)
	w.widths(s2, []float64{6, 34, 22, 14, 14, 10, 12, 10, 14, 18, 18, 18, 18, 16, 16, 18, 12, 12})

	const s3 = "Направленности"
	if _, err := f.NewSheet(s3); err != nil {
		return nil, err
	}
	head = make([]xcell, len(dirColumns))
	for i, c := range dirColumns {
		head[i] = xtext(c)
	}
	w.row(s3, 1, head, true)
	n := 2
	dirRows := func(code string, fig app.Figures, bold bool) {
		for _, d := range fig.Directions {
			w.row(s3, n, []xcell{xtext(code), xtext(fig.Name), xtext(d.Name), xint(d.Children), xint(d.Contracts),
				xint(d.Providers), xint(d.Certified)}, bold)
			n++
		}
	}
	dirRows("", rep.Region, true)
	for _, m := range rep.Municipalities {
		dirRows(m.Code, m, false)
	}
	w.widths(s3, []float64{6, 34, 26, 14, 14, 20, 16})

	const s4 = "Диаграммы"
	if _, err := f.NewSheet(s4); err != nil {
		return nil, err
	}
	row := 1
	for _, c := range charts {
		w.row(s4, row, []xcell{xtext(c.Title)}, true)
		cell, _ := excelize.CoordinatesToCellName(1, row+1)
		if err := f.AddPictureFromBytes(s4, cell, &excelize.Picture{Extension: ".png", File: c.PNG,
			Format: &excelize.GraphicOptions{AltText: c.Title, LockAspectRatio: true}}); err != nil {
			return nil, err
		}
		// Rows are 20 px by default; the chart is drawn at 96 dpi, 4/3 px a point.
		row += 3 + int(c.H.Points()*4/3)/20
	}
	if w.err != nil {
		return nil, w.err
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// book writes cells into a workbook, keeping the first error.
type book struct {
	f                        *excelize.File
	err                      error
	bold, money, share, bmon int
	bshare                   int
}

func (w *book) styles() {
	mf, pf := "#,##0.00", "0.00%"
	w.bold, w.err = w.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if w.err == nil {
		w.money, w.err = w.f.NewStyle(&excelize.Style{CustomNumFmt: &mf})
	}
	if w.err == nil {
		w.share, w.err = w.f.NewStyle(&excelize.Style{CustomNumFmt: &pf})
	}
	if w.err == nil {
		w.bmon, w.err = w.f.NewStyle(&excelize.Style{CustomNumFmt: &mf, Font: &excelize.Font{Bold: true}})
	}
	if w.err == nil {
		w.bshare, w.err = w.f.NewStyle(&excelize.Style{CustomNumFmt: &pf, Font: &excelize.Font{Bold: true}})
	}
}

// row writes cells at row r (from 1), in bold if asked.
func (w *book) row(sheet string, r int, cells []xcell, bold bool) {
	for i, c := range cells {
		if w.err != nil {
			return
		}
		ref, err := excelize.CoordinatesToCellName(i+1, r)
		if err != nil {
			w.err = err
			return
		}
		style := 0
		if bold {
			style = w.bold
		}
		switch c.kind {
		case 1:
			err = w.f.SetCellInt(sheet, ref, c.n)
		case 2:
			// The exact decimal goes verbatim into the number cell: no float.
			err, style = w.f.SetCellDefault(sheet, ref, decimal(c.n, 2)), pick(bold, w.bmon, w.money)
		case 3:
			if c.n < 0 {
				err = w.f.SetCellStr(sheet, ref, "—")
			} else {
				err, style = w.f.SetCellDefault(sheet, ref, decimal(c.n, 4)), pick(bold, w.bshare, w.share)
			}
		default:
			if c.s != "" {
				err = w.f.SetCellStr(sheet, ref, c.s)
			}
		}
		if err == nil && style != 0 {
			err = w.f.SetCellStyle(sheet, ref, ref, style)
		}
		w.err = err
	}
}

func (w *book) widths(sheet string, ws []float64) {
	for i, x := range ws {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if w.err == nil {
			w.err = w.f.SetColWidth(sheet, col, col, x)
		}
	}
}

func pick(b bool, yes, no int) int {
	if b {
		return yes
	}
	return no
}

// decimal writes n / 10^places exactly: decimal(123456, 2) = "1234.56".
func decimal(n int64, places int) string {
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	p := int64(1)
	for range places {
		p *= 10
	}
	return fmt.Sprintf("%s%d.%0*d", sign, n/p, places, n%p)
}
