package similarity

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"strings"

	"golang.org/x/image/bmp"
	"golang.org/x/image/webp"
)

// Default limits for listing images. Marketplace screenshots are a few
// megabytes and a few million pixels; the limits leave ample room for large
// photographs while keeping one decode within a few hundred megabytes.
const (
	DefaultMaxImageBytes  = 20 << 20
	DefaultMaxImagePixels = 50_000_000
)

// ImageLimits bounds the work one image may cause. Listing images come from
// untrusted providers, and a few kilobytes of PNG can declare a canvas that
// would need gigabytes once decoded, so both the encoded size and the decoded
// pixel count are checked before any pixel is decoded. A zero field means
// the default.
type ImageLimits struct {
	// MaxBytes is the largest encoded image accepted.
	MaxBytes int64
	// MaxPixels is the largest width*height accepted, as declared by the
	// image header.
	MaxPixels int64
}

func (l ImageLimits) withDefaults() ImageLimits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxImageBytes
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = DefaultMaxImagePixels
	}
	return l
}

// ImageInfo describes a decoded image as a reviewer would see it: Width and
// Height are the displayed size, after the EXIF orientation is applied.
type ImageInfo struct {
	// Format is one of "jpeg", "png", "gif", "webp", "bmp".
	Format string `json:"format"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	// Orientation is the EXIF orientation (1–8) that was applied; 1 when the
	// image carries none.
	Orientation int `json:"orientation"`
	// Bytes is the encoded size.
	Bytes int `json:"bytes"`
}

// Errors a caller can tell apart with errors.Is, for example to report an
// unreadable image as a quality finding instead of a scan failure.
var (
	ErrUnsupportedFormat = errors.New("unsupported format")
	ErrImageTooLarge     = errors.New("image too large")
	ErrTruncated         = errors.New("truncated image data")
	ErrEmptyImage        = errors.New("empty image")
)

// imageFormat is one supported encoding with its own decoder entry points.
// The decoders are called directly rather than through image.Decode so that
// the accepted formats do not depend on which packages happen to register
// themselves in the program.
type imageFormat struct {
	name         string
	decodeConfig func(io.Reader) (image.Config, error)
	decode       func(io.Reader) (image.Image, error)
	// truncated reports whether data lacks the format's end, so that a
	// failed decode can say "truncated" (an interrupted download) rather
	// than repeat the decoder's symptom ("short Huffman data").
	truncated func(data []byte) bool
}

var (
	formatJPEG = imageFormat{"jpeg", jpeg.DecodeConfig, jpeg.Decode, func(d []byte) bool {
		d = bytes.TrimRight(d, "\x00") // some encoders pad after the end marker
		return !bytes.HasSuffix(d, []byte{0xFF, 0xD9})
	}}
	formatPNG = imageFormat{"png", png.DecodeConfig, png.Decode, func(d []byte) bool {
		return !bytes.Contains(d[max(0, len(d)-16):], []byte("IEND"))
	}}
	// gif.Decode stops after the first frame.
	formatGIF = imageFormat{"gif", gif.DecodeConfig, gif.Decode, func(d []byte) bool {
		return d[len(d)-1] != 0x3B
	}}
	formatWebP = imageFormat{"webp", webp.DecodeConfig, webp.Decode, func(d []byte) bool {
		return int64(binary.LittleEndian.Uint32(d[4:8])) > int64(len(d)-8)
	}}
	formatBMP = imageFormat{"bmp", bmp.DecodeConfig, bmp.Decode, func(d []byte) bool {
		return len(d) < 6 || int64(binary.LittleEndian.Uint32(d[2:6])) > int64(len(d))
	}}
)

// sniffFormat recognises the supported formats by their magic bytes.
func sniffFormat(data []byte) (imageFormat, bool) {
	switch {
	case len(data) >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF:
		return formatJPEG, true
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return formatPNG, true
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return formatGIF, true
	case len(data) >= 12 && string(data[0:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		return formatWebP, true
	case bytes.HasPrefix(data, []byte("BM")):
		return formatBMP, true
	}
	return imageFormat{}, false
}

// decodeRaw checks the limits against the header, then decodes the pixels
// as stored: orientation not applied, alpha kept. It is shared by
// DecodeImage, which finishes the job at full resolution, and
// FingerprintImage, which finishes it on a small working copy.
func decodeRaw(data []byte, lim ImageLimits) (image.Image, ImageInfo, error) {
	lim = lim.withDefaults()
	info := ImageInfo{Bytes: len(data), Orientation: 1}
	if len(data) == 0 {
		return nil, info, fmt.Errorf("%w: no data", ErrEmptyImage)
	}
	if int64(len(data)) > lim.MaxBytes {
		return nil, info, fmt.Errorf("%w: image data is %d bytes, over the limit of %d", ErrImageTooLarge, len(data), lim.MaxBytes)
	}
	f, ok := sniffFormat(data)
	if !ok {
		return nil, info, fmt.Errorf("%w: not JPEG, PNG, GIF, WebP or BMP (starts with %q)", ErrUnsupportedFormat, prefix(data, 8))
	}
	info.Format = f.name

	cfg, err := guarded(f.name, func() (image.Config, error) { return f.decodeConfig(bytes.NewReader(data)) })
	if err != nil {
		return nil, info, decodeError(f.name+" header", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, info, fmt.Errorf("%w: %s header declares size %dx%d", ErrEmptyImage, f.name, cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height) > lim.MaxPixels {
		return nil, info, fmt.Errorf("%w: image %dx%d exceeds pixel budget %d", ErrImageTooLarge, cfg.Width, cfg.Height, lim.MaxPixels)
	}

	if f.name == "jpeg" {
		// Decoding time grows with pixels times scans, and a progressive
		// JPEG can pack thousands of scans into a small file.
		if n := jpegScans(data); n > maxJPEGScans {
			return nil, info, fmt.Errorf("%w: jpeg has %d scans, more than %d", ErrImageTooLarge, n, maxJPEGScans)
		}
	}

	img, err := guarded(f.name, func() (image.Image, error) { return f.decode(bytes.NewReader(data)) })
	if err != nil {
		if f.truncated(data) {
			return nil, info, fmt.Errorf("decode %s: %w (%v)", f.name, ErrTruncated, err)
		}
		return nil, info, decodeError(f.name, err)
	}
	b := img.Bounds()
	if b.Empty() {
		return nil, info, fmt.Errorf("%w: decoded %s has size %dx%d", ErrEmptyImage, f.name, b.Dx(), b.Dy())
	}
	if int64(b.Dx())*int64(b.Dy()) > lim.MaxPixels {
		// The header check makes this unreachable for the standard decoders;
		// it guards against a decoder that trusts a different size field.
		return nil, info, fmt.Errorf("%w: decoded image %dx%d exceeds pixel budget %d", ErrImageTooLarge, b.Dx(), b.Dy(), lim.MaxPixels)
	}
	if f.name == "jpeg" {
		info.Orientation = jpegOrientation(data)
	}
	info.Width, info.Height = b.Dx(), b.Dy()
	if info.Orientation >= 5 {
		info.Width, info.Height = info.Height, info.Width
	}
	return img, info, nil
}

// guarded runs a decoder and turns a panic into an error. The standard
// decoders are fuzzed and do not panic on bad input, but one image from a
// provider must never take a whole scan down, whatever a decoder does.
func guarded[T any](format string, decode func() (T, error)) (v T, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s decoder failed on malformed data: %v", format, r)
		}
	}()
	return decode()
}

func decodeError(what string, err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || strings.Contains(err.Error(), "unexpected EOF") {
		return fmt.Errorf("decode %s: %w (%v)", what, ErrTruncated, err)
	}
	return fmt.Errorf("decode %s: %w", what, err)
}

func prefix(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// DecodeImage decodes a listing image the way a viewer displays it: the EXIF
// orientation of a JPEG is applied and transparent pixels are composed onto
// white, because marketplace pages show images on a white background and a
// copy saved from the page has lost its alpha channel. The header is checked
// against lim before any pixel is decoded.
func DecodeImage(data []byte, lim ImageLimits) (image.Image, ImageInfo, error) {
	img, info, err := decodeRaw(data, lim)
	if err != nil {
		return nil, info, err
	}
	if !isOpaque(img) {
		img = flattenOnWhite(img)
	}
	if info.Orientation != 1 {
		img = orientRGBA(toRGBA(img), info.Orientation)
	}
	return img, info, nil
}

func isOpaque(img image.Image) bool {
	if o, ok := img.(interface{ Opaque() bool }); ok {
		return o.Opaque()
	}
	return false
}

// flattenOnWhite composes img over an opaque white canvas.
func flattenOnWhite(img image.Image) *image.RGBA {
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(dst, dst.Bounds(), img, b.Min, draw.Over)
	return dst
}

func toRGBA(img image.Image) *image.RGBA {
	if m, ok := img.(*image.RGBA); ok && m.Rect.Min == (image.Point{}) {
		return m
	}
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(dst, dst.Bounds(), img, b.Min, draw.Src)
	return dst
}

// orientRGBA returns src turned upright for the given EXIF orientation:
//
//	1 as stored          5 transposed (mirror, then rotate 90° counter-clockwise)
//	2 mirrored           6 rotate 90° clockwise
//	3 rotated 180°       7 transversed (mirror, then rotate 90° clockwise)
//	4 flipped vertically 8 rotate 90° counter-clockwise
//
// Any other value leaves the image as stored.
func orientRGBA(src *image.RGBA, orientation int) *image.RGBA {
	if orientation < 2 || orientation > 8 {
		return src
	}
	w, h := src.Rect.Dx(), src.Rect.Dy()
	dw, dh := w, h
	if orientation >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := range dh {
		do := y * dst.Stride
		for x := range dw {
			var sx, sy int
			switch orientation {
			case 2:
				sx, sy = w-1-x, y
			case 3:
				sx, sy = w-1-x, h-1-y
			case 4:
				sx, sy = x, h-1-y
			case 5:
				sx, sy = y, x
			case 6:
				sx, sy = y, h-1-x
			case 7:
				sx, sy = w-1-y, h-1-x
			case 8:
				sx, sy = w-1-y, x
			}
			so := src.PixOffset(src.Rect.Min.X+sx, src.Rect.Min.Y+sy)
			copy(dst.Pix[do+4*x:do+4*x+4], src.Pix[so:so+4])
		}
	}
	return dst
}

// maxJPEGScans bounds the scans of a progressive JPEG. Encoders write about
// ten; every scan walks every block of the image again.
const maxJPEGScans = 100

// jpegScans counts the start-of-scan markers of a JPEG, skipping the
// entropy-coded data between them, in one pass over data.
func jpegScans(data []byte) int {
	scans := 0
	i := 2 // after SOI
	for i+4 <= len(data) {
		if data[i] != 0xFF {
			return scans
		}
		marker := data[i+1]
		switch {
		case marker == 0xFF:
			i++
			continue
		case marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7):
			i += 2
			continue
		case marker == 0xD9:
			return scans
		}
		segLen := int(binary.BigEndian.Uint16(data[i+2:]))
		if segLen < 2 {
			return scans
		}
		i += 2 + segLen
		if marker != 0xDA {
			continue
		}
		scans++
		// Entropy-coded data ends at the first marker that is neither a
		// stuffed zero, a restart marker nor fill.
		for i+1 < len(data) && (data[i] != 0xFF || data[i+1] == 0x00 || data[i+1] == 0xFF || (data[i+1] >= 0xD0 && data[i+1] <= 0xD7)) {
			i++
		}
	}
	return scans
}

// jpegOrientation reads the EXIF orientation tag (0x0112) from the APP1
// segment of a JPEG. It walks only the marker segments before the image data
// and every offset is checked against the slice, so hostile EXIF blocks cost
// nothing and cannot fail the decode: anything unreadable means 1.
func jpegOrientation(data []byte) int {
	i := 2 // after SOI
	for i+4 <= len(data) {
		if data[i] != 0xFF {
			return 1
		}
		marker := data[i+1]
		switch {
		case marker == 0xFF: // fill byte
			i++
			continue
		case marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7):
			i += 2
			continue
		case marker == 0xD9 || marker == 0xDA: // end of image, start of scan
			return 1
		}
		segLen := int(binary.BigEndian.Uint16(data[i+2:]))
		if segLen < 2 || i+2+segLen > len(data) {
			return 1
		}
		seg := data[i+4 : i+2+segLen]
		if marker == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return tiffOrientation(seg[6:])
		}
		i += 2 + segLen
	}
	return 1
}

func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	if bo.Uint16(t[2:]) != 42 {
		return 1
	}
	ifd := int64(bo.Uint32(t[4:]))
	if ifd < 8 || ifd+2 > int64(len(t)) {
		return 1
	}
	n := int(bo.Uint16(t[ifd:]))
	for k := range n {
		e := ifd + 2 + int64(k)*12
		if e+12 > int64(len(t)) {
			return 1
		}
		if bo.Uint16(t[e:]) != 0x0112 {
			continue
		}
		if typ := bo.Uint16(t[e+2:]); typ != 3 || bo.Uint32(t[e+4:]) < 1 { // SHORT, count >= 1
			return 1
		}
		if o := int(bo.Uint16(t[e+8:])); o >= 1 && o <= 8 {
			return o
		}
		return 1
	}
	return 1
}
