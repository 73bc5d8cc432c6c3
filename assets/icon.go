// Package assets holds the files Kruzhok embeds in its binary: the icon and
// reference data.
package assets

import _ "embed"

// Icon is the 512×512 PNG application icon (the same image as Icon.png beside
// FyneApp.toml); assets/gen_icon.go draws it.
//
//go:embed icon.png
var Icon []byte
