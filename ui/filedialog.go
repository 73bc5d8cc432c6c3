//go:build !nogui

package ui

import (
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"
)

// placeNames are the Russian names of the places Fyne's file dialog lists on
// its left: Fyne writes them in English in its code, outside its
// translations («Home», «Computer»), so the dialog was half English.
var placeNames = map[string]string{
	"Home":      "Домашняя папка",
	"Computer":  "Компьютер",
	"App Files": "Файлы программы",
	"Desktop":   "Рабочий стол",
	"Documents": "Документы",
	"Downloads": "Загрузки",
	"Music":     "Музыка",
	"Pictures":  "Изображения",
	"Videos":    "Видео",
}

// showSaveDialog opens Fyne's save dialog over w with the file name and,
// from the name's extension, its filter; the list of places is in Russian.
func showSaveDialog(w fyne.Window, name string, callback func(fyne.URIWriteCloser, error)) {
	d := dialog.NewFileSave(callback, w)
	d.SetFileName(name)
	if ext := filepath.Ext(name); ext != "" {
		d.SetFilter(storage.NewExtensionFileFilter([]string{ext}))
	}
	d.Show()
	if top := w.Canvas().Overlays().Top(); top != nil {
		russianPlaces(top)
	}
}

// russianPlaces renames the places in the lists under o: each list's
// UpdateItem is wrapped, so a list that redraws its rows keeps the names.
func russianPlaces(o fyne.CanvasObject) {
	walkPublic(o, func(o fyne.CanvasObject) {
		l, ok := o.(*widget.List)
		if !ok || l.UpdateItem == nil {
			return
		}
		update := l.UpdateItem
		l.UpdateItem = func(id widget.ListItemID, item fyne.CanvasObject) {
			update(id, item)
			walkPublic(item, func(o fyne.CanvasObject) {
				if lb, ok := o.(*widget.Label); ok {
					if ru, ok := placeNames[lb.Text]; ok {
						lb.SetText(ru)
					}
				}
			})
		}
		l.Refresh()
	})
}

// walkPublic calls fn with o and every object inside it that is reachable through
// public fields: containers, pop-ups, splits and scrolls (the file dialog
// is built of these); a list's rows are reached through its UpdateItem.
func walkPublic(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	if o == nil {
		return
	}
	fn(o)
	switch v := o.(type) {
	case *fyne.Container:
		for _, c := range v.Objects {
			walkPublic(c, fn)
		}
	case *widget.PopUp:
		walkPublic(v.Content, fn)
	case *container.Split:
		walkPublic(v.Leading, fn)
		walkPublic(v.Trailing, fn)
	case *container.Scroll:
		walkPublic(v.Content, fn)
	}
}
