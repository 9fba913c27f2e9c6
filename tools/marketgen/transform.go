package marketgen

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	stddraw "image/draw"
	"image/jpeg"
	"image/png"
	"math"

	"golang.org/x/image/draw"
)

// The image transformations copiers apply to a stolen picture. Each returns
// a new image and leaves its input alone.

// ImageTransforms names every image transformation the generators plant, in
// a fixed order.
var ImageTransforms = []string{"jpeg35", "resize50", "thumb390x260", "crop5", "statusbar12", "border20", "mirror", "watermark", "logo", "color", "grayscale"}

// maxDecodePixels bounds the size of images this package decodes.
const maxDecodePixels = 40_000_000

// toRGBA returns an RGBA copy of img with bounds starting at 0,0.
func toRGBA(img image.Image) *image.RGBA {
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	stddraw.Draw(dst, dst.Bounds(), img, b.Min, stddraw.Src)
	return dst
}

func scaleRGBA(img image.Image, w, h int) *image.RGBA {
	if w < 1 {
		w = 1
	}
	if h < 1 {
		h = 1
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.BiLinear.Scale(dst, dst.Bounds(), img, img.Bounds(), draw.Src, nil)
	return dst
}

// JPEGRecompress decodes an image and encodes it again as JPEG at the given
// quality, the loss a copier's download-and-reupload causes (jpeg35 uses 35).
func JPEGRecompress(data []byte, quality int) ([]byte, error) {
	img, err := DecodeImage(data)
	if err != nil {
		return nil, err
	}
	return EncodeJPEG(img, quality)
}

// DecodeImage decodes PNG or JPEG bytes, refusing images larger than 40 Mpx.
func DecodeImage(data []byte) (image.Image, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("decode image header: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxDecodePixels {
		return nil, fmt.Errorf("decode image: %dx%d pixels out of bounds", cfg.Width, cfg.Height)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("decode image: %w", err)
	}
	return img, nil
}

// EncodeJPEG encodes img as baseline JPEG.
func EncodeJPEG(img image.Image, quality int) ([]byte, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		return nil, fmt.Errorf("encode jpeg: %w", err)
	}
	return buf.Bytes(), nil
}

// EncodePNG encodes img as PNG with fast compression.
func EncodePNG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode png: %w", err)
	}
	return buf.Bytes(), nil
}

// Resize scales img by factor (resize50 uses 0.5).
func Resize(img image.Image, factor float64) *image.RGBA {
	b := img.Bounds()
	return scaleRGBA(img, int(math.Round(float64(b.Dx())*factor)), int(math.Round(float64(b.Dy())*factor)))
}

// Thumbnail forces img into w×h, ignoring its aspect ratio, like a
// marketplace thumbnailer does (thumb390x260).
func Thumbnail(img image.Image, w, h int) *image.RGBA {
	return scaleRGBA(img, w, h)
}

// CropMargins cuts frac of the width and height off every side (crop5 uses 0.05).
func CropMargins(img image.Image, frac float64) *image.RGBA {
	b := img.Bounds()
	dx, dy := int(math.Round(float64(b.Dx())*frac)), int(math.Round(float64(b.Dy())*frac))
	return toRGBA(subImage(img, image.Rect(b.Min.X+dx, b.Min.Y+dy, b.Max.X-dx, b.Max.Y-dy)))
}

// CropTop cuts frac of the height off the top: the status and navigation
// bars of a phone screenshot (statusbar12 uses 0.12).
func CropTop(img image.Image, frac float64) *image.RGBA {
	b := img.Bounds()
	dy := int(math.Round(float64(b.Dy()) * frac))
	return toRGBA(subImage(img, image.Rect(b.Min.X, b.Min.Y+dy, b.Max.X, b.Max.Y)))
}

func subImage(img image.Image, r image.Rectangle) image.Image {
	if s, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	}); ok {
		return s.SubImage(r)
	}
	dst := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	stddraw.Draw(dst, dst.Bounds(), img, r.Min, stddraw.Src)
	return dst
}

// AddBorder pads img with a frame of colour c whose width on each side is
// frac of the image's width (left, right) and height (top, bottom);
// border20 uses 0.20 and white.
func AddBorder(img image.Image, frac float64, c color.Color) *image.RGBA {
	b := img.Bounds()
	dx, dy := int(math.Round(float64(b.Dx())*frac)), int(math.Round(float64(b.Dy())*frac))
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx()+2*dx, b.Dy()+2*dy))
	Fill(dst, dst.Bounds(), c)
	stddraw.Draw(dst, image.Rect(dx, dy, dx+b.Dx(), dy+b.Dy()), img, b.Min, stddraw.Src)
	return dst
}

// Mirror flips img left to right.
func Mirror(img image.Image) *image.RGBA {
	src := toRGBA(img)
	w, h := src.Bounds().Dx(), src.Bounds().Dy()
	dst := image.NewRGBA(src.Bounds())
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			copy(dst.Pix[dst.PixOffset(w-1-x, y):][:4], src.Pix[src.PixOffset(x, y):][:4])
		}
	}
	return dst
}

// Watermark lays semi-transparent text over img in staggered rows, the way
// copiers stamp "样例" or their own name over a stolen screenshot. The text
// is drawn with p's fonts.
func Watermark(p *Painter, img image.Image, text string, opacity uint8) *image.RGBA {
	dst := toRGBA(img)
	b := dst.Bounds()
	size := max(14, b.Dx()/9)
	big := max(24, b.Dx()/5)
	col := color.NRGBA{0x80, 0x80, 0x80, opacity}
	tw := p.Measure(text, size) + size*2
	row := 0
	for y := size * 2; y < b.Dy(); y += size * 4 {
		off := 0
		if row%2 == 1 {
			off = tw / 2
		}
		for x := -off; x < b.Dx(); x += tw {
			p.Text(dst, x, y, text, size, col)
		}
		row++
	}
	p.TextCentered(dst, b.Dx()/2, b.Dy()/2+big/3, text, big, color.NRGBA{0xff, 0xff, 0xff, opacity + (255-opacity)/3}, true)
	return dst
}

// PasteLogo pastes logo, scaled to frac of img's width, into the bottom-right
// corner with a small margin.
func PasteLogo(img, logo image.Image, frac float64) *image.RGBA {
	dst := toRGBA(img)
	b := dst.Bounds()
	w := max(8, int(float64(b.Dx())*frac))
	lb := logo.Bounds()
	h := max(8, w*lb.Dy()/max(1, lb.Dx()))
	small := scaleRGBA(logo, w, h)
	m := max(4, b.Dx()/40)
	stddraw.Draw(dst, image.Rect(b.Dx()-m-w, b.Dy()-m-h, b.Dx()-m, b.Dy()-m), small, image.Point{}, stddraw.Over)
	return dst
}

// AdjustColor scales brightness (1 = unchanged) and saturation (1 =
// unchanged, 0 = grey) of every pixel.
func AdjustColor(img image.Image, brightness, saturation float64) *image.RGBA {
	dst := toRGBA(img)
	for i := 0; i+3 < len(dst.Pix); i += 4 {
		r, g, b := float64(dst.Pix[i]), float64(dst.Pix[i+1]), float64(dst.Pix[i+2])
		l := 0.299*r + 0.587*g + 0.114*b
		r = (l + (r-l)*saturation) * brightness
		g = (l + (g-l)*saturation) * brightness
		b = (l + (b-l)*saturation) * brightness
		dst.Pix[i] = clamp8(r)
		dst.Pix[i+1] = clamp8(g)
		dst.Pix[i+2] = clamp8(b)
	}
	return dst
}

func clamp8(v float64) uint8 {
	return uint8(math.Max(0, math.Min(255, math.Round(v))))
}

// Grayscale converts img to luminance only (still stored as RGBA, as
// re-uploaded pictures are).
func Grayscale(img image.Image) *image.RGBA {
	return AdjustColor(img, 1, 0)
}

// TransformOptions carries what some transformations need beyond the
// picture itself.
type TransformOptions struct {
	Painter   *Painter    // draws watermark text
	Watermark string      // watermark text, e.g. "样例" or the copier's name
	Logo      image.Image // the copier's logo, for "logo"
}

// ApplyImageTransform runs the named transformation on the encoded picture
// data and returns the copy's encoded bytes (JPEG). jpeg35 re-encodes at
// quality 35; everything else is saved at quality 85.
func ApplyImageTransform(name string, data []byte, o TransformOptions) ([]byte, error) {
	if name == "jpeg35" {
		return JPEGRecompress(data, 35)
	}
	img, err := DecodeImage(data)
	if err != nil {
		return nil, err
	}
	out, err := TransformImage(name, img, o)
	if err != nil {
		return nil, err
	}
	return EncodeJPEG(out, 85)
}

// TransformImage runs the named transformation on a decoded picture.
// jpeg35 returns the picture unchanged: its effect is in the encoding.
func TransformImage(name string, img image.Image, o TransformOptions) (image.Image, error) {
	switch name {
	case "jpeg35":
		return img, nil
	case "resize50":
		return Resize(img, 0.5), nil
	case "thumb390x260":
		return Thumbnail(img, 390, 260), nil
	case "crop5":
		return CropMargins(img, 0.05), nil
	case "statusbar12":
		return CropTop(img, 0.12), nil
	case "border20":
		return AddBorder(img, 0.20, color.White), nil
	case "mirror":
		return Mirror(img), nil
	case "watermark":
		p := o.Painter
		if p == nil {
			p = NewPainter(nil)
		}
		text := o.Watermark
		if text == "" {
			text = "样例"
		}
		return Watermark(p, img, text, 96), nil
	case "logo":
		if o.Logo == nil {
			return nil, fmt.Errorf("transform logo: no logo given")
		}
		return PasteLogo(img, o.Logo, 0.18), nil
	case "color":
		return AdjustColor(img, 1.15, 1.45), nil
	case "grayscale":
		return Grayscale(img), nil
	}
	return nil, fmt.Errorf("unknown image transform %q", name)
}
