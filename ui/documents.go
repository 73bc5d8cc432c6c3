//go:build !nogui

package ui

import (
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// fileNameReplacer takes out the characters that Windows, macOS or Linux do
// not allow in a file name; names of providers and groups may carry them.
var fileNameReplacer = strings.NewReplacer("/", "-", `\`, "-", ":", "-", "*", "-", "?", "", `"`, "", "<", "", ">", "", "|", "-")

// fileName is a safe file name from a title and an extension (".pdf").
func fileName(title, ext string) string {
	return strings.TrimSpace(fileNameReplacer.Replace(title)) + ext
}

// saveDocument renders a document with render — which reads the store inside
// st.View — and offers it in the save dialog over o's window under its
// default name. The outcome is told in status: what was saved, or why not;
// a saved file is said to carry children's personal data unencrypted.
// Rendering happens before the dialog opens, so a failure is shown at once.
func saveDocument(o fyne.CanvasObject, status *widget.Label, render func() (string, []byte, error)) {
	name, data, err := render()
	if err != nil {
		sayErr(status, err)
		return
	}
	w := windowOf(o)
	if w == nil {
		sayErr(status, fieldError("Окно программы недоступно: документ не сохранён"))
		return
	}
	showSaveDialog(w, name, writeDocument(w, status, data))
}

// personalDataWarning follows every saved document: the database is sealed
// (issue 10), a file written out of it is not.
const personalDataWarning = "Файл содержит персональные данные детей и не зашифрован: " +
	"храните его только на защищённом компьютере"

// writeDocument is the save dialog's callback: it writes data to the file
// chosen and tells the outcome in status.
func writeDocument(w fyne.Window, status *widget.Label, data []byte) func(fyne.URIWriteCloser, error) {
	return func(out fyne.URIWriteCloser, err error) {
		if err != nil {
			dialog.ShowError(errors.New("Не удалось выбрать файл: "+err.Error()), w)
			return
		}
		if out == nil {
			return // the user cancelled
		}
		_, werr := out.Write(data)
		if cerr := out.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			dialog.ShowError(errors.New("Не удалось записать файл «"+out.URI().Name()+"»: "+werr.Error()), w)
			sayErr(status, fieldError("Документ не сохранён"))
			return
		}
		say(status, "Сохранено: "+out.URI().Path()+". "+personalDataWarning+".")
	}
}
