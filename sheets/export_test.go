package sheets_test

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"kruzhok/app"
	"kruzhok/sheets"
)

// raw is how a cell reads back from XLSX with raw values: money as the exact
// decimal, dates as day serials since 1899-12-30.
func raw(c sheets.Cell) string {
	switch c.Kind {
	case sheets.KindMoney:
		if c.N < 0 {
			return fmt.Sprintf("-%d.%02d", -c.N/100, -c.N%100)
		}
		return fmt.Sprintf("%d.%02d", c.N/100, c.N%100)
	case sheets.KindDate:
		if c.N == 0 {
			return ""
		}
		return strconv.FormatInt(c.N-int64(app.NewDate(1899, 12, 30)), 10)
	case sheets.KindInt:
		return strconv.FormatInt(c.N, 10)
	}
	return c.S
}

// sameAsXLSX checks that the XLSX of tab reads back cell for cell.
func sameAsXLSX(t *testing.T, tab sheets.Table) []byte {
	t.Helper()
	data := xlsx(t, tab)
	cells, err := sheets.ReadXLSXCells(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(cells) != len(tab.Rows)+1 {
		t.Fatalf("%d rows read, want %d", len(cells), len(tab.Rows)+1)
	}
	for i, h := range tab.Columns {
		if cells[0][i] != h {
			t.Fatalf("header %d = %q, want %q", i, cells[0][i], h)
		}
	}
	for r, row := range tab.Rows {
		for c, cell := range row {
			got := ""
			if c < len(cells[r+1]) {
				got = cells[r+1][c]
			}
			if want := raw(cell); got != want {
				t.Fatalf("row %d col %q = %q, want %q", r+2, tab.Columns[c], got, want)
			}
		}
	}
	assertNoFormula(t, data)
	return data
}

func TestCertificatesXLSX(t *testing.T) {
	st := demoStore(t)
	for _, mun := range []string{"", "27"} {
		tab := export(t, st, "certificates", sheets.Filter{Municipality: mun})
		data := sameAsXLSX(t, tab)

		// The registry itself, read straight from the store.
		var certs []app.Certificate
		st.View(func(r app.Reader) (err error) {
			certs, err = app.List[app.Certificate](r, "", "", 0)
			return err
		})
		want := map[string]string{}
		for _, c := range certs {
			if mun == "" || c.Municipality == mun {
				l := c.LedgerOf(c.Period)
				want[c.Number] = fmt.Sprintf("%d.%02d|%d.%02d", l.Nominal/100, l.Nominal%100, l.Balance/100, l.Balance%100)
			}
		}
		cells, _ := sheets.ReadXLSXCells(data)
		if len(cells)-1 != len(want) || len(want) == 0 {
			t.Fatalf("municipality %q: %d rows, %d certificates", mun, len(cells)-1, len(want))
		}
		for _, row := range cells[1:] {
			if got := row[10] + "|" + row[11]; got != want[row[0]] {
				t.Fatalf("certificate %s: nominal|balance %s, want %s", row[0], got, want[row[0]])
			}
			if mun != "" && row[1] != "г. Ставрополь" {
				t.Fatalf("municipality %q in the registry of 27", row[1])
			}
		}
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		id, _ := f.GetCellStyle(f.GetSheetName(0), "K2")
		style, _ := f.GetStyle(id)
		if style == nil || style.CustomNumFmt == nil || *style.CustomNumFmt != sheets.MoneyFormat {
			t.Fatalf("money cell style %+v", style)
		}
		f.Close()
	}
}

func TestRegistriesXLSXAndCSV(t *testing.T) {
	st := demoStore(t)
	for _, kind := range []string{"children", "programmes", "municipal", "contracts", "invoices"} {
		t.Run(kind, func(t *testing.T) {
			tab := export(t, st, kind, sheets.Filter{})
			if len(tab.Rows) == 0 && kind != "invoices" {
				t.Fatalf("empty %s registry", kind)
			}
			sameAsXLSX(t, tab)
			// Registries name documents by their numbers, never by an ID
			// (the programmes' registry keeps its ID column: it is read back
			// by the import, docs/IMPORT.md).
			number := map[string]*regexp.Regexp{
				"contracts": regexp.MustCompile(`^ДД-\d{2}-\d{4}-\d{6}$`),
				"invoices":  regexp.MustCompile(`^С-\d{2}-\d{4}-\d{2}-[АИ]-\d{4}$`),
			}[kind]
			uuid := regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
			for _, row := range tab.Rows {
				if number != nil && !number.MatchString(raw(row[0])) {
					t.Fatalf("%s: document number %q", kind, raw(row[0]))
				}
				for _, c := range row {
					if number != nil && uuid.MatchString(raw(c)) {
						t.Fatalf("%s: an ID in a cell: %q", kind, raw(c))
					}
				}
			}
			var b bytes.Buffer
			if err := sheets.WriteCSV(&b, tab); err != nil {
				t.Fatal(err)
			}
			s := b.String()
			if !strings.HasPrefix(s, "\ufeff"+strings.Join(tab.Columns, ";")+"\r\n") {
				t.Fatalf("CSV header %q", s[:min(200, len(s))])
			}
		})
	}
}

func TestMoneyInCSV(t *testing.T) {
	tab := sheets.Table{Columns: []string{"Сумма", "Текст"}, Rows: [][]sheets.Cell{
		{sheets.Money(123456), sheets.Text("+7 928")}, {sheets.Money(5), sheets.Text("@x")}, {sheets.Money(0), sheets.Text("-1")}}}
	var b bytes.Buffer
	if err := sheets.WriteCSV(&b, tab); err != nil {
		t.Fatal(err)
	}
	want := "\ufeffСумма;Текст\r\n1234,56;'+7 928\r\n0,05;'@x\r\n0,00;'-1\r\n"
	if b.String() != want {
		t.Fatalf("CSV %q, want %q", b.String(), want)
	}
}

func TestJournal(t *testing.T) {
	st := demoStore(t)
	var lesson app.Lesson
	st.View(func(r app.Reader) error {
		ls, _ := app.List[app.Lesson](r, "", "", 0)
		for _, l := range ls {
			if len(l.Marks) > 0 {
				lesson = l
				break
			}
		}
		return nil
	})
	if lesson.ID == "" {
		t.Fatal("the demo has no marked lesson")
	}
	mo := lesson.Date.Month()
	tab := export(t, st, "journal", sheets.Filter{Group: lesson.Group, Month: mo})
	sameAsXLSX(t, tab)

	present := 0
	st.View(func(r app.Reader) error {
		ls, _ := app.List[app.Lesson](r, app.IdxGroup, lesson.Group+"|"+mo.String(), 0)
		for _, l := range ls {
			for _, m := range l.Marks {
				if m == app.MarkPresent && !l.Cancelled {
					present++
				}
			}
		}
		return nil
	})
	plus := 0
	var total int64
	for _, row := range tab.Rows {
		for _, c := range row {
			if c.Kind == sheets.KindText && c.S == "+" {
				plus++
			}
		}
		total += row[len(row)-3].N
	}
	if plus != present || total != int64(present) {
		t.Fatalf("journal shows %d «+» (total %d), the lessons hold %d present marks", plus, total, present)
	}
	if len(tab.Columns) < 3+len(app.ScheduledLessons(mustGroup(t, st, lesson.Group), mo)) {
		t.Fatalf("columns %q", tab.Columns)
	}
}

func mustGroup(t *testing.T, st interface {
	View(func(app.Reader) error) error
}, id string) app.Group {
	var g app.Group
	if err := st.View(func(r app.Reader) (err error) { g, err = app.Get[app.Group](r, id); return err }); err != nil {
		t.Fatal(err)
	}
	return g
}

func TestExportUnknownKind(t *testing.T) {
	st := seeded(t)
	err := st.View(func(r app.Reader) error {
		_, err := sheets.Export(r, "nonsense", sheets.Filter{})
		return err
	})
	if app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("err = %v", err)
	}
}
