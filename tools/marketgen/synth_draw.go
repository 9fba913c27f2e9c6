package marketgen

import (
	"image"
	"image/color"
	"math/rand/v2"
)

// Small pictures for scale corpora. A marketplace of 100,000 listings needs
// well over 100,000 images, so these are drawn straight into a 17-colour
// paletted image at thumbnail size, without anti-aliasing or fonts: text is a
// row of grey blocks. What still matters at this size is what perceptual
// hashes see: the layout's large light and dark areas. Two independent
// pictures therefore differ in structure and in the lightness of their big
// blocks, while a look-alike keeps the structure and changes colour and
// content.

// Sizes of the small pictures.
const (
	smallScreenW = 180
	smallScreenH = 320
	smallBannerW = 320
	smallBannerH = 160
)

type smallKind int

const (
	smallScreen smallKind = iota // phone screenshot
	smallBanner                  // promotional banner
)

// smallSpec determines one small picture. Layout fixes the structure
// (sections, sizes, counts); Content fixes what fills it (photo colours, text
// lengths, highlights); Hue is the app's brand colour. A look-alike of a
// screen keeps Layout and draws new Content and Hue.
type smallSpec struct {
	Kind    smallKind
	Layout  uint64
	Content uint64
	Hue     float64
}

// Palette indices of a small picture.
const (
	sWhite = iota
	sSurface
	sInk
	sGray
	sLine
	sAccent
	sDeep
	sLight
	sSecond
	sC0 // sC0…sC7: content colours of varied lightness
)

// smallColors is one more than 16 on purpose: the PNG encoder copies rows of
// 8-bit palettes directly but packs 4-bit ones pixel by pixel, which made
// encoding most of the generation time.
const smallColors = 17

// smallCanvas is a paletted image with block-drawing helpers.
type smallCanvas struct {
	*image.Paletted
}

func newSmallCanvas(w, h int, pal color.Palette) smallCanvas {
	return smallCanvas{image.NewPaletted(image.Rect(0, 0, w, h), pal)}
}

// rect fills [x0,x1)×[y0,y1), clipped to the canvas.
func (c smallCanvas) rect(x0, y0, x1, y1 int, idx uint8) {
	b := c.Rect
	x0, y0 = max(x0, b.Min.X), max(y0, b.Min.Y)
	x1, y1 = min(x1, b.Max.X), min(y1, b.Max.Y)
	for y := y0; y < y1; y++ {
		row := c.Pix[c.PixOffset(x0, y):]
		for x := 0; x < x1-x0; x++ {
			row[x] = idx
		}
	}
}

// disc fills a circle of radius r centred on (cx, cy).
func (c smallCanvas) disc(cx, cy, r int, idx uint8) {
	for dy := -r; dy <= r; dy++ {
		y := cy + dy
		if y < c.Rect.Min.Y || y >= c.Rect.Max.Y {
			continue
		}
		w := 0
		for w*w+dy*dy <= r*r {
			w++
		}
		c.rect(cx-w+1, y, cx+w, y+1, idx)
	}
}

// textLine draws a run of word blocks w pixels wide and h high.
func (c smallCanvas) textLine(r *rand.Rand, x, y, w, h int, idx uint8) {
	for end := x + w; x < end; {
		word := min(end-x, h*(2+r.IntN(5)))
		c.rect(x, y, x+word, y+h, idx)
		x += word + max(1, h/2)
	}
}

// smallPalette derives the 17 colours of a picture: neutrals, the brand
// colour and its companions, and content colours whose lightness spreads
// from dark to light so that content blocks differ in what a perceptual hash
// sees, not only in hue.
func smallPalette(hue float64, r *rand.Rand) color.Palette {
	p := NewPalette(hue)
	surface := color.RGBA{0xf5, 0xf6, 0xf8, 0xff}
	if r.IntN(4) == 0 {
		surface = hsl(hue, 0.25, 0.9)
	}
	pal := color.Palette{white, surface, ink, gray, lightGray, p.Accent, p.Deep, p.Light, p.Second}
	for len(pal) < smallColors {
		l := 0.12 + r.Float64()*0.78
		pal = append(pal, hsl(float64(r.IntN(360)), 0.25+r.Float64()*0.6, l))
	}
	return pal
}

// drawSmall draws the picture a spec determines.
func drawSmall(s smallSpec) *image.Paletted {
	if s.Kind == smallBanner {
		return drawSmallBanner(s)
	}
	return drawSmallScreen(s)
}

// contentIdx picks one of the content colours.
func contentIdx(r *rand.Rand) uint8 { return uint8(sC0 + r.IntN(smallColors-sC0)) }

func drawSmallScreen(s smallSpec) *image.Paletted {
	lr := rand.New(rand.NewPCG(s.Layout, 0x5c7ee1))
	cr := rand.New(rand.NewPCG(s.Content, 0xc0471e))
	c := newSmallCanvas(smallScreenW, smallScreenH, smallPalette(s.Hue, cr))
	W, H := smallScreenW, smallScreenH
	bg := uint8(sSurface)
	if lr.IntN(3) == 0 {
		bg = sWhite
	}
	c.rect(0, 0, W, H, bg)

	// Status and navigation bars, in the brand colour or white.
	navBg, navFg := uint8(sAccent), uint8(sWhite)
	if lr.IntN(3) == 0 {
		navBg, navFg = sWhite, sInk
	}
	navH := 22 + lr.IntN(12)
	c.rect(0, 0, W, 8+navH, navBg)
	c.rect(4, 2, 16, 6, navFg)
	c.rect(W-20, 2, W-4, 6, navFg)
	tw := 40 + cr.IntN(50)
	if lr.IntN(2) == 0 {
		c.rect((W-tw)/2, 8+navH/2-4, (W+tw)/2, 8+navH/2+4, navFg)
	} else {
		c.rect(10, 8+navH/2-4, 10+tw, 8+navH/2+4, navFg)
	}
	y := 8 + navH

	tabH := 0
	if lr.IntN(10) < 7 {
		tabH = 26
	}
	bottom := H - tabH
	for n := 0; y < bottom-20 && n < 8; n++ {
		y = drawScreenSection(c, lr, cr, y, bottom)
		y += 4 + lr.IntN(6)
	}
	if tabH > 0 {
		c.rect(0, bottom, W, H, sWhite)
		c.rect(0, bottom, W, bottom+1, sLine)
		n := 3 + lr.IntN(3)
		active := lr.IntN(n)
		for i := 0; i < n; i++ {
			cx := W * (2*i + 1) / (2 * n)
			col := uint8(sGray)
			if i == active {
				col = sAccent
			}
			c.rect(cx-5, bottom+5, cx+5, bottom+15, col)
			c.rect(cx-7, bottom+18, cx+7, bottom+21, col)
		}
	}
	return c.Paletted
}

// drawScreenSection draws one section of a screen starting at y and returns
// where it ends.
func drawScreenSection(c smallCanvas, lr, cr *rand.Rand, y, bottom int) int {
	W := c.Rect.Dx()
	m := 6 + lr.IntN(5)
	switch lr.IntN(7) {
	case 0: // hero photo or promotional block
		h := min(bottom-y, 50+lr.IntN(70))
		drawPhotoBlock(c, cr, m, y, W-m, y+h)
		if lr.IntN(2) == 0 {
			c.rect(m+8, y+h-22, m+8+30+cr.IntN(40), y+h-14, sWhite)
		}
		return y + h
	case 1: // icon grid
		cols := 4 + lr.IntN(2)
		rows := 1 + lr.IntN(2)
		cell := (W - 2*m) / cols
		round := lr.IntN(2) == 0
		h := rows * (cell + 2)
		if y+h > bottom {
			return bottom
		}
		c.rect(m, y, W-m, y+h, sWhite)
		for i := 0; i < rows*cols; i++ {
			cx := m + cell*(i%cols) + cell/2
			cy := y + (cell+2)*(i/cols) + cell/2 - 4
			col := contentIdx(cr)
			if cr.IntN(3) == 0 {
				col = sAccent
			}
			if round {
				c.disc(cx, cy, cell/4+1, col)
			} else {
				c.rect(cx-cell/4, cy-cell/4, cx+cell/4, cy+cell/4, col)
			}
			c.rect(cx-cell/3+2, cy+cell/4+3, cx+cell/3-2, cy+cell/4+6, sGray)
		}
		return y + h
	case 2: // list of cards with a thumbnail and text lines
		n := 2 + lr.IntN(3)
		ch := 34 + lr.IntN(22)
		thumbLeft := lr.IntN(3) > 0
		for i := 0; i < n && y+ch <= bottom; i++ {
			c.rect(m, y, W-m, y+ch-3, sWhite)
			tx, x0 := m+4, m+ch+2
			if !thumbLeft {
				tx, x0 = W-m-ch+2, m+6
			}
			c.rect(tx, y+4, tx+ch-10, y+ch-7, contentIdx(cr))
			c.textLine(cr, x0, y+6, 50+cr.IntN(50), 5, sInk)
			c.textLine(cr, x0, y+15, 30+cr.IntN(60), 3, sGray)
			if lr.IntN(2) == 0 {
				c.rect(x0, y+ch-13, x0+18+cr.IntN(14), y+ch-7, sAccent)
			}
			y += ch
		}
		return y
	case 3: // two-column product grid
		cw := (W - 2*m - 6) / 2
		ch := cw + 22
		rows := 1 + lr.IntN(2)
		for row := 0; row < rows && y+ch <= bottom; row++ {
			for col := 0; col < 2; col++ {
				x := m + col*(cw+6)
				c.rect(x, y, x+cw, y+ch, sWhite)
				drawPhotoBlock(c, cr, x, y, x+cw, y+cw)
				c.textLine(cr, x+4, y+cw+4, cw-10-cr.IntN(cw/2), 4, sInk)
				c.rect(x+4, y+cw+12, x+20+cr.IntN(10), y+cw+18, sAccent)
			}
			y += ch + 6
		}
		return y
	case 4: // statistics card in the brand colour
		h := 44 + lr.IntN(24)
		if y+h > bottom {
			return bottom
		}
		col := uint8(sAccent)
		if lr.IntN(2) == 0 {
			col = sDeep
		}
		c.rect(m, y, W-m, y+h, col)
		n := 2 + lr.IntN(3)
		cw := (W - 2*m) / n
		for i := 0; i < n; i++ {
			x := m + i*cw + 8
			c.rect(x, y+10, x+10+cr.IntN(cw-20), y+20, sWhite)
			c.rect(x, y+26, x+cw/2, y+30, sLight)
		}
		return y + h
	case 5: // search box or form fields
		n := 1 + lr.IntN(4)
		for i := 0; i < n && y+22 <= bottom; i++ {
			c.rect(m, y, W-m, y+18, sWhite)
			c.rect(m, y+17, W-m, y+18, sLine)
			c.textLine(cr, m+6, y+7, 20+cr.IntN(30), 4, sGray)
			y += 22
		}
		if y+24 <= bottom && lr.IntN(2) == 0 {
			c.rect(m+10, y+2, W-m-10, y+22, sAccent)
			c.rect(W/2-15, y+9, W/2+15, y+15, sWhite)
			y += 24
		}
		return y
	default: // text paragraph
		n := 2 + lr.IntN(5)
		c.rect(m, y, W-m, y+n*9+8, sWhite)
		for i := 0; i < n; i++ {
			w := W - 2*m - 12
			if i == n-1 {
				w = w * (2 + cr.IntN(7)) / 10
			}
			c.textLine(cr, m+6, y+5+i*9, w, 4, sGray)
		}
		return y + n*9 + 8
	}
}

// drawPhotoBlock fills a rectangle with a "photo": a backdrop and a few large
// shapes of content colours, different for every content seed.
func drawPhotoBlock(c smallCanvas, cr *rand.Rand, x0, y0, x1, y1 int) {
	w, h := x1-x0, y1-y0
	if w <= 0 || h <= 0 {
		return
	}
	c.rect(x0, y0, x1, y1, contentIdx(cr))
	// A horizon or diagonal split.
	if cr.IntN(2) == 0 {
		s := y0 + h*(3+cr.IntN(5))/10
		c.rect(x0, s, x1, y1, contentIdx(cr))
	} else {
		s := x0 + w*(2+cr.IntN(7))/10
		c.rect(s, y0, x1, y1, contentIdx(cr))
	}
	sub := c.SubImage(image.Rect(x0, y0, x1, y1)).(*image.Paletted)
	sc := smallCanvas{sub}
	for n := 1 + cr.IntN(3); n > 0; n-- {
		cx, cy := x0+cr.IntN(w), y0+cr.IntN(h)
		r := max(3, min(w, h)*(2+cr.IntN(4))/12)
		if cr.IntN(2) == 0 {
			sc.disc(cx, cy, r, contentIdx(cr))
		} else {
			sc.rect(cx-r, cy-r/2, cx+r, cy+r, contentIdx(cr))
		}
	}
}

func drawSmallBanner(s smallSpec) *image.Paletted {
	lr := rand.New(rand.NewPCG(s.Layout, 0xba77e1))
	cr := rand.New(rand.NewPCG(s.Content, 0xc0471f))
	W, H := smallBannerW, smallBannerH
	c := newSmallCanvas(W, H, smallPalette(s.Hue, cr))
	// Background in bands from the brand colour to its deep shade.
	bands := []uint8{sAccent, sDeep}
	if lr.IntN(3) == 0 {
		bands = []uint8{sLight, sWhite}
	}
	split := W * (3 + lr.IntN(5)) / 10
	if lr.IntN(2) == 0 {
		c.rect(0, 0, split, H, bands[0])
		c.rect(split, 0, W, H, bands[1])
	} else {
		c.rect(0, 0, W, H*(4+lr.IntN(4))/10, bands[0])
		c.rect(0, H*(4+lr.IntN(4))/10, W, H, bands[1])
	}
	// Decorative discs.
	for n := 1 + lr.IntN(3); n > 0; n-- {
		c.disc(cr.IntN(W), cr.IntN(H), 15+cr.IntN(45), contentIdx(cr))
	}
	// Product picture on one side, headline on the other.
	pw := W * (3 + lr.IntN(2)) / 10
	px := W - pw - 12
	tx := 16
	if lr.IntN(3) == 0 {
		px, tx = 12, pw+28
	}
	drawPhotoBlock(c, cr, px, 16, px+pw, H-16)
	fg := uint8(sWhite)
	if bands[0] == sLight {
		fg = sInk
	}
	c.textLine(cr, tx, 30, 80+cr.IntN(60), 12, fg)
	c.textLine(cr, tx, 50, 60+cr.IntN(60), 12, fg)
	c.textLine(cr, tx, 76, 60+cr.IntN(60), 5, fg)
	bx := tx
	c.rect(bx, H-42, bx+50+cr.IntN(20), H-24, sSecond)
	c.rect(bx+10, H-35, bx+40, H-31, sWhite)
	return c.Paletted
}
