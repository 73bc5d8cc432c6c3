package sheets_test

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"kruzhok/app"
	"kruzhok/sheets"
)

const good1 = "Иванов;Иван;Петрович;01.03.2015;г. Ставрополь;Иванова Мария Сергеевна;+7 928 000-00-01;20.08.2026;Петрова А. А., специалист МОЦ;"
const good2 = "Сидорова;Анна;;2014-05-20;27;Сидоров Олег Иванович;;21.08.2026;Петрова А. А., специалист МОЦ;"

// refused runs an import that must refuse the file and change nothing, and
// returns the report.
func refused(t *testing.T, in io.Reader) sheets.Report {
	t.Helper()
	st := seeded(t)
	before := outbox(t, st)
	rep, err := sheets.ImportChildren(st, in, sheets.ImportOptions{Today: today})
	if !errors.Is(err, sheets.ErrBadRows) {
		t.Fatalf("err = %v, want ErrBadRows", err)
	}
	if n := outbox(t, st); n != before {
		t.Fatalf("outbox %d → %d: something was imported", before, n)
	}
	if kids := children(t, st); len(kids) != 0 {
		t.Fatalf("%d children imported", len(kids))
	}
	return rep
}

func wantReport(t *testing.T, rep sheets.Report, want string) {
	t.Helper()
	if got := problems(rep); got != want {
		t.Fatalf("report:\n%s\nwant:\n%s", got, want)
	}
}

func TestImportChildrenWrongDate(t *testing.T) {
	rep := refused(t, csvOf(good1, "Петров;Пётр;;2015/03/01;27;Петрова Ольга;;20.08.2026;МОЦ;"))
	wantReport(t, rep, "строка 3, «Дата рождения»: Неверная дата «2015/03/01»: нужен формат ДД.ММ.ГГГГ\n")
}

func TestImportChildrenAge19(t *testing.T) {
	rep := refused(t, csvOf(good1, "Петров;Пётр;;01.01.2007;27;Петрова Ольга;;20.08.2026;МОЦ;"))
	wantReport(t, rep, "строка 3, «Дата рождения»: Возраст ребёнка на 27.11.2026 — 19 лет: сертификат и зачисление доступны детям от 5 до 18 лет\n")
}

func TestImportChildrenDuplicateInFile(t *testing.T) {
	rep := refused(t, csvOf(good1, good2, strings.Replace(good1, "Иванова Мария", "Иванов Пётр", 1)))
	wantReport(t, rep, "строка 4, «Фамилия»: Повтор: ребёнок с теми же ФИО и датой рождения уже есть в строке 2\n")
}

func TestImportChildrenDuplicateStored(t *testing.T) {
	st := seeded(t)
	if _, err := sheets.ImportChildren(st, csvOf(good1), sheets.ImportOptions{Today: today}); err != nil {
		t.Fatal(err)
	}
	before := outbox(t, st)
	rep, err := sheets.ImportChildren(st, csvOf(good2, "ИВАНОВ;иван;Петрович;2015-03-01;27;Иванов Пётр;;20.08.2026;МОЦ;"), sheets.ImportOptions{Today: today})
	if !errors.Is(err, sheets.ErrBadRows) {
		t.Fatalf("err = %v", err)
	}
	wantReport(t, rep, "строка 3, «Фамилия»: Повтор: ребёнок с теми же ФИО и датой рождения уже зарегистрирован\n")
	if outbox(t, st) != before || len(children(t, st)) != 1 {
		t.Fatal("something was imported")
	}
}

func TestImportChildrenUnknownMunicipality(t *testing.T) {
	rep := refused(t, csvOf(good1, strings.Replace(good2, ";27;", ";99;", 1)))
	wantReport(t, rep, "строка 3, «Муниципалитет»: Неизвестный муниципалитет «99»\n")
}

func TestImportChildrenEmptyRequired(t *testing.T) {
	rep := refused(t, csvOf(good1, "Петров;;;01.03.2015;27;Петрова Ольга;;;МОЦ;"))
	wantReport(t, rep, "строка 3, «Имя»: Поле не заполнено\nстрока 3, «Дата согласия»: Поле не заполнено\n")
}

func TestImportChildrenCommandError(t *testing.T) {
	// A bad SNILS is found by RegisterChild itself, in the dry run.
	rep := refused(t, csvOf(good1, strings.TrimSuffix(good2, ";")+";123-456-789 00"))
	wantReport(t, rep, "строка 3: Неверный СНИЛС «123-456-789 00»\n")
}

func TestImportChildrenNotATable(t *testing.T) {
	st := seeded(t)
	before := outbox(t, st)
	for name, data := range map[string][]byte{
		"pdf":    []byte("%PDF-1.4\n\x00\x01\x02\xff binary"),
		"badzip": append([]byte("PK\x03\x04"), bytes.Repeat([]byte{0}, 100)...),
		"empty":  nil,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := sheets.ImportChildren(st, bytes.NewReader(data), sheets.ImportOptions{Today: today})
			if !errors.Is(err, sheets.ErrNotTable) || app.ErrorMessage(err) != "файл не является таблицей XLSX или CSV" {
				t.Fatalf("err = %v", err)
			}
		})
	}
	if outbox(t, st) != before {
		t.Fatal("outbox changed")
	}
}

// fifty is 50 MB of table-looking bytes, made as it is read.
type fifty struct{ n int64 }

func (f *fifty) Read(p []byte) (int, error) {
	if f.n >= 50<<20 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), 50<<20-f.n)
	for i := range p[:k] {
		p[i] = "Иванов;Иван\n"[(f.n+int64(i))%int64(len("Иванов;Иван\n"))]
	}
	f.n += k
	return int(k), nil
}

func TestImportChildrenTooLarge(t *testing.T) {
	st := seeded(t)
	before := outbox(t, st)
	r := &fifty{}
	_, err := sheets.ImportChildren(st, r, sheets.ImportOptions{Today: today})
	if !errors.Is(err, sheets.ErrTooLarge) {
		t.Fatalf("err = %v", err)
	}
	if r.n > sheets.MaxFileSize+64<<10 {
		t.Fatalf("read %d bytes of a 50 MB file", r.n)
	}
	if outbox(t, st) != before {
		t.Fatal("outbox changed")
	}
}

func TestImportChildrenFormulaIsText(t *testing.T) {
	st := seeded(t)
	formula := `=HYPERLINK("http://x","y")`
	in := csvOf(good1, `Петров;Пётр;;01.03.2015;27;"=HYPERLINK(""http://x"",""y"")";;20.08.2026;МОЦ;`)
	rep, err := sheets.ImportChildren(st, in, sheets.ImportOptions{Today: today})
	if err != nil || rep.Imported != 2 {
		t.Fatalf("rep %+v, err %v", rep, err)
	}
	var got string
	for _, c := range children(t, st) {
		if c.LastName == "Петров" {
			got = c.GuardianName
		}
	}
	if got != formula {
		t.Fatalf("stored %q, want %q", got, formula)
	}
	tab := export(t, st, "children", sheets.Filter{})
	var csv bytes.Buffer
	if err := sheets.WriteCSV(&csv, tab); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(csv.String(), `;"'=HYPERLINK(""http://x"",""y"")";`) {
		t.Fatalf("CSV does not escape the formula:\n%s", csv.String())
	}
	data := xlsx(t, tab)
	cells, err := sheets.ReadXLSXCells(data)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, row := range cells {
		found = found || len(row) > 5 && row[5] == formula
	}
	if !found {
		t.Fatalf("XLSX lacks the text %q: %q", formula, cells)
	}
	assertNoFormula(t, data)
}

func TestImportChildrenSkipBad(t *testing.T) {
	st := seeded(t)
	in := csvOf(good1, "Петров;Пётр;;01.01.2007;27;Петрова Ольга;;20.08.2026;МОЦ;", good2)
	rep, err := sheets.ImportChildren(st, in, sheets.ImportOptions{Today: today, SkipBad: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows != 3 || rep.Imported != 2 || len(rep.Problems) != 1 || rep.Problems[0].Row != 3 {
		t.Fatalf("report %+v", rep)
	}
	if n := len(children(t, st)); n != 2 {
		t.Fatalf("%d children", n)
	}
}

func TestImportChildrenMunicipalityFlag(t *testing.T) {
	st := seeded(t)
	in := strings.NewReader("Фамилия,Имя,Дата рождения,ФИО представителя,Дата согласия,Согласие принял\n" +
		"Орлов,Олег,02.02.2016,Орлова Нина,20.08.2026,МОЦ\n")
	if _, err := sheets.ImportChildren(st, in, sheets.ImportOptions{Today: today}); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("without --municipality: %v", err)
	}
	in.Seek(0, io.SeekStart)
	rep, err := sheets.ImportChildren(st, in, sheets.ImportOptions{Today: today, Municipality: "7"})
	if err != nil || rep.Imported != 1 {
		t.Fatalf("rep %+v, err %v", rep, err)
	}
	if kids := children(t, st); kids[0].Municipality != "07" {
		t.Fatalf("municipality %q", kids[0].Municipality)
	}
}

// TestChildrenRoundTrip exports children as XLSX and CSV and imports each
// into a new database: the same records come back.
func TestChildrenRoundTrip(t *testing.T) {
	src := seeded(t)
	in := csvOf(good1, good2, "О'Коннор;Мария;Ивановна;31.12.2020;г.-к. Кисловодск;Коннор Елена;8(8793)12-34-56;01.09.2026;Сидоров П. П.;112-233-445 95")
	if rep, err := sheets.ImportChildren(src, in, sheets.ImportOptions{Today: today}); err != nil {
		t.Fatalf("%v\n%s", err, problems(rep))
	}
	tab := export(t, src, "children", sheets.Filter{})
	var csv bytes.Buffer
	if err := sheets.WriteCSV(&csv, tab); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"xlsx": xlsx(t, tab), "csv": csv.Bytes()} {
		t.Run(name, func(t *testing.T) {
			dst := seeded(t)
			rep, err := sheets.ImportChildren(dst, bytes.NewReader(data), sheets.ImportOptions{Today: today})
			if err != nil || rep.Imported != 3 {
				t.Fatalf("rep %+v, err %v", rep, err)
			}
			want, got := key(children(t, src)), key(children(t, dst))
			if got != want {
				t.Fatalf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}

// key renders what an import must keep of children, sorted by name.
func key(kids []app.Child) string {
	var lines []string
	for _, c := range kids {
		lines = append(lines, strings.Join([]string{c.LastName, c.FirstName, c.MiddleName, c.BirthDate.String(),
			c.Municipality, c.GuardianName, c.GuardianPhone, c.ConsentDate.String(), c.ConsentBy, c.SNILS}, "|"))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// TestImportXLSXFormulaCell reads a real formula cell (as Excel saves it) as
// its text, stores it as plain text and exports it as a string cell.
func TestImportXLSXFormulaCell(t *testing.T) {
	f := excelize.NewFile()
	sh := f.GetSheetName(0)
	for i, h := range sheets.ChildColumns {
		ref, _ := excelize.CoordinatesToCellName(i+1, 1)
		f.SetCellStr(sh, ref, h)
	}
	f.SetSheetRow(sh, "A2", &[]any{"Петров", "Пётр", "", "01.03.2015", "27", "", "", "20.08.2026", "МОЦ"})
	f.SetCellInt(sh, "D2", int64(app.MustDate("2015-03-01")-app.NewDate(1899, 12, 30))) // a date cell
	if err := f.SetCellFormula(sh, "F2", `HYPERLINK("http://x","y")`); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	st := seeded(t)
	rep, err := sheets.ImportChildren(st, &b, sheets.ImportOptions{Today: today})
	if err != nil || rep.Imported != 1 {
		t.Fatalf("rep %+v, err %v\n%s", rep, err, problems(rep))
	}
	kid := children(t, st)[0]
	if kid.GuardianName != `=HYPERLINK("http://x","y")` || kid.BirthDate != app.MustDate("2015-03-01") {
		t.Fatalf("stored %+v", kid)
	}
	assertNoFormula(t, xlsx(t, export(t, st, "children", sheets.Filter{})))
}
