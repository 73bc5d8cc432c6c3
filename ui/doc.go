// Package ui is the Fyne desktop app of Kruzhok; it talks to app services only.
//
// The desktop lives in files built without the nogui tag; a build with
// -tags nogui (CGO off) has only a Run that refuses the desktop mode, so the
// server binary needs no GL or X libraries.
package ui
