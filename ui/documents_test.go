//go:build !nogui

package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
	"kruzhok/sheets"
)

// isPDF checks a rendered document is a PDF.
func isPDF(t *testing.T, what string, data []byte, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if !bytes.HasPrefix(data, []byte("%PDF")) {
		t.Errorf("%s: not a PDF: %q", what, data[:min(len(data), 16)])
	}
}

func TestFileNameDropsForbiddenCharacters(t *testing.T) {
	for _, c := range []struct{ name, title, want string }{
		{"Plain", "Договор-оферта 26-27-000001", "Договор-оферта 26-27-000001.pdf"},
		{"Slash", `АНО "Ромашка" 1/2: <ok>?`, "АНО Ромашка 1-2- ok.pdf"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := fileName(c.title, ".pdf"); got != c.want {
				t.Errorf("fileName(%q) = %q, want %q", c.title, got, c.want)
			}
		})
	}
}

// The provider chooses a contract and gets its договор-оферта, named after
// the contract's number; with nothing chosen the button is off.
func TestContractOfferPDFForTheChosenContract(t *testing.T) {
	test.NewTempApp(t)
	w, group, _, cert := enrolWorld(t)
	w.enrol(cert, group, "2026-11-15")
	s := newEnrolScreen(w.db, w.prov, w.clock)
	show(t, s.content)
	if !s.offerPDF.Disabled() {
		t.Error("«Договор-оферта (PDF)…» is enabled with no contract chosen")
	}
	if _, _, err := s.contractPDF(); err == nil {
		t.Error("a PDF with no contract chosen")
	}
	s.clist.Select(widget.TableCellID{})
	if s.offerPDF.Disabled() {
		t.Fatal("«Договор-оферта (PDF)…» is disabled for a chosen contract")
	}
	name, data, err := s.contractPDF()
	isPDF(t, "contract", data, err)
	number := s.contracts[0].k.Number // the contract's own number, ДД-27-2026-000001
	want := "Договор-оферта " + number + ".pdf"
	if number == "" {
		want = "Договор-оферта Петров Иван 15.11.2026.pdf"
	}
	if name != want {
		t.Errorf("file name = %q, want %q", name, want)
	}
	s.clist.UnselectAll()
	if !s.offerPDF.Disabled() {
		t.Error("«Договор-оферта (PDF)…» stays enabled after the choice is cleared")
	}
}

// The provider's invoice as a PDF, named by kind, month and municipality.
func TestProviderInvoicePDF(t *testing.T) {
	test.NewTempApp(t)
	w, group, _, cert := enrolWorld(t)
	w.enrol(cert, group, "2026-11-15")
	w.setToday("2026-12-01")
	w.must(&app.CloseMonth{Month: app.MustDate("2026-12-01").Month()})
	s := newInvoicesScreen(w.db, w.prov, w.clock)
	show(t, s.content)
	if !s.pdf.Disabled() {
		t.Error("«Счёт (PDF)…» is enabled with no invoice chosen")
	}
	s.table.Select(widgetCell(0, 0))
	if s.pdf.Disabled() {
		t.Fatal("«Счёт (PDF)…» is disabled for a chosen invoice")
	}
	name, data, err := s.invoicePDF()
	isPDF(t, "invoice", data, err)
	if want := "Счёт С-27-2026-12-А-0001 аванс декабрь 2026 г. Ставрополь.pdf"; name != want {
		t.Errorf("file name = %q, want %q", name, want)
	}
}

// The municipality's invoice as a PDF, and the certificate registry as an
// extract in PDF and a workbook in XLSX.
func TestMunicipalityInvoiceAndRegistryDocuments(t *testing.T) {
	test.NewTempApp(t)
	w := munWorld(t)

	inv := newMunInvoicesScreen(w.db, "27", w.clock)
	rgShow(t, inv.content)
	if !inv.pdf.Disabled() {
		t.Error("«Счёт (PDF)…» is enabled before the invoices are read")
	}
	inv.refresh()
	if !inv.pdf.Disabled() {
		t.Error("«Счёт (PDF)…» is enabled with no invoice chosen")
	}
	inv.table.Select(widgetCell(0, 0))
	if inv.pdf.Disabled() {
		t.Fatal("«Счёт (PDF)…» is disabled for a chosen invoice")
	}
	name, data, err := inv.invoicePDF()
	isPDF(t, "invoice", data, err)
	if want := "Счёт " + inv.rows[0].Number + " аванс ноябрь 2026 " + inv.providerName(inv.rows[0]) + ".pdf"; name != fileName(strings.TrimSuffix(want, ".pdf"), ".pdf") {
		t.Errorf("file name = %q, want %q", name, want)
	}

	certs := newCertificatesScreen(w.db, "27", w.clock)
	rgShow(t, certs.content)
	certs.refresh()
	name, data, err = certs.registryPDF()
	isPDF(t, "registry extract", data, err)
	if want := "Выписка из реестра сертификатов 27 на 27.11.2026.pdf"; name != want {
		t.Errorf("file name = %q, want %q", name, want)
	}
	name, data, err = certs.registryXLSX()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("PK")) {
		t.Errorf("workbook is not a zip: %q", data[:min(len(data), 8)])
	}
	if cells, err := sheets.ReadXLSXCells(data); err != nil || len(cells) != 1+5 {
		t.Errorf("workbook: %d rows (header and 5 certificates wanted), %v", len(cells), err)
	}
	if want := "Реестр сертификатов 27 на 27.11.2026.xlsx"; name != want {
		t.Errorf("file name = %q, want %q", name, want)
	}
}

// The button renders first and then opens the save dialog over the window;
// a rendering failure is told in the status line instead.
func TestRegistryButtonOpensTheSaveDialog(t *testing.T) {
	test.NewTempApp(t)
	w := munWorld(t)
	certs := newCertificatesScreen(w.db, "27", w.clock)
	win := rgShow(t, certs.content)
	certs.refresh()
	rgTap(t, certs.content, "Выписка из реестра (PDF)…")
	if certs.status.Text != "" {
		t.Errorf("status = %q", certs.status.Text)
	}
	if win.Canvas().Overlays().Top() == nil {
		t.Error("no save dialog over the window")
	}

	bad := newCertificatesScreen(w.db, "99", w.clock) // no such municipality
	rgShow(t, bad.content)
	rgTap(t, bad.content, "Выписка из реестра (PDF)…")
	if bad.status.Text == "" || bad.status.Importance != widget.DangerImportance {
		t.Errorf("unknown municipality: status %q", bad.status.Text)
	}
}

// A saved document is written whole, and the status says that the file
// carries children's personal data and is not encrypted.
func TestSavedDocumentWarnsOfPersonalData(t *testing.T) {
	a := test.NewTempApp(t)
	win := a.NewWindow("")
	defer win.Close()
	status := newStatus()
	path := filepath.Join(t.TempDir(), "Реестр сертификатов.pdf")
	out, err := storage.Writer(storage.NewFileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	writeDocument(win, status, []byte("%PDF-1.7 реестр"))(out, nil)
	if got, _ := os.ReadFile(path); string(got) != "%PDF-1.7 реестр" {
		t.Errorf("file holds %q", got)
	}
	for _, want := range []string{"Сохранено: " + path, "персональные данные детей", "не зашифрован"} {
		if !strings.Contains(status.Text, want) {
			t.Errorf("status %q lacks %q", status.Text, want)
		}
	}
}

// The save dialog lists its places in Russian: Fyne names them in English
// in its code («Home», «Computer»), outside its translations.
func TestSaveDialogPlacesAreRussian(t *testing.T) {
	test.NewTempApp(t)
	RussianFyne()
	w := munWorld(t)
	certs := newCertificatesScreen(w.db, "27", w.clock)
	win := rgShow(t, certs.content)
	certs.refresh()
	rgTap(t, certs.content, "Выписка из реестра (PDF)…")
	top := win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no save dialog over the window")
	}
	var list *widget.List
	walkPublic(top, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.List); ok && list == nil {
			list = l
		}
	})
	if list == nil {
		t.Fatal("no list of places in the save dialog")
	}
	var names []string
	for i := 0; i < list.Length(); i++ {
		item := list.CreateItem()
		list.UpdateItem(i, item)
		walkPublic(item, func(o fyne.CanvasObject) {
			if l, ok := o.(*widget.Label); ok {
				names = append(names, l.Text)
			}
		})
	}
	joined := strings.Join(names, " | ")
	for _, en := range []string{"Home", "Computer"} {
		if strings.Contains(joined, en) {
			t.Errorf("the places name %q: %s", en, joined)
		}
	}
	for _, ru := range []string{"Домашняя папка", "Компьютер"} {
		if !strings.Contains(joined, ru) {
			t.Errorf("no %q among the places: %s", ru, joined)
		}
	}
}
