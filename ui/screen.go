//go:build !nogui

package ui

import (
	"fyne.io/fyne/v2"
	"github.com/go-gl/glfw/v3.3/glfw"
)

// The size the window opens at on a screen with room for it. On a smaller
// screen it opens at the screen's work area instead (fitToScreen): a window
// larger than the screen is squeezed by Windows (and Wine) without Fyne
// being told, so Fyne drew the 760-high content from the bottom and the top
// bar and the tabs were off the screen of a 1024×600 laptop.
var preferredSize = fyne.NewSize(1200, 760)

// windowFrame is the room the window manager takes around the content: the
// title bar and the borders (Windows 10/11: about 31 px and 8 px).
var windowFrame = fyne.NewSize(16, 40)

// fitSize is want made to fit the work area work (in pixels, the taskbar
// left out) at the canvas scale, with frame for the title bar and borders.
// A zero work area (unknown) leaves want as it is.
func fitSize(want fyne.Size, workW, workH int, scale float32, frame fyne.Size) fyne.Size {
	if workW <= 0 || workH <= 0 {
		return want
	}
	if scale <= 0 {
		scale = 1
	}
	w := float32(workW)/scale - frame.Width
	h := float32(workH)/scale - frame.Height
	return fyne.NewSize(fyne.Min(want.Width, w), fyne.Min(want.Height, h))
}

// fitToScreen makes w open no larger than the primary monitor's work area
// once the driver has started; it must be called before ShowAndRun.
func fitToScreen(a fyne.App, w fyne.Window) {
	a.Lifecycle().SetOnStarted(func() {
		fyne.Do(func() {
			mon := glfw.GetPrimaryMonitor()
			if mon == nil {
				return
			}
			_, _, workW, workH := mon.GetWorkarea()
			size := fitSize(preferredSize, workW, workH, w.Canvas().Scale(), windowFrame)
			if size != preferredSize { // it fits: left where the window manager put it
				w.Resize(size)
				w.CenterOnScreen()
			}
		})
	})
}
