//go:build nogui

package ui

import (
	"errors"

	"kruzhok/app"
)

// ErrNoDesktop is returned by Run in a build without the desktop.
var ErrNoDesktop = errors.New("в этой сборке нет рабочего стола (собрана с -tags nogui); используйте `kruzhok serve` " +
	"(this build has no desktop: built with -tags nogui; use `kruzhok serve`)")

// Run refuses the desktop mode: this binary was built with -tags nogui and
// carries no GL or X code. It always returns ErrNoDesktop.
func Run(st app.Store, opts Options) error {
	return ErrNoDesktop
}

// RunUnlock refuses the desktop mode, as Run does.
func RunUnlock(u Unlock) error {
	return ErrNoDesktop
}
