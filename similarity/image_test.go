package similarity

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/image/bmp"
)

// quadrants draws a w x h image whose four quadrants have distinct colours,
// so that every orientation of it is distinguishable.
func quadrants(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	fillRect(m, image.Rect(0, 0, w/2, h/2), colRed)
	fillRect(m, image.Rect(w/2, 0, w, h/2), colGreen)
	fillRect(m, image.Rect(0, h/2, w/2, h), colBlue)
	fillRect(m, image.Rect(w/2, h/2, w, h), colYellow)
	return m
}

var (
	colRed    = color.RGBA{220, 20, 20, 255}
	colGreen  = color.RGBA{20, 200, 20, 255}
	colBlue   = color.RGBA{20, 20, 220, 255}
	colYellow = color.RGBA{230, 220, 20, 255}
)

func TestDecodeImageFormats(t *testing.T) {
	screen := drawScreen(1, 90, 160)
	gifBuf := new(bytes.Buffer)
	if err := gif.Encode(gifBuf, screen, &gif.Options{NumColors: 256}); err != nil {
		t.Fatal(err)
	}
	bmpBuf := new(bytes.Buffer)
	if err := bmp.Encode(bmpBuf, screen); err != nil {
		t.Fatal(err)
	}
	twoTone := image.NewNRGBA(image.Rect(0, 0, 40, 30))
	for y := range 30 {
		for x := range 40 {
			c := color.NRGBA{10, 120, 200, 255}
			if x >= 20 {
				c = color.NRGBA{250, 120, 30, 255}
			}
			twoTone.SetNRGBA(x, y, c)
		}
	}

	tests := []struct {
		name       string
		data       []byte
		wantFormat string
		wantW      int
		wantH      int
	}{
		{"png", encodePNG(t, screen), "png", 90, 160},
		{"jpeg", encodeJPEG(t, screen, 80), "jpeg", 90, 160},
		{"gif", gifBuf.Bytes(), "gif", 90, 160},
		{"bmp", bmpBuf.Bytes(), "bmp", 90, 160},
		{"webp lossless", encodeWebPLossless(t, twoTone), "webp", 40, 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, info, err := DecodeImage(tt.data, ImageLimits{})
			if err != nil {
				t.Fatalf("DecodeImage: %v", err)
			}
			if info.Format != tt.wantFormat || info.Width != tt.wantW || info.Height != tt.wantH || info.Orientation != 1 || info.Bytes != len(tt.data) {
				t.Errorf("info = %+v, want %s %dx%d orientation 1, %d bytes", info, tt.wantFormat, tt.wantW, tt.wantH, len(tt.data))
			}
			if b := img.Bounds(); b.Dx() != tt.wantW || b.Dy() != tt.wantH {
				t.Errorf("image bounds %v, want %dx%d", b, tt.wantW, tt.wantH)
			}
		})
	}
	t.Run("webp pixels", func(t *testing.T) {
		img, _, err := DecodeImage(encodeWebPLossless(t, twoTone), ImageLimits{})
		if err != nil {
			t.Fatal(err)
		}
		if got := color.NRGBAModel.Convert(img.At(30, 10)).(color.NRGBA); got != (color.NRGBA{250, 120, 30, 255}) {
			t.Errorf("pixel (30,10) = %v, want the right half's orange", got)
		}
	})
}

// bombPNG is a valid PNG header declaring w x h RGBA pixels followed by a
// small zlib stream of zeros, the shape of a decompression bomb.
func bombPNG(t *testing.T, w, h uint32) []byte {
	t.Helper()
	var ihdr bytes.Buffer
	_ = binary.Write(&ihdr, binary.BigEndian, w)
	_ = binary.Write(&ihdr, binary.BigEndian, h)
	ihdr.Write([]byte{8, 6, 0, 0, 0}) // 8-bit RGBA, deflate, no filter, no interlace
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	if _, err := zw.Write(make([]byte, 4<<20)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	out.Write(pngChunk("IHDR", ihdr.Bytes()))
	out.Write(pngChunk("IDAT", z.Bytes()))
	out.Write(pngChunk("IEND", nil))
	return out.Bytes()
}

// manyScansJPEG repeats the scan of a baseline JPEG n times, the shape of a
// progressive JPEG whose scans multiply the decoding work.
func manyScansJPEG(t *testing.T, n int) []byte {
	t.Helper()
	data := encodeJPEG(t, quadrants(16, 16), 90)
	sos := bytes.Index(data, []byte{0xFF, 0xDA})
	if sos < 0 || !bytes.HasSuffix(data, []byte{0xFF, 0xD9}) {
		t.Fatal("unexpected JPEG layout")
	}
	scan := data[sos : len(data)-2]
	out := bytes.Clone(data[:sos])
	for range n {
		out = append(out, scan...)
	}
	return append(out, 0xFF, 0xD9)
}

// bombJPEG rewrites the frame header of a real JPEG to declare w x h.
func bombJPEG(t *testing.T, w, h uint16) []byte {
	t.Helper()
	data := encodeJPEG(t, quadrants(16, 16), 90)
	i := bytes.Index(data, []byte{0xFF, 0xC0})
	if i < 0 {
		t.Fatal("no baseline frame header in encoded JPEG")
	}
	binary.BigEndian.PutUint16(data[i+5:], h)
	binary.BigEndian.PutUint16(data[i+7:], w)
	return data
}

func TestDecodeImageRefusesBadInput(t *testing.T) {
	jpg := encodeJPEG(t, drawScreen(2, 180, 320), 85)
	pngData := encodePNG(t, drawScreen(2, 180, 320))

	tests := []struct {
		name    string
		data    []byte
		lim     ImageLimits
		wantErr error
		wantMsg string
	}{
		{"empty", nil, ImageLimits{}, ErrEmptyImage, "no data"},
		{"over byte limit", pngData, ImageLimits{MaxBytes: 1000}, ErrImageTooLarge, "over the limit of 1000"},
		{"text", []byte("<html>not an image</html>"), ImageLimits{}, ErrUnsupportedFormat, "unsupported format"},
		{"tiff", []byte("II*\x00\x08\x00\x00\x00"), ImageLimits{}, ErrUnsupportedFormat, "not JPEG, PNG, GIF, WebP or BMP"},
		{"png decompression bomb", bombPNG(t, 100000, 100000), ImageLimits{}, ErrImageTooLarge, "image 100000x100000 exceeds pixel budget 50000000"},
		{"jpeg decompression bomb", bombJPEG(t, 65000, 65000), ImageLimits{}, ErrImageTooLarge, "image 65000x65000 exceeds pixel budget 50000000"},
		{"jpeg with thousands of scans", manyScansJPEG(t, 5000), ImageLimits{}, ErrImageTooLarge, "jpeg has 5000 scans, more than 100"},
		{"over a custom pixel budget", pngData, ImageLimits{MaxPixels: 10000}, ErrImageTooLarge, "image 180x320 exceeds pixel budget 10000"},
		{"truncated jpeg", jpg[:len(jpg)*6/10], ImageLimits{}, ErrTruncated, "decode jpeg: truncated"},
		{"truncated png", pngData[:len(pngData)/2], ImageLimits{}, ErrTruncated, "decode png: truncated"},
		{"jpeg header only", jpg[:20], ImageLimits{}, ErrTruncated, "jpeg header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, _, err := DecodeImage(tt.data, tt.lim)
			if err == nil {
				t.Fatalf("DecodeImage succeeded (%v), want error", img.Bounds())
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("error %q is not %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not say %q", err, tt.wantMsg)
			}
			if _, err := FingerprintImage(tt.data, tt.lim); !errors.Is(err, tt.wantErr) {
				t.Errorf("FingerprintImage error %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestJPEGScans(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want int
	}{
		{"baseline", encodeJPEG(t, drawScreen(3, 90, 160), 75), 1},
		{"with exif", withEXIFOrientation(encodeJPEG(t, quadrants(16, 16), 75), 3, binary.BigEndian), 1},
		{"repeated scans", manyScansJPEG(t, 7), 7},
		{"cut before the scan", encodeJPEG(t, quadrants(16, 16), 75)[:100], 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := jpegScans(tt.data); got != tt.want {
				t.Errorf("jpegScans = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestDecodeImageAppliesEXIFOrientation(t *testing.T) {
	// The stored image; each orientation says how to turn it upright. The
	// expected corners follow from the EXIF definitions, not from the code.
	stored := encodeJPEG(t, quadrants(60, 40), 95)
	tests := []struct {
		orientation    uint16
		w, h           int
		tl, tr, bl, br color.RGBA
	}{
		{1, 60, 40, colRed, colGreen, colBlue, colYellow},
		{2, 60, 40, colGreen, colRed, colYellow, colBlue},
		{3, 60, 40, colYellow, colBlue, colGreen, colRed},
		{4, 60, 40, colBlue, colYellow, colRed, colGreen},
		{5, 40, 60, colRed, colBlue, colGreen, colYellow}, // transpose
		{6, 40, 60, colBlue, colRed, colYellow, colGreen}, // rotate 90° clockwise
		{7, 40, 60, colYellow, colGreen, colBlue, colRed}, // transverse
		{8, 40, 60, colGreen, colYellow, colRed, colBlue}, // rotate 90° counter-clockwise
		{9, 60, 40, colRed, colGreen, colBlue, colYellow}, // invalid: as stored
	}
	for _, tt := range tests {
		for _, bo := range []binary.ByteOrder{binary.BigEndian, binary.LittleEndian} {
			t.Run(bo.String()+"/"+strconv.Itoa(int(tt.orientation)), func(t *testing.T) {
				data := withEXIFOrientation(stored, tt.orientation, bo)
				img, info, err := DecodeImage(data, ImageLimits{})
				if err != nil {
					t.Fatal(err)
				}
				wantOrientation := int(tt.orientation)
				if wantOrientation > 8 {
					wantOrientation = 1
				}
				if info.Orientation != wantOrientation || info.Width != tt.w || info.Height != tt.h {
					t.Errorf("info = %+v, want orientation %d, %dx%d", info, wantOrientation, tt.w, tt.h)
				}
				b := img.Bounds()
				if b.Dx() != tt.w || b.Dy() != tt.h {
					t.Fatalf("bounds %v, want %dx%d", b, tt.w, tt.h)
				}
				corners := []struct {
					name string
					x, y int
					want color.RGBA
				}{
					{"top left", 5, 5, tt.tl}, {"top right", tt.w - 6, 5, tt.tr},
					{"bottom left", 5, tt.h - 6, tt.bl}, {"bottom right", tt.w - 6, tt.h - 6, tt.br},
				}
				for _, c := range corners {
					got := color.RGBAModel.Convert(img.At(b.Min.X+c.x, b.Min.Y+c.y)).(color.RGBA)
					if colourDistance([3]uint8{got.R, got.G, got.B}, [3]uint8{c.want.R, c.want.G, c.want.B}) > 40 {
						t.Errorf("%s = %v, want about %v", c.name, got, c.want)
					}
				}
			})
		}
	}

	t.Run("fingerprint of a rotated photo matches the upright one", func(t *testing.T) {
		upright := drawScreen(4, 180, 320)
		// Store it rotated 90° counter-clockwise, tagged "rotate 90° clockwise to view".
		stored := orientRGBA(upright, 8)
		a, err := FingerprintImage(encodePNG(t, upright), ImageLimits{})
		if err != nil {
			t.Fatal(err)
		}
		b, err := FingerprintImage(withEXIFOrientation(encodeJPEG(t, stored, 90), 6, binary.BigEndian), ImageLimits{})
		if err != nil {
			t.Fatal(err)
		}
		if b.Width != 180 || b.Height != 320 {
			t.Errorf("print size %dx%d, want the upright 180x320", b.Width, b.Height)
		}
		if m, ok := MatchImages(a, b); !ok || m.Mirrored {
			t.Errorf("MatchImages = %+v, %v; want a plain match", m, ok)
		}
	})
}

func TestJPEGOrientationToleratesMalformedEXIF(t *testing.T) {
	good := withEXIFOrientation(encodeJPEG(t, quadrants(16, 16), 90), 6, binary.BigEndian)
	app1 := bytes.Index(good, []byte("Exif"))
	tests := []struct {
		name string
		data []byte
	}{
		{"no exif", encodeJPEG(t, quadrants(16, 16), 90)},
		{"segment length past the end", append([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF}, "Exif\x00\x00MM"...)},
		{"segment length below two", []byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01, 0x00}},
		{"bad byte order", bytes.Replace(good, []byte("MM\x00*"), []byte("XX\x00*"), 1)},
		{"IFD offset past the end", func() []byte {
			d := bytes.Clone(good)
			binary.BigEndian.PutUint32(d[app1+6+4:], 0xFFFFFF00)
			return d
		}()},
		{"entry count past the end", func() []byte {
			d := bytes.Clone(good)
			binary.BigEndian.PutUint16(d[app1+6+8:], 0xFFFF)
			return d[:app1+6+10+12+4] // first entry whole, orientation entry cut
		}()},
		{"orientation stored as LONG", func() []byte {
			d := bytes.Clone(good)
			binary.BigEndian.PutUint16(d[app1+6+10+12+2:], 4)
			return d
		}()},
		{"orientation out of range", func() []byte {
			d := bytes.Clone(good)
			binary.BigEndian.PutUint16(d[app1+6+10+12+8:], 0)
			return d
		}()},
		{"cut inside the IFD", good[:app1+20]},
		{"only fill bytes", []byte{0xFF, 0xD8, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := jpegOrientation(tt.data); got != 1 {
				t.Errorf("jpegOrientation = %d, want 1", got)
			}
		})
	}
	if got := jpegOrientation(good); got != 6 {
		t.Errorf("well-formed EXIF: jpegOrientation = %d, want 6", got)
	}
}

func TestDecodeImageFlattensAlpha(t *testing.T) {
	m := image.NewNRGBA(image.Rect(0, 0, 40, 20))
	for y := range 20 {
		for x := range 40 {
			switch {
			case x < 10:
				m.SetNRGBA(x, y, color.NRGBA{200, 0, 0, 0}) // invisible red
			case x < 20:
				m.SetNRGBA(x, y, color.NRGBA{0, 0, 0, 128}) // half black
			default:
				m.SetNRGBA(x, y, color.NRGBA{0, 0, 200, 255}) // opaque blue
			}
		}
	}
	pal := image.NewPaletted(image.Rect(0, 0, 40, 20), color.Palette{color.NRGBA{0, 0, 0, 0}, color.NRGBA{0, 0, 200, 255}})
	for y := range 20 {
		for x := 20; x < 40; x++ {
			pal.SetColorIndex(x, y, 1)
		}
	}
	gifBuf := new(bytes.Buffer)
	if err := gif.Encode(gifBuf, pal, nil); err != nil {
		t.Fatal(err)
	}
	webpSrc := image.NewNRGBA(image.Rect(0, 0, 40, 20))
	for y := range 20 {
		for x := range 40 {
			if x < 20 {
				webpSrc.SetNRGBA(x, y, color.NRGBA{0, 0, 0, 0})
			} else {
				webpSrc.SetNRGBA(x, y, color.NRGBA{0, 0, 200, 255})
			}
		}
	}

	tests := []struct {
		name string
		data []byte
		x    int
		want color.RGBA
	}{
		{"png transparent", encodePNG(t, m), 5, color.RGBA{255, 255, 255, 255}},
		{"png half transparent", encodePNG(t, m), 15, color.RGBA{127, 127, 127, 255}},
		{"png opaque", encodePNG(t, m), 30, color.RGBA{0, 0, 200, 255}},
		{"gif transparent index", gifBuf.Bytes(), 5, color.RGBA{255, 255, 255, 255}},
		{"gif opaque index", gifBuf.Bytes(), 30, color.RGBA{0, 0, 200, 255}},
		{"webp transparent", encodeWebPLossless(t, webpSrc), 5, color.RGBA{255, 255, 255, 255}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, _, err := DecodeImage(tt.data, ImageLimits{})
			if err != nil {
				t.Fatal(err)
			}
			got := color.RGBAModel.Convert(img.At(img.Bounds().Min.X+tt.x, img.Bounds().Min.Y+10)).(color.RGBA)
			if colourDistance([3]uint8{got.R, got.G, got.B}, [3]uint8{tt.want.R, tt.want.G, tt.want.B}) > 1 || got.A != 255 {
				t.Errorf("pixel = %v, want %v", got, tt.want)
			}
		})
	}

	t.Run("logo on transparent background fingerprints like on white", func(t *testing.T) {
		logo := drawScreen(6, 180, 320)
		clear := image.NewNRGBA(image.Rect(0, 0, 240, 400))
		onWhite := image.NewRGBA(clear.Rect)
		fillRect(onWhite, onWhite.Rect, color.White)
		for y := range 320 {
			for x := range 180 {
				c := logo.RGBAAt(x, y)
				clear.SetNRGBA(x+30, y+40, color.NRGBA{c.R, c.G, c.B, 255})
				onWhite.SetRGBA(x+30, y+40, c)
			}
		}
		a, err := FingerprintImage(encodePNG(t, clear), ImageLimits{})
		if err != nil {
			t.Fatal(err)
		}
		b, err := FingerprintImage(encodePNG(t, onWhite), ImageLimits{})
		if err != nil {
			t.Fatal(err)
		}
		if m, ok := MatchImages(a, b); !ok || m.PHashDistance != 0 || m.DHashDistance != 0 {
			t.Errorf("MatchImages = %+v, %v; want identical hashes", m, ok)
		}
	})
}
