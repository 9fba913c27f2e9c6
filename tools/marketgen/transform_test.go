package marketgen

import (
	"bytes"
	"image"
	"image/color"
	"testing"
)

// testScreen is a real generated screenshot, drawn with block glyphs so the
// test does not depend on an installed font.
func testScreen(t testing.TB) *image.RGBA {
	t.Helper()
	return NewPainter(nil).DrawScreen(ScreenSpec{Seed: 7, Category: "餐饮", Layout: LayoutHome, Hue: 20, Brand: "鲸禾"})
}

func sameRGBA(a, b color.Color) bool {
	r1, g1, b1, a1 := a.RGBA()
	r2, g2, b2, a2 := b.RGBA()
	return r1 == r2 && g1 == g2 && b1 == b2 && a1 == a2
}

// meanLumaChroma returns the average luminance and the average distance of a
// pixel's channels from its luminance (a saturation measure).
func meanLumaChroma(img image.Image) (luma, chroma float64) {
	b := img.Bounds()
	n := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			fr, fg, fb := float64(r>>8), float64(g>>8), float64(bl>>8)
			l := 0.299*fr + 0.587*fg + 0.114*fb
			luma += l
			chroma += (abs64(fr-l) + abs64(fg-l) + abs64(fb-l)) / 3
			n++
		}
	}
	return luma / float64(n), chroma / float64(n)
}

func abs64(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

func TestImageTransforms(t *testing.T) {
	src := testScreen(t)
	w, h := src.Bounds().Dx(), src.Bounds().Dy()
	logo := NewPainter(nil).DrawLogo(LogoSpec{Seed: 3, Hue: 200, Brand: "速搭"})
	opts := TransformOptions{Painter: NewPainter(nil), Watermark: "样例", Logo: logo}
	tests := []struct {
		name  string
		wantW int
		wantH int
		check func(t *testing.T, out image.Image)
	}{
		{"resize50", w / 2, h / 2, nil},
		{"thumb390x260", 390, 260, nil},
		{"crop5", w - 2*18, h - 2*32, func(t *testing.T, out image.Image) {
			if !sameRGBA(out.At(0, 0), src.At(18, 32)) || !sameRGBA(out.At(100, 200), src.At(118, 232)) {
				t.Error("crop5 output is not the source shifted by the 5% margins")
			}
		}},
		{"statusbar12", w, h - 77, func(t *testing.T, out image.Image) {
			for _, x := range []int{0, 50, 200, 359} {
				if !sameRGBA(out.At(x, 0), src.At(x, 77)) {
					t.Fatalf("statusbar12 row 0 at x=%d is not source row 77", x)
				}
			}
		}},
		{"border20", w + 2*72, h + 2*128, func(t *testing.T, out image.Image) {
			for _, p := range []image.Point{{0, 0}, {w + 143, 0}, {10, h + 200}, {71, 500}, {300, 127}} {
				if !sameRGBA(out.At(p.X, p.Y), color.White) {
					t.Fatalf("border pixel %v is %v, want white", p, out.At(p.X, p.Y))
				}
			}
			if !sameRGBA(out.At(72, 128), src.At(0, 0)) || !sameRGBA(out.At(72+w-1, 128+h-1), src.At(w-1, h-1)) {
				t.Error("border20 does not hold the source inside the frame")
			}
		}},
		{"mirror", w, h, func(t *testing.T, out image.Image) {
			for y := 0; y < h; y += 7 {
				for x := 0; x < w; x += 5 {
					if !sameRGBA(out.At(x, y), src.At(w-1-x, y)) {
						t.Fatalf("mirror(%d,%d) != src(%d,%d)", x, y, w-1-x, y)
					}
				}
			}
			back := Mirror(out)
			if !bytes.Equal(back.Pix, src.Pix) {
				t.Error("mirroring twice does not give the source back")
			}
		}},
		{"watermark", w, h, func(t *testing.T, out image.Image) {
			changed := 0
			for y := 0; y < h; y++ {
				for x := 0; x < w; x++ {
					if !sameRGBA(out.At(x, y), src.At(x, y)) {
						changed++
					}
				}
			}
			frac := float64(changed) / float64(w*h)
			if frac < 0.01 || frac > 0.5 {
				t.Errorf("watermark changed %.3f of the pixels, want a visible but partial overlay", frac)
			}
		}},
		{"logo", w, h, func(t *testing.T, out image.Image) {
			if !sameRGBA(out.At(10, 10), src.At(10, 10)) || !sameRGBA(out.At(w/2, h/2), src.At(w/2, h/2)) {
				t.Error("logo changed pixels away from the corner")
			}
			changed := 0
			for y := h - 70; y < h; y++ {
				for x := w - 70; x < w; x++ {
					if !sameRGBA(out.At(x, y), src.At(x, y)) {
						changed++
					}
				}
			}
			if changed < 1000 {
				t.Errorf("logo changed only %d pixels in the bottom-right corner", changed)
			}
		}},
		{"color", w, h, func(t *testing.T, out image.Image) {
			l0, c0 := meanLumaChroma(src)
			l1, c1 := meanLumaChroma(out)
			if l1 <= l0 || c1 <= c0*1.2 {
				t.Errorf("color: luma %.1f→%.1f, chroma %.1f→%.1f; want both raised", l0, l1, c0, c1)
			}
		}},
		{"grayscale", w, h, func(t *testing.T, out image.Image) {
			for y := 0; y < h; y += 3 {
				for x := 0; x < w; x += 3 {
					r, g, b, _ := out.At(x, y).RGBA()
					if r != g || g != b {
						t.Fatalf("grayscale pixel (%d,%d) = %d,%d,%d", x, y, r, g, b)
					}
				}
			}
		}},
		{"jpeg35", w, h, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := TransformImage(tt.name, src, opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := out.Bounds().Size(); got != image.Pt(tt.wantW, tt.wantH) {
				t.Fatalf("size %v, want %dx%d", got, tt.wantW, tt.wantH)
			}
			if tt.check != nil {
				tt.check(t, out)
			}
		})
	}
	if len(tests) != len(ImageTransforms) {
		t.Errorf("tested %d transforms, ImageTransforms has %d", len(tests), len(ImageTransforms))
	}
}

func TestJPEGRecompress(t *testing.T) {
	src := testScreen(t)
	hi, err := EncodeJPEG(src, 95)
	if err != nil {
		t.Fatal(err)
	}
	lo, err := JPEGRecompress(hi, 35)
	if err != nil {
		t.Fatal(err)
	}
	if len(lo) >= len(hi)/2 {
		t.Errorf("q35 re-encode is %d bytes, q95 original %d: want much smaller", len(lo), len(hi))
	}
	img, err := DecodeImage(lo)
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Size() != src.Bounds().Size() {
		t.Errorf("re-encoded size %v, want %v", img.Bounds().Size(), src.Bounds().Size())
	}
	l0, _ := meanLumaChroma(src)
	l1, _ := meanLumaChroma(img)
	if abs64(l0-l1) > 3 {
		t.Errorf("mean luminance moved from %.1f to %.1f", l0, l1)
	}
}

func TestApplyImageTransform(t *testing.T) {
	data, err := EncodeJPEG(testScreen(t), 85)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range ImageTransforms {
		out, err := ApplyImageTransform(name, data, TransformOptions{Logo: NewPainter(nil).DrawLogo(LogoSpec{Brand: "店"})})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := DecodeImage(out); err != nil {
			t.Fatalf("%s output does not decode: %v", name, err)
		}
	}
	if _, err := ApplyImageTransform("rotate90", data, TransformOptions{}); err == nil {
		t.Error("unknown transform: want error")
	}
	if _, err := ApplyImageTransform("logo", data, TransformOptions{}); err == nil {
		t.Error("logo without a logo: want error")
	}
}

func TestDecodeImageRejectsDamage(t *testing.T) {
	data, err := EncodeJPEG(testScreen(t), 85)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{
		"truncated": data[:len(data)*35/100],
		"empty":     nil,
		"text":      []byte("not an image"),
	} {
		if _, err := DecodeImage(b); err == nil {
			t.Errorf("%s: want error", name)
		}
	}
}
