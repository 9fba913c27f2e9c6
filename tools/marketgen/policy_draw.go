package marketgen

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// QRCode draws payload as a black-on-white QR code of side pixels, quiet
// zone included, the way payment and contact codes are exported.
func QRCode(payload string, side int) (*image.RGBA, error) {
	m, err := qrcode.NewQRCodeWriter().Encode(payload, gozxing.BarcodeFormat_QR_CODE, side, side,
		map[gozxing.EncodeHintType]any{gozxing.EncodeHintType_MARGIN: 2})
	if err != nil {
		return nil, fmt.Errorf("encode QR code: %w", err)
	}
	out := image.NewRGBA(image.Rect(0, 0, side, side))
	draw.Draw(out, out.Rect, m, image.Point{}, draw.Src)
	return out, nil
}

// addQRPicture adds to e a banner or an app screenshot with a QR code of
// payload pasted where promotions put them: a corner, on a white card, at
// a size between a thumbnail and a quarter of the picture.
func (g *policyGen) addQRPicture(e *entry, payload string) {
	r := g.c.r
	seed := r.Uint64()
	hue := float64(r.IntN(360))
	cat, brand, city := e.l.Category, e.text.Brand, e.text.City
	screen := r.IntN(2) == 0
	scale := 2 + r.IntN(2) // screenshots at 720x1280 or 1080x1920
	layout := Layout(r.IntN(int(NumLayouts)))
	frac := 0.07 + r.Float64()*0.2 // code side as a share of the picture's width
	corner := r.IntN(4)
	name := fmt.Sprintf("%s-%d.jpg", e.l.ID, len(e.pictures)+1)
	job := &imageJob{draw: func(p *Painter) image.Image {
		var base *image.RGBA
		if screen {
			// Phone screenshots are uploaded at device resolution.
			base = scaleRGBA(p.DrawScreen(ScreenSpec{Seed: seed, Category: cat, Layout: layout, Hue: hue, Brand: brand, City: city}), scale*ScreenW, scale*ScreenH)
		} else {
			base = p.DrawBanner(BannerSpec{Seed: seed, Category: cat, Hue: hue, Brand: brand})
		}
		b := base.Bounds()
		side := max(56, int(float64(b.Dx())*frac))
		side = min(side, b.Dy()*8/10)
		code, err := QRCode(payload, side)
		if err != nil {
			return base
		}
		pad := side / 12
		x, y := b.Dx()-side-2*pad-8, b.Dy()-side-2*pad-8
		if corner&1 == 1 {
			x = 8
		}
		if corner&2 == 2 && !screen {
			y = 8
		}
		card := image.Rect(x, y, x+side+2*pad, y+side+2*pad)
		draw.Draw(base, card, image.NewUniform(color.White), image.Point{}, draw.Src)
		draw.Draw(base, code.Rect.Add(image.Pt(x+pad, y+pad)), code, image.Point{}, draw.Src)
		p.TextCentered(base, card.Min.X+card.Dx()/2, card.Max.Y+2, "扫码咨询", max(12, side/9), color.RGBA{60, 60, 60, 255}, false)
		return base
	}}
	pic := &picture{name: name, kind: kindBanner}
	g.c.attach(e, pic, job)
}
