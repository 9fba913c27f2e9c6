package marketgen

import (
	"bytes"
	"context"
	"image"
	"os"
	"testing"
)

// pixelDiff is the fraction of pixels that differ between two images of one size.
func pixelDiff(a, b *image.RGBA) float64 {
	n := 0
	for i := 0; i+3 < len(a.Pix); i += 4 {
		if !bytes.Equal(a.Pix[i:i+3], b.Pix[i:i+3]) {
			n++
		}
	}
	return float64(n) / float64(len(a.Pix)/4)
}

// distinctColours counts colours, a rough measure of how much a picture shows.
func distinctColours(img *image.RGBA) int {
	seen := map[[3]byte]bool{}
	for i := 0; i+3 < len(img.Pix); i += 4 {
		seen[[3]byte{img.Pix[i], img.Pix[i+1], img.Pix[i+2]}] = true
	}
	return len(seen)
}

func testFonts(t testing.TB) map[string]*Fonts {
	fonts := map[string]*Fonts{"blocks": nil}
	if f, err := LoadFonts(context.Background(), DefaultFontPath); err == nil {
		fonts["cjk"] = f
	} else {
		t.Logf("no CJK font (%v): testing block glyphs only", err)
	}
	return fonts
}

func TestScreens(t *testing.T) {
	for name, f := range testFonts(t) {
		t.Run(name, func(t *testing.T) {
			p := NewPainter(f)
			for l := Layout(0); l < NumLayouts; l++ {
				spec := ScreenSpec{Seed: 11, Category: "医疗健康", Layout: l, Hue: 210, Brand: "知微"}
				a, b := p.DrawScreen(spec), NewPainter(f).DrawScreen(spec)
				if !bytes.Equal(a.Pix, b.Pix) {
					t.Errorf("%v: one spec drew two different screens", l)
				}
				if a.Bounds().Size() != image.Pt(ScreenW, ScreenH) {
					t.Errorf("%v: size %v", l, a.Bounds().Size())
				}
				if n := distinctColours(a); n < 200 {
					t.Errorf("%v: only %d colours; want a busy, realistic screen", l, n)
				}
				other := spec
				other.Seed, other.Hue, other.Brand = 12, 30, "鲸禾"
				if d := pixelDiff(a, p.DrawScreen(other)); d < 0.2 {
					t.Errorf("%v: look-alike screens differ in only %.2f of their pixels", l, d)
				}
			}
		})
	}
}

func TestBlockGlyphsDistinguishText(t *testing.T) {
	p := NewPainter(nil)
	draw := func(s string) *image.RGBA {
		img := image.NewRGBA(image.Rect(0, 0, 4+p.Measure(s, 16), 24))
		Fill(img, img.Bounds(), white)
		p.Text(img, 4, 22, s, 16, ink)
		return img
	}
	a, b := draw("扫码点餐"), draw("预约挂号")
	if a.Bounds() != b.Bounds() {
		t.Fatalf("four CJK characters measure differently: %v, %v", a.Bounds(), b.Bounds())
	}
	if d := pixelDiff(a, b); d < 0.1 {
		t.Errorf("different words look the same in block glyphs (%.2f of pixels differ)", d)
	}
	if w1, w2 := p.Measure("点餐", 16), p.Measure("ab", 16); w1 <= w2 {
		t.Errorf("CJK text (%d px) should be wider than Latin (%d px)", w1, w2)
	}
}

func TestBannersPhotosLogos(t *testing.T) {
	p := NewPainter(nil)
	for _, cat := range Categories {
		b := p.DrawBanner(BannerSpec{Seed: 5, Category: cat, Hue: 120, Brand: "云栖"})
		if b.Bounds().Size() != image.Pt(BannerW, BannerH) || distinctColours(b) < 200 {
			t.Errorf("%s banner: size %v, %d colours", cat, b.Bounds().Size(), distinctColours(b))
		}
		ph := p.DrawPhoto(PhotoSpec{Seed: 5, Category: cat, Hue: 120, W: 320, H: 240})
		if ph.Bounds().Size() != image.Pt(320, 240) || distinctColours(ph) < 500 {
			t.Errorf("%s photo: size %v, %d colours", cat, ph.Bounds().Size(), distinctColours(ph))
		}
	}
	a := p.DrawLogo(LogoSpec{Seed: 1, Hue: 10, Brand: "云栖"})
	b := p.DrawLogo(LogoSpec{Seed: 2, Hue: 200, Brand: "速搭"})
	if a.Bounds().Size() != image.Pt(120, 120) || pixelDiff(a, b) < 0.3 {
		t.Error("two providers' logos look alike")
	}
}

func TestParseFonts(t *testing.T) {
	for name, data := range map[string][]byte{"empty": nil, "junk": []byte("definitely not a font"), "short ttc": []byte("ttcf\x00\x01")} {
		if _, err := ParseFonts(data); err == nil {
			t.Errorf("%s: want error", name)
		}
	}
	if _, err := LoadFonts(context.Background(), "/nonexistent/font.ttc"); err == nil {
		t.Error("missing file: want error")
	}
	data, err := os.ReadFile(DefaultFontPath)
	if err != nil {
		t.Skip("no CJK font installed")
	}
	f, err := ParseFonts(data)
	if err != nil || !f.Real() {
		t.Fatalf("parse %s: %v", DefaultFontPath, err)
	}
	// A cut-off collection must fail cleanly, not panic.
	if _, err := ParseFonts(data[:4096]); err == nil {
		t.Error("truncated collection: want error")
	}
}

func BenchmarkDrawScreen(b *testing.B) {
	f, _ := LoadFonts(context.Background(), DefaultFontPath)
	p := NewPainter(f)
	for i := 0; b.Loop(); i++ {
		p.DrawScreen(ScreenSpec{Seed: uint64(i), Category: Categories[i%len(Categories)], Layout: Layout(i % int(NumLayouts)), Hue: float64(i * 37 % 360)})
	}
}

func BenchmarkWriteEval(b *testing.B) {
	f, _ := LoadFonts(context.Background(), DefaultFontPath)
	for b.Loop() {
		if _, err := WriteEval(context.Background(), b.TempDir(), EvalOptions{Split: "tune", N: 4, Fonts: f}); err != nil {
			b.Fatal(err)
		}
	}
}
