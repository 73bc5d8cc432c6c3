//go:build !nogui

package ui

import (
	"testing"

	"fyne.io/fyne/v2"
)

// The window opens at 1200×760 where there is room, and inside the work
// area of a smaller screen, title bar and borders left out.
func TestFitSizeKeepsTheWindowOnTheScreen(t *testing.T) {
	frame := fyne.NewSize(16, 40)
	for _, c := range []struct {
		name         string
		workW, workH int
		scale        float32
		want         fyne.Size
	}{
		{"full HD", 1920, 1040, 1, fyne.NewSize(1200, 760)},
		{"1366×768 with a taskbar", 1366, 728, 1, fyne.NewSize(1200, 688)},
		{"1024×600 with a taskbar", 1024, 560, 1, fyne.NewSize(1008, 520)},
		{"1366×768 at 125 %", 1366, 728, 1.25, fyne.NewSize(1076.8, 542.4)},
		{"unknown work area", 0, 0, 1, fyne.NewSize(1200, 760)},
	} {
		got := fitSize(fyne.NewSize(1200, 760), c.workW, c.workH, c.scale, frame)
		if d := got.Subtract(c.want); d.Width > 0.01 || d.Width < -0.01 || d.Height > 0.01 || d.Height < -0.01 {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
