//go:build !nogui

package ui

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
)

// kruzhokTheme is Fyne's default theme with text that can be read on a cheap
// laptop screen: darker greys for hints, disabled and secondary text (Fyne's
// light theme draws them at 1.3:1 to 3.5:1 against white) and field borders
// that can be seen. The focus ring is drawn by the window (focusRing).
type kruzhokTheme struct{ fyne.Theme }

// newTheme is the theme of the app and of the screen tests.
func newTheme() fyne.Theme { return &kruzhokTheme{Theme: theme.DefaultTheme()} }

var _ fyne.Theme = (*kruzhokTheme)(nil)

// Colours chosen for at least 4.5:1 against the background (WCAG AA for
// text) and 3:1 for borders and the focus ring.
var (
	lightForeground  = color.NRGBA{R: 0x26, G: 0x26, B: 0x26, A: 0xff}
	lightSecondary   = color.NRGBA{R: 0x5c, G: 0x5c, B: 0x5c, A: 0xff} // disabled, LowImportance
	lightPlaceholder = color.NRGBA{R: 0x63, G: 0x63, B: 0x63, A: 0xff}
	lightBorder      = color.NRGBA{R: 0x8c, G: 0x8c, B: 0x8c, A: 0xff}
	lightFocus       = color.NRGBA{R: 0x00, G: 0x4c, B: 0xc7, A: 0xff}
	// Red, green and orange text on white (messages, statuses) and white
	// text on them (buttons): Fyne's light ones read at 1.6:1 to 3.7:1.
	lightError      = color.NRGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff}
	lightSuccess    = color.NRGBA{R: 0x1b, G: 0x7a, B: 0x24, A: 0xff}
	lightWarning    = color.NRGBA{R: 0xa8, G: 0x52, B: 0x00, A: 0xff}
	darkSecondary   = color.NRGBA{R: 0xa8, G: 0xa8, B: 0xa8, A: 0xff}
	darkPlaceholder = color.NRGBA{R: 0xa0, G: 0xa0, B: 0xa0, A: 0xff}
	darkBorder      = color.NRGBA{R: 0x80, G: 0x80, B: 0x80, A: 0xff}
	darkFocus       = color.NRGBA{R: 0x6c, G: 0xb4, B: 0xff, A: 0xff}
)

// focusColor is the colour of the focus ring in the variant.
func focusColor(v fyne.ThemeVariant) color.Color {
	if v != theme.VariantLight {
		return darkFocus
	}
	return lightFocus
}

// colorNameFocusRing is the colour of the window's focus ring.
const colorNameFocusRing fyne.ThemeColorName = "kruzhokFocusRing"

func (t *kruzhokTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	dark := v != theme.VariantLight // as Fyne does: any other variant is dark
	switch n {
	case colorNameFocusRing:
		return focusColor(v)
	case theme.ColorNameForeground:
		if !dark {
			return lightForeground
		}
	case theme.ColorNameError:
		if !dark {
			return lightError
		}
	case theme.ColorNameSuccess:
		if !dark {
			return lightSuccess
		}
	case theme.ColorNameWarning:
		if !dark {
			return lightWarning
		}
	case theme.ColorNameDisabled:
		if dark {
			return darkSecondary
		}
		return lightSecondary
	case theme.ColorNamePlaceHolder:
		if dark {
			return darkPlaceholder
		}
		return lightPlaceholder
	case theme.ColorNameInputBorder:
		if dark {
			return darkBorder
		}
		return lightBorder
	}
	return t.Theme.Color(n, v)
}

// focusRing draws a ring around the widget that has the keyboard focus:
// Fyne marks a focused button only by a faint tint, which people who move
// with Tab cannot find. The ring lies on a layer above the window's content
// and follows the focus (followFocus polls it in the running app).
type focusRing struct {
	win   fyne.Window
	rect  *canvas.Rectangle
	layer *fyne.Container // no layout: update places the ring
}

// rings are the focus rings of the open windows, for followFocus.
var rings = map[fyne.Window]*focusRing{}

// withFocusRing returns content with w's focus ring over it.
func withFocusRing(w fyne.Window, content fyne.CanvasObject) fyne.CanvasObject {
	r := &focusRing{win: w, rect: canvas.NewRectangle(color.Transparent)}
	r.rect.StrokeWidth = 2
	r.rect.CornerRadius = theme.Size(theme.SizeNameInputRadius)
	r.rect.Hide()
	r.layer = container.NewWithoutLayout(r.rect)
	rings[w] = r
	return container.NewStack(content, r.layer)
}

// update puts the ring around the focused widget, or hides it when nothing
// in the content has the focus (a dialog over the window has its own).
func (r *focusRing) update() {
	f := r.win.Canvas().Focused()
	obj, ok := f.(fyne.CanvasObject)
	if !ok || !obj.Visible() || r.win.Canvas().Overlays().Top() != nil {
		if r.rect.Visible() {
			r.rect.Hide()
		}
		return
	}
	d := fyne.CurrentApp().Driver()
	pos := d.AbsolutePositionForObject(obj).Subtract(d.AbsolutePositionForObject(r.layer))
	const out = 3 // the ring is drawn just outside the widget
	r.rect.StrokeColor = fyne.CurrentApp().Settings().Theme().Color(colorNameFocusRing, fyne.CurrentApp().Settings().ThemeVariant())
	r.rect.Move(pos.SubtractXY(out, out))
	r.rect.Resize(obj.Size().AddWidthHeight(2*out, 2*out))
	r.rect.Show()
	r.rect.Refresh()
}

// followFocus keeps w's focus ring on the focused widget while the app
// runs: Fyne tells no one when the focus moves, so it looks ten times a
// second (nothing is redrawn while the focus stays).
func followFocus(w fyne.Window) {
	var last fyne.Focusable
	var lastPos fyne.Position
	go func() {
		for range time.Tick(100 * time.Millisecond) {
			fyne.Do(func() {
				r := rings[w]
				if r == nil {
					return
				}
				f := w.Canvas().Focused()
				var pos fyne.Position
				if o, ok := f.(fyne.CanvasObject); ok {
					pos = fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
				}
				if f == last && pos == lastPos {
					return // nothing moved
				}
				last, lastPos = f, pos
				r.update()
			})
		}
	}()
}
