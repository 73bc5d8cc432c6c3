package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"kruzhok/app"
	"kruzhok/internal/atomicfile"
	"kruzhok/monitor"
)

func init() {
	exportKinds["monitoring"] = cmdExportMonitoring
	addUsage("  kruzhok export monitoring --out ФАЙЛ.xlsx|ФАЙЛ.pdf [--period ПЕРИОД] [--data ФАЙЛ]\n" +
		"                                мониторинг показателей Концепции (охват, муниципалитеты с учётом и\n" +
		"                                финансированием, средства, зачисления по направленностям) с диаграммами\n")
}

// cmdExportMonitoring writes the monitoring report as XLSX or PDF, by the
// extension of --out; it only reads the database.
func cmdExportMonitoring(args []string, stdout, stderr io.Writer) int {
	const name = "export monitoring"
	flags, _ := newFlags(name, stderr)
	out := flags.String("out", "", "файл отчёта: .xlsx или .pdf")
	period := flags.String("period", "", "период, например 2026-2027 (по умолчанию текущий)")
	if !parse(flags, args, stderr) {
		return exitUsage
	}
	ext := strings.ToLower(filepath.Ext(*out))
	if *out == "" || ext != ".xlsx" && ext != ".pdf" {
		fmt.Fprintf(stderr, "kruzhok %s: укажите --out ФАЙЛ.xlsx или ФАЙЛ.pdf\n", name)
		return exitUsage
	}
	db, _, code := openExisting(name, flags, stderr)
	if db == nil {
		return code
	}
	defer db.Close()
	var doc []byte
	err := db.View(func(r app.Reader) error {
		var err error
		if ext == ".pdf" {
			doc, err = monitor.PDF(r, *period)
		} else {
			doc, err = monitor.XLSX(r, *period)
		}
		return err
	})
	if err != nil {
		return fail(stderr, name, err)
	}
	// Figures only, no personal data; still the owner's like every export.
	if err := atomicfile.Write(*out, doc, 0o600); err != nil {
		return fail(stderr, name, err)
	}
	fmt.Fprintf(stdout, "Мониторинг показателей Концепции: %s (%d байт)\n", *out, len(doc))
	return exitOK
}
