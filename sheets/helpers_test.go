package sheets_test

import (
	"archive/zip"
	"bytes"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kruzhok/app"
	"kruzhok/assets"
	"kruzhok/demo"
	"kruzhok/sheets"
	"kruzhok/store"
)

var msk = time.FixedZone("MSK", 3*3600)

// now is the fixed clock of the import tests: 27.11.2026, noon in Moscow.
var now = time.Date(2026, 11, 27, 12, 0, 0, 0, msk)

var today = app.DateOf(now)

// open opens a new store in t.TempDir() on the fixed clock.
func open(t testing.TB) *store.DB {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "k.db"), store.Options{NoSync: true, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if b := st.Check(app.Check); len(b) > 0 {
			t.Errorf("check: %q", b[:min(3, len(b))])
		}
		if err := st.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return st
}

// seeded is a store with the region's reference data and one active provider.
func seeded(t testing.TB) *store.DB {
	t.Helper()
	st := open(t)
	if _, err := st.Exec(assets.Seed(today)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Exec(&app.RegisterProvider{ID: "prov-1", Name: "ООО «Робототехника»", Type: app.ProviderTraining,
		Municipality: "27", INN: "2634000001", Licence: "Л035-01234-26/00567890"}); err != nil {
		t.Fatal(err)
	}
	return st
}

// demoStore is a small demo region.
func demoStore(t *testing.T) *store.DB {
	t.Helper()
	clock := &demo.Clock{}
	st, err := store.Open(filepath.Join(t.TempDir(), "demo.db"), store.Options{NoSync: true, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := demo.Build(st, demo.Options{Children: 200, Providers: 6, Programmes: 15, Clock: clock}); err != nil {
		t.Fatal(err)
	}
	return st
}

func outbox(t testing.TB, st *store.DB) int {
	t.Helper()
	n, err := st.OutboxLen()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func children(t testing.TB, st *store.DB) []app.Child {
	t.Helper()
	var kids []app.Child
	err := st.View(func(r app.Reader) (err error) {
		kids, err = app.List[app.Child](r, "", "", 0)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return kids
}

const childHeader = "Фамилия;Имя;Отчество;Дата рождения;Муниципалитет;ФИО представителя;Телефон представителя;Дата согласия;Согласие принял;СНИЛС\n"

// csvOf is a children CSV: the header and the lines.
func csvOf(lines ...string) *strings.Reader {
	return strings.NewReader(childHeader + strings.Join(lines, "\n") + "\n")
}

// problems renders a report's problems one a line.
func problems(rep sheets.Report) string {
	var b strings.Builder
	for _, p := range rep.Problems {
		b.WriteString(p.String() + "\n")
	}
	return b.String()
}

func export(t testing.TB, st *store.DB, kind string, f sheets.Filter) sheets.Table {
	t.Helper()
	var tab sheets.Table
	err := st.View(func(r app.Reader) (err error) {
		tab, err = sheets.Export(r, kind, f)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func xlsx(t testing.TB, tab sheets.Table) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := sheets.WriteXLSX(&b, tab); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// assertNoFormula fails if any worksheet of the XLSX holds a formula element.
func assertNoFormula(t testing.TB, data []byte) {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range z.File {
		if !strings.HasPrefix(f.Name, "xl/worksheets/") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if bytes.Contains(b, []byte("<f>")) || bytes.Contains(b, []byte("<f ")) {
			t.Fatalf("%s holds a formula", f.Name)
		}
	}
}
