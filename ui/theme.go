//go:build !nogui

package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
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
	darkSecondary    = color.NRGBA{R: 0xa8, G: 0xa8, B: 0xa8, A: 0xff}
	darkPlaceholder  = color.NRGBA{R: 0xa0, G: 0xa0, B: 0xa0, A: 0xff}
	darkBorder       = color.NRGBA{R: 0x80, G: 0x80, B: 0x80, A: 0xff}
	darkFocus        = color.NRGBA{R: 0x6c, G: 0xb4, B: 0xff, A: 0xff}
)

// focusColor is the colour of the focus ring in the variant.
func focusColor(v fyne.ThemeVariant) color.Color {
	if v != theme.VariantLight {
		return darkFocus
	}
	return lightFocus
}

func (t *kruzhokTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	dark := v != theme.VariantLight // as Fyne does: any other variant is dark
	switch n {
	case theme.ColorNameForeground:
		if !dark {
			return lightForeground
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
