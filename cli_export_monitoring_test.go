package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kruzhok/sheets"
)

func TestExportMonitoring(t *testing.T) {
	data := demoFile(t, 200)
	dir := t.TempDir()
	pdfOut := filepath.Join(dir, "report.pdf")
	exe(t, "export", "monitoring", "--data", data, "--out", pdfOut).want(t, 0, "stdout", pdfOut)
	got := pdfText(t, pdfOut)
	for _, w := range []string{"МОНИТОРИНГ ПОКАЗАТЕЛЕЙ КОНЦЕПЦИИ", "Целевые показатели", "г. Ставрополь"} {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q:\n%s", pdfOut, w, got)
		}
	}
	xlsxOut := filepath.Join(dir, "report.xlsx")
	exe(t, "export", "monitoring", "--data", data, "--out", xlsxOut).want(t, 0, "stdout", xlsxOut)
	b, err := os.ReadFile(xlsxOut)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := sheets.ReadXLSXCells(b) // the first sheet: the targets
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 6 || rows[3][0] != "Муниципалитеты с персонифицированным учётом" || rows[3][1] != "33 из 33" {
		t.Fatalf("targets sheet %q", rows)
	}
}

func TestExportMonitoringRefuses(t *testing.T) {
	data := filepath.Join(t.TempDir(), "none.db")
	out := filepath.Join(t.TempDir(), "x.pdf")
	for _, c := range []struct {
		name string
		args []string
		code int
		text string
	}{
		{"NoOut", []string{"export", "monitoring"}, 2, "--out"},
		{"BadExt", []string{"export", "monitoring", "--out", filepath.Join(t.TempDir(), "x.txt")}, 2, ".xlsx или"},
		{"NoDatabase", []string{"export", "monitoring", "--data", data, "--out", out}, 1, "нет базы данных"},
	} {
		t.Run(c.name, func(t *testing.T) {
			exe(t, c.args...).want(t, c.code, "stderr", c.text)
		})
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("%s written by a refused command", out)
	}
	// An unknown period is the user's error, with the period named.
	demo := demoFile(t, 20)
	exe(t, "export", "monitoring", "--data", demo, "--period", "1999-2000", "--out", out).want(t, 1, "stderr", "1999-2000")
}
