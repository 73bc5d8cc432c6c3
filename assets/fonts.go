package assets

import _ "embed"

// The DejaVu Sans fonts (DejaVu 2.37, the fonts-dejavu-core package of
// Debian 12) that the PDF documents embed: the PDF base fonts have no
// Cyrillic. The licence is Bitstream Vera's with DejaVu's changes in the
// public domain; fonts/LICENSE carries its text, which must travel with them.
var (
	//go:embed fonts/DejaVuSans.ttf
	FontRegular []byte

	//go:embed fonts/DejaVuSans-Bold.ttf
	FontBold []byte
)
