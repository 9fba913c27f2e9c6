package scanner

import (
	"fmt"
	"image"
	"image/color"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// maxQRPayloadRunes bounds what is kept of one QR payload: enough for any
// link or contact card a reviewer needs to read.
const maxQRPayloadRunes = 512

// QR payload kinds, as written in evidence.
const (
	qrPayment = "payment"
	qrContact = "contact"
	qrLink    = "link"
	qrText    = "text"
)

// grayImage is a luminance plane, what the QR reader works on.
type grayImage struct {
	pix  []byte
	w, h int
}

// toGray converts img to luminance, averaging f x f blocks so that the
// long side is at most maxSide: a 4000-pixel photograph is searched at
// maxSide, which keeps the cost of one image bounded whatever its size.
func toGray(img image.Image, maxSide int) grayImage {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	f := 1
	for max(w, h)/f > maxSide {
		f++
	}
	ow, oh := w/f, h/f
	if ow < 1 || oh < 1 {
		return grayImage{}
	}
	g := grayImage{pix: make([]byte, ow*oh), w: ow, h: oh}
	if y, ok := img.(*image.YCbCr); ok {
		grayFromPlane(g, y.Y, y.YStride, y.YOffset(b.Min.X, b.Min.Y), f)
		return g
	}
	if y, ok := img.(*image.Gray); ok {
		grayFromPlane(g, y.Pix, y.Stride, y.PixOffset(b.Min.X, b.Min.Y), f)
		return g
	}
	lum := lumaFunc(img)
	area := uint32(f * f)
	for oy := range oh {
		for ox := range ow {
			var sum uint32
			for y := oy * f; y < oy*f+f; y++ {
				for x := ox * f; x < ox*f+f; x++ {
					sum += uint32(lum(b.Min.X+x, b.Min.Y+y))
				}
			}
			g.pix[oy*ow+ox] = byte(sum / area)
		}
	}
	return g
}

// grayFromPlane averages f x f blocks of a luminance plane into g.
func grayFromPlane(g grayImage, plane []byte, stride, origin, f int) {
	sums := make([]uint32, g.w)
	area := uint32(f * f)
	for oy := range g.h {
		clear(sums)
		for y := oy * f; y < oy*f+f; y++ {
			row := plane[origin+y*stride:]
			for ox := range g.w {
				var s uint32
				for _, v := range row[ox*f : ox*f+f] {
					s += uint32(v)
				}
				sums[ox] += s
			}
		}
		for ox, s := range sums {
			g.pix[oy*g.w+ox] = byte(s / area)
		}
	}
}

// lumaFunc reads the luminance of one pixel, directly from the pixel
// buffer of the common decoded types.
func lumaFunc(img image.Image) func(x, y int) byte {
	switch m := img.(type) {
	case *image.YCbCr:
		return func(x, y int) byte { return m.Y[m.YOffset(x, y)] }
	case *image.Gray:
		return func(x, y int) byte { return m.Pix[m.PixOffset(x, y)] }
	case *image.RGBA:
		return func(x, y int) byte {
			i := m.PixOffset(x, y)
			p := m.Pix[i : i+4 : i+4]
			// Premultiplied over white.
			a := 255 - uint32(p[3])
			return byte((299*(uint32(p[0])+a) + 587*(uint32(p[1])+a) + 114*(uint32(p[2])+a)) / 1000)
		}
	case *image.NRGBA:
		return func(x, y int) byte {
			i := m.PixOffset(x, y)
			p := m.Pix[i : i+4 : i+4]
			a := uint32(p[3])
			over := func(c uint8) uint32 { return (uint32(c)*a + 255*(255-a)) / 255 }
			return byte((299*over(p[0]) + 587*over(p[1]) + 114*over(p[2])) / 1000)
		}
	}
	return func(x, y int) byte {
		return color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y
	}
}

// readQR decodes the QR code in a region of g, "" when there is none.
// The reader is third-party code fed with untrusted pixels: a panic in it
// is turned into "no code".
func readQR(g grayImage, r image.Rectangle) (payload string) {
	defer func() {
		if recover() != nil {
			payload = ""
		}
	}()
	if r.Dx() < 21 || r.Dy() < 21 {
		return ""
	}
	src, err := gozxing.NewPlanarYUVLuminanceSource(g.pix, g.w, g.h, r.Min.X, r.Min.Y, r.Dx(), r.Dy(), false)
	if err != nil {
		return ""
	}
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(src))
	if err != nil {
		return ""
	}
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
	if err != nil || res == nil {
		return ""
	}
	return clipRunes(res.GetText(), maxQRPayloadRunes)
}

func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// findQRCodes returns the payloads of the QR codes in img. The whole image
// is searched first, at its own resolution up to MaxSide; when it shows
// none and had to be scaled down, overlapping tiles of a finer copy are,
// so a code that is a small part of a large photo or screenshot is still
// found. The
// work is bounded by cfg: the whole image at most MaxSide pixels a side,
// at most MaxTiles tiles of a copy at most 2*MaxSide a side.
func findQRCodes(img image.Image, cfg QRConfig) []string {
	if img == nil {
		return nil
	}
	b := img.Bounds()
	if b.Dx() < 21 || b.Dy() < 21 {
		return nil
	}
	g := toGray(img, cfg.MaxSide)
	if g.w == 0 {
		return nil
	}
	var out []string
	add := func(p string) {
		if p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	add(readQR(g, image.Rect(0, 0, g.w, g.h)))
	// A code that is a small part of a large image loses its modules when
	// the whole image is scaled down: only then are tiles searched, cut
	// from a copy at up to twice the resolution. An image searched at its
	// own resolution has nothing more to show.
	if len(out) > 0 || max(b.Dx(), b.Dy()) <= cfg.MaxSide {
		return out
	}
	tiles := toGray(img, 2*cfg.MaxSide)
	for _, r := range qrTiles(tiles.w, tiles.h, cfg.MaxTiles) {
		add(readQR(tiles, r))
	}
	return out
}

// qrTiles are overlapping crops of a w x h image: halves on a 3 x 3 grid
// for a roughly square image, thirds along the long side of a strip.
func qrTiles(w, h, maxTiles int) []image.Rectangle {
	var out []image.Rectangle
	grid := func(nx, ny int) {
		tw, th := w*2/(nx+1), h*2/(ny+1)
		for j := range ny {
			for i := range nx {
				x, y := i*w/(nx+1), j*h/(ny+1)
				out = append(out, image.Rect(x, y, min(w, x+tw), min(h, y+th)))
			}
		}
	}
	switch {
	case w >= 2*h:
		grid(5, 1)
	case h >= 2*w:
		grid(1, 5)
	default:
		grid(3, 3)
	}
	if len(out) > maxTiles {
		out = out[:maxTiles]
	}
	return out
}

// qrClassifier tells payment codes, contact cards and links apart.
type qrClassifier struct {
	cfg     QRConfig
	contact *contactFinder
}

// classify names the kind of a QR payload and what a reviewer should read
// from it; allowed is true for links to the marketplace itself.
func (q qrClassifier) classify(payload string) (kind, value string, allowed bool) {
	low := strings.ToLower(strings.TrimSpace(payload))
	bare := strings.TrimPrefix(strings.TrimPrefix(low, "https://"), "http://")
	has := func(prefixes []string) bool {
		for _, p := range prefixes {
			p = strings.ToLower(p)
			if strings.HasPrefix(low, p) || strings.HasPrefix(bare, p) {
				return true
			}
		}
		return false
	}
	switch {
	case has(q.cfg.PaymentPrefixes):
		return qrPayment, payload, false
	case has(q.cfg.ContactPrefixes):
		return qrContact, payload, false
	}
	if host := linkHost(payload); host != "" && (strings.HasPrefix(low, "http") || strings.HasPrefix(low, "www.")) {
		if q.contact.allowedHost(host) {
			return qrLink, host, true
		}
		return qrLink, host, false
	}
	if ms := q.contact.find("qr", payload); len(ms) > 0 {
		return qrContact, fmt.Sprintf("%s %s", ms[0].Kind, ms[0].Value), false
	}
	return qrText, payload, false
}
