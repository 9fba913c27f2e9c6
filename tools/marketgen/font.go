package marketgen

import (
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// DefaultFontPath is where Debian's fonts-wqy-microhei package installs a
// CJK font. Real glyphs make the generated screens look like the screenshots
// providers actually upload; without them text is drawn as glyph-like blocks.
const DefaultFontPath = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

// maxFontBytes bounds how much of a font file is read.
const maxFontBytes = 64 << 20

// Fonts is the typeface every drawing uses. It is safe to share between
// goroutines; each goroutine draws through its own Painter. The zero value
// (or nil) draws text as synthetic glyph-like blocks, so that machines without
// a CJK font still produce distinct, realistic screens.
type Fonts struct {
	font *opentype.Font
}

// LoadFonts reads a TrueType/OpenType font or font collection (the first font
// of a .ttc is used).
func LoadFonts(ctx context.Context, path string) (*Fonts, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("load font %s: %w", path, err)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open font %s: %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFontBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read font %s: %w", path, err)
	}
	if len(data) > maxFontBytes {
		return nil, fmt.Errorf("read font %s: larger than %d bytes", path, maxFontBytes)
	}
	return ParseFonts(data)
}

// ParseFonts parses font bytes: a single font or a collection. Some
// collections (WenQuanYi's among them) store tables at offsets that are not
// 4-byte aligned, which the sfnt parser rejects; such a font is repacked
// into an aligned single font first.
func ParseFonts(data []byte) (*Fonts, error) {
	if len(data) >= 4 && string(data[:4]) == "ttcf" {
		coll, err := opentype.ParseCollection(data)
		if err == nil && coll.NumFonts() > 0 {
			fnt, ferr := coll.Font(0)
			if ferr == nil {
				return &Fonts{font: fnt}, nil
			}
			err = ferr
		}
		if len(data) < 16 {
			return nil, fmt.Errorf("parse font collection: too short")
		}
		packed, perr := repackSFNT(data, binary.BigEndian.Uint32(data[12:16]))
		if perr != nil {
			return nil, fmt.Errorf("parse font collection: %v; repack: %w", err, perr)
		}
		data = packed
	}
	fnt, err := opentype.Parse(data)
	if err == nil {
		return &Fonts{font: fnt}, nil
	}
	packed, perr := repackSFNT(data, 0)
	if perr != nil {
		return nil, fmt.Errorf("parse font: %w", err)
	}
	fnt, err = opentype.Parse(packed)
	if err != nil {
		return nil, fmt.Errorf("parse repacked font: %w", err)
	}
	return &Fonts{font: fnt}, nil
}

// repackSFNT copies the font whose offset table starts at off into a new
// single-font file with every table 4-byte aligned.
func repackSFNT(data []byte, off uint32) ([]byte, error) {
	if uint64(off)+12 > uint64(len(data)) {
		return nil, fmt.Errorf("offset table out of range")
	}
	hdr := data[off:]
	n := int(binary.BigEndian.Uint16(hdr[4:6]))
	if n == 0 || n > 256 || 12+16*n > len(hdr) {
		return nil, fmt.Errorf("bad table count %d", n)
	}
	type rec struct {
		tag, sum  uint32
		off, size uint32
	}
	recs := make([]rec, n)
	for i := range recs {
		b := hdr[12+16*i:]
		recs[i] = rec{binary.BigEndian.Uint32(b), binary.BigEndian.Uint32(b[4:]), binary.BigEndian.Uint32(b[8:]), binary.BigEndian.Uint32(b[12:])}
		if uint64(recs[i].off)+uint64(recs[i].size) > uint64(len(data)) {
			return nil, fmt.Errorf("table %d out of range", i)
		}
	}
	out := make([]byte, 12+16*n, len(data))
	copy(out[:12], hdr[:12])
	for i, r := range recs {
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
		at := uint32(len(out))
		out = append(out, data[r.off:r.off+r.size]...)
		b := out[12+16*i:]
		binary.BigEndian.PutUint32(b, r.tag)
		binary.BigEndian.PutUint32(b[4:], r.sum)
		binary.BigEndian.PutUint32(b[8:], at)
		binary.BigEndian.PutUint32(b[12:], r.size)
	}
	return out, nil
}

// Real reports whether text is drawn with real glyphs rather than blocks.
func (f *Fonts) Real() bool { return f != nil && f.font != nil }

// Painter draws shapes and text onto RGBA images. It caches rasterised
// glyphs, which is what makes drawing thousands of screens fast. A Painter
// is not safe for concurrent use: give each goroutine its own.
type Painter struct {
	fonts *Fonts
	faces map[int]*faceCache
	z     *vector.Rasterizer
}

// NewPainter returns a painter drawing text with fonts (nil: block glyphs).
func NewPainter(fonts *Fonts) *Painter {
	return &Painter{fonts: fonts, faces: map[int]*faceCache{}, z: vector.NewRasterizer(1, 1)}
}

type glyph struct {
	mask *image.Alpha
	off  image.Point // top-left of the mask relative to the pen position on the baseline
	adv  fixed.Int26_6
}

type faceCache struct {
	face   font.Face // nil for block glyphs
	size   int
	glyphs map[rune]*glyph
}

func (p *Painter) face(size int) *faceCache {
	if size < 4 {
		size = 4
	}
	if fc, ok := p.faces[size]; ok {
		return fc
	}
	fc := &faceCache{size: size, glyphs: map[rune]*glyph{}}
	if p.fonts.Real() {
		face, err := opentype.NewFace(p.fonts.font, &opentype.FaceOptions{Size: float64(size), DPI: 72, Hinting: font.HintingNone})
		if err == nil {
			fc.face = face
		}
	}
	p.faces[size] = fc
	return fc
}

func (fc *faceCache) glyph(r rune) *glyph {
	if g, ok := fc.glyphs[r]; ok {
		return g
	}
	var g *glyph
	if fc.face != nil {
		dr, mask, maskp, adv, ok := fc.face.Glyph(fixed.P(0, 0), r)
		if ok {
			a := image.NewAlpha(image.Rect(0, 0, dr.Dx(), dr.Dy()))
			if mask != nil && !dr.Empty() {
				draw.Draw(a, a.Bounds(), mask, maskp, draw.Src)
			}
			g = &glyph{mask: a, off: dr.Min, adv: adv}
		}
	}
	if g == nil {
		g = blockGlyph(r, fc.size)
	}
	fc.glyphs[r] = g
	return g
}

// wide reports whether r takes a full em (CJK and full-width forms).
func wide(r rune) bool {
	return r >= 0x2E80 || (r >= 0x1100 && r <= 0x115F)
}

// blockGlyph draws a synthetic glyph: a few strokes chosen from the rune, so
// that different characters look different and lines of text have the
// texture of real writing.
func blockGlyph(r rune, size int) *glyph {
	w := size
	if !wide(r) {
		w = size * 11 / 20
	}
	if r == ' ' || r == '\u3000' {
		if r == ' ' {
			w = size * 3 / 10
		}
		return &glyph{mask: image.NewAlpha(image.Rect(0, 0, 0, 0)), adv: fixed.I(w)}
	}
	h := uint32(r) * 2654435761
	gw, gh := w*8/10, size*8/10
	if !wide(r) {
		gh = size * 7 / 10
	}
	if gw < 2 {
		gw = 2
	}
	if gh < 2 {
		gh = 2
	}
	a := image.NewAlpha(image.Rect(0, 0, gw, gh))
	t := size / 11
	if t < 1 {
		t = 1
	}
	on := color.Alpha{A: 255}
	set := func(x0, y0, x1, y1 int) {
		draw.Draw(a, image.Rect(x0, y0, x1, y1), image.NewUniform(on), image.Point{}, draw.Src)
	}
	// A CJK character is often a radical on the left plus a component on
	// the right; draw that structure with strokes chosen by the rune.
	x0 := 0
	if wide(r) && h>>20%3 == 0 {
		rw := gw / 3
		set(0, gh/5, rw-t, gh/5+t)
		set(rw/2-t/2, 0, rw/2+t/2+1, gh)
		set(0, gh*3/5, rw-t, gh*3/5+t)
		x0 = rw
	}
	cw := gw - x0
	if h>>23%4 == 0 {
		// An enclosed component (口).
		set(x0, gh/4, x0+t, gh)
		set(gw-t, gh/4, gw, gh)
		set(x0, gh/4, gw, gh/4+t)
		set(x0, gh-t, gw, gh)
	}
	nh := 1 + int(h%4)
	for i := 0; i < nh; i++ {
		y := (i + 1) * gh / (nh + 1)
		inset := int((h >> (4 + 2*i)) % 3 * uint32(cw) / 8)
		set(x0+inset, y, gw-inset/2, y+t)
	}
	nv := 1 + int((h>>12)%2)
	for i := 0; i < nv; i++ {
		x := x0 + (i+1)*cw/(nv+1)
		y0 := int((h >> (14 + i)) % 3 * uint32(gh) / 6)
		set(x, y0, x+t, gh-int((h>>(16+i))%2)*gh/4)
	}
	if h>>26%3 == 0 {
		set(x0, gh-t, x0+cw/2, gh)
	}
	return &glyph{mask: a, off: image.Pt(w/10, -gh), adv: fixed.I(w)}
}

// Measure returns the advance width in pixels of s at the given pixel size.
func (p *Painter) Measure(s string, size int) int {
	fc := p.face(size)
	var x fixed.Int26_6
	for _, r := range s {
		x += fc.glyph(r).adv
	}
	return x.Ceil()
}

// Text draws s with its baseline at y, starting at x, and returns the width.
func (p *Painter) Text(dst draw.Image, x, y int, s string, size int, c color.Color) int {
	fc := p.face(size)
	src := image.NewUniform(c)
	dot := fixed.I(x)
	for _, r := range s {
		g := fc.glyph(r)
		if g.mask.Bounds().Dx() > 0 {
			pos := image.Pt(dot.Round(), y).Add(g.off)
			draw.DrawMask(dst, g.mask.Bounds().Add(pos), src, image.Point{}, g.mask, image.Point{}, draw.Over)
		}
		dot += g.adv
	}
	return (dot - fixed.I(x)).Ceil()
}

// BoldText draws s twice, one pixel apart, the way light CJK fonts are
// emboldened in app UIs.
func (p *Painter) BoldText(dst draw.Image, x, y int, s string, size int, c color.Color) int {
	p.Text(dst, x, y, s, size, c)
	return p.Text(dst, x+1, y, s, size, c) + 1
}

// TextCentered draws s centred on cx.
func (p *Painter) TextCentered(dst draw.Image, cx, y int, s string, size int, c color.Color, bold bool) {
	w := p.Measure(s, size)
	if bold {
		p.BoldText(dst, cx-w/2, y, s, size, c)
		return
	}
	p.Text(dst, cx-w/2, y, s, size, c)
}

// Fit shortens s with an ellipsis until it fits maxW pixels.
func (p *Painter) Fit(s string, size, maxW int) string {
	if p.Measure(s, size) <= maxW {
		return s
	}
	for utf8.RuneCountInString(s) > 1 {
		_, n := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-n]
		if p.Measure(s+"…", size) <= maxW {
			return s + "…"
		}
	}
	return s
}

// Wrap breaks s into at most maxLines lines of maxW pixels; CJK text breaks
// between any two characters.
func (p *Painter) Wrap(s string, size, maxW, maxLines int) []string {
	var lines []string
	var cur strings.Builder
	for _, r := range s {
		if p.Measure(cur.String()+string(r), size) > maxW && cur.Len() > 0 {
			lines = append(lines, cur.String())
			cur.Reset()
			if len(lines) == maxLines {
				last := lines[maxLines-1]
				lines[maxLines-1] = p.Fit(last+"…", size, maxW)
				return lines
			}
		}
		cur.WriteRune(r)
	}
	if cur.Len() > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}
