package marketgen

import (
	"image"
	"image/color"
	"math/rand/v2"

	"github.com/listingscan/listingscan/listing"
)

// Template screenshots are drawn without text: flat blocks laid out from
// the page's component tree in the template's accent colour. They compress
// to a few kilobytes as PNG, and two pages look alike only when their trees
// and colours do.

const shotW, shotH = 135, 240

// drawPage renders a page of a template.
func drawPage(seed uint64, hue float64, comps []listing.Component) *image.RGBA {
	r := rand.New(rand.NewPCG(seed, 0x5c7ee7))
	img := image.NewRGBA(image.Rect(0, 0, shotW, shotH))
	Fill(img, img.Rect, color.RGBA{250, 250, 250, 255})
	accent := hsl(hue, 0.65, 0.5)
	light := hsl(hue, 0.5, 0.85)
	dark := hsl(hue+180, 0.3, 0.3)
	Fill(img, image.Rect(0, 0, shotW, 8), color.RGBA{30, 30, 30, 255})
	Fill(img, image.Rect(0, 8, shotW, 26), accent)
	Fill(img, image.Rect(40, 14, 95, 20), color.RGBA{255, 255, 255, 255})
	y := 30
	for _, c := range comps {
		if y > shotH-30 {
			break
		}
		y = drawBlock(img, r, c, y, accent, light, dark)
		y += 4
	}
	Fill(img, image.Rect(0, shotH-20, shotW, shotH), color.RGBA{240, 240, 240, 255})
	for i := range 4 {
		x := 12 + i*32
		c := color.RGBA{150, 150, 150, 255}
		if i == 0 {
			c = accent
		}
		Fill(img, image.Rect(x, shotH-16, x+12, shotH-6), c)
	}
	return upscale(img, shotScale)
}

// shotScale is how much larger than the drawing grid a screenshot is
// stored: phone screenshots are hundreds of pixels wide, and the image
// hashes verify matches on a detail grid finer than the drawing grid.
const shotScale = 3

// upscale enlarges img by an integer factor without blurring its edges.
func upscale(img *image.RGBA, k int) *image.RGBA {
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx()*k, b.Dy()*k))
	for y := range b.Dy() * k {
		for x := range b.Dx() * k {
			out.SetRGBA(x, y, img.RGBAAt(b.Min.X+x/k, b.Min.Y+y/k))
		}
	}
	return out
}

func drawBlock(img *image.RGBA, r *rand.Rand, c listing.Component, y int, accent, light, dark color.RGBA) int {
	grey := color.RGBA{200, 200, 200, 255}
	switch c.Type {
	case "swiper":
		h := 40 + r.IntN(25)
		Fill(img, image.Rect(6, y, shotW-6, y+h), light)
		Fill(img, image.Rect(14, y+8, 14+r.IntN(60)+20, y+h-8), accent)
		return y + h
	case "scroll-view":
		for range max(1, len(c.Children)) + r.IntN(2) {
			Fill(img, image.Rect(6, y, 34, y+26), light)
			Fill(img, image.Rect(40, y+3, 40+40+r.IntN(50), y+9), dark)
			Fill(img, image.Rect(40, y+14, 40+20+r.IntN(60), y+19), grey)
			y += 30
		}
		return y
	case "form":
		for range len(c.Children) - 1 {
			Fill(img, image.Rect(8, y+4, 36, y+10), dark)
			Fill(img, image.Rect(44, y, shotW-8, y+14), color.RGBA{235, 235, 235, 255})
			y += 18
		}
		Fill(img, image.Rect(16, y+2, shotW-16, y+18), accent)
		return y + 20
	case "map", "video", "live-player":
		Fill(img, image.Rect(6, y, shotW-6, y+70), dark)
		Fill(img, image.Rect(55, y+25, 80, y+45), accent)
		return y + 70
	default:
		n := max(1, len(c.Children))
		if n >= 3 {
			w := (shotW - 12) / n
			for i := range n {
				x := 6 + i*w
				Fill(img, image.Rect(x+3, y, x+w-3, y+w-6), []color.RGBA{accent, light, dark}[(i+r.IntN(2))%3])
			}
			return y + w
		}
		Fill(img, image.Rect(6, y, 40, y+28), accent)
		Fill(img, image.Rect(46, y+4, shotW-10-r.IntN(40), y+10), dark)
		Fill(img, image.Rect(46, y+16, shotW-30-r.IntN(40), y+21), grey)
		return y + 30
	}
}

// drawLogo renders a store logo: a disc, rounded square or diamond in the
// store's colour with a mark of bars and dots in a contrasting one.
func drawLogo(seed uint64, hue float64) *image.RGBA {
	r := rand.New(rand.NewPCG(seed, 0x1090))
	img := image.NewRGBA(image.Rect(0, 0, 96, 96))
	Fill(img, img.Rect, color.RGBA{255, 255, 255, 255})
	bg := hsl(hue, 0.55+r.Float64()*0.3, 0.35+r.Float64()*0.25)
	shape := r.IntN(3)
	for y := range 96 {
		for x := range 96 {
			dx, dy := x-48, y-48
			in := false
			switch shape {
			case 0:
				in = dx*dx+dy*dy <= 44*44
			case 1:
				in = dx >= -42 && dx <= 42 && dy >= -42 && dy <= 42
			default:
				in = abs(dx)+abs(dy) <= 46
			}
			if in {
				img.SetRGBA(x, y, bg)
			}
		}
	}
	fg := hsl(hue+120+r.Float64()*120, 0.6, 0.8+r.Float64()*0.15)
	for range 3 + r.IntN(4) {
		x0, y0 := 18+r.IntN(50), 18+r.IntN(50)
		if r.IntN(2) == 0 {
			Fill(img, image.Rect(x0, y0, x0+4+r.IntN(26), y0+3+r.IntN(8)), fg)
		} else {
			Fill(img, image.Rect(x0, y0, x0+3+r.IntN(8), y0+4+r.IntN(26)), fg)
		}
	}
	return img
}

// drawForeign renders a screen of some other app, not in the catalogue.
func drawForeign(r *rand.Rand) *image.RGBA {
	return drawPage(r.Uint64(), r.Float64()*360, randomPage(r, "x"))
}
