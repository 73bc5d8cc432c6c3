package sheets_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"kruzhok/sheets"
)

// manyChildren is a children CSV of n distinct good rows.
func manyChildren(n int) []byte {
	var b strings.Builder
	b.WriteString(childHeader)
	for i := range n {
		fmt.Fprintf(&b, "Иванов%d;Иван;Петрович;%02d.%02d.%d;%02d;Иванова Мария;;20.08.2026;МОЦ;\n",
			i, 1+i%28, 1+i%12, 2010+i%6, 1+i%33)
	}
	return []byte(b.String())
}

func BenchmarkImportChildren(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		data := manyChildren(n)
		for _, format := range []string{"csv", "xlsx"} {
			in := data
			if format == "xlsx" {
				st := seeded(b)
				if _, err := sheets.ImportChildren(st, bytes.NewReader(data), sheets.ImportOptions{Today: today}); err != nil {
					b.Fatal(err)
				}
				tab := export(b, st, "children", sheets.Filter{})
				var buf bytes.Buffer
				if err := sheets.WriteXLSX(&buf, tab); err != nil {
					b.Fatal(err)
				}
				in = buf.Bytes()
			}
			b.Run(fmt.Sprintf("%s/%d", format, n), func(b *testing.B) {
				for b.Loop() {
					b.StopTimer()
					st := seeded(b)
					b.StartTimer()
					rep, err := sheets.ImportChildren(st, bytes.NewReader(in), sheets.ImportOptions{Today: today})
					if err != nil || rep.Imported != n {
						b.Fatalf("rep %+v, err %v", rep, err)
					}
				}
			})
		}
	}
}

// TestImportManyRowsSkipBad crosses the batch size with a row only the
// command refuses (a wrong СНИЛС) in the second batch.
func TestImportManyRowsSkipBad(t *testing.T) {
	st := seeded(t)
	lines := strings.Split(strings.TrimSuffix(string(manyChildren(1500)), "\n"), "\n")
	lines[1200] = strings.TrimSuffix(lines[1200], ";") + ";123-456-789 00"
	in := strings.NewReader(strings.Join(lines, "\n") + "\n")
	rep, err := sheets.ImportChildren(st, in, sheets.ImportOptions{Today: today, SkipBad: true})
	if err != nil || rep.Rows != 1500 || rep.Imported != 1499 {
		t.Fatalf("rep %+v, err %v", rep.Imported, err)
	}
	wantReport(t, rep, "строка 1201: Неверный СНИЛС «123-456-789 00»\n")
	if n := len(children(t, st)); n != 1499 {
		t.Fatalf("%d children", n)
	}
}
