package similarity

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// This file draws the test pictures: app screens shaped like marketplace
// screenshots (status bar, coloured header, banner, icon grid, list rows,
// tab bar) and photograph-like pictures, plus the edits copiers make to
// them. Everything is generated from seeds so the tests need no files.

func hsv(h, s, v float64) color.RGBA {
	h = math.Mod(h, 360) / 60
	c := v * s
	x := c * (1 - math.Abs(math.Mod(h, 2)-1))
	var r, g, b float64
	switch int(h) {
	case 0:
		r, g, b = c, x, 0
	case 1:
		r, g, b = x, c, 0
	case 2:
		r, g, b = 0, c, x
	case 3:
		r, g, b = 0, x, c
	case 4:
		r, g, b = x, 0, c
	default:
		r, g, b = c, 0, x
	}
	m := v - c
	return color.RGBA{uint8(255 * (r + m)), uint8(255 * (g + m)), uint8(255 * (b + m)), 255}
}

func fillRect(m *image.RGBA, r image.Rectangle, c color.Color) {
	draw.Draw(m, r, image.NewUniform(c), image.Point{}, draw.Over)
}

func fillCircle(m *image.RGBA, cx, cy, rad int, c color.RGBA) {
	for y := cy - rad; y <= cy+rad; y++ {
		for x := cx - rad; x <= cx+rad; x++ {
			if (x-cx)*(x-cx)+(y-cy)*(y-cy) <= rad*rad && image.Pt(x, y).In(m.Rect) {
				m.SetRGBA(x, y, c)
			}
		}
	}
}

// screenDraw carries the random source and canvas while a screen is drawn.
type screenDraw struct {
	rnd  *rand.Rand
	m    *image.RGBA
	w, h int
}

func (s *screenDraw) px(f float64) int { return int(math.Round(f * float64(s.w))) }
func (s *screenDraw) py(f float64) int { return int(math.Round(f * float64(s.h))) }
func (s *screenDraw) colour() color.RGBA {
	return hsv(s.rnd.Float64()*360, 0.45+0.5*s.rnd.Float64(), 0.55+0.4*s.rnd.Float64())
}

// textBars draws a line of "text": word-sized bars separated by gaps.
func (s *screenDraw) textBars(x, y, width, height int, c color.Color) {
	for x < width {
		wl := int(float64(height) * (1.5 + 4*s.rnd.Float64()))
		fillRect(s.m, image.Rect(x, y, min(x+wl, width), y+height), c)
		x += wl + height/2 + 1
	}
}

// picture draws a small illustration: a coloured field with shapes.
func (s *screenDraw) picture(r image.Rectangle) {
	fillRect(s.m, r, s.colour())
	for range 2 + s.rnd.IntN(3) {
		c := s.colour()
		if s.rnd.IntN(2) == 0 {
			rad := max(2, int(float64(r.Dy())*(0.15+0.3*s.rnd.Float64())))
			cx := r.Min.X + s.rnd.IntN(max(1, r.Dx()))
			cy := r.Min.Y + s.rnd.IntN(max(1, r.Dy()))
			sub := s.m.SubImage(r).(*image.RGBA)
			fillCircle(sub, cx, cy, rad, c)
			continue
		}
		x0 := r.Min.X + s.rnd.IntN(max(1, r.Dx()*2/3))
		y0 := r.Min.Y + s.rnd.IntN(max(1, r.Dy()*2/3))
		fillRect(s.m, image.Rect(x0, y0, x0+r.Dx()/4+s.rnd.IntN(max(1, r.Dx()/3)), y0+r.Dy()/4+s.rnd.IntN(max(1, r.Dy()/3))).Intersect(r), c)
	}
}

// drawScreen draws an app screen. Every screen is built from the same
// parts (status bar, header, optional search bar, banner, icon grid, list
// rows or product cards, tab bar); the seed picks their order, sizes,
// counts, colours and content, so screens look alike the way apps built
// from one low-code template do.
func drawScreen(seed uint64, w, h int) *image.RGBA {
	s := &screenDraw{rnd: rand.New(rand.NewPCG(seed, 0x5eed)), m: image.NewRGBA(image.Rect(0, 0, w, h)), w: w, h: h}
	bg := color.RGBA{255, 255, 255, 255}
	if s.rnd.IntN(3) == 0 {
		bg = color.RGBA{244, 245, 247, 255}
	}
	fillRect(s.m, s.m.Rect, bg)
	accent := s.colour()
	dark := color.RGBA{40, 40, 40, 255}
	grey := color.RGBA{150, 150, 150, 255}
	light := color.RGBA{200, 200, 200, 255}
	white := color.RGBA{255, 255, 255, 255}

	// Status bar and header.
	status := s.py(0.035)
	header := status + s.py(0.065)
	barColour, ink := accent, white
	if s.rnd.IntN(4) == 0 {
		barColour, ink = white, dark
	}
	fillRect(s.m, image.Rect(0, 0, w, header), barColour)
	fillRect(s.m, image.Rect(s.px(0.05), status/3, s.px(0.15), status*2/3+1), ink)               // clock
	fillRect(s.m, image.Rect(s.px(0.78), status/3, s.px(0.95), status*2/3+1), ink)               // signal, battery
	fillRect(s.m, image.Rect(s.px(0.04), status+s.py(0.02), s.px(0.08), header-s.py(0.02)), ink) // back arrow
	titleW := s.px(0.25 + 0.25*s.rnd.Float64())
	fillRect(s.m, image.Rect((w-titleW)/2, status+s.py(0.022), (w+titleW)/2, header-s.py(0.022)), ink)

	tab := h - s.py(0.07)
	y := header + s.py(0.01)
	margin := s.px(0.04)

	banner := func(share float64) {
		bh := s.py(share)
		r := image.Rect(margin, y, w-margin, y+bh)
		s.picture(r)
		s.textBars(r.Min.X+s.px(0.05), r.Min.Y+bh/5, r.Min.X+s.px(0.05)+s.px(0.4+0.3*s.rnd.Float64()), bh/8+2, white)
		y += bh + s.py(0.015)
	}
	grid := func(rows, cols int) {
		cell := (w - 2*margin) / cols
		icon := cell * 11 / 20
		for range rows {
			for c := range cols {
				x0 := margin + c*cell + (cell-icon)/2
				col := s.colour()
				fillRect(s.m, image.Rect(x0, y, x0+icon, y+icon), col)
				fillCircle(s.m, x0+icon/2, y+icon/2, icon/4, white)
				lw := icon * (5 + s.rnd.IntN(6)) / 10
				fillRect(s.m, image.Rect(x0+(icon-lw)/2, y+icon+icon/6, x0+(icon+lw)/2, y+icon+icon/6+max(2, icon/7)), grey)
			}
			y += icon + icon/2 + s.py(0.012)
		}
		y += s.py(0.01)
	}
	search := func() {
		sh := s.py(0.045)
		fillRect(s.m, image.Rect(margin, y, w-margin, y+sh), color.RGBA{235, 236, 238, 255})
		fillRect(s.m, image.Rect(margin+sh/3, y+sh/3, margin+s.px(0.3), y+sh*2/3), light)
		y += sh + s.py(0.015)
	}
	list := func(rows int) {
		rh := s.py(0.075 + 0.04*s.rnd.Float64())
		for range rows {
			if y+rh > tab {
				break
			}
			thumb := rh - s.py(0.015)
			s.picture(image.Rect(margin, y, margin+thumb, y+thumb))
			x0 := margin + thumb + s.px(0.04)
			lh := max(3, rh/7)
			for k := range 2 + s.rnd.IntN(2) {
				l := s.px(0.2 + 0.5*s.rnd.Float64())
				c := color.Color(grey)
				if k == 0 {
					c = dark
				}
				fillRect(s.m, image.Rect(x0, y+k*2*lh+lh/2, min(w-margin, x0+l), y+k*2*lh+lh/2+lh), c)
			}
			fillRect(s.m, image.Rect(x0, y+rh-2, w-margin, y+rh-1), light) // divider
			y += rh + s.py(0.01)
		}
	}
	cards := func() {
		cw := (w - 3*margin) / 2
		ch := cw * 5 / 4
		for y+ch < tab {
			for c := range 2 {
				x0 := margin + c*(cw+margin)
				s.picture(image.Rect(x0, y, x0+cw, y+cw*3/4))
				s.textBars(x0, y+cw*3/4+cw/12, x0+cw, max(3, cw/14), dark)
				fillRect(s.m, image.Rect(x0, y+cw*3/4+cw/5, x0+cw/3, y+cw*3/4+cw/5+max(3, cw/12)), accent) // price
			}
			y += ch + s.py(0.015)
		}
	}

	if s.rnd.IntN(3) == 0 {
		search()
	}
	switch s.rnd.IntN(4) {
	case 0:
		banner(0.14 + 0.14*s.rnd.Float64())
		grid(1+s.rnd.IntN(2), 4+s.rnd.IntN(2))
		list(8)
	case 1:
		grid(1+s.rnd.IntN(2), 4+s.rnd.IntN(2))
		banner(0.12 + 0.1*s.rnd.Float64())
		list(8)
	case 2:
		banner(0.18 + 0.14*s.rnd.Float64())
		cards()
	default:
		banner(0.12 + 0.1*s.rnd.Float64())
		grid(1, 4+s.rnd.IntN(2))
		cards()
	}

	// Tab bar drawn last so content runs under it, as when a list scrolls.
	fillRect(s.m, image.Rect(0, tab, w, h), white)
	fillRect(s.m, image.Rect(0, tab, w, tab+1), light)
	tabs := 4 + s.rnd.IntN(2)
	active := s.rnd.IntN(tabs)
	for i := range tabs {
		cx := w*(2*i+1)/(2*tabs) - 0
		c := grey
		if i == active {
			c = accent
		}
		ih := (h - tab) / 3
		fillRect(s.m, image.Rect(cx-ih/2, tab+ih/2, cx+ih/2, tab+ih/2+ih), c)
		fillRect(s.m, image.Rect(cx-ih/2, tab+ih*2+ih/4, cx+ih/2, tab+ih*2+ih/4+max(2, ih/4)), c)
	}
	return s.m
}

// drawPhoto draws a photograph-like picture: a landscape with a graded
// sky, a sun, layered ridges with soft shading, buildings and sensor noise.
func drawPhoto(seed uint64, w, h int) *image.RGBA {
	rnd := rand.New(rand.NewPCG(seed, 0xf070))
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	skyTop := hsv(190+40*rnd.Float64(), 0.3+0.4*rnd.Float64(), 0.75+0.25*rnd.Float64())
	skyLow := hsv(20+40*rnd.Float64(), 0.2+0.3*rnd.Float64(), 0.85+0.15*rnd.Float64())
	sunX, sunY, sunR := rnd.Float64()*float64(w), (0.1+0.3*rnd.Float64())*float64(h), (0.04+0.05*rnd.Float64())*float64(w)
	// Ridges from far (light, high) to near (dark, low): a random walk each.
	type ridge struct {
		y []float64
		c color.RGBA
	}
	ridges := make([]ridge, 3+rnd.IntN(2))
	for i := range ridges {
		base := (0.35 + 0.15*float64(i) + 0.1*rnd.Float64()) * float64(h)
		ys := make([]float64, w)
		v, slope := base, 0.0
		for x := range w {
			slope = 0.9*slope + (rnd.Float64()-0.5)*float64(h)/120
			v += slope
			v = math.Max(0.15*float64(h), math.Min(0.95*float64(h), v))
			ys[x] = v
		}
		ridges[i] = ridge{ys, hsv(80+100*rnd.Float64(), 0.3+0.5*rnd.Float64(), 0.65-0.13*float64(i))}
	}
	type box struct {
		r image.Rectangle
		c color.RGBA
	}
	var boxes []box
	for range rnd.IntN(5) {
		bw, bh := int((0.03+0.06*rnd.Float64())*float64(w)), int((0.1+0.25*rnd.Float64())*float64(h))
		x0 := rnd.IntN(w - bw)
		boxes = append(boxes, box{image.Rect(x0, h-bh, x0+bw, h), hsv(rnd.Float64()*360, 0.2*rnd.Float64(), 0.2+0.6*rnd.Float64())})
	}
	for y := range h {
		t := float64(y) / float64(h)
		for x := range w {
			c := [3]float64{
				float64(skyTop.R)*(1-t) + float64(skyLow.R)*t,
				float64(skyTop.G)*(1-t) + float64(skyLow.G)*t,
				float64(skyTop.B)*(1-t) + float64(skyLow.B)*t,
			}
			if math.Hypot(float64(x)-sunX, float64(y)-sunY) < sunR {
				c = [3]float64{255, 244, 200}
			}
			for _, rd := range ridges {
				if float64(y) >= rd.y[x] {
					shade := 1 - 0.4*(float64(y)-rd.y[x])/float64(h)
					c = [3]float64{float64(rd.c.R) * shade, float64(rd.c.G) * shade, float64(rd.c.B) * shade}
				}
			}
			for _, b := range boxes {
				if image.Pt(x, y).In(b.r) {
					c = [3]float64{float64(b.c.R), float64(b.c.G), float64(b.c.B)}
					if (x-b.r.Min.X)%8 < 3 && (y-b.r.Min.Y)%10 < 4 { // windows
						c = [3]float64{240, 220, 150}
					}
				}
			}
			n := rnd.NormFloat64() * 5
			m.SetRGBA(x, y, color.RGBA{clamp8(c[0] + n), clamp8(c[1] + n), clamp8(c[2] + n), 255})
		}
	}
	return m
}

func clamp8(v float64) uint8 {
	return uint8(math.Max(0, math.Min(255, math.Round(v))))
}

// Copy edits, each returning the encoded copy.

func encodePNG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, m); err != nil {
		t.Fatalf("encode png: %v", err)
	}
	return buf.Bytes()
}

func encodeJPEG(t testing.TB, m image.Image, quality int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatalf("encode jpeg: %v", err)
	}
	return buf.Bytes()
}

func resized(m image.Image, w, h int) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	xdraw.CatmullRom.Scale(dst, dst.Rect, m, m.Bounds(), xdraw.Src, nil)
	return dst
}

func cropped(m *image.RGBA, r image.Rectangle) *image.RGBA {
	return crop(m, r.Add(m.Rect.Min), false)
}

func padded(m image.Image, share float64, c color.Color) *image.RGBA {
	b := m.Bounds()
	px, py := int(share*float64(b.Dx())), int(share*float64(b.Dy()))
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx()+2*px, b.Dy()+2*py))
	fillRect(dst, dst.Rect, c)
	draw.Draw(dst, image.Rect(px, py, px+b.Dx(), py+b.Dy()), m, b.Min, draw.Src)
	return dst
}

func mirrored(m *image.RGBA) *image.RGBA { return crop(m, m.Rect, true) }

func watermarked(t testing.TB, m *image.RGBA) *image.RGBA {
	t.Helper()
	f, err := opentype.Parse(gobold.TTF)
	if err != nil {
		t.Fatalf("parse font: %v", err)
	}
	w, h := m.Rect.Dx(), m.Rect.Dy()
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: float64(w) / 8, DPI: 72})
	if err != nil {
		t.Fatalf("font face: %v", err)
	}
	defer face.Close()
	dst := crop(m, m.Rect, false)
	const text = "SAMPLE ONLY"
	d := font.Drawer{Dst: dst, Src: image.NewUniform(color.NRGBA{90, 90, 90, 100}), Face: face}
	tw := d.MeasureString(text).Round()
	for _, share := range []float64{0.3, 0.55, 0.8} {
		d.Dot = fixed.P((w-tw)/2, int(share*float64(h)))
		d.DrawString(text)
	}
	return dst
}

func withLogo(m *image.RGBA) *image.RGBA { return withLogoSized(m, 10) }

func withLogoSized(m *image.RGBA, percent int) *image.RGBA {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	side := w * percent / 100
	return withLogoAt(m, percent, w-side-w/30, h-side-w/30)
}

// withLogoAt pastes a red badge percent of the width wide with its top
// left corner at (x, y).
func withLogoAt(m *image.RGBA, percent, x, y int) *image.RGBA {
	dst := crop(m, m.Rect, false)
	side := dst.Rect.Dx() * percent / 100
	r := image.Rect(x, y, x+side, y+side)
	fillRect(dst, r, color.RGBA{220, 30, 40, 255})
	fillCircle(dst, r.Min.X+side/2, r.Min.Y+side/2, side/3, color.RGBA{255, 255, 255, 255})
	fillRect(dst, image.Rect(r.Min.X+side/3, r.Min.Y+side/3, r.Max.X-side/3, r.Max.Y-side/3), color.RGBA{220, 30, 40, 255})
	return dst
}

// recoloured raises brightness and saturation, as a "vivid" photo filter
// does.
func recoloured(m *image.RGBA, brightness, saturation float64) *image.RGBA {
	dst := image.NewRGBA(m.Rect)
	for i := 0; i < len(m.Pix); i += 4 {
		r, g, b := float64(m.Pix[i]), float64(m.Pix[i+1]), float64(m.Pix[i+2])
		l := 0.299*r + 0.587*g + 0.114*b
		dst.Pix[i] = clamp8((l + saturation*(r-l)) * brightness)
		dst.Pix[i+1] = clamp8((l + saturation*(g-l)) * brightness)
		dst.Pix[i+2] = clamp8((l + saturation*(b-l)) * brightness)
		dst.Pix[i+3] = 255
	}
	return dst
}

func grayscale(m image.Image) *image.Gray {
	dst := image.NewGray(m.Bounds())
	draw.Draw(dst, dst.Rect, m, m.Bounds().Min, draw.Src)
	return dst
}

// copyEdit is one way a copier alters a picture before re-publishing it.
type copyEdit struct {
	name string
	edit func(t testing.TB, m *image.RGBA) []byte
}

// copyEdits are the edits every near-duplicate must survive.
var copyEdits = []copyEdit{
	{"jpeg quality 35", func(t testing.TB, m *image.RGBA) []byte { return encodeJPEG(t, m, 35) }},
	{"resize 50%", func(t testing.TB, m *image.RGBA) []byte {
		return encodeJPEG(t, resized(m, m.Rect.Dx()/2, m.Rect.Dy()/2), 90)
	}},
	{"thumbnail 390x260", func(t testing.TB, m *image.RGBA) []byte { return encodeJPEG(t, resized(m, 390, 260), 85) }},
	{"crop 5% each side", func(t testing.TB, m *image.RGBA) []byte {
		w, h := m.Rect.Dx(), m.Rect.Dy()
		return encodeJPEG(t, cropped(m, image.Rect(w/20, h/20, w-w/20, h-h/20)), 90)
	}},
	{"top 12% removed", func(t testing.TB, m *image.RGBA) []byte {
		w, h := m.Rect.Dx(), m.Rect.Dy()
		return encodePNG(t, cropped(m, image.Rect(0, h*12/100, w, h)))
	}},
	{"20% white border", func(t testing.TB, m *image.RGBA) []byte {
		return encodeJPEG(t, padded(m, 0.2, color.White), 75)
	}},
	{"mirror", func(t testing.TB, m *image.RGBA) []byte { return encodePNG(t, mirrored(m)) }},
	{"text watermark", func(t testing.TB, m *image.RGBA) []byte { return encodeJPEG(t, watermarked(t, m), 85) }},
	{"logo in corner", func(t testing.TB, m *image.RGBA) []byte { return encodePNG(t, withLogo(m)) }},
	{"brightness and saturation", func(t testing.TB, m *image.RGBA) []byte {
		return encodeJPEG(t, recoloured(m, 1.12, 1.35), 90)
	}},
	{"grayscale", func(t testing.TB, m *image.RGBA) []byte { return encodePNG(t, grayscale(m)) }},
}

// testPicture is one original of the test set.
type testPicture struct {
	name string
	img  *image.RGBA
}

// Sizes of the test set. Screens are a third of a 1080x1920 phone
// screenshot: the working copy is 144x256 either way, and encoding stays
// fast.
const (
	testScreens      = 30
	testPhotos       = 5
	screenW, screenH = 360, 640
	photoW, photoH   = 480, 320
)

func testPictures() []testPicture {
	var out []testPicture
	for i := range testScreens {
		out = append(out, testPicture{name: "screen" + strconv.Itoa(i), img: drawScreen(uint64(i), screenW, screenH)})
	}
	for i := range testPhotos {
		out = append(out, testPicture{name: "photo" + strconv.Itoa(i), img: drawPhoto(uint64(i), photoW, photoH)})
	}
	return out
}

// pngChunk frames one PNG chunk with its CRC.
func pngChunk(kind string, data []byte) []byte {
	var b bytes.Buffer
	_ = binary.Write(&b, binary.BigEndian, uint32(len(data)))
	b.WriteString(kind)
	b.Write(data)
	crc := crc32.NewIEEE()
	crc.Write([]byte(kind))
	crc.Write(data)
	_ = binary.Write(&b, binary.BigEndian, crc.Sum32())
	return b.Bytes()
}

// withEXIFOrientation inserts an APP1 EXIF segment holding only the
// orientation tag right after the SOI marker of a JPEG.
func withEXIFOrientation(jpg []byte, orientation uint16, bo binary.ByteOrder) []byte {
	var tiff bytes.Buffer
	if bo == binary.LittleEndian {
		tiff.WriteString("II")
	} else {
		tiff.WriteString("MM")
	}
	_ = binary.Write(&tiff, bo, uint16(42))
	_ = binary.Write(&tiff, bo, uint32(8)) // IFD0 right after the header
	_ = binary.Write(&tiff, bo, uint16(2)) // two entries
	// An unrelated tag first (ImageWidth, LONG), so the parser must walk.
	_ = binary.Write(&tiff, bo, uint16(0x0100))
	_ = binary.Write(&tiff, bo, uint16(4))
	_ = binary.Write(&tiff, bo, uint32(1))
	_ = binary.Write(&tiff, bo, uint32(640))
	_ = binary.Write(&tiff, bo, uint16(0x0112))
	_ = binary.Write(&tiff, bo, uint16(3))
	_ = binary.Write(&tiff, bo, uint32(1))
	_ = binary.Write(&tiff, bo, orientation)
	_ = binary.Write(&tiff, bo, uint16(0))
	_ = binary.Write(&tiff, bo, uint32(0)) // no next IFD

	seg := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	var out bytes.Buffer
	out.Write(jpg[:2])
	out.Write([]byte{0xFF, 0xE1})
	_ = binary.Write(&out, binary.BigEndian, uint16(len(seg)+2))
	out.Write(seg)
	out.Write(jpg[2:])
	return out.Bytes()
}

// bitWriter packs bits least-significant first, as VP8L reads them.
type bitWriter struct {
	buf   []byte
	nbits uint
}

func (w *bitWriter) write(v uint32, n uint) {
	for i := range n {
		if w.nbits%8 == 0 {
			w.buf = append(w.buf, 0)
		}
		w.buf[len(w.buf)-1] |= byte((v>>i)&1) << (w.nbits % 8)
		w.nbits++
	}
}

// encodeWebPLossless writes a minimal lossless WebP of m, which may use at
// most two values per channel: every channel gets a two-symbol prefix code,
// so a pixel costs four bits. The standard library has no WebP encoder; this
// is enough to exercise decoding, alpha and the header checks.
func encodeWebPLossless(t testing.TB, m *image.NRGBA) []byte {
	t.Helper()
	w, h := m.Rect.Dx(), m.Rect.Dy()
	// Per channel (in the VP8L order green, red, blue, alpha) the two
	// values in use.
	order := [4]int{1, 0, 2, 3}
	var vals [4][2]uint8
	var seen [4]int
	for i := 0; i < len(m.Pix); i += 4 {
		for k, c := range order {
			v := m.Pix[i+c]
			switch {
			case seen[k] == 0:
				vals[k][0], seen[k] = v, 1
			case vals[k][0] == v:
			case seen[k] == 1:
				vals[k][1], seen[k] = v, 2
			case vals[k][1] != v:
				t.Fatalf("encodeWebPLossless: channel %d has more than two values", c)
			}
		}
	}
	var bw bitWriter
	bw.write(0x2f, 8)
	bw.write(uint32(w-1), 14)
	bw.write(uint32(h-1), 14)
	bw.write(1, 1) // alpha hint
	bw.write(0, 3) // version
	bw.write(0, 1) // no transform
	bw.write(0, 1) // no colour cache
	bw.write(0, 1) // no meta prefix codes
	for k := range 4 {
		bw.write(1, 1) // simple code
		if seen[k] < 2 {
			bw.write(0, 1) // one symbol: its pixels cost no bits
			bw.write(1, 1) // symbol has 8 bits
			bw.write(uint32(vals[k][0]), 8)
			continue
		}
		bw.write(1, 1) // two symbols, one bit each
		bw.write(1, 1)
		bw.write(uint32(vals[k][0]), 8)
		bw.write(uint32(vals[k][1]), 8)
	}
	bw.write(1, 1) // distance code: simple, one symbol
	bw.write(0, 1)
	bw.write(0, 1)
	bw.write(0, 1)
	for i := 0; i < len(m.Pix); i += 4 {
		for k, c := range order {
			if seen[k] == 2 {
				bw.write(b2u(m.Pix[i+c] == vals[k][1]), 1)
			}
		}
	}
	data := bw.buf
	var out bytes.Buffer
	out.WriteString("RIFF")
	size := 4 + 8 + len(data) + len(data)%2
	_ = binary.Write(&out, binary.LittleEndian, uint32(size))
	out.WriteString("WEBPVP8L")
	_ = binary.Write(&out, binary.LittleEndian, uint32(len(data)))
	out.Write(data)
	if len(data)%2 == 1 {
		out.WriteByte(0)
	}
	return out.Bytes()
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}
