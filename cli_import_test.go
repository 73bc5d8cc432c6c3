package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kruzhok/app"
	"kruzhok/assets"
	"kruzhok/sheets"
	"kruzhok/store"
)

// seededFile is a new database with the region's reference data only.
func seededFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "k.db")
	db, err := store.Open(path, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(assets.Seed(app.DateOf(time.Now()))); err != nil {
		t.Fatal(err)
	}
	return path
}

func outboxLen(t *testing.T, path string) int {
	t.Helper()
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n, err := db.OutboxLen()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const cliChildren = "\ufeffФамилия;Имя;Отчество;Дата рождения;Муниципалитет;ФИО представителя;Телефон представителя;Дата согласия;Согласие принял;СНИЛС\r\n" +
	"Иванов;Иван;Петрович;01.03.2015;г. Ставрополь;Иванова Мария;+7 928 000-00-01;20.08.2026;МОЦ;\r\n" +
	"Сидорова;Анна;;2014-05-20;27;Сидоров Олег;;21.08.2026;МОЦ;\r\n"

func TestImportChildrenCLI(t *testing.T) {
	data := seededFile(t)
	bad := writeFile(t, "bad.csv", cliChildren+"Петров;Пётр;;01.01.2007;27;Петрова Ольга;;20.08.2026;МОЦ;\r\n")
	before := outboxLen(t, data)
	r := exe(t, "import", "children", "--data", data, "--file", bad)
	r.want(t, 1, "stdout", "строка 4, «Дата рождения»: Возраст ребёнка на ")
	r.want(t, 1, "stdout", "Строк: 3, загружено: 0, с ошибками: 1")
	r.want(t, 1, "stderr", "ничего не импортировано")
	if n := outboxLen(t, data); n != before {
		t.Fatalf("outbox %d → %d", before, n)
	}
	r = exe(t, "import", "children", "--data", data, "--file", bad, "--skip-bad")
	r.want(t, 0, "stdout", "Строк: 3, загружено: 2, с ошибками: 1")
	if n := outboxLen(t, data); n != before+2 {
		t.Fatalf("outbox %d → %d", before, n)
	}

	// Round trip through the command line: export as XLSX, import elsewhere.
	out := filepath.Join(t.TempDir(), "children.xlsx")
	exe(t, "export", "xlsx", "children", "--data", data, "--out", out).want(t, 0, "stdout", "Строк: 2")
	other := seededFile(t)
	exe(t, "import", "children", "--data", other, "--file", out).want(t, 0, "stdout", "Строк: 2, загружено: 2, с ошибками: 0")
	csvOut := filepath.Join(t.TempDir(), "children.csv")
	exe(t, "export", "csv", "children", "--data", other, "--out", csvOut, "--municipality", "27").want(t, 0, "stdout", "Строк: 2")
	b, err := os.ReadFile(csvOut)
	if err != nil || !strings.HasPrefix(string(b), "\ufeffФамилия;Имя;") || !strings.Contains(string(b), "Иванов;Иван;Петрович;01.03.2015;г. Ставрополь;") {
		t.Fatalf("CSV %q, %v", b, err)
	}
}

func TestImportRefusesFiles(t *testing.T) {
	data := seededFile(t)
	before := outboxLen(t, data)
	big := filepath.Join(t.TempDir(), "big.csv")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(50 << 20); err != nil { // sparse: 50 MB on paper
		t.Fatal(err)
	}
	f.Close()
	exe(t, "import", "children", "--data", data, "--file", big).want(t, 1, "stderr", "файл больше 20 МБ")
	pdf := writeFile(t, "x.pdf", "%PDF-1.4\n\x00\x01\x02")
	exe(t, "import", "children", "--data", data, "--file", pdf).want(t, 1, "stderr", "файл не является таблицей XLSX или CSV")
	noCols := writeFile(t, "x.csv", "Фамилия;Имя\nИванов;Иван\n")
	exe(t, "import", "programmes", "--data", data, "--file", noCols).want(t, 1, "stderr", "нет столбцов «ИНН исполнителя»")
	if n := outboxLen(t, data); n != before {
		t.Fatalf("outbox %d → %d", before, n)
	}
	exe(t, "import", "pupils", "--data", data, "--file", noCols).want(t, 2, "stderr", "children или programmes")
	exe(t, "import", "children", "--data", data).want(t, 2, "stderr", "--file")
}

func TestExportSheetsCLI(t *testing.T) {
	data := demoFile(t, 60)
	dir := t.TempDir()
	for _, kind := range []string{"certificates", "programmes", "municipal", "contracts", "invoices"} {
		for _, format := range []string{"xlsx", "csv"} {
			out := filepath.Join(dir, kind+"."+format)
			exe(t, "export", format, kind, "--data", data, "--out", out).want(t, 0, "stdout", "Строк: ")
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if format == "xlsx" {
				cells, err := sheets.ReadXLSXCells(b)
				if err != nil || len(cells) == 0 {
					t.Fatalf("%s: %v", out, err)
				}
			} else if !strings.HasPrefix(string(b), "\ufeff") {
				t.Fatalf("%s has no BOM", out)
			}
		}
	}
	out := filepath.Join(dir, "j.xlsx")
	exe(t, "export", "xlsx", "journal", "--data", data, "--out", out).want(t, 2, "stderr", "--group ID и --month")
	exe(t, "export", "xlsx", "journal", "--data", data, "--group", "nope", "--month", "2026-11", "--out", out).want(t, 1, "stderr", "")
	exe(t, "export", "csv", "certificates", "--data", data, "--out", out, "--municipality", "99").want(t, 1, "stderr", "Неизвестный муниципалитет «99»")
	exe(t, "export", "xlsx", "bogus", "--data", data, "--out", out).want(t, 2, "stderr", "укажите реестр")
	exe(t, "help").want(t, 2, "stdout", "kruzhok export xlsx|csv certificates|programmes")
	exe(t, "help").want(t, 2, "stdout", "kruzhok import children|programmes --file ФАЙЛ")
}
