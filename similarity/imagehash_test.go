package similarity

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"math/bits"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

func fingerprint(t testing.TB, data []byte) ImagePrint {
	t.Helper()
	p, err := FingerprintImage(data, ImageLimits{})
	if err != nil {
		t.Fatalf("FingerprintImage: %v", err)
	}
	return p
}

// originals fingerprints the test set, each picture stored as PNG.
func originals(t *testing.T) ([]testPicture, []ImagePrint) {
	t.Helper()
	pics := testPictures()
	prints := make([]ImagePrint, len(pics))
	for i, p := range pics {
		prints[i] = fingerprint(t, encodePNG(t, p.img))
		if !prints[i].Comparable() {
			t.Fatalf("%s is low-information (%s); every test picture must be comparable", p.name, prints[i].LowInfo)
		}
	}
	return pics, prints
}

// TestCopiesMatchTheirOriginal is the recall half of the specification:
// every edit a copier makes still matches the original with the default
// thresholds. The logged maxima are what the thresholds must cover.
func TestCopiesMatchTheirOriginal(t *testing.T) {
	pics, prints := originals(t)
	for _, edit := range copyEdits {
		t.Run(edit.name, func(t *testing.T) {
			maxP, maxD := 0, 0
			for i, pic := range pics {
				cp := fingerprint(t, edit.edit(t, pic.img))
				m, ok := MatchImages(prints[i], cp)
				if !ok {
					t.Errorf("%s: copy does not match: %+v (thresholds %+v)", pic.name, m, DefaultImageThresholds())
				}
				if wantMirrored := edit.name == "mirror"; m.Mirrored != wantMirrored {
					t.Errorf("%s: Mirrored = %v, want %v", pic.name, m.Mirrored, wantMirrored)
				}
				maxP, maxD = max(maxP, m.PHashDistance), max(maxD, m.DHashDistance)
			}
			t.Logf("%-26s max pHash distance %2d, max dHash distance %2d over %d pictures", edit.name, maxP, maxD, len(pics))
		})
	}
}

// TestDistinctPicturesDoNotMatch is the precision half: screens built from
// the same parts, and photographs, never match each other. It measures the
// false-positive rate over all pairs and requires it to be zero, and logs
// the pairs nearest to the thresholds.
func TestDistinctPicturesDoNotMatch(t *testing.T) {
	pics, prints := originals(t)
	th := DefaultImageThresholds()
	type near struct {
		a, b   string
		p, d   int
		margin int // bits outside the acceptance box on the nearer axis
	}
	var nearest []near
	pairs, matches := 0, 0
	minP, minD := 64, 64
	for i := range prints {
		for j := i + 1; j < len(prints); j++ {
			pairs++
			if m, ok := MatchImages(prints[i], prints[j]); ok {
				matches++
				t.Errorf("%s and %s match: %+v", pics[i].name, pics[j].name, m)
			}
			// Over every pair of variants Match compares: the smallest
			// distance of each hash on its own, and the pair closest to
			// the acceptance box.
			n := near{a: pics[i].name, b: pics[j].name, margin: 64}
			for _, a := range prints[i].Variants {
				for _, b := range prints[j].Variants {
					if a.Mirrored && b.Mirrored {
						continue
					}
					p, d := bits.OnesCount64(a.PHash^b.PHash), bits.OnesCount64(a.DHash^b.DHash)
					minP, minD = min(minP, p), min(minD, d)
					if m := max(p-th.PHash, d-th.DHash); m < n.margin {
						n.p, n.d, n.margin = p, d, m
					}
				}
			}
			nearest = append(nearest, n)
		}
	}
	if pairs != (testScreens+testPhotos)*(testScreens+testPhotos-1)/2 {
		t.Errorf("compared %d pairs", pairs)
	}
	t.Logf("false positives: %d of %d distinct pairs at %+v", matches, pairs, th)
	t.Logf("smallest pHash distance %d, smallest dHash distance %d", minP, minD)
	slices.SortFunc(nearest, func(x, y near) int { return x.margin - y.margin })
	for _, n := range nearest[:5] {
		t.Logf("near miss: %s / %s at pHash %d, dHash %d", n.a, n.b, n.p, n.d)
	}
}

func TestMatchImagesIsSymmetric(t *testing.T) {
	pics := testPictures()[:8]
	var prints []ImagePrint
	for _, p := range pics {
		prints = append(prints, fingerprint(t, encodePNG(t, p.img)))
		prints = append(prints, fingerprint(t, encodePNG(t, mirrored(p.img))))
		prints = append(prints, fingerprint(t, encodeJPEG(t, cropped(p.img, image.Rect(0, p.img.Rect.Dy()/8, p.img.Rect.Dx(), p.img.Rect.Dy())), 60)))
	}
	for i, a := range prints {
		for j, b := range prints {
			ab, okAB := MatchImages(a, b)
			ba, okBA := MatchImages(b, a)
			if okAB != okBA || ab.PHashDistance != ba.PHashDistance || ab.DHashDistance != ba.DHashDistance ||
				ab.Score != ba.Score || ab.Mirrored != ba.Mirrored {
				t.Errorf("prints %d, %d: Match(a,b) = %+v %v, Match(b,a) = %+v %v", i, j, ab, okAB, ba, okBA)
			}
		}
	}
}

// TestMatchCachedAgreesWithMatch compares one print with many through one
// DetailCache, both ways round, as a scan compares a listing with its
// candidates: every result equals the uncached one, and the cache holds
// each decoded print once.
func TestMatchCachedAgreesWithMatch(t *testing.T) {
	pics := testPictures()[:6]
	var prints []ImagePrint
	for _, p := range pics {
		prints = append(prints, fingerprint(t, encodePNG(t, p.img)))
		prints = append(prints, fingerprint(t, encodeJPEG(t, p.img, 40)))
	}
	th := DefaultImageThresholds()
	for i, a := range prints {
		cache := &DetailCache{}
		for j, b := range prints {
			want, wantOK := th.Match(a, b)
			got, gotOK := th.MatchCached(cache, a, b)
			rev, revOK := th.MatchCached(cache, b, a)
			if got != want || gotOK != wantOK || revOK != wantOK || rev.Score != want.Score {
				t.Errorf("prints %d, %d: cached %+v %v (reversed %+v %v), uncached %+v %v", i, j, got, gotOK, rev, revOK, want, wantOK)
			}
		}
		if len(cache.decoded) > len(prints) {
			t.Errorf("cache holds %d details of %d prints", len(cache.decoded), len(prints))
		}
	}
	var none *DetailCache
	if _, ok := th.MatchCached(none, prints[0], prints[1]); !ok {
		t.Error("a JPEG copy does not match through a nil cache")
	}
}

func TestMatchImagesReportsHowTheCopyDiffers(t *testing.T) {
	src := drawScreen(7, screenW, screenH)
	orig := fingerprint(t, encodePNG(t, src))
	w, h := src.Rect.Dx(), src.Rect.Dy()
	tests := []struct {
		name          string
		copy          []byte
		wantTransform string
		wantScoreMin  float64
	}{
		{"identical", encodePNG(t, src), "", 1},
		{"mirrored", encodePNG(t, mirrored(src)), "mirrored", 0.9},
		{"status bar cut", encodePNG(t, cropped(src, image.Rect(0, h*12/100, w, h))), "top cut", 0.9},
		{"edges cropped", encodePNG(t, cropped(src, image.Rect(w/20, h/20, w-w/20, h-h/20))), "edges cropped", 0.9},
		{"mirrored and cut", encodePNG(t, mirrored(cropped(src, image.Rect(0, h*12/100, w, h)))), "mirrored, top cut", 0.9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, ok := MatchImages(orig, fingerprint(t, tt.copy))
			if !ok {
				t.Fatalf("no match: %+v", m)
			}
			if got := m.Transform(); got != tt.wantTransform {
				t.Errorf("Transform() = %q, want %q (match %+v)", got, tt.wantTransform, m)
			}
			if m.Score < tt.wantScoreMin || m.Score > 1 {
				t.Errorf("Score = %v, want in [%v, 1]", m.Score, tt.wantScoreMin)
			}
			if want := 1 - float64(m.PHashDistance+m.DHashDistance)/128; m.Score != want {
				t.Errorf("Score = %v, want %v", m.Score, want)
			}
		})
	}
}

func TestMatchImagesThresholds(t *testing.T) {
	// Every print shares one detail signature, so that only the hashes
	// decide; the dHash-alone path is off for the same reason.
	detail := testDetail(t)
	a := ImagePrint{Version: ImagePrintVersion, Variants: []ImageVariant{{Kind: VariantFull, PHash: 0, DHash: 0}}, Detail: detail}
	with := func(p, d int) ImagePrint {
		return ImagePrint{Version: ImagePrintVersion, Variants: []ImageVariant{{Kind: VariantFull, PHash: 1<<p - 1, DHash: 1<<d - 1}}, Detail: detail}
	}
	th := ImageThresholds{PHash: 10, DHash: 8, DHashAlone: -1}
	tests := []struct {
		name string
		b    ImagePrint
		want bool
	}{
		{"both within", with(10, 8), true},
		{"pHash over", with(11, 0), false},
		{"dHash over", with(0, 9), false},
		{"both over", with(20, 20), false},
		{"other version", ImagePrint{Version: ImagePrintVersion + 1, Variants: with(0, 0).Variants, Detail: detail}, false},
		{"low information", ImagePrint{Version: ImagePrintVersion, LowInfo: LowInfoFlat, Variants: with(0, 0).Variants, Detail: detail}, false},
		{"no detail", ImagePrint{Version: ImagePrintVersion, Variants: with(0, 0).Variants}, false},
		{"zero print", ImagePrint{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, ok := th.Match(a, tt.b); ok != tt.want {
				t.Errorf("Match = %v, want %v", ok, tt.want)
			}
		})
	}
	t.Run("closest pair returned without a match", func(t *testing.T) {
		m, ok := th.Match(a, with(30, 2))
		if ok || m.PHashDistance != 30 || m.DHashDistance != 2 {
			t.Errorf("Match = %+v, %v; want distances 30/2 and no match", m, ok)
		}
	})
	t.Run("mirrored against mirrored is not compared", func(t *testing.T) {
		// Every pair is 24 or 48 bits apart except the two mirrored variants.
		x := ImagePrint{Version: ImagePrintVersion, Variants: []ImageVariant{{Kind: VariantFull, PHash: 0xFFFFFF}, {Kind: VariantFull, Mirrored: true, PHash: 0}}, Detail: detail}
		y := ImagePrint{Version: ImagePrintVersion, Variants: []ImageVariant{{Kind: VariantFull, PHash: 0xFFFFFF000000}, {Kind: VariantFull, Mirrored: true, PHash: 0}}, Detail: detail}
		if m, ok := th.Match(x, y); ok {
			t.Errorf("matched through the two mirrored variants: %+v", m)
		}
	})
}

// testDetail is the detail signature of a small drawn picture.
func testDetail(t *testing.T) []byte {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, 200, 300))
	fillRect(m, m.Rect, color.RGBA{250, 250, 250, 255})
	fillRect(m, image.Rect(0, 0, 200, 40), color.RGBA{30, 90, 200, 255})
	fillRect(m, image.Rect(20, 80, 120, 100), color.RGBA{40, 40, 40, 255})
	d := computeDetail(m, 1)
	if d == nil {
		t.Fatal("no detail for the test picture")
	}
	return d
}

func TestLowInformationImages(t *testing.T) {
	solid := func(w, h int, c color.Color) *image.RGBA {
		m := image.NewRGBA(image.Rect(0, 0, w, h))
		fillRect(m, m.Rect, c)
		return m
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	noisy := solid(400, 300, color.RGBA{240, 240, 240, 255})
	for i := 0; i < len(noisy.Pix); i += 4 {
		n := uint8(rnd.IntN(5))
		noisy.Pix[i], noisy.Pix[i+1], noisy.Pix[i+2] = 238+n, 238+n, 238+n
	}
	gradient := image.NewRGBA(image.Rect(0, 0, 400, 300))
	for y := range 300 {
		for x := range 400 {
			v := uint8(200 + 12*x/400)
			gradient.SetRGBA(x, y, color.RGBA{v, v, v, 255})
		}
	}
	smallContent := solid(400, 300, color.White)
	fillRect(smallContent, image.Rect(190, 140, 206, 156), color.RGBA{200, 0, 0, 255})
	fillCircle(smallContent, 198, 148, 4, color.RGBA{255, 255, 255, 255})

	tests := []struct {
		name string
		img  image.Image
		want string
	}{
		{"white page", solid(1080, 1920, color.White), LowInfoFlat},
		{"solid colour", solid(640, 480, color.RGBA{30, 120, 200, 255}), LowInfoFlat},
		{"near-flat noise", noisy, LowInfoFlat},
		{"faint gradient", gradient, LowInfoFlat},
		{"fully transparent", image.NewNRGBA(image.Rect(0, 0, 300, 300)), LowInfoFlat},
		{"tiny icon", drawScreen(3, 18, 32), LowInfoTiny},
		{"small mark on a blank canvas", smallContent, LowInfoTiny},
		{"bullet", solid(1, 1, color.Black), LowInfoFlat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := fingerprint(t, encodePNG(t, tt.img))
			if p.LowInfo != tt.want {
				t.Errorf("LowInfo = %q, want %q", p.LowInfo, tt.want)
			}
			if p.Comparable() || len(p.Variants) != 0 {
				t.Errorf("low-information print is comparable or has variants: %+v", p)
			}
			if _, ok := MatchImages(p, p); ok {
				t.Error("a low-information print matches itself")
			}
			if s := AppendSketch(nil, p); len(s) != 0 {
				t.Errorf("sketch of %d bytes, want none", len(s))
			}
		})
	}
}

func TestTrimBorders(t *testing.T) {
	content := drawScreen(9, 300, 500) // coloured status bar and header
	photo := drawPhoto(8, 300, 200)
	letterbox := image.NewRGBA(image.Rect(0, 0, 500, 500))
	fillRect(letterbox, letterbox.Rect, color.Black)
	copyInto := func(dst *image.RGBA, at image.Point, src *image.RGBA) *image.RGBA {
		for y := range src.Rect.Dy() {
			copy(dst.Pix[dst.PixOffset(at.X, at.Y+y):], src.Pix[src.PixOffset(0, y):src.PixOffset(src.Rect.Dx(), y)])
		}
		return dst
	}
	copyInto(letterbox, image.Pt(100, 0), content)

	// want is the content's share of the picture: the rectangle, in
	// fractions of width and height, that trimming must leave.
	type frac struct{ x0, y0, x1, y1 float64 }
	pad := 0.2 / 1.4
	frame := (0.05*1.4 + 0.2) / (1.4 * 1.1) // a 5% frame around the padded copy
	// The screen ends in a white strip under the tab labels (the last 9 of
	// its 500 rows) and white padding merges with it, but only the part of
	// the run that the top has too goes: the strip is the screen's own and
	// stays, exactly as when the screen itself is trimmed.
	padBottom := 1 - pad
	frameBottom := 1 - frame
	tests := []struct {
		name string
		data []byte
		want frac
	}{
		{"white padding, jpeg quality 35", encodeJPEG(t, padded(content, 0.2, color.White), 35), frac{pad, pad, 1 - pad, padBottom}},
		{"coloured padding, jpeg quality 35", encodeJPEG(t, padded(content, 0.2, color.RGBA{200, 30, 120, 255}), 35), frac{pad, pad, 1 - pad, 1 - pad}},
		{"frame around white padding", encodePNG(t, padded(padded(content, 0.2, color.White), 0.05, color.RGBA{0, 90, 0, 255})), frac{frame, frame, 1 - frame, frameBottom}},
		{"letterbox bars", encodePNG(t, letterbox), frac{0.2, 0, 0.8, 1}},
		{"screen with a header is left alone", encodePNG(t, content), frac{0, 0, 1, 1}},
		// A white status bar and tab bar let the blank margins of the screen
		// itself go (4% each side, the rows above the clock and below the
		// tab labels); its copies lose the same margins.
		{"white screen loses only its blank margins", encodePNG(t, drawScreen(8, 300, 500)), frac{0.045, 0.012, 0.955, 0.98}},
		{"photograph with a graded sky is left alone", encodePNG(t, photo), frac{0, 0, 1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, info, err := decodeRaw(tt.data, ImageLimits{})
			if err != nil {
				t.Fatal(err)
			}
			w := newWorking(img, info.Orientation)
			got := trimBorders(w.img, w.img.Rect)
			W, H := float64(w.img.Rect.Dx()), float64(w.img.Rect.Dy())
			want := image.Rect(int(tt.want.x0*W+0.5), int(tt.want.y0*H+0.5), int(tt.want.x1*W+0.5), int(tt.want.y1*H+0.5))
			const slack = 2 // working pixels: the blended edge line and rounding
			if absInt(got.Min.X-want.Min.X) > slack || absInt(got.Min.Y-want.Min.Y) > slack ||
				absInt(got.Max.X-want.Max.X) > slack || absInt(got.Max.Y-want.Max.Y) > slack {
				t.Errorf("trimmed to %v, want %v ± %d (working image %v)", got, want, slack, w.img.Rect)
			}
			if got.Dx() < want.Dx()-2*slack || got.Dy() < want.Dy()-2*slack {
				t.Errorf("trimmed into the content: %v inside %v", got, want)
			}
		})
	}
}

func TestImagePrintJSONRoundTrip(t *testing.T) {
	p := fingerprint(t, encodePNG(t, drawScreen(9, screenW, screenH)))
	data, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var back ImagePrint
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p, back) {
		t.Errorf("round trip changed the print:\n got %+v\nwant %+v", back, p)
	}
	if m, ok := MatchImages(p, back); !ok || m.Score != 1 {
		t.Errorf("decoded print does not match its original exactly: %+v", m)
	}
	var kinds []string
	for _, v := range p.Variants {
		kinds = append(kinds, fmt.Sprintf("%s/%v", v.Kind, v.Mirrored))
	}
	if want := []string{"full/false", "full/true", "top-cut/false", "top-cut/true", "center/false", "center/true"}; !reflect.DeepEqual(kinds, want) {
		t.Errorf("variants %v, want %v; stored prints depend on these names", kinds, want)
	}
	// Six variants take about 600 bytes and the compressed detail
	// signature about 1 KB more.
	if len(data) > 1800 {
		t.Errorf("encoded print is %d bytes, want at most 1800: %s", len(data), data)
	}
	t.Logf("encoded print: %d bytes", len(data))

	low, err := json.Marshal(fingerprint(t, encodePNG(t, image.NewGray(image.Rect(0, 0, 50, 50)))))
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf(`{"version":%d,"width":50,"height":50,"low_info":"flat"}`, ImagePrintVersion); string(low) != want {
		t.Errorf("low-information print encodes as %s, want %s", low, want)
	}
}

func TestFingerprintDecodedAgreesWithFingerprintImage(t *testing.T) {
	src := drawScreen(10, screenW, screenH)
	data := withEXIFOrientation(encodeJPEG(t, orientRGBA(src, 6), 90), 8, binary.LittleEndian)
	img, _, err := DecodeImage(data, ImageLimits{})
	if err != nil {
		t.Fatal(err)
	}
	fromDecoded, err := FingerprintDecoded(img)
	if err != nil {
		t.Fatal(err)
	}
	direct := fingerprint(t, data)
	// FingerprintImage turns the small working copy upright, DecodeImage
	// the full image, so resampling may differ by a bit or two.
	if m, ok := MatchImages(fromDecoded, direct); !ok || m.PHashDistance > 2 || m.DHashDistance > 2 || m.Mirrored {
		t.Errorf("FingerprintDecoded and FingerprintImage disagree: %+v", m)
	}
	if fromDecoded.Width != direct.Width || fromDecoded.Height != direct.Height {
		t.Errorf("sizes %dx%d and %dx%d", fromDecoded.Width, fromDecoded.Height, direct.Width, direct.Height)
	}
	if _, err := FingerprintDecoded(nil); err == nil {
		t.Error("FingerprintDecoded(nil) succeeded")
	}
}

func FuzzFingerprintImage(f *testing.F) {
	small := drawScreen(11, 60, 100)
	f.Add(encodePNG(f, small))
	f.Add(encodeJPEG(f, small, 50))
	f.Add(withEXIFOrientation(encodeJPEG(f, small, 50), 6, binary.BigEndian))
	two := image.NewNRGBA(image.Rect(0, 0, 8, 8))
	two.SetNRGBA(1, 1, color.NRGBA{255, 0, 0, 255})
	f.Add(encodeWebPLossless(f, two))
	f.Add([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"))
	f.Add([]byte("BM"))
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "))
	lim := ImageLimits{MaxBytes: 1 << 20, MaxPixels: 1 << 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := FingerprintImage(data, lim)
		if err != nil {
			return
		}
		if p.Width <= 0 || p.Height <= 0 || int64(p.Width)*int64(p.Height) > lim.MaxPixels {
			t.Fatalf("print of size %dx%d outside the limits", p.Width, p.Height)
		}
		enc, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		var back ImagePrint
		if err := json.Unmarshal(enc, &back); err != nil || !reflect.DeepEqual(p, back) {
			t.Fatalf("JSON round trip: %v", err)
		}
		if p.Comparable() {
			if m, ok := MatchImages(p, p); !ok || m.Score != 1 {
				t.Fatalf("print does not match itself: %+v", m)
			}
		}
	})
}

// Benchmarks compare decoding alone with the whole fingerprint of a phone
// screenshot, so the cost of hashing over decoding is visible.
func benchImages(b *testing.B) []struct {
	name string
	data []byte
} {
	src := drawScreen(12, 1080, 1920)
	return []struct {
		name string
		data []byte
	}{
		{"png 1080x1920", encodePNG(b, src)},
		{"jpeg 1080x1920", encodeJPEG(b, src, 85)},
	}
}

func BenchmarkDecodeOnly(b *testing.B) {
	for _, bi := range benchImages(b) {
		b.Run(bi.name, func(b *testing.B) {
			b.SetBytes(int64(len(bi.data)))
			for b.Loop() {
				if _, _, err := decodeRaw(bi.data, ImageLimits{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkFingerprintImage(b *testing.B) {
	for _, bi := range benchImages(b) {
		b.Run(bi.name, func(b *testing.B) {
			b.SetBytes(int64(len(bi.data)))
			for b.Loop() {
				if _, err := FingerprintImage(bi.data, ImageLimits{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkMatchImages(b *testing.B) {
	x := fingerprint(b, encodePNG(b, drawScreen(13, screenW, screenH)))
	y := fingerprint(b, encodePNG(b, drawScreen(14, screenW, screenH)))
	for b.Loop() {
		MatchImages(x, y)
	}
}

// BenchmarkMatchImagesVerified measures pairs the hashes propose, which
// pay for the detail comparison: a copy with its top cut off, and a copy
// under a stamp, which also takes the overlay readings.
func BenchmarkMatchImagesVerified(b *testing.B) {
	src := drawScreen(15, screenW, screenH)
	w, h := src.Rect.Dx(), src.Rect.Dy()
	orig := fingerprint(b, encodePNG(b, src))
	for _, c := range []struct {
		name string
		copy []byte
	}{
		{"top cut", encodePNG(b, cropped(src, image.Rect(0, h*12/100, w, h)))},
		{"watermark", encodeJPEG(b, watermarked(b, src), 85)},
	} {
		cp := fingerprint(b, c.copy)
		if _, ok := MatchImages(orig, cp); !ok {
			b.Fatalf("%s: copy does not match", c.name)
		}
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				MatchImages(orig, cp)
			}
		})
		// A scan decodes a listing's details once for all its
		// candidates: the comparison alone.
		b.Run(c.name+", decoded", func(b *testing.B) {
			cache := &DetailCache{}
			for b.Loop() {
				DefaultImageThresholds().MatchCached(cache, orig, cp)
			}
		})
	}
}

func TestImageMatchTransformWording(t *testing.T) {
	tests := []struct {
		m    ImageMatch
		want string
	}{
		{ImageMatch{Kind: VariantFull, OtherKind: VariantFull}, ""},
		{ImageMatch{Kind: VariantFull, OtherKind: VariantFull, Mirrored: true}, "mirrored"},
		{ImageMatch{Kind: VariantTopCut, OtherKind: VariantFull}, "top cut"},
		{ImageMatch{Kind: VariantCenter, OtherKind: VariantTopCut, Mirrored: true}, "mirrored, edges cropped, top cut"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s-%s-%v", tt.m.Kind, tt.m.OtherKind, tt.m.Mirrored), func(t *testing.T) {
			if got := tt.m.Transform(); got != tt.want {
				t.Errorf("Transform() = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestWorkingCopyIsTheSameForEveryPixelFormat checks the fast paths of the
// resampling: decoders return different pixel layouts for the same
// picture, and all of them must give the same working copy.
func TestWorkingCopyIsTheSameForEveryPixelFormat(t *testing.T) {
	src := drawPhoto(16, 1000, 700) // large enough for block averaging
	toYCbCr := func(ratio image.YCbCrSubsampleRatio) *image.YCbCr {
		m := image.NewYCbCr(src.Rect, ratio)
		for y := range src.Rect.Dy() {
			for x := range src.Rect.Dx() {
				c := src.RGBAAt(x, y)
				yy, cb, cr := color.RGBToYCbCr(c.R, c.G, c.B)
				m.Y[m.YOffset(x, y)] = yy
				// Chroma of the block's top-left pixel: close enough for a
				// smooth photo.
				m.Cb[m.COffset(x, y)], m.Cr[m.COffset(x, y)] = cb, cr
			}
		}
		return m
	}
	nrgba := image.NewNRGBA(src.Rect)
	copy(nrgba.Pix, src.Pix)
	halfClear := image.NewNRGBA(src.Rect) // alpha 0 on the left: white
	copy(halfClear.Pix, src.Pix)
	for y := range 700 {
		for x := range 500 {
			halfClear.Pix[halfClear.PixOffset(x, y)+3] = 0
		}
	}
	halfWhite := crop(src, src.Rect, false)
	fillRect(halfWhite, image.Rect(0, 0, 500, 700), color.White)

	ycc420 := toYCbCr(image.YCbCrSubsampleRatio420)
	want := newWorking(src, 1).img
	wantHalf := newWorking(halfWhite, 1).img
	tests := []struct {
		name string
		img  image.Image
		want *image.RGBA
		tol  int
	}{
		{"NRGBA", nrgba, want, 1},
		{"YCbCr 4:4:4", toYCbCr(image.YCbCrSubsampleRatio444), want, 3},
		// Against the same 4:2:0 image converted pixel by pixel, so the
		// test's crude chroma subsampling does not count. Its out-of-gamut
		// pixels clip when converted one by one but not when averaged first.
		{"YCbCr 4:2:0", ycc420, newWorking(toRGBA(ycc420), 1).img, 6},
		{"NRGBA with transparent half", halfClear, wantHalf, 1},
		{"offset sub-image", src.SubImage(src.Rect), want, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := newWorking(tt.img, 1).img
			if got.Rect != tt.want.Rect {
				t.Fatalf("working size %v, want %v", got.Rect, tt.want.Rect)
			}
			worst := 0
			for i := range got.Pix {
				worst = max(worst, absInt(int(got.Pix[i])-int(tt.want.Pix[i])))
			}
			if worst > tt.tol {
				t.Errorf("working copies differ by up to %d per channel, want at most %d", worst, tt.tol)
			}
		})
	}
}

// TestPatchExcusedOnlyInACorner: a badge pasted in a corner is a copier's
// logo, and the copy still matches; the same badge in the middle of the
// left side replaces the picture's own content there (a banner's slogan,
// a product) and the pictures no longer match.
func TestPatchExcusedOnlyInACorner(t *testing.T) {
	pics, prints := originals(t)
	for i, pic := range pics[:8] {
		w, h := pic.img.Rect.Dx(), pic.img.Rect.Dy()
		side := w * 22 / 100
		corner := fingerprint(t, encodePNG(t, withLogoAt(pic.img, 22, w-side-w/30, h-side-w/30)))
		if m, ok := MatchImages(prints[i], corner); !ok {
			t.Errorf("%s: badge in the corner: no match (%+v)", pic.name, m)
		}
		middle := fingerprint(t, encodePNG(t, withLogoAt(pic.img, 22, w/20, (h-side)/2)))
		if m, ok := MatchImages(prints[i], middle); ok {
			t.Errorf("%s: badge in the middle of the left side: matched (%+v)", pic.name, m)
		}
	}
}

// TestChromaScale: the colour check measures how much stronger one side's
// colours are, which is what admits the clipped-colour reading: a vivid
// recolouring is well above recolouredScale, a recompressed copy within it.
func TestChromaScale(t *testing.T) {
	src := drawScreen(21, screenW, screenH)
	scale := func(copyData []byte) float64 {
		t.Helper()
		a, b := fingerprint(t, encodePNG(t, src)), fingerprint(t, copyData)
		da, errA := decodeDetail(a.Detail)
		db, errB := decodeDetail(b.Detail)
		if errA != nil || errB != nil {
			t.Fatal(errA, errB)
		}
		fa, _ := da.frame(VariantFull)
		fb, _ := db.frame(VariantFull)
		ok, s := colourAgrees(da, db, fa, fb, overlap(fa, fb, false), false, DefaultImageThresholds().detailParams())
		if !ok {
			t.Fatal("colours of a copy disagree")
		}
		return s
	}
	if s := scale(encodeJPEG(t, recoloured(src, 1.12, 1.35), 90)); s < recolouredScale {
		t.Errorf("vivid recolouring: chroma scale %.3f, want at least %.2f", s, recolouredScale)
	}
	if s := scale(encodeJPEG(t, src, 35)); s >= recolouredScale || s <= 1/recolouredScale {
		t.Errorf("recompressed copy: chroma scale %.3f, want within %.2f of 1", s, recolouredScale)
	}
}

// A DetailCache reused round after round (Forget, then details decoded
// into the memory of the last round, the comparison's scratch grids
// reused) answers exactly as matching without a cache does.
func TestDetailCacheReusedAnswersAsUncached(t *testing.T) {
	var prints []ImagePrint
	for seed := range uint64(4) {
		src := drawScreen(20+seed, screenW, screenH)
		w, h := src.Rect.Dx(), src.Rect.Dy()
		prints = append(prints,
			fingerprint(t, encodePNG(t, src)),
			fingerprint(t, encodePNG(t, cropped(src, image.Rect(0, h*12/100, w, h)))),
			fingerprint(t, encodeJPEG(t, watermarked(t, src), 85)),
		)
	}
	broken := prints[0]
	broken.Detail = []byte{1, 2, 3}
	prints = append(prints, broken)
	cache := &DetailCache{}
	th := DefaultImageThresholds()
	matched := 0
	for round := range 2 {
		for i, a := range prints {
			for j, b := range prints {
				want, wantOK := th.Match(a, b)
				got, gotOK := th.MatchCached(cache, a, b)
				if got != want || gotOK != wantOK {
					t.Fatalf("round %d, prints %d and %d: cached %+v %v, uncached %+v %v", round, i, j, got, gotOK, want, wantOK)
				}
				if ColoursAgreeCached(cache, a, b, false) != ColoursAgree(a, b, false) {
					t.Fatalf("round %d, prints %d and %d: colours agree differently through the cache", round, i, j)
				}
				if gotOK && i != j {
					matched++
				}
			}
			cache.Forget()
		}
	}
	if matched == 0 {
		t.Fatal("no pair of distinct prints matched; the test compares only rejections")
	}
}
