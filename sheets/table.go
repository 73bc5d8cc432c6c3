package sheets

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"kruzhok/app"
)

// CellKind says how a cell is written.
type CellKind int

// The kinds of cells.
const (
	KindText  CellKind = iota // a string, never a formula
	KindMoney                 // kopecks, written as roubles with 2 decimals
	KindDate                  // an app.Date, written as ДД.ММ.ГГГГ
	KindInt                   // a whole number
)

// Cell is one value of a table. Money and dates are kept as integers, so that
// no amount ever passes through a float on its way to a file.
type Cell struct {
	Kind CellKind
	S    string // KindText
	N    int64  // KindMoney (kopecks), KindDate (app.Date), KindInt
}

// Text, Money, DateCell and Int make cells.
func Text(s string) Cell            { return Cell{Kind: KindText, S: s} }
func Money(kopecks int64) Cell      { return Cell{Kind: KindMoney, N: kopecks} }
func DateCell(d app.Date) Cell      { return Cell{Kind: KindDate, N: int64(d)} }
func Int(n int64) Cell              { return Cell{Kind: KindInt, N: n} }
func textf(f string, a ...any) Cell { return Text(fmt.Sprintf(f, a...)) }

// Table is a registry ready to be written: a sheet name, Russian column
// headers and rows of cells.
type Table struct {
	Name    string
	Columns []string
	Rows    [][]Cell
}

// dangerous reports whether a text would be taken for a formula by a
// spreadsheet program (CSV injection): it starts with = + - @, a tab or a CR.
func dangerous(s string) bool {
	return s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0]))
}

// escapeCSV prefixes a dangerous text with a single quote, which spreadsheet
// programs show as text and never evaluate.
func escapeCSV(s string) string {
	if dangerous(s) {
		return "'" + s
	}
	return s
}

// unescape undoes escapeCSV on import: a quote before a dangerous text is ours.
func unescape(s string) string {
	if strings.HasPrefix(s, "'") && dangerous(s[1:]) {
		return s[1:]
	}
	return s
}

// decimal renders kopecks as an exact decimal with a separator: 1234,56.
func decimal(k int64, sep string) string {
	sign := ""
	if k < 0 {
		sign, k = "-", -k
	}
	return fmt.Sprintf("%s%d%s%02d", sign, k/100, sep, k%100)
}

// CSVDelimiter is the field separator of exported CSV: a semicolon, as a
// Russian Excel expects (the comma is its decimal separator).
const CSVDelimiter = ';'

// WriteCSV writes t as CSV for Excel: a UTF-8 byte order mark, semicolons,
// money as 1234,56, dates as ДД.ММ.ГГГГ, dangerous texts escaped with a quote.
func WriteCSV(w io.Writer, t Table) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Comma = CSVDelimiter
	cw.UseCRLF = true
	head := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		head[i] = escapeCSV(c)
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	rec := make([]string, len(t.Columns))
	for _, row := range t.Rows {
		for i := range rec {
			rec[i] = ""
			if i < len(row) {
				rec[i] = csvValue(row[i])
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func csvValue(c Cell) string {
	switch c.Kind {
	case KindMoney:
		return decimal(c.N, ",")
	case KindDate:
		if c.N == 0 {
			return ""
		}
		return app.Date(c.N).Russian()
	case KindInt:
		return strconv.FormatInt(c.N, 10)
	}
	return escapeCSV(c.S)
}

// excelEpoch is day 0 of Excel's date serials (1899-12-30).
var excelEpoch = app.NewDate(1899, 12, 30)

// MoneyFormat is the number format of money cells; a Russian Excel shows it
// as «# ##0,00».
const MoneyFormat = "#,##0.00"

// WriteXLSX writes t as an XLSX workbook of one sheet. Texts are string
// cells (never formulas); money is a number cell whose stored value is the
// exact decimal kopecks/100 (written as text into the XML, no float involved)
// formatted MoneyFormat; dates are date cells formatted ДД.ММ.ГГГГ.
func WriteXLSX(w io.Writer, t Table) error {
	f := excelize.NewFile()
	defer f.Close()
	name := t.Name
	if name == "" {
		name = "Реестр"
	}
	if err := f.SetSheetName("Sheet1", name); err != nil {
		return err
	}
	fmtMoney := MoneyFormat
	money, err := f.NewStyle(&excelize.Style{CustomNumFmt: &fmtMoney})
	if err != nil {
		return err
	}
	fmtDate := "dd.mm.yyyy"
	date, err := f.NewStyle(&excelize.Style{CustomNumFmt: &fmtDate})
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	for i, c := range t.Columns {
		if err := setCell(f, name, i, 0, Text(c), bold, money, date); err != nil {
			return err
		}
	}
	for r, row := range t.Rows {
		for i, c := range row {
			if err := setCell(f, name, i, r+1, c, 0, money, date); err != nil {
				return err
			}
		}
	}
	for i := range t.Columns {
		col, _ := excelize.ColumnNumberToName(i + 1)
		_ = f.SetColWidth(name, col, col, 18)
	}
	return f.Write(w)
}

// setCell writes c at column i, row r (both from 0). A text is always a
// string cell (SetCellStr): excelize's formula setters are never used here.
func setCell(f *excelize.File, sheet string, i, r int, c Cell, text, money, date int) error {
	ref, err := excelize.CoordinatesToCellName(i+1, r+1)
	if err != nil {
		return err
	}
	style := text
	switch c.Kind {
	case KindMoney:
		// The exact decimal goes verbatim into the number cell's <v>: no float.
		err, style = f.SetCellDefault(sheet, ref, decimal(c.N, ".")), money
	case KindDate:
		if c.N == 0 {
			return nil
		}
		err, style = f.SetCellInt(sheet, ref, int64(app.Date(c.N)-excelEpoch)), date
	case KindInt:
		err = f.SetCellInt(sheet, ref, c.N)
	default:
		if c.S == "" {
			return nil
		}
		err = f.SetCellStr(sheet, ref, c.S)
	}
	if err != nil || style == 0 {
		return err
	}
	return f.SetCellStyle(sheet, ref, ref, style)
}

// ReadXLSXCells is for tests and tools: the raw cell texts of the first sheet
// of an XLSX file (numbers as stored, e.g. 1234.56; dates as day serials).
func ReadXLSXCells(data []byte) ([][]string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: MaxFileSize * 10, UnzipXMLSizeLimit: MaxFileSize * 5})
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.GetRows(f.GetSheetName(0), excelize.Options{RawCellValue: true})
}
