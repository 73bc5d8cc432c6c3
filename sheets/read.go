package sheets

import (
	"bytes"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"kruzhok/app"
)

// MaxFileSize is the largest file an import reads: 20 MB.
const MaxFileSize = 20 << 20

// Errors of a whole file (EINVALID), before any row is looked at.
var (
	ErrNotTable = app.Errorf(app.EINVALID, "файл не является таблицей XLSX или CSV")
	ErrTooLarge = app.Errorf(app.EINVALID, "файл больше 20 МБ: разделите его на части")
)

// sheet is a table read from a file: the header row and the data rows as
// texts, and whether it came from XLSX (where dates may be day serials).
type sheet struct {
	header []string
	rows   [][]string
	xlsx   bool
}

// readAll reads at most MaxFileSize bytes; a longer input is ErrTooLarge,
// refused before any parsing.
func readAll(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, ErrTooLarge
	}
	return data, nil
}

// parse detects the format by content: a zip (PK) is XLSX, valid UTF-8 text
// is CSV, anything else is ErrNotTable.
func parse(data []byte) (sheet, error) {
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return parseXLSX(data)
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if len(bytes.TrimSpace(data)) == 0 || !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
		return sheet{}, ErrNotTable
	}
	return parseCSV(data)
}

func parseXLSX(data []byte) (sheet, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data),
		excelize.Options{UnzipSizeLimit: MaxFileSize * 10, UnzipXMLSizeLimit: MaxFileSize * 5})
	if err != nil {
		return sheet{}, ErrNotTable
	}
	defer f.Close()
	name := f.GetSheetName(0)
	rows, err := f.GetRows(name, excelize.Options{RawCellValue: true})
	if err != nil || len(rows) == 0 {
		return sheet{}, ErrNotTable
	}
	// A formula is kept as its text (plain data, never evaluated), not as
	// the value a spreadsheet program last computed for it.
	for r, row := range rows {
		for c := range row {
			ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if fm, err := f.GetCellFormula(name, ref); err == nil && fm != "" {
				row[c] = "=" + strings.TrimPrefix(fm, "=")
			}
		}
	}
	return sheet{header: rows[0], rows: rows[1:], xlsx: true}, nil
}

func parseCSV(data []byte) (sheet, error) {
	first, _, _ := bytes.Cut(data, []byte("\n"))
	comma := ';'
	if n := bytes.Count(first, []byte(",")); n > bytes.Count(first, []byte(";")) {
		comma = ','
	}
	if n := bytes.Count(first, []byte("\t")); n > bytes.Count(first, []byte(string(comma))) {
		comma = '\t'
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	recs, err := cr.ReadAll()
	if err != nil || len(recs) == 0 {
		return sheet{}, ErrNotTable
	}
	for _, rec := range recs {
		for i := range rec {
			rec[i] = unescape(rec[i])
		}
	}
	return sheet{header: recs[0], rows: recs[1:]}, nil
}

// columns maps the header to column positions by normalised name.
func (s sheet) columns() map[string]int {
	m := map[string]int{}
	for i, h := range s.header {
		k := app.NameKey(strings.TrimPrefix(h, "\ufeff"))
		if _, dup := m[k]; !dup {
			m[k] = i
		}
	}
	return m
}

// row is one data row with its header map.
type row struct {
	n    int // the row number in the file (the header is row 1)
	vals []string
	cols map[string]int
	xlsx bool
}

// get is the trimmed cell of the named column, "" when absent.
func (r row) get(col string) string {
	i, ok := r.cols[app.NameKey(col)]
	if !ok || i >= len(r.vals) {
		return ""
	}
	return strings.TrimSpace(r.vals[i])
}

func (r row) empty() bool {
	for _, v := range r.vals {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// date reads a date cell: ДД.ММ.ГГГГ or ГГГГ-ММ-ДД, or in XLSX a day serial.
func (r row) date(col string) (app.Date, error) {
	v := r.get(col)
	if r.xlsx {
		if n, err := strconv.Atoi(strings.TrimSuffix(v, ".0")); err == nil && n > 0 && n < 200000 {
			return excelEpoch + app.Date(n), nil
		}
	}
	return app.ParseDate(v)
}

// integer reads a whole number; XLSX may store it as "12.0".
func (r row) integer(col string) (int, error) {
	v := r.get(col)
	n, err := strconv.Atoi(strings.TrimSuffix(v, ".0"))
	if err != nil {
		return 0, app.Errorf(app.EINVALID, "Нужно целое число, а не «%s»", v)
	}
	return n, nil
}
