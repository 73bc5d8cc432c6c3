package main

import (
	"fmt"
	"io"
	"time"

	"kruzhok/app"
	"kruzhok/internal/atomicfile"
	"kruzhok/pdf"
)

func init() {
	exportKinds["pdf"] = cmdExportPDF
	addUsage("  kruzhok export pdf contract|invoice --id НОМЕР --out ФАЙЛ [--data ФАЙЛ]\n" +
		"  kruzhok export pdf registry --municipality КОД [--date ДАТА] --out ФАЙЛ [--data ФАЙЛ]\n" +
		"                                договор-оферта, счёт исполнителя или выписка из реестра\n" +
		"                                сертификатов муниципалитета (на дату, по умолчанию сегодня) в PDF\n")
}

// pdfDocs are the documents of `export pdf`, each with what it prints.
var pdfDocs = map[string]string{
	"contract": "Договор-оферта",
	"invoice":  "Счёт",
	"registry": "Выписка из реестра сертификатов",
}

// cmdExportPDF writes one document of the database as a PDF file; it only
// reads the database.
func cmdExportPDF(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || pdfDocs[args[0]] == "" {
		fmt.Fprintln(stderr, "kruzhok export pdf: укажите документ: contract, invoice или registry")
		return exitUsage
	}
	kind := args[0]
	flags, _ := newFlags("export pdf "+kind, stderr)
	id := flags.String("id", "", "номер договора (contract, ДД-27-2026-000123) или счёта (invoice, С-27-2026-12-А-0001), или его ID")
	mun := flags.String("municipality", "", "код муниципалитета для registry, 01…33")
	on := flags.String("date", "", "дата выписки registry, ДД.ММ.ГГГГ или ГГГГ-ММ-ДД (по умолчанию сегодня)")
	out := flags.String("out", "", "файл PDF, куда записать документ")
	if !parse(flags, args[1:], stderr) {
		return exitUsage
	}
	name := "export pdf " + kind
	usageErr := func(msg string) int {
		fmt.Fprintf(stderr, "kruzhok %s: %s\n", name, msg)
		return exitUsage
	}
	if *out == "" {
		return usageErr("укажите --out ФАЙЛ")
	}
	date := app.DateOf(time.Now())
	if kind == "registry" {
		if *mun == "" || *id != "" {
			return usageErr("для выписки укажите --municipality КОД (без --id)")
		}
		if *on != "" {
			d, err := app.ParseDate(*on)
			if err != nil {
				return usageErr(errText(err))
			}
			date = d
		}
	} else if *id == "" || *mun != "" || *on != "" {
		return usageErr("укажите --id ID (--municipality и --date — только для registry)")
	}

	db, _, code := openExisting(name, flags, stderr)
	if db == nil {
		return code
	}
	defer db.Close()
	var doc []byte
	err := db.View(func(r app.Reader) error {
		var err error
		switch kind {
		case "contract":
			doc, err = pdf.ContractOffer(r, byNumber[app.Contract](r, *id, func(k app.Contract) string { return k.Number }))
		case "invoice":
			doc, err = pdf.Invoice(r, byNumber[app.Invoice](r, *id, func(i app.Invoice) string { return i.Number }))
		case "registry":
			doc, err = pdf.RegistryExtract(r, *mun, date)
		}
		return err
	})
	if err != nil {
		return fail(stderr, name, err)
	}
	if err := atomicfile.Write(*out, doc, 0o600); err != nil { // personal data: the owner's eyes only
		return fail(stderr, name, err)
	}
	fmt.Fprintf(stdout, "%s: %s (%d байт)\n", pdfDocs[kind], *out, len(doc))
	return exitOK
}

// byNumber is the id of the record of type T whose human number is id, or id
// itself when none has that number (it may be the record's id). A scan: the
// command line prints one document.
func byNumber[T any, P interface {
	*T
	app.Record
}](r app.Reader, id string, number func(T) string) string {
	all, err := app.List[T, P](r, "", "", 0)
	if err != nil {
		return id
	}
	for _, rec := range all {
		if number(rec) == id {
			return P(&rec).RecordID()
		}
	}
	return id
}
