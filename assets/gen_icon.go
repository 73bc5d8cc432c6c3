//go:build ignore

// gen_icon draws the Kruzhok icon: a teal ring around an orange dot, with a
// thin orange orbit between them («кружок» is a small circle). Run from the
// repository root:
//
//	go run assets/gen_icon.go
//
// It writes assets/icon.png (embedded as the window icon) and Icon.png (read
// by `fyne package` through FyneApp.toml); both are the same 512×512 image.
package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
)

const size = 512

var (
	teal   = color.NRGBA{0x00, 0x89, 0x7b, 0xff}
	orange = color.NRGBA{0xf5, 0x7c, 0x00, 0xff}
	white  = color.NRGBA{0xff, 0xff, 0xff, 0xff}
)

// band is an annulus r0 ≤ d < r1 of one colour; later bands paint over earlier ones.
type band struct {
	r0, r1 float64
	c      color.NRGBA
}

var bands = []band{
	{0, 240, teal},     // disc
	{0, 196, white},    // inner field
	{150, 164, orange}, // orbit
	{0, 100, orange},   // centre dot
}

func main() {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	const ss = 4 // supersampling per axis, for smooth edges
	c := float64(size) / 2
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			var r, g, b, a float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					px := float64(x) + (float64(sx)+0.5)/ss - c
					py := float64(y) + (float64(sy)+0.5)/ss - c
					d := math.Hypot(px, py)
					var col color.NRGBA
					for _, bd := range bands {
						if d >= bd.r0 && d < bd.r1 {
							col = bd.c
						}
					}
					// premultiply so transparent samples do not darken edges
					fa := float64(col.A) / 255
					r += float64(col.R) * fa
					g += float64(col.G) * fa
					b += float64(col.B) * fa
					a += fa
				}
			}
			n := float64(ss * ss)
			if a == 0 {
				continue
			}
			img.SetNRGBA(x, y, color.NRGBA{
				R: uint8(math.Round(r / a)),
				G: uint8(math.Round(g / a)),
				B: uint8(math.Round(b / a)),
				A: uint8(math.Round(a / n * 255)),
			})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		log.Fatal(err)
	}
	for _, p := range []string{"assets/icon.png", "Icon.png"} {
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
