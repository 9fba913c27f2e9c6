package marketgen

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"math/rand/v2"
	"strings"

	xdraw "golang.org/x/image/draw"
)

// photoKind is the subject of a product-photo-like picture.
type photoKind int

const (
	photoPlate     photoKind = iota // a dish on a wooden table
	photoCup                        // a drink in a cup
	photoBox                        // a boxed product on a studio background
	photoBottle                     // a medicine bottle with tablets
	photoBuilding                   // a building under the sky
	photoRoom                       // a hotel room
	photoDesk                       // a laptop on a desk
	photoLandscape                  // mountains and a lake
	numPhotoKinds
)

// drawMasked copies src (whose bounds start at 0,0) into r of dst, through
// mask when it is not nil.
func drawMasked(dst draw.Image, r image.Rectangle, src image.Image, mask image.Image) {
	if mask == nil {
		draw.Draw(dst, r, src, src.Bounds().Min, draw.Over)
		return
	}
	draw.DrawMask(dst, r, src, src.Bounds().Min, mask, mask.Bounds().Min, draw.Over)
}

// drawPhoto fills dst with a photo-like picture of the given kind.
func (p *Painter) drawPhoto(dst *image.RGBA, kind photoKind, seed uint64, hue float64) {
	r := rand.New(rand.NewPCG(seed, 0x9407))
	b := dst.Bounds()
	w, h := float64(b.Dx()), float64(b.Dy())
	X := func(f float64) float64 { return float64(b.Min.X) + f*w }
	Y := func(f float64) float64 { return float64(b.Min.Y) + f*h }
	R := func(x0, y0, x1, y1 float64) image.Rectangle {
		return image.Rect(int(X(x0)), int(Y(y0)), int(X(x1)), int(Y(y1)))
	}
	P := func(x, y float64) image.Point { return image.Pt(int(X(x)), int(Y(y))) }
	s := math.Min(w, h)
	jit := func(v float64) float64 { return v + (r.Float64()-0.5)*0.12 }
	switch kind {
	case photoPlate:
		wood := hsl(25+r.Float64()*15, 0.45, 0.32+r.Float64()*0.15)
		Gradient(dst, b, wood, Mix(wood, color.RGBA{0, 0, 0, 255}, 0.3), 90)
		for i := 0; i < 14; i++ {
			y := Y(r.Float64())
			Fill(dst, image.Rect(b.Min.X, int(y), b.Max.X, int(y)+1+r.IntN(3)), Alpha(Mix(wood, color.RGBA{0, 0, 0, 255}, 0.4), 70))
		}
		cx, cy := X(jit(0.5)), Y(jit(0.52))
		rad := s * (0.34 + r.Float64()*0.06)
		p.Ellipse(dst, cx+s*0.03, cy+s*0.04, rad, rad*0.95, Alpha(color.RGBA{0, 0, 0, 255}, 80))
		p.Circle(dst, cx, cy, rad, color.RGBA{0xfa, 0xfa, 0xf7, 0xff})
		p.Circle(dst, cx, cy, rad*0.78, color.RGBA{0xee, 0xee, 0xea, 0xff})
		p.Circle(dst, cx, cy, rad*0.74, color.RGBA{0xf8, 0xf8, 0xf5, 0xff})
		food := []color.RGBA{hsl(10+r.Float64()*25, 0.7, 0.42), hsl(35, 0.75, 0.55), hsl(100+r.Float64()*30, 0.5, 0.4), hsl(0, 0.65, 0.5), hsl(45, 0.8, 0.7)}
		for i := 0; i < 9+r.IntN(8); i++ {
			a := r.Float64() * 2 * math.Pi
			d := r.Float64() * rad * 0.45
			c := food[r.IntN(len(food))]
			p.Ellipse(dst, cx+math.Cos(a)*d, cy+math.Sin(a)*d, rad*(0.12+r.Float64()*0.16), rad*(0.1+r.Float64()*0.12), c)
		}
		for i := 0; i < 6; i++ {
			a := r.Float64() * 2 * math.Pi
			d := r.Float64() * rad * 0.5
			p.Circle(dst, cx+math.Cos(a)*d, cy+math.Sin(a)*d, rad*0.04, hsl(110, 0.6, 0.45))
		}
		p.Line(dst, X(0.86), Y(0.1), X(0.93), Y(0.95), s*0.025, color.RGBA{0x3a, 0x2a, 0x1e, 0xff})
		p.Line(dst, X(0.9), Y(0.1), X(0.97), Y(0.95), s*0.025, color.RGBA{0x3a, 0x2a, 0x1e, 0xff})
	case photoCup:
		wall := hsl(hue, 0.35, 0.82)
		Gradient(dst, R(0, 0, 1, 0.7), wall, Mix(wall, white, 0.4), 90)
		table := hsl(30, 0.25, 0.7)
		Gradient(dst, R(0, 0.7, 1, 1), table, Mix(table, color.RGBA{0, 0, 0, 255}, 0.2), 90)
		cx := X(jit(0.5))
		p.Ellipse(dst, cx+s*0.05, Y(0.88), s*0.22, s*0.05, Alpha(color.RGBA{0, 0, 0, 255}, 60))
		drink := hsl(20+r.Float64()*300, 0.55, 0.55)
		body := image.Rect(int(cx-s*0.18), int(Y(0.3)), int(cx+s*0.18), int(Y(0.88)))
		p.RoundRect(dst, body, s*0.04, Mix(drink, white, 0.25))
		Fill(dst, image.Rect(body.Min.X+2, body.Min.Y+body.Dy()/4, body.Max.X-2, body.Max.Y-4), drink)
		p.Ellipse(dst, cx, Y(0.3), s*0.2, s*0.04, Mix(drink, white, 0.6))
		p.Line(dst, cx+s*0.05, Y(0.05), cx, Y(0.4), s*0.03, hsl(hue+180, 0.6, 0.5))
		band := image.Rect(body.Min.X, body.Min.Y+body.Dy()*45/100, body.Max.X, body.Min.Y+body.Dy()*65/100)
		Fill(dst, band, white)
		p.Circle(dst, cx, float64(band.Min.Y+band.Dy()/2), float64(band.Dy())*0.35, hsl(hue, 0.7, 0.45))
		for i := 0; i < 5; i++ {
			p.Circle(dst, cx-s*0.12+r.Float64()*s*0.24, Y(0.75)+r.Float64()*s*0.1, s*0.02, Alpha(color.RGBA{0x30, 0x20, 0x10, 0xff}, 200))
		}
	case photoBox, photoBottle:
		bg := hsl(hue+r.Float64()*40, 0.3, 0.85)
		Gradient(dst, b, Mix(bg, white, 0.5), bg, 90)
		p.Ellipse(dst, X(0.5), Y(0.86), s*0.42, s*0.06, Alpha(color.RGBA{0, 0, 0, 255}, 50))
		main := hsl(hue+180+r.Float64()*60, 0.6, 0.5)
		if kind == photoBox {
			// Two providers' product shots differ in the product and the
			// framing, not only in colour: the box's size, depth and
			// side, its label and emblem, and the bottle beside it vary.
			left := r.IntN(2) == 0 // the box left of the bottle
			bw := 0.26 + r.Float64()*0.14
			left0 := jit(0.24) // the box's left side, as a share of the width
			if !left {
				left0 = jit(0.72 - bw)
			}
			x0, x1 := X(left0), X(left0+bw)
			y0, y1 := Y(0.18+r.Float64()*0.2), Y(0.86)
			d := s * (0.07 + r.Float64()*0.1)
			Fill(dst, image.Rect(int(x0), int(y0), int(x1), int(y1)), main)
			p.Polygon(dst, []image.Point{{int(x1), int(y0)}, {int(x1 + d), int(y0 - d*0.6)}, {int(x1 + d), int(y1 - d*0.6)}, {int(x1), int(y1)}}, Mix(main, color.RGBA{0, 0, 0, 255}, 0.3))
			p.Polygon(dst, []image.Point{{int(x0), int(y0)}, {int(x0 + d), int(y0 - d*0.6)}, {int(x1 + d), int(y0 - d*0.6)}, {int(x1), int(y0)}}, Mix(main, white, 0.35))
			band := y0 + (y1-y0)*(0.3+r.Float64()*0.3)
			Fill(dst, image.Rect(int(x0), int(band), int(x1), int(band+(y1-y0)*(0.1+r.Float64()*0.1))), white)
			p.Circle(dst, x0+(x1-x0)*(0.3+r.Float64()*0.4), y0+(band-y0)*0.5, s*(0.04+r.Float64()*0.05), Mix(main, white, 0.6))
			// A bottle beside the box.
			bx := X(0.78 + (r.Float64()-0.5)*0.08)
			if !left {
				bx = X(0.2 + (r.Float64()-0.5)*0.08)
			}
			bhw, btop := s*(0.05+r.Float64()*0.04), Y(0.42+r.Float64()*0.16)
			p.RoundRect(dst, image.Rect(int(bx-bhw), int(btop), int(bx+bhw), int(Y(0.86))), s*0.03, hsl(hue+40, 0.5, 0.6))
			Fill(dst, image.Rect(int(bx-bhw*0.45), int(btop-s*0.08), int(bx+bhw*0.45), int(btop)), color.RGBA{0x33, 0x33, 0x33, 0xff})
		} else {
			bx := X(jit(0.42))
			hw := s * (0.13 + r.Float64()*0.06)
			body := image.Rect(int(bx-hw), int(Y(0.28+r.Float64()*0.1)), int(bx+hw), int(Y(0.86)))
			p.RoundRect(dst, body, s*0.04, color.RGBA{0xf7, 0xf7, 0xf7, 0xff})
			lo := body.Dy() * (25 + r.IntN(20)) / 100
			Fill(dst, image.Rect(body.Min.X, body.Min.Y+lo, body.Max.X, body.Min.Y+lo+body.Dy()/3), main)
			Fill(dst, image.Rect(body.Min.X+4, body.Min.Y+lo+body.Dy()*12/100, body.Max.X-4, body.Min.Y+lo+body.Dy()*19/100), white)
			p.RoundRect(dst, image.Rect(int(bx-hw*0.75), body.Min.Y-int(s*0.1), int(bx+hw*0.75), body.Min.Y+2), s*0.02, Mix(main, color.RGBA{0, 0, 0, 255}, 0.2))
			for i := 0; i < 7; i++ {
				p.Ellipse(dst, X(0.66)+r.Float64()*s*0.25, Y(0.78)+r.Float64()*s*0.08, s*0.035, s*0.02, white)
			}
		}
	case photoBuilding:
		sky := hsl(205+r.Float64()*15, 0.65, 0.55+r.Float64()*0.1)
		Gradient(dst, b, sky, Mix(sky, white, 0.7), 90)
		for i := 0; i < 3; i++ {
			cx, cy := X(r.Float64()), Y(0.08+r.Float64()*0.2)
			for j := 0; j < 4; j++ {
				p.Ellipse(dst, cx+float64(j)*s*0.06, cy+math.Sin(float64(j))*s*0.02, s*0.07, s*0.04, Alpha(white, 200))
			}
		}
		facade := hsl(hue+r.Float64()*30, 0.15, 0.55+r.Float64()*0.25)
		for bi := 0; bi < 2+r.IntN(2); bi++ {
			x0 := jit(0.08 + float64(bi)*0.32)
			x1 := x0 + 0.22 + r.Float64()*0.12
			top := 0.15 + r.Float64()*0.3
			bc := Mix(facade, color.RGBA{0, 0, 0, 255}, float64(bi)*0.12)
			Fill(dst, R(x0, top, x1, 0.85), bc)
			Fill(dst, R(x1, top+0.02, x1+0.03, 0.85), Mix(bc, color.RGBA{0, 0, 0, 255}, 0.3))
			win := hsl(200, 0.4, 0.3+r.Float64()*0.3)
			for wy := top + 0.04; wy < 0.8; wy += 0.06 {
				for wx := x0 + 0.02; wx < x1-0.03; wx += 0.045 {
					c := win
					if r.IntN(5) == 0 {
						c = color.RGBA{0xff, 0xe6, 0xa0, 0xff}
					}
					Fill(dst, R(wx, wy, wx+0.028, wy+0.035), c)
				}
			}
		}
		Fill(dst, R(0, 0.85, 1, 1), hsl(90, 0.25, 0.45))
		for i := 0; i < 6; i++ {
			tx := X(r.Float64())
			Fill(dst, image.Rect(int(tx-s*0.01), int(Y(0.8)), int(tx+s*0.01), int(Y(0.9))), color.RGBA{0x5a, 0x3e, 0x2b, 0xff})
			p.Circle(dst, tx, Y(0.78), s*(0.05+r.Float64()*0.03), hsl(100+r.Float64()*40, 0.5, 0.3+r.Float64()*0.15))
		}
	case photoRoom:
		// Rooms differ in where the camera stands: the wall line, the
		// window and the bed move, and the bed faces either way, so two
		// hotels' rooms share a subject, not a picture.
		horizon := 0.5 + r.Float64()*0.2
		wall := hsl(30+r.Float64()*30, 0.3, 0.72+r.Float64()*0.12)
		Gradient(dst, R(0, 0, 1, horizon), wall, Mix(wall, color.RGBA{0, 0, 0, 255}, 0.15), 0)
		floor := hsl(20+r.Float64()*20, 0.35, 0.35+r.Float64()*0.15)
		Gradient(dst, R(0, horizon, 1, 1), floor, Mix(floor, color.RGBA{0, 0, 0, 255}, 0.3), 90)
		bedLeft := r.IntN(2) == 0
		bw := 0.42 + r.Float64()*0.16
		bx := 0.03 + r.Float64()*0.1
		wx := bx + bw + 0.02 + r.Float64()*0.08
		if !bedLeft {
			bx = 1 - bx - bw
			wx = 0.03 + r.Float64()*0.1
		}
		ww := math.Min(0.22+r.Float64()*0.12, 0.97-wx)
		if !bedLeft {
			ww = math.Min(ww, bx-0.02-wx)
		}
		wy0, wy1 := 0.05+r.Float64()*0.08, horizon-0.08-r.Float64()*0.1
		win := R(wx, wy0, wx+ww, wy1)
		Gradient(dst, win, hsl(195+r.Float64()*20, 0.6, 0.7), hsl(200, 0.5, 0.9), 90)
		p.Ellipse(dst, X(wx+ww*(0.3+r.Float64()*0.4)), Y(wy1-0.06), s*(0.06+r.Float64()*0.06), s*0.04, hsl(100+r.Float64()*30, 0.35, 0.5))
		if r.IntN(2) == 0 { // mullions
			Fill(dst, R(wx+ww/2-0.005, wy0, wx+ww/2+0.005, wy1), white)
			Fill(dst, R(wx, (wy0+wy1)/2-0.005, wx+ww, (wy0+wy1)/2+0.005), white)
		}
		bedTop := horizon - 0.12 - r.Float64()*0.1
		head := hsl(hue+r.Float64()*40, 0.3, 0.25+r.Float64()*0.2)
		Fill(dst, R(bx+0.03, bedTop-0.12-r.Float64()*0.08, bx+bw-0.03, bedTop+0.1), head)
		bedBottom := math.Min(0.97, bedTop+0.3+r.Float64()*0.12)
		p.RoundRect(dst, R(bx, bedTop+0.08, bx+bw, bedBottom), s*0.02, color.RGBA{0xf5, 0xf5, 0xf2, 0xff})
		Fill(dst, R(bx, bedTop+0.08+(bedBottom-bedTop-0.08)*(0.35+r.Float64()*0.2), bx+bw, bedBottom), hsl(hue+r.Float64()*60, 0.45, 0.4+r.Float64()*0.25))
		pillows := 1 + r.IntN(3)
		for i := range pillows {
			pw := (bw - 0.08) / float64(pillows)
			px := bx + 0.04 + float64(i)*pw
			p.RoundRect(dst, R(px+0.01, bedTop, px+pw-0.01, bedTop+0.11), s*0.03, white)
		}
		// A bedside table and lamp on the window's side of the bed.
		tx := bx + bw + 0.01
		if !bedLeft {
			tx = bx - 0.11
		}
		if r.IntN(3) > 0 {
			Fill(dst, R(tx, bedTop+0.1, tx+0.1, bedTop+0.3), Mix(head, white, 0.2))
			p.Polygon(dst, []image.Point{P(tx+0.02, bedTop-0.02), P(tx+0.08, bedTop-0.02), P(tx+0.1, bedTop+0.08), P(tx, bedTop+0.08)}, color.RGBA{0xfa, 0xf0, 0xd8, 0xff})
			p.Circle(dst, X(tx+0.05), Y(bedTop+0.05), s*0.1, Alpha(color.RGBA{0xff, 0xee, 0xbb, 0xff}, 50))
		}
		if r.IntN(2) == 0 { // a framed picture over the bed
			fx := bx + bw*(0.25+r.Float64()*0.3)
			Fill(dst, R(fx, bedTop-0.3, fx+0.14+r.Float64()*0.1, bedTop-0.17), hsl(r.Float64()*360, 0.3, 0.5))
		}
	case photoDesk:
		wall := hsl(hue+r.Float64()*20, 0.2, 0.88)
		Fill(dst, R(0, 0, 1, 0.55), wall)
		desk := hsl(32, 0.35, 0.55+r.Float64()*0.1)
		Gradient(dst, R(0, 0.55, 1, 1), desk, Mix(desk, color.RGBA{0, 0, 0, 255}, 0.25), 90)
		lx := jit(0.22)
		scr := R(lx, 0.18, lx+0.45, 0.6)
		Fill(dst, scr, color.RGBA{0x2b, 0x2f, 0x36, 0xff})
		in := scr.Inset(int(s * 0.015))
		Fill(dst, in, color.RGBA{0xf4, 0xf6, 0xfa, 0xff})
		Fill(dst, image.Rect(in.Min.X, in.Min.Y, in.Max.X, in.Min.Y+in.Dy()/6), hsl(hue, 0.7, 0.5))
		for i := 0; i < 4; i++ {
			bh := in.Dy() * (20 + r.IntN(50)) / 100
			x := in.Min.X + in.Dx()/10 + i*in.Dx()/5
			Fill(dst, image.Rect(x, in.Max.Y-4-bh, x+in.Dx()/9, in.Max.Y-4), hsl(hue+float64(i)*30, 0.6, 0.6))
		}
		p.Polygon(dst, []image.Point{P(lx-0.04, 0.6), P(lx+0.49, 0.6), P(lx+0.53, 0.68), P(lx-0.08, 0.68)}, color.RGBA{0xb8, 0xbc, 0xc4, 0xff})
		p.RoundRect(dst, R(0.78, 0.5, 0.88, 0.66), s*0.01, color.RGBA{0xfa, 0xfa, 0xfa, 0xff})
		p.Ellipse(dst, X(0.83), Y(0.5), s*0.05, s*0.015, color.RGBA{0x5a, 0x3a, 0x22, 0xff})
		Fill(dst, R(0.05, 0.7, 0.2, 0.78), hsl(hue+150, 0.5, 0.55))
		p.RoundRect(dst, R(0.86, 0.3, 0.96, 0.5), s*0.01, color.RGBA{0xc9, 0x7b, 0x4f, 0xff})
		for i := 0; i < 5; i++ {
			p.Ellipse(dst, X(0.91)+(r.Float64()-0.5)*s*0.12, Y(0.25)+(r.Float64()-0.5)*s*0.1, s*0.05, s*0.025, hsl(110+r.Float64()*20, 0.5, 0.4))
		}
	default: // photoLandscape
		// The horizon, the ranges and the shore change with the place and
		// the lens, so two lakes are two pictures.
		horizon := 0.48 + r.Float64()*0.22
		sky := hsl(190+r.Float64()*40, 0.6, 0.6)
		Gradient(dst, R(0, 0, 1, horizon), sky, hsl(30+r.Float64()*20, 0.7, 0.8), 90)
		if r.IntN(2) == 0 { // sun or moon
			p.Circle(dst, X(0.1+r.Float64()*0.8), Y(0.08+r.Float64()*0.2), s*(0.04+r.Float64()*0.05), hsl(45, 0.9, 0.85))
		}
		for range r.IntN(4) { // clouds
			p.Ellipse(dst, X(r.Float64()), Y(0.05+r.Float64()*0.2), s*(0.08+r.Float64()*0.12), s*(0.02+r.Float64()*0.03), Alpha(white, 170))
		}
		layers := 2 + r.IntN(3)
		for layer := range layers {
			base := horizon - 0.3 + r.Float64()*0.1 + float64(layer)*0.08
			c := Mix(hsl(200+r.Float64()*40, 0.25, 0.5), hsl(100+r.Float64()*40, 0.3, 0.3), float64(layer)/float64(layers-1))
			pts := []image.Point{P(0, horizon)}
			peaks := 4 + r.IntN(8)
			for i := 0; i <= peaks; i++ {
				pts = append(pts, P(float64(i)/float64(peaks), base+r.Float64()*0.2-0.1))
			}
			pts = append(pts, P(1, horizon))
			p.Polygon(dst, pts, c)
		}
		Gradient(dst, R(0, horizon, 1, 1), Mix(sky, white, 0.3), Mix(sky, color.RGBA{0, 0, 0, 255}, 0.3), 90)
		if r.IntN(2) == 0 { // a near shore
			shore := hsl(90+r.Float64()*40, 0.35, 0.25+r.Float64()*0.1)
			sx := r.Float64() * 0.5
			p.Polygon(dst, []image.Point{P(sx, 1), P(sx+0.1+r.Float64()*0.2, horizon+0.1+r.Float64()*0.15), P(sx+0.4+r.Float64()*0.3, 1)}, shore)
		}
		for i := 0; i < 8; i++ {
			y := Y(horizon + 0.03 + r.Float64()*(0.95-horizon))
			Fill(dst, image.Rect(b.Min.X+r.IntN(b.Dx()), int(y), b.Min.X+r.IntN(b.Dx()), int(y)+1), Alpha(white, 90))
		}
	}
	amp := 2
	if s > 120 {
		amp = 3
	}
	Noise(dst, b, amp, r)
	if s > 120 {
		Vignette(dst, 0.25)
	}
}

// PhotoSpec determines one product-photo-like picture.
type PhotoSpec struct {
	Seed     uint64
	Category string
	Hue      float64
	W, H     int
}

// DrawPhoto draws a product-photo-like picture suited to the category.
func (p *Painter) DrawPhoto(s PhotoSpec) *image.RGBA {
	w, h := s.W, s.H
	if w <= 0 || h <= 0 {
		w, h = 640, 480
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(s.Seed, 0x7070))
	kinds := bankFor(s.Category).screen.photos
	p.drawPhoto(dst, pick(r, kinds), r.Uint64(), s.Hue)
	return dst
}

// Banner size of the marketplace's wide listing banners.
const (
	BannerW = 750
	BannerH = 300
)

// BannerSpec determines one wide promotional banner.
type BannerSpec struct {
	Seed     uint64
	Category string
	Hue      float64
	Brand    string
	Slogan   string // empty: drawn from the category's slogans
}

// DrawBanner draws a promotional banner: gradient, shapes, slogan, button and
// a phone mock-up or product photo.
func (p *Painter) DrawBanner(s BannerSpec) *image.RGBA {
	r := rand.New(rand.NewPCG(s.Seed, 0xba77e4))
	bank := &bankFor(s.Category).screen
	pal := NewPalette(s.Hue)
	dst := image.NewRGBA(image.Rect(0, 0, BannerW, BannerH))
	style := r.IntN(3)
	switch style {
	case 0:
		Gradient(dst, dst.Bounds(), pal.Accent, pal.Deep, 20)
	case 1:
		Gradient(dst, dst.Bounds(), hsl(s.Hue-30, 0.75, 0.6), hsl(s.Hue+30, 0.7, 0.42), 160)
	default:
		Gradient(dst, dst.Bounds(), pal.Light, Mix(pal.Light, pal.Accent, 0.35), 0)
	}
	fg, hl := white, color.RGBA{0xff, 0xe8, 0x7c, 0xff}
	if style == 2 {
		fg, hl = pal.Deep, pal.Accent
	}
	for i := 0; i < 4+r.IntN(4); i++ {
		p.Circle(dst, float64(r.IntN(BannerW)), float64(r.IntN(BannerH)), float64(20+r.IntN(120)), Alpha(white, uint8(15+r.IntN(35))))
	}
	// A wave along the bottom.
	var pts []image.Point
	amp, ph := 10+r.Float64()*18, r.Float64()*6
	pts = append(pts, image.Pt(0, BannerH))
	for x := 0; x <= BannerW; x += 25 {
		pts = append(pts, image.Pt(x, BannerH-40+int(amp*math.Sin(float64(x)/90+ph))))
	}
	pts = append(pts, image.Pt(BannerW, BannerH))
	p.Polygon(dst, pts, Alpha(white, 45))
	for i := 0; i < 12; i++ {
		p.Circle(dst, float64(40+r.IntN(340)), float64(20+r.IntN(260)), 2+r.Float64()*3, Alpha(white, 120))
	}
	slogan := s.Slogan
	if slogan == "" {
		slogan = pick(r, bank.slogans)
	}
	brand := s.Brand
	if brand == "" {
		brand = pick(r, brandHeads) + pick(r, brandTails)
	}
	tag := brand + " · " + pick(r, bank.bannerEn)
	tw := p.Measure(tag, 18) + 28
	p.RoundRect(dst, image.Rect(48, 40, 48+tw, 72), 16, Alpha(fg, 50))
	p.Text(dst, 62, 63, tag, 18, fg)
	parts := strings.SplitN(slogan, " ", 2)
	p.BoldText(dst, 48, 138, parts[0], 50, fg)
	p.BoldText(dst, 49, 138, parts[0], 50, fg)
	if len(parts) > 1 {
		p.BoldText(dst, 48, 194, parts[1], 36, hl)
	}
	btn := image.Rect(48, 218, 208, 262)
	bc := white
	tc := pal.Deep
	if style == 2 {
		bc, tc = pal.Accent, white
	}
	p.RoundRect(dst, btn, 22, bc)
	p.TextCentered(dst, 128, 248, pick(r, []string{"立即体验 ›", "免费试用 ›", "马上预约 ›", "了解详情 ›", "立即开通 ›"}), 18, tc, true)
	if r.IntN(2) == 0 {
		// Phone mock-up with a real screen in it.
		screen := p.DrawScreen(ScreenSpec{Seed: r.Uint64(), Category: s.Category, Layout: Layout(r.IntN(int(NumLayouts))), Hue: s.Hue, Brand: brand})
		frame := image.Rect(520, 22, 672, 300+40)
		p.RoundRect(dst, frame, 22, color.RGBA{0x22, 0x24, 0x28, 0xff})
		inner := frame.Inset(7)
		small := image.NewRGBA(image.Rect(0, 0, inner.Dx(), inner.Dx()*ScreenH/ScreenW))
		xdraw.ApproxBiLinear.Scale(small, small.Bounds(), screen, screen.Bounds(), xdraw.Src, nil)
		m := image.NewAlpha(small.Bounds())
		p.RoundRect(m, m.Bounds(), 16, color.Alpha{A: 255})
		drawMasked(dst, image.Rect(inner.Min.X, inner.Min.Y, inner.Max.X, inner.Min.Y+small.Bounds().Dy()), small, m)
		p.RoundRect(dst, image.Rect(572, 30, 620, 38), 4, color.RGBA{0x22, 0x24, 0x28, 0xff})
	} else {
		ph := image.NewRGBA(image.Rect(0, 0, 220, 220))
		p.drawPhoto(ph, pick(r, bank.photos), r.Uint64(), s.Hue+180)
		m := image.NewAlpha(ph.Bounds())
		p.Circle(m, 110, 110, 109, color.Alpha{A: 255})
		p.Circle(dst, 595, 150, 122, Alpha(white, 110))
		drawMasked(dst, image.Rect(485, 40, 705, 260), ph, m)
		p.Circle(dst, 690, 70, 30, hl)
		p.TextCentered(dst, 690, 77, pick(r, []string{"新品", "热卖", "特惠", "推荐"}), 18, pal.Deep, true)
	}
	return dst
}

// LogoSpec determines a provider's store logo.
type LogoSpec struct {
	Seed  uint64
	Hue   float64
	Brand string // the first one or two characters are drawn
	Size  int    // default 120
}

// DrawLogo draws a provider logo: a rounded badge with the brand's
// characters.
func (p *Painter) DrawLogo(s LogoSpec) *image.RGBA {
	n := s.Size
	if n <= 0 {
		n = 120
	}
	r := rand.New(rand.NewPCG(s.Seed, 0x1060))
	dst := image.NewRGBA(image.Rect(0, 0, n, n))
	Fill(dst, dst.Bounds(), white)
	pal := NewPalette(s.Hue)
	badge := image.NewRGBA(dst.Bounds())
	Gradient(badge, badge.Bounds(), pal.Accent, pal.Deep, 45)
	f := float64(n) / 120
	switch r.IntN(3) {
	case 0:
		p.Circle(badge, 92*f, 28*f, 26*f, Alpha(white, 60))
	case 1:
		p.Polygon(badge, []image.Point{{0, n}, {n, n * 6 / 10}, {n, n}}, Alpha(white, 50))
	default:
		p.Circle(badge, 20*f, 100*f, 40*f, Alpha(white, 45))
	}
	rs := []rune(s.Brand)
	if len(rs) == 0 {
		rs = []rune("店")
	}
	if len(rs) >= 2 && r.IntN(2) == 0 {
		p.TextCentered(badge, n/2, int(70*f), string(rs[:2]), int(40*f), white, true)
	} else {
		p.TextCentered(badge, n/2, int(82*f), string(rs[:1]), int(64*f), white, true)
	}
	m := image.NewAlpha(dst.Bounds())
	if r.IntN(2) == 0 {
		p.Circle(m, float64(n)/2, float64(n)/2, float64(n)/2-2, color.Alpha{A: 255})
	} else {
		p.RoundRect(m, m.Bounds().Inset(2), 24*f, color.Alpha{A: 255})
	}
	drawMasked(dst, dst.Bounds(), badge, m)
	return dst
}
