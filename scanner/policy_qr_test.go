package scanner

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math/rand/v2"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// qrImage encodes payload as a QR code of side pixels, quiet zone
// included.
func qrImage(t testing.TB, payload string, side int) image.Image {
	t.Helper()
	m, err := qrcode.NewQRCodeWriter().Encode(payload, gozxing.BarcodeFormat_QR_CODE, side, side,
		map[gozxing.EncodeHintType]any{gozxing.EncodeHintType_MARGIN: 2})
	if err != nil {
		t.Fatalf("encode QR: %v", err)
	}
	return m
}

// busyBanner draws a w x h banner with a gradient, noisy blocks and stripes
// of "text", the clutter around a QR code in a real promotion image.
func busyBanner(w, h int, seed uint64) *image.RGBA {
	r := rand.New(rand.NewPCG(seed, 7))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(200 - 120*y/h), uint8(80 + 100*x/w), 180, 255})
		}
	}
	for range 40 {
		x, y := r.IntN(w), r.IntN(h)
		c := color.RGBA{uint8(r.IntN(256)), uint8(r.IntN(256)), uint8(r.IntN(256)), 255}
		draw.Draw(img, image.Rect(x, y, x+10+r.IntN(w/6), y+4+r.IntN(12)), image.NewUniform(c), image.Point{}, draw.Src)
	}
	return img
}

func paste(dst *image.RGBA, src image.Image, at image.Point) {
	draw.Draw(dst, src.Bounds().Add(at), src, src.Bounds().Min, draw.Src)
}

func jpegRoundTrip(t testing.TB, img image.Image, q int) image.Image {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
		t.Fatal(err)
	}
	out, err := jpeg.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestFindQRCodes(t *testing.T) {
	cfg := defaultPolicy().QR
	const pay = "wxp://f2f0SxkH7d4x1oXxKq5r_demo"
	tests := []struct {
		name string
		img  func(t *testing.T) image.Image
		want string // "" for no code
	}{
		{"bare code", func(t *testing.T) image.Image { return qrImage(t, pay, 240) }, pay},
		{"small code in a wide banner", func(t *testing.T) image.Image {
			b := busyBanner(1200, 400, 1)
			paste(b, qrImage(t, "https://u.wechat.com/EAbc123xyz", 130), image.Pt(1040, 240))
			return jpegRoundTrip(t, b, 80)
		}, "https://u.wechat.com/EAbc123xyz"},
		{"code in the corner of a phone screenshot", func(t *testing.T) image.Image {
			b := busyBanner(1080, 1920, 2)
			paste(b, qrImage(t, "BEGIN:VCARD\nVERSION:3.0\nFN:张经理\nTEL:13800001111\nEND:VCARD", 200), image.Pt(60, 1500))
			return jpegRoundTrip(t, b, 85)
		}, "BEGIN:VCARD\nVERSION:3.0\nFN:张经理\nTEL:13800001111\nEND:VCARD"},
		{"thumbnail-sized code in a full-HD screenshot", func(t *testing.T) image.Image {
			b := busyBanner(1080, 1920, 11)
			paste(b, qrImage(t, "https://qm.qq.com/cgi-bin/qm/qr?k=Zx8", 70), image.Pt(980, 1800))
			return jpegRoundTrip(t, b, 75)
		}, "https://qm.qq.com/cgi-bin/qm/qr?k=Zx8"},
		{"huge photo scaled down", func(t *testing.T) image.Image {
			b := busyBanner(4000, 3000, 3)
			paste(b, qrImage(t, "https://qr.alipay.com/fkx12345abcde", 700), image.Pt(2900, 1900))
			return b
		}, "https://qr.alipay.com/fkx12345abcde"},
		{"no code", func(t *testing.T) image.Image { return busyBanner(800, 600, 4) }, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := findQRCodes(tc.img(t), cfg)
			switch {
			case tc.want == "" && len(got) != 0:
				t.Errorf("found %q, want none", got)
			case tc.want != "" && (len(got) != 1 || got[0] != tc.want):
				t.Errorf("found %q, want [%q]", got, tc.want)
			}
		})
	}
}

func TestClassifyQRPayload(t *testing.T) {
	cf := newContactFinder(defaultPolicy().Contact)
	q := qrClassifier{cfg: defaultPolicy().QR, contact: cf}
	tests := []struct {
		payload, kind string
		allowed       bool
	}{
		{"wxp://f2f0abc", qrPayment, false},
		{"HTTPS://QR.ALIPAY.COM/FKX0123", qrPayment, false},
		{"https://u.wechat.com/EAbc", qrContact, false},
		{"https://weixin.qq.com/r/abcDEF", qrContact, false},
		{"https://qm.qq.com/cgi-bin/qm/qr?k=abc", qrContact, false},
		{"MECARD:N:王五;TEL:13900001111;;", qrContact, false},
		{"BEGIN:VCARD\nFN:李四\nEND:VCARD", qrContact, false},
		{"https://shop.example.com/item/1", qrLink, false},
		{"https://weda.tencent.com/market/app/88", qrLink, true},
		{"加我微信 wx_sale2024", qrContact, false},
		{"欢迎使用智慧餐厅", qrText, false},
	}
	for _, tc := range tests {
		t.Run(tc.payload, func(t *testing.T) {
			kind, _, allowed := q.classify(tc.payload)
			if kind != tc.kind || allowed != tc.allowed {
				t.Errorf("classify = %s allowed=%v, want %s allowed=%v", kind, allowed, tc.kind, tc.allowed)
			}
		})
	}
}

// BenchmarkFindQRCodes measures the per-image cost of the QR search: on a
// screenshot without a code (the common case: the whole image and every
// tile are searched) and with a small code.
func BenchmarkFindQRCodes(b *testing.B) {
	cfg := defaultPolicy().QR
	cases := []struct {
		name string
		img  image.Image
	}{
		{"screenshot_1080x1920_none", jpegRoundTrip(b, busyBanner(1080, 1920, 5), 80)},
		{"banner_750x300_none", jpegRoundTrip(b, busyBanner(750, 300, 6), 80)},
		{"banner_1200x400_code", func() image.Image {
			im := busyBanner(1200, 400, 7)
			paste(im, qrImage(b, "https://u.wechat.com/EAbc123xyz", 130), image.Pt(1040, 240))
			return jpegRoundTrip(b, im, 80)
		}()},
		{"photo_4000x3000_none", jpegRoundTrip(b, busyBanner(4000, 3000, 8), 80)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				findQRCodes(c.img, cfg)
			}
		})
	}
}

// BenchmarkImageFacts puts the QR search beside the rest of the per-image
// work of the fingerprint phase (decode and hashes), on the same bytes.
func BenchmarkImageFacts(b *testing.B) {
	cfg := defaultPolicy().QR
	encode := func(img image.Image) []byte {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}); err != nil {
			b.Fatal(err)
		}
		return buf.Bytes()
	}
	withCode := busyBanner(750, 300, 9)
	paste(withCode, qrImage(b, "wxp://f2f0abcdefghijkl", 110), image.Pt(620, 170))
	images := []struct {
		name string
		data []byte
	}{
		{"screenshot_1080x1920", encode(busyBanner(1080, 1920, 10))},
		{"banner_750x300_code", encode(withCode)},
	}
	for _, im := range images {
		for _, qr := range []bool{false, true} {
			f := &fingerprinter{}
			name := im.name + "/decode_hash"
			if qr {
				f.qr = &cfg
				name = im.name + "/decode_hash_qr"
			}
			b.Run(name, func(b *testing.B) {
				for b.Loop() {
					if _, err := f.imageFacts(im.data); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
