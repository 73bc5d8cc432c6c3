package main

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"

	"kruzhok/app"
	"kruzhok/internal/atomicfile"
	"kruzhok/sheets"
)

func init() {
	exportKinds["xlsx"] = func(args []string, stdout, stderr io.Writer) int { return cmdExportSheet("xlsx", args, stdout, stderr) }
	exportKinds["csv"] = func(args []string, stdout, stderr io.Writer) int { return cmdExportSheet("csv", args, stdout, stderr) }
	addUsage("  kruzhok export xlsx|csv certificates|programmes|municipal|contracts|invoices|children --out ФАЙЛ\n" +
		"                [--municipality КОД] [--data ФАЙЛ]\n" +
		"  kruzhok export xlsx|csv journal --group ID --month ГГГГ-ММ --out ФАЙЛ [--data ФАЙЛ]\n" +
		"                                реестр (сертификатов, сертифицированных программ, муниципальный,\n" +
		"                                договоров, счетов, детей) или журнал посещаемости группы за месяц\n" +
		"                                таблицей XLSX или CSV (для Excel: UTF-8 с BOM, разделитель «;»)\n")
}

// cmdExportSheet writes a registry of the database as XLSX or CSV; it only
// reads the database.
func cmdExportSheet(format string, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || !slices.Contains(sheets.Registries, args[0]) {
		fmt.Fprintf(stderr, "kruzhok export %s: укажите реестр: %s\n", format, strings.Join(sheets.Registries, ", "))
		return exitUsage
	}
	kind := args[0]
	name := "export " + format + " " + kind
	flags, _ := newFlags(name, stderr)
	mun := flags.String("municipality", "", "код муниципалитета, 01…33 (по умолчанию — все)")
	group := flags.String("group", "", "ID группы для journal")
	month := flags.String("month", "", "месяц журнала, ГГГГ-ММ")
	out := flags.String("out", "", "файл, куда записать таблицу")
	if !parse(flags, args[1:], stderr) {
		return exitUsage
	}
	usageErr := func(msg string) int {
		fmt.Fprintf(stderr, "kruzhok %s: %s\n", name, msg)
		return exitUsage
	}
	if *out == "" {
		return usageErr("укажите --out ФАЙЛ")
	}
	f := sheets.Filter{Municipality: *mun, Group: *group}
	if kind == "journal" {
		if *group == "" || *month == "" || *mun != "" {
			return usageErr("для журнала укажите --group ID и --month ГГГГ-ММ (без --municipality)")
		}
		m, err := app.ParseMonth(*month)
		if err != nil {
			return usageErr(errText(err))
		}
		f.Month = m
	} else if *group != "" || *month != "" {
		return usageErr("--group и --month — только для journal")
	} else if kind == "programmes" && *mun != "" {
		return usageErr("реестр сертифицированных программ — региональный, без --municipality")
	}

	db, _, code := openExisting(name, flags, stderr)
	if db == nil {
		return code
	}
	defer db.Close()
	var buf bytes.Buffer
	var rows int
	err := db.View(func(r app.Reader) error {
		if *mun != "" {
			if _, err := app.Get[app.Municipality](r, *mun); err != nil {
				return app.Errorf(app.EINVALID, "Неизвестный муниципалитет «%s»", *mun)
			}
		}
		t, err := sheets.Export(r, kind, f)
		if err != nil {
			return err
		}
		rows = len(t.Rows)
		if format == "csv" {
			return sheets.WriteCSV(&buf, t)
		}
		return sheets.WriteXLSX(&buf, t)
	})
	if err != nil {
		return fail(stderr, name, err)
	}
	if err := atomicfile.Write(*out, buf.Bytes(), 0o600); err != nil { // personal data: the owner's eyes only
		return fail(stderr, name, err)
	}
	fmt.Fprintf(stdout, "Строк: %d, записано в %s (%d байт)\n", rows, *out, buf.Len())
	return exitOK
}
