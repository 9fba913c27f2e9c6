package marketgen

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"math/rand/v2"
)

// kappa places cubic Bézier control points so that four curves approximate a
// circle.
const kappa = 0.5523

// Fill paints r with c (opaque colours replace, translucent ones blend).
func Fill(dst draw.Image, r image.Rectangle, c color.Color) {
	op := draw.Over
	if _, _, _, a := c.RGBA(); a == 0xffff {
		op = draw.Src
	}
	draw.Draw(dst, r, image.NewUniform(c), image.Point{}, op)
}

// path rasterises an anti-aliased shape within bounds b; build receives
// coordinates relative to b.Min.
func (p *Painter) path(dst draw.Image, b image.Rectangle, c color.Color, build func(ox, oy float32)) {
	b = b.Intersect(dst.Bounds())
	if b.Empty() {
		return
	}
	p.z.Reset(b.Dx(), b.Dy())
	build(float32(-b.Min.X), float32(-b.Min.Y))
	p.z.Draw(dst, b, image.NewUniform(c), image.Point{})
}

// RoundRect paints an anti-aliased rectangle with rounded corners.
func (p *Painter) RoundRect(dst draw.Image, r image.Rectangle, radius float64, c color.Color) {
	rad := float32(math.Min(radius, math.Min(float64(r.Dx()), float64(r.Dy()))/2))
	if rad <= 0.5 {
		Fill(dst, r, c)
		return
	}
	// Rasterise over the full rectangle even where it leaves dst; the
	// rasteriser clips to its own size, which we keep to the visible part.
	full := r
	vis := r.Intersect(dst.Bounds())
	if vis.Empty() {
		return
	}
	p.z.Reset(vis.Dx(), vis.Dy())
	ox, oy := float32(full.Min.X-vis.Min.X), float32(full.Min.Y-vis.Min.Y)
	x0, y0 := ox, oy
	x1, y1 := ox+float32(full.Dx()), oy+float32(full.Dy())
	k := rad * (1 - kappa)
	z := p.z
	z.MoveTo(x0+rad, y0)
	z.LineTo(x1-rad, y0)
	z.CubeTo(x1-k, y0, x1, y0+k, x1, y0+rad)
	z.LineTo(x1, y1-rad)
	z.CubeTo(x1, y1-k, x1-k, y1, x1-rad, y1)
	z.LineTo(x0+rad, y1)
	z.CubeTo(x0+k, y1, x0, y1-k, x0, y1-rad)
	z.LineTo(x0, y0+rad)
	z.CubeTo(x0, y0+k, x0+k, y0, x0+rad, y0)
	z.ClosePath()
	z.Draw(dst, vis, image.NewUniform(c), image.Point{})
}

// Ellipse paints an anti-aliased ellipse centred on (cx, cy).
func (p *Painter) Ellipse(dst draw.Image, cx, cy, rx, ry float64, c color.Color) {
	b := image.Rect(int(math.Floor(cx-rx)), int(math.Floor(cy-ry)), int(math.Ceil(cx+rx))+1, int(math.Ceil(cy+ry))+1)
	p.path(dst, b, c, func(ox, oy float32) {
		x, y := float32(cx)+ox, float32(cy)+oy
		a, bb := float32(rx), float32(ry)
		ka, kb := a*kappa, bb*kappa
		z := p.z
		z.MoveTo(x+a, y)
		z.CubeTo(x+a, y+kb, x+ka, y+bb, x, y+bb)
		z.CubeTo(x-ka, y+bb, x-a, y+kb, x-a, y)
		z.CubeTo(x-a, y-kb, x-ka, y-bb, x, y-bb)
		z.CubeTo(x+ka, y-bb, x+a, y-kb, x+a, y)
		z.ClosePath()
	})
}

// Circle paints an anti-aliased disc.
func (p *Painter) Circle(dst draw.Image, cx, cy, r float64, c color.Color) {
	p.Ellipse(dst, cx, cy, r, r, c)
}

// Polygon paints an anti-aliased closed polygon.
func (p *Painter) Polygon(dst draw.Image, pts []image.Point, c color.Color) {
	if len(pts) < 3 {
		return
	}
	b := image.Rectangle{Min: pts[0], Max: pts[0]}
	for _, q := range pts {
		b = b.Union(image.Rectangle{Min: q, Max: q.Add(image.Pt(1, 1))})
	}
	p.path(dst, b, c, func(ox, oy float32) {
		p.z.MoveTo(float32(pts[0].X)+ox, float32(pts[0].Y)+oy)
		for _, q := range pts[1:] {
			p.z.LineTo(float32(q.X)+ox, float32(q.Y)+oy)
		}
		p.z.ClosePath()
	})
}

// Line paints a straight stroke of width w.
func (p *Painter) Line(dst draw.Image, x0, y0, x1, y1, w float64, c color.Color) {
	dx, dy := x1-x0, y1-y0
	l := math.Hypot(dx, dy)
	if l == 0 {
		return
	}
	nx, ny := -dy/l*w/2, dx/l*w/2
	b := image.Rect(int(math.Min(x0, x1)-w), int(math.Min(y0, y1)-w), int(math.Max(x0, x1)+w)+1, int(math.Max(y0, y1)+w)+1)
	p.path(dst, b, c, func(ox, oy float32) {
		z := p.z
		z.MoveTo(float32(x0+nx)+ox, float32(y0+ny)+oy)
		z.LineTo(float32(x1+nx)+ox, float32(y1+ny)+oy)
		z.LineTo(float32(x1-nx)+ox, float32(y1-ny)+oy)
		z.LineTo(float32(x0-nx)+ox, float32(y0-ny)+oy)
		z.ClosePath()
	})
}

// Gradient paints r with a linear gradient from c0 to c1 along the angle
// (degrees, 0 = left to right, 90 = top to bottom).
func Gradient(dst *image.RGBA, r image.Rectangle, c0, c1 color.RGBA, angle float64) {
	r = r.Intersect(dst.Bounds())
	if r.Empty() {
		return
	}
	ax, ay := math.Cos(angle*math.Pi/180), math.Sin(angle*math.Pi/180)
	w, h := float64(r.Dx()), float64(r.Dy())
	span := math.Abs(ax)*w + math.Abs(ay)*h
	if span == 0 {
		span = 1
	}
	base := math.Min(0, ax*w) + math.Min(0, ay*h)
	// Colours along the gradient axis, at every pixel step of x and y.
	xs := make([]color.RGBA, r.Dx())
	for x := range xs {
		xs[x] = Mix(c0, c1, (float64(x)*ax-base)/span)
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := dst.Pix[dst.PixOffset(r.Min.X, y):]
		fy := float64(y-r.Min.Y) * ay
		if ax == 0 || math.Abs(ax) < 1e-9 {
			c := Mix(c0, c1, (fy-base)/span)
			for x := 0; x < r.Dx(); x++ {
				i := x * 4
				row[i], row[i+1], row[i+2], row[i+3] = c.R, c.G, c.B, 255
			}
			continue
		}
		if math.Abs(ay) < 1e-9 {
			for x, c := range xs {
				i := x * 4
				row[i], row[i+1], row[i+2], row[i+3] = c.R, c.G, c.B, 255
			}
			continue
		}
		for x := 0; x < r.Dx(); x++ {
			t := (float64(x)*ax + fy - base) / span
			i := x * 4
			row[i] = lerp8(c0.R, c1.R, t)
			row[i+1] = lerp8(c0.G, c1.G, t)
			row[i+2] = lerp8(c0.B, c1.B, t)
			row[i+3] = 255
		}
	}
}

func lerp8(a, b uint8, t float64) uint8 {
	if t < 0 {
		t = 0
	} else if t > 1 {
		t = 1
	}
	return uint8(float64(a) + (float64(b)-float64(a))*t + 0.5)
}

// Mix blends two colours; t=0 gives a, t=1 gives b.
func Mix(a, b color.RGBA, t float64) color.RGBA {
	return color.RGBA{lerp8(a.R, b.R, t), lerp8(a.G, b.G, t), lerp8(a.B, b.B, t), 255}
}

// Alpha returns c with the given opacity (0–255), as a non-premultiplied colour.
func Alpha(c color.RGBA, a uint8) color.NRGBA {
	return color.NRGBA{c.R, c.G, c.B, a}
}

// Noise adds deterministic grain of the given amplitude, which gives drawn
// "photos" the texture of camera pictures.
func Noise(dst *image.RGBA, r image.Rectangle, amp int, rng *rand.Rand) {
	r = r.Intersect(dst.Bounds())
	if amp <= 0 || r.Empty() {
		return
	}
	// A xorshift stream seeded from rng: per-pixel calls into rng would
	// dominate the drawing time.
	x := rng.Uint64() | 1
	span := uint64(2*amp + 1)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := dst.Pix[dst.PixOffset(r.Min.X, y):]
		for i := 0; i < r.Dx()*4; i += 4 {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
			n := int((x>>32)%span) - amp
			for c := 0; c < 3; c++ {
				v := int(row[i+c]) + n
				row[i+c] = uint8(min(255, max(0, v)))
			}
		}
	}
}

// Vignette darkens the corners the way a lens does.
func Vignette(dst *image.RGBA, strength float64) {
	b := dst.Bounds()
	cx, cy := float64(b.Dx())/2, float64(b.Dy())/2
	inv := strength / (cx*cx + cy*cy)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		row := dst.Pix[dst.PixOffset(b.Min.X, y):]
		dy := float64(y-b.Min.Y) - cy
		for x := 0; x < b.Dx(); x++ {
			dx := float64(x) - cx
			f := int((1 - (dx*dx+dy*dy)*inv) * 256)
			i := x * 4
			row[i] = uint8(int(row[i]) * f >> 8)
			row[i+1] = uint8(int(row[i+1]) * f >> 8)
			row[i+2] = uint8(int(row[i+2]) * f >> 8)
		}
	}
}

// hsl converts hue (degrees), saturation and lightness (0–1) to RGB.
func hsl(h, s, l float64) color.RGBA {
	h = math.Mod(h, 360)
	if h < 0 {
		h += 360
	}
	c := (1 - math.Abs(2*l-1)) * s
	x := c * (1 - math.Abs(math.Mod(h/60, 2)-1))
	m := l - c/2
	var r, g, b float64
	switch {
	case h < 60:
		r, g, b = c, x, 0
	case h < 120:
		r, g, b = x, c, 0
	case h < 180:
		r, g, b = 0, c, x
	case h < 240:
		r, g, b = 0, x, c
	case h < 300:
		r, g, b = x, 0, c
	default:
		r, g, b = c, 0, x
	}
	to := func(v float64) uint8 { return uint8(math.Round((v + m) * 255)) }
	return color.RGBA{to(r), to(g), to(b), 255}
}

// Palette is the colour scheme of one app: brand colour and its companions.
type Palette struct {
	Hue     float64
	Accent  color.RGBA // nav bar, buttons, prices
	Deep    color.RGBA // gradients' dark end
	Light   color.RGBA // tinted backgrounds
	Second  color.RGBA // a complementary highlight
	Surface color.RGBA // page background
}

// NewPalette derives a palette from a hue in degrees.
func NewPalette(hue float64) Palette {
	h := math.Mod(hue, 360)
	if h < 0 {
		h += 360
	}
	l := 0.52
	if h > 40 && h < 170 {
		// Yellows and greens need to be darker to carry white text.
		l = 0.42
	}
	return Palette{
		Hue:     hue,
		Accent:  hsl(hue, 0.72, l),
		Deep:    hsl(hue+18, 0.70, 0.38),
		Light:   hsl(hue, 0.80, 0.94),
		Second:  hsl(hue+150, 0.75, 0.55),
		Surface: color.RGBA{0xf5, 0xf6, 0xf8, 0xff},
	}
}

var (
	white     = color.RGBA{0xff, 0xff, 0xff, 0xff}
	ink       = color.RGBA{0x1f, 0x23, 0x29, 0xff}
	gray      = color.RGBA{0x86, 0x90, 0x9c, 0xff}
	lightGray = color.RGBA{0xe5, 0xe6, 0xeb, 0xff}
	hairline  = color.RGBA{0xee, 0xef, 0xf2, 0xff}
)
