//go:build !nogui

package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
	"kruzhok/pdf"
)

// spacedCode is a certificate code as people read it aloud: «ABCD EFGH».
func spacedCode(code string) string {
	if len(code) != app.CodeLen {
		return code
	}
	return code[:app.CodeLen/2] + " " + code[app.CodeLen/2:]
}

// certExtract renders the guardian's extract with the certificate's code
// (RULES.md §3) as of today, named after the number or, before the server
// numbers it, the child.
func certExtract(st app.Store, certID, code string, now func() time.Time) (name string, data []byte, err error) {
	on := today(now)
	title := ""
	err = st.View(func(r app.Reader) error {
		c, err := app.Get[app.Certificate](r, certID)
		if err != nil {
			return err
		}
		title = c.Number
		if title == "" {
			if ch, err := app.Get[app.Child](r, c.Child); err == nil {
				title = ch.LastName + " " + ch.FirstName
			}
		}
		data, err = pdf.CertificateExtract(r, certID, code, on)
		return err
	})
	if err != nil {
		return "", nil, err
	}
	return fileName("Выписка с кодом сертификата "+title, ".pdf"), data, nil
}

// showCertCode shows a certificate's new code once, in large letters, and
// offers the guardian's extract that prints it. The code lives only in this
// dialog and in the file the user saves: the store keeps its hash alone, so
// once the dialog is closed nobody can show it again. Without a window
// (a screen built for a test) it says so in status.
func showCertCode(o fyne.CanvasObject, st app.Store, certID, number, code string, now func() time.Time, status *widget.Label) {
	w := windowOf(o)
	if w == nil {
		sayErr(status, fieldError("Окно программы недоступно: код не показан"))
		return
	}
	big := canvas.NewText(spacedCode(code), theme.Color(theme.ColorNameForeground))
	big.TextSize = 36
	big.TextStyle = fyne.TextStyle{Monospace: true}
	big.Alignment = fyne.TextAlignCenter
	about := "Код сертификата"
	if number != "" {
		about += " " + number
	}
	note := widget.NewLabel("Код показывается один раз и нигде не хранится: сохраните выписку с кодом и отдайте её " +
		"родителю (законному представителю). По номеру сертификата и этому коду исполнитель найдёт ребёнка и " +
		"запишет его. Если код потеряют, муниципалитет выдаст новый.")
	note.Wrapping = fyne.TextWrapWord
	save := widget.NewButtonWithIcon("Сохранить выписку с кодом (PDF)…", theme.DocumentSaveIcon(), func() {
		saveDocument(o, status, func() (string, []byte, error) { return certExtract(st, certID, code, now) })
	})
	save.Importance = widget.HighImportance
	body := container.NewVBox(heading(about), container.NewPadded(big), note, container.NewCenter(save))
	d := dialog.NewCustom("Новый код сертификата", "Закрыть", body, w)
	d.Resize(fyne.NewSize(600, body.MinSize().Height+120))
	d.Show()
}

// issueNewCode asks, then gives the certificate a new code (the old one
// stops working), shows it once and offers the extract; after runs when the
// store has the new code's hash.
func issueNewCode(o fyne.CanvasObject, st app.Store, cert app.Certificate, child string, now func() time.Time, status *widget.Label, after func()) {
	num := cert.Number
	if num == "" {
		num = "(номер присвоит РМЦ)"
	}
	askConfirm(o, "Выдать новый код", "Сертификату "+num+" ("+child+") будет выдан новый код. "+
		"Старый код перестанет действовать: исполнитель, которому семья уже сообщила старый код, его не примет. "+
		"Новый код будет показан один раз — сохраните выписку для родителя.", "Выдать новый код", func() {
		code := app.NewCode()
		if _, err := st.Exec(&app.NewCertificateCode{Certificate: cert.ID, CodeHash: app.CodeHash(cert.ID, code)}); err != nil {
			sayErr(status, err)
			return
		}
		say(status, "Сертификату "+num+" выдан новый код; старый больше не действует")
		if after != nil {
			after()
		}
		showCertCode(o, st, cert.ID, cert.Number, code, now, status)
	})
}
