package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"kruzhok/app"
	"kruzhok/internal/atomicfile"
	"kruzhok/pdf"
)

func init() {
	register("certificate", "  kruzhok certificate code --id СЕРТИФИКАТ|--number НОМЕР --out ФАЙЛ [--data ФАЙЛ]\n"+
		"                                выдать сертификату новый код (старый перестаёт действовать)\n"+
		"                                и записать выписку с кодом для родителя в PDF\n", cmdCertificate)
}

// cmdCertificate runs the certificate subcommands; there is one, code.
func cmdCertificate(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "code" {
		fmt.Fprintln(stderr, "kruzhok certificate: укажите действие: code")
		return exitUsage
	}
	return cmdCertificateCode(args[1:], stdout, stderr)
}

// cmdCertificateCode issues a certificate a new code (RULES.md §3): it makes
// the code, writes the guardian's extract with it, and only then replaces the
// stored hash through the store's one write path, so a file that cannot be
// written costs the guardian nothing. The code is written nowhere else: not
// to the terminal, not to the database.
func cmdCertificateCode(args []string, stdout, stderr io.Writer) int {
	const name = "certificate code"
	flags, _ := newFlags(name, stderr)
	id := flags.String("id", "", "ID сертификата")
	number := flags.String("number", "", "или номер сертификата: 26-ММ-NNNNNN")
	out := flags.String("out", "", "файл PDF, куда записать выписку с новым кодом")
	if !parse(flags, args, stderr) {
		return exitUsage
	}
	if (*id == "") == (*number == "") || *out == "" {
		fmt.Fprintf(stderr, "kruzhok %s: укажите --id СЕРТИФИКАТ или --number НОМЕР, и --out ФАЙЛ\n", name)
		return exitUsage
	}
	db, _, code := openExisting(name, flags, stderr)
	if db == nil {
		return code
	}
	defer db.Close()
	if kind, _, err := app.ParseScope(db.Scope()); err == nil && kind == "provider" {
		fmt.Fprintf(stderr, "kruzhok %s: новый код сертификата выдаёт муниципалитет ребёнка или РМЦ, не исполнитель\n", name)
		return exitFail
	}

	secret := app.NewCode()
	var doc []byte
	err := db.View(func(r app.Reader) error {
		if *number != "" {
			certs, err := app.List[app.Certificate](r, app.IdxNumber, *number, 1)
			if err != nil {
				return err
			}
			if len(certs) == 0 || certs[0].Number != *number {
				return app.Errorf(app.ENOTFOUND, "Сертификат %s не найден", *number)
			}
			*id = certs[0].ID
		}
		var err error
		doc, err = pdf.CertificateExtract(r, *id, secret, app.DateOf(time.Now()))
		return err
	})
	if err != nil {
		return fail(stderr, name, err)
	}
	if err := atomicfile.Write(*out, doc, 0o600); err != nil { // the code and personal data: the owner's eyes only
		return fail(stderr, name, err)
	}
	if _, err := db.Exec(&app.NewCertificateCode{Certificate: *id, CodeHash: app.CodeHash(*id, secret)}); err != nil {
		os.Remove(*out) // its code never took effect
		return fail(stderr, name, err)
	}
	fmt.Fprintf(stdout, "Новый код сертификата выдан, старый больше не действует. Выписка с кодом: %s (%d байт)\n", *out, len(doc))
	if !db.Authority() {
		fmt.Fprintln(stdout, "Код заработает после синхронизации с сервером (kruzhok sync --once).")
	}
	fmt.Fprintln(stdout, "Код записан только в выписке: передайте её родителю.")
	return exitOK
}
