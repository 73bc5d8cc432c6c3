package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"kruzhok/app"
	"kruzhok/store"
)

// pdfText is the text of a PDF file by pdftotext, with the non-breaking
// spaces of amounts as plain spaces and runs of blanks as one.
func pdfText(t *testing.T, file string) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skip("pdftotext (poppler-utils) is not installed")
		}
		t.Fatal("pdftotext (poppler-utils) is not installed; CI must have it")
	}
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", file, err)
	}
	var lines []string
	for _, l := range strings.Split(strings.ReplaceAll(string(out), "\u00a0", " "), "\n") {
		lines = append(lines, strings.Join(strings.Fields(l), " "))
	}
	return strings.Join(lines, "\n")
}

// demoDocs picks from a demo database a funded contract, an invoice and the
// figures their documents must show.
type demoDocs struct {
	contract, child, all, cert string
	invoice, invAmount         string
	contractNo, invoiceNo      string
	mun, munName               string
	certs                      int
}

func pickDocs(t *testing.T, path string) demoDocs {
	t.Helper()
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var d demoDocs
	err = db.View(func(r app.Reader) error {
		ks, err := app.List[app.Contract](r, app.IdxStatus, app.ContractActive, 0)
		if err != nil {
			return err
		}
		for _, k := range ks {
			if !k.Funded {
				continue
			}
			ch, err := app.Get[app.Child](r, k.Child)
			if err != nil {
				return err
			}
			d.contract, d.child, d.all, d.cert = k.ID, ch.FullName(), app.FormatRub(k.Quote.All), app.FormatRub(k.Quote.Cert)
			d.contractNo = k.Number
			d.mun = k.Municipality
			break
		}
		invs, err := app.List[app.Invoice](r, "", "", 1)
		if err != nil || len(invs) == 0 {
			return err
		}
		d.invoice, d.invAmount, d.invoiceNo = invs[0].ID, app.FormatRub(invs[0].Amount), invs[0].Number
		m, err := app.Get[app.Municipality](r, d.mun)
		d.munName = m.Name
		if err != nil {
			return err
		}
		certs, err := app.List[app.Certificate](r, app.IdxMunicipality, d.mun, 0)
		d.certs = len(certs)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if d.contract == "" || d.invoice == "" || d.contractNo == "" || d.invoiceNo == "" {
		t.Fatalf("the demo region has no funded contract or no invoice: %+v", d)
	}
	return d
}

func TestExportPDF(t *testing.T) {
	data := demoFile(t, 200)
	d := pickDocs(t, data)
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		args []string
		want []string
	}{
		{"Contract", []string{"contract", "--id", d.contract}, []string{"ДОГОВОР-ОФЕРТА", d.child, d.all, d.cert, "Итого"}},
		{"Invoice", []string{"invoice", "--id", d.invoice}, []string{"СЧЁТ НА ОПЛАТУ", d.invAmount, "№ " + d.invoiceNo}},
		{"ContractByNumber", []string{"contract", "--id", d.contractNo}, []string{"№ " + d.contractNo, d.child, d.all}},
		{"InvoiceByNumber", []string{"invoice", "--id", d.invoiceNo}, []string{"№ " + d.invoiceNo, d.invAmount}},
		{"Registry", []string{"registry", "--municipality", d.mun, "--date", "01.12.2026"},
			[]string{"ВЫПИСКА ИЗ РЕЕСТРА СЕРТИФИКАТОВ", d.munName, "по состоянию на 01.12.2026",
				"Сертификатов в реестре: " + itoa(d.certs), d.child}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(dir, c.name+".pdf")
			args := append([]string{"export", "pdf"}, c.args...)
			r := exe(t, append(args, "--data", data, "--out", out)...)
			r.want(t, 0, "stdout", out)
			got := pdfText(t, out)
			for _, w := range c.want {
				if w = strings.ReplaceAll(w, "\u00a0", " "); !strings.Contains(got, w) {
					t.Errorf("%s lacks %q:\n%s", out, w, got)
				}
			}
		})
	}
}

func TestExportPDFRefuses(t *testing.T) {
	data := filepath.Join(t.TempDir(), "none.db")
	out := filepath.Join(t.TempDir(), "x.pdf")
	for _, c := range []struct {
		name string
		args []string
		code int
		text string
	}{
		{"NoKind", []string{"export", "pdf"}, 2, "contract, invoice или registry"},
		{"UnknownKind", []string{"export", "pdf", "letter", "--out", out}, 2, "contract, invoice или registry"},
		{"NoOut", []string{"export", "pdf", "contract", "--id", "x"}, 2, "--out"},
		{"NoID", []string{"export", "pdf", "invoice", "--out", out}, 2, "--id"},
		{"RegistryWithID", []string{"export", "pdf", "registry", "--id", "x", "--out", out}, 2, "--municipality"},
		{"BadDate", []string{"export", "pdf", "registry", "--municipality", "27", "--date", "31.02.2026", "--out", out}, 2, "Такой даты нет: 31.02.2026"},
		{"NoDatabase", []string{"export", "pdf", "contract", "--id", "x", "--data", data, "--out", out}, 1, "нет базы данных"},
	} {
		t.Run(c.name, func(t *testing.T) {
			exe(t, c.args...).want(t, c.code, "stderr", c.text)
		})
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("%s written by a refused command", out)
	}
}

func TestExportPDFMissingRecord(t *testing.T) {
	data := demoFile(t, 20)
	out := filepath.Join(t.TempDir(), "x.pdf")
	exe(t, "export", "pdf", "contract", "--id", "no-such", "--data", data, "--out", out).want(t, 1, "stderr", "не найден")
	if _, err := os.Stat(out); err == nil {
		t.Errorf("%s written for a missing contract", out)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
