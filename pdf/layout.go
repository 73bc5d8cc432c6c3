package pdf

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"kruzhok/app"
	"kruzhok/assets"
)

// family is the embedded font's family name inside the PDF.
const family = "DejaVu"

// Line heights and font sizes, in millimetres and points.
const (
	lineH   = 5.0
	rowH    = 6.0
	sizeH1  = 14.0
	sizeH2  = 11.0
	sizeTxt = 9.5
	sizeTab = 8.5
	margin  = 15.0
)

// page is one document being written: an fpdf document with the DejaVu fonts,
// a footer naming the document and the page, and helpers for the blocks
// Kruzhok's documents are made of.
type page struct {
	f     *fpdf.Fpdf
	title string
}

// newPage starts a document with its title (for the footer and the PDF's
// metadata) and its date: the creation date is fixed to it, so the same
// records give the same bytes.
func newPage(title string, date app.Date, landscape bool) *page {
	orient := "P"
	if landscape {
		orient = "L"
	}
	f := fpdf.New(orient, "mm", "A4", "")
	f.AddUTF8FontFromBytes(family, "", assets.FontRegular)
	f.AddUTF8FontFromBytes(family, "B", assets.FontBold)
	f.SetMargins(margin, margin, margin)
	f.SetAutoPageBreak(true, margin+5)
	f.SetTitle(title, true)
	f.SetCreator("Кружок", true)
	f.SetLang("ru")
	f.SetCatalogSort(true) // resources in a fixed order: the same records give the same bytes
	y, m, d := date.Parts()
	if date.IsZero() {
		y, m, d = 2000, time.January, 1
	}
	at := time.Date(y, m, d, 12, 0, 0, 0, time.FixedZone("MSK", 3*3600))
	f.SetCreationDate(at)
	f.SetModificationDate(at)
	f.AliasNbPages("{nb}")
	p := &page{f: f, title: title}
	f.SetFooterFunc(func() {
		f.SetY(-margin)
		f.SetFont(family, "", 7.5)
		f.SetTextColor(110, 110, 110)
		f.CellFormat(0, 4, fmt.Sprintf("%s · стр. %d из {nb}", p.title, f.PageNo()), "", 0, "C", false, 0, "")
		f.SetTextColor(0, 0, 0)
	})
	f.AddPage()
	return p
}

// h1 is the document's heading, centred.
func (p *page) h1(s string) {
	p.f.SetFont(family, "B", sizeH1)
	p.f.MultiCell(0, 7, s, "", "C", false)
}

// sub is a centred line under the heading.
func (p *page) sub(s string) {
	p.f.SetFont(family, "", sizeTxt)
	p.f.MultiCell(0, lineH, s, "", "C", false)
}

// h2 is a section heading.
func (p *page) h2(s string) {
	p.f.Ln(3)
	p.keep(3 * rowH)
	p.f.SetFont(family, "B", sizeH2)
	p.f.MultiCell(0, 6, s, "", "L", false)
	p.f.Ln(1)
}

// para is a paragraph of running text.
func (p *page) para(s string) {
	p.f.SetFont(family, "", sizeTxt)
	p.f.MultiCell(0, lineH, s, "", "J", false)
}

// note is a paragraph of small print.
func (p *page) note(s string) {
	p.f.SetFont(family, "", 8)
	p.f.SetTextColor(70, 70, 70)
	p.f.MultiCell(0, 4, s, "", "J", false)
	p.f.SetTextColor(0, 0, 0)
}

// field is "Label: value" with the label in bold, the value wrapping under it.
func (p *page) field(label, value string) {
	p.f.SetFont(family, "B", sizeTxt)
	w := p.f.GetStringWidth(label+": ") + 0.5
	l, _, r, _ := p.f.GetMargins()
	pw, _ := p.f.GetPageSize()
	if w > (pw-l-r)/2 {
		p.f.MultiCell(0, lineH, label+":", "", "L", false)
		p.para(value)
		return
	}
	p.keep(lineH)
	p.f.CellFormat(w, lineH, label+":", "", 0, "L", false, 0, "")
	p.f.SetFont(family, "", sizeTxt)
	p.f.MultiCell(0, lineH, value, "", "L", false)
}

// side by side: a place on the left and a date on the right.
func (p *page) placeDate(place, date string) {
	p.f.Ln(2)
	p.f.SetFont(family, "", sizeTxt)
	p.f.CellFormat(0, lineH, place, "", 0, "L", false, 0, "")
	p.f.CellFormat(0, lineH, date, "", 1, "R", false, 0, "")
	p.f.Ln(2)
}

// signatures draws the signature lines of the parties.
func (p *page) signatures(parties ...string) {
	p.f.Ln(6)
	p.keep(18)
	l, _, r, _ := p.f.GetMargins()
	pw, _ := p.f.GetPageSize()
	w := (pw - l - r) / float64(len(parties))
	p.f.SetFont(family, "B", sizeTxt)
	for _, s := range parties {
		p.f.CellFormat(w, lineH, s, "", 0, "L", false, 0, "")
	}
	p.f.Ln(10)
	p.f.SetFont(family, "", sizeTxt)
	for range parties {
		p.f.CellFormat(w, lineH, "________________ / ________________", "", 0, "L", false, 0, "")
	}
	p.f.Ln(lineH)
}

// keep starts a new page unless h millimetres fit on this one.
func (p *page) keep(h float64) {
	_, ph := p.f.GetPageSize()
	if p.f.GetY()+h > ph-margin-5 {
		p.f.AddPage()
	}
}

// col is a table column: its heading, width in millimetres (0 = share the
// rest of the line) and alignment ("L", "C", "R").
type col struct {
	head  string
	w     float64
	align string
}

// table draws a table with a shaded heading row that repeats on every page;
// a cell too long for its column wraps onto as many lines as it needs (a
// room «каб. робототехники, 2 этаж» is printed whole). A total row, if
// given, is drawn in bold.
func (p *page) table(cols []col, rows [][]string, total []string) {
	l, _, r, _ := p.f.GetMargins()
	pw, _ := p.f.GetPageSize()
	cols = append([]col(nil), cols...)
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
		p.f.SetFont(family, "B", sizeTab)
		p.f.SetFillColor(228, 232, 240)
		// The heading may wrap: measure the tallest and draw each cell as a box of that height.
		lines := 1
		for _, c := range cols {
			lines = max(lines, len(p.f.SplitText(c.head, c.w-2)))
		}
		h := float64(lines) * 4.2
		x, y := p.f.GetX(), p.f.GetY()
		for _, c := range cols {
			p.f.Rect(x, y, c.w, h+1.6, "FD")
			n := len(p.f.SplitText(c.head, c.w-2))
			p.f.SetXY(x+1, y+0.8+float64(lines-n)*4.2/2) // centred in the row's height
			p.f.MultiCell(c.w-2, 4.2, c.head, "", "C", false)
			x += c.w
		}
		p.f.SetXY(l, y+h+1.6)
		p.f.SetFont(family, "", sizeTab)
	}
	p.keep(3 * rowH)
	head()
	_, ph := p.f.GetPageSize()
	const cellLine = 4.2 // the line height of a wrapped cell
	// A cell's text runs 1 mm from its borders: the padding is drawn here,
	// so fpdf's own cell margin is off while the rows are drawn.
	cm := p.f.GetCellMargin()
	p.f.SetCellMargin(0)
	defer p.f.SetCellMargin(cm)
	draw := func(cells []string, bold bool) {
		style := ""
		if bold {
			style = "B"
		}
		p.f.SetFont(family, style, sizeTab)
		// A long cell wraps onto more lines, never cut: the row is as tall
		// as its tallest cell.
		lines := 1
		for i, c := range cols {
			if i < len(cells) {
				lines = max(lines, len(p.f.SplitText(cells[i], c.w-2)))
			}
		}
		h := max(rowH, float64(lines)*cellLine+1.8)
		if p.f.GetY()+h > ph-margin-5 {
			p.f.AddPage()
			head()
			p.f.SetFont(family, style, sizeTab)
		}
		x, y := p.f.GetX(), p.f.GetY()
		for i, c := range cols {
			fill := "D"
			if bold {
				fill = "FD"
			}
			p.f.Rect(x, y, c.w, h, fill)
			if i < len(cells) && cells[i] != "" {
				n := len(p.f.SplitText(cells[i], c.w-2))
				p.f.SetXY(x+1, y+(h-float64(n)*cellLine)/2) // centred in the row's height
				p.f.MultiCell(c.w-2, cellLine, cells[i], "", c.align, false)
			}
			x += c.w
		}
		p.f.SetXY(l, y+h)
	}
	p.f.SetFillColor(245, 246, 250)
	for _, row := range rows {
		draw(row, false)
	}
	if total != nil {
		draw(total, true)
	}
	p.f.SetFont(family, "", sizeTxt)
}

// bytes finishes the document.
func (p *page) bytes() ([]byte, error) {
	var b bytes.Buffer
	if err := p.f.Output(&b); err != nil {
		return nil, fmt.Errorf("pdf %s: %w", p.title, err)
	}
	return b.Bytes(), nil
}

var weekdaysRu = [...]string{"понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"}

// weekdayRu is the Russian name of an app.Slot weekday (1 = Monday … 7 = Sunday).
func weekdayRu(n int) string {
	if n < 1 || n > 7 {
		return fmt.Sprint(n)
	}
	return weekdaysRu[n-1]
}

// orDash is s, or a dash for an empty value.
func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// nbsp joins the words of s with non-breaking spaces, so that a phone
// number or an "ИНН 1234" never wraps apart.
func nbsp(s string) string { return strings.ReplaceAll(s, " ", "\u00a0") }

// munName is the municipality's name ("г. Ставрополь"), or the bare code
// when the reader lacks the record.
func munName(r app.Reader, code string) string {
	m, err := app.Get[app.Municipality](r, code)
	if err != nil || m.Name == "" {
		return code
	}
	return m.Name
}
