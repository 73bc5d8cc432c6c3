package sheets_test

import (
	"bytes"
	"testing"

	"kruzhok/sheets"
)

// FuzzParse feeds outside bytes to the table reader: it must return a table
// or an error, never panic, whatever a file holds.
func FuzzParse(f *testing.F) {
	f.Add([]byte(childHeader + "Иванов;Иван;;01.03.2015;27;Иванова;;20.08.2026;МОЦ;\n"))
	f.Add([]byte("a,b\n\"x\"\"y\",'=1+1\n"))
	f.Add([]byte("PK\x03\x04garbage"))
	f.Add([]byte("\ufeff\x00\xff"))
	var b bytes.Buffer
	sheets.WriteXLSX(&b, sheets.Table{Columns: []string{"Фамилия", "Сумма"}, Rows: [][]sheets.Cell{{sheets.Text("=1"), sheets.Money(100)}}})
	f.Add(b.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		header, _, err := sheets.Parse(data)
		if err == nil && header == nil {
			t.Fatal("no error and no header")
		}
	})
}
