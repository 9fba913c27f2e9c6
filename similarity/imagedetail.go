package similarity

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
)

// The detail signature. Two marketplace screenshots built from the same
// low-code components share their layout: the same form rows, list cells
// and buttons in the same places, with other words in them and another
// accent colour. At the 8x8 frequencies a perceptual hash keeps they are
// the same picture, so the hashes only propose candidates, and the detail
// decides. It is the luminance of the trimmed image on a fine grid, fine
// enough that a different word in a form row changes a few cells, and a
// coarse grid of its colour. Copies agree with their original everywhere
// except where a copier pasted something over it (a logo, a sticker), which
// is one compact patch in a corner; different screens of one layout
// disagree in many small places spread over the picture, wherever their
// texts differ, and banners of one layout in the region of their slogans.
//
// The grids are stored once per print, for the whole trimmed image, with
// the place of the cut variants in it, and compared through the variant
// pair the hashes matched: a copy with its status bar cut off is compared
// with the part of the original below the status bar.
const (
	// detailSide is the long side of the working copy the detail is taken
	// from, finer than the hashes' so that the grid cells average real
	// pixels.
	detailSide = 512
	// detailCols x detailRows is the luminance grid, whatever the aspect
	// ratio: a copy squeezed into a thumbnail has the same grid as its
	// original. On a phone screenshot a cell is about a quarter of a
	// character wide and half a text line high.
	detailCols = 96
	detailRows = 64
	// chromaCols x chromaRows is the colour grid: accent colours cover
	// headers, buttons and icons, which this resolves.
	chromaCols = 12
	chromaRows = 8
	// lumaLevels is the quantisation of the luminance grid: 16 levels are
	// 17 units of 0–255 apart, well under the contrast of text.
	lumaLevels = 16
	// chromaStep is the quantisation step of the colour differences, stored
	// as signed 4-bit numbers.
	chromaStep = 12
	// frameUnit is the resolution of the stored variant frames, as a
	// fraction of the trimmed image.
	frameUnit = 10000
	// frameOrigin is the stored value of a frame coordinate 0. A cut
	// variant is trimmed on its own, symmetrically, so it can reach past
	// the trimmed full image it is measured in (a screenshot whose bottom
	// margin the full trim removed keeps it when its top is cut); a frame
	// clamped to the full image would stretch the cut over the wrong rows.
	frameOrigin = frameUnit
	// maxDetailBytes bounds the decoded size of a stored detail, so that a
	// corrupt or hostile print cannot make the decoder allocate more.
	maxDetailBytes = 2*4*2 + detailCols*detailRows + chromaCols*chromaRows
)

// frame is the part of the trimmed image a variant covers, in fractions of
// its width and height.
type frame struct{ x0, y0, x1, y1 float64 }

func (f frame) w() float64 { return f.x1 - f.x0 }
func (f frame) h() float64 { return f.y1 - f.y0 }

// imageDetail is a decoded ImagePrint.Detail.
type imageDetail struct {
	luma [detailRows * detailCols]float32 // 0–255
	// chroma and hue are each colour cell's strength (the length of its
	// Cb, Cr difference) and its angle, taken once at decoding: a detail
	// is compared with many others.
	chroma, hue [chromaRows * chromaCols]float64
	// frames of the cut variants; the full variant is the unit square.
	topCut, center frame
	hasTop, hasCen bool
	// achromatic is set when no cell has a colour: a grayscale copy, which
	// the colour check must not hold against its colourful original.
	achromatic bool
	// aspect is the picture's height over its width, which places a
	// copier's stamp on the grid (see stampRows). It is not stored: Match
	// takes it from the print's size.
	aspect float64
}

func (d *imageDetail) frame(k VariantKind) (frame, bool) {
	switch k {
	case VariantFull:
		return frame{0, 0, 1, 1}, true
	case VariantTopCut:
		return d.topCut, d.hasTop
	case VariantCenter:
		return d.center, d.hasCen
	}
	return frame{}, false
}

// computeDetail takes the detail of the upright image img (any size) and
// encodes it for ImagePrint.Detail. It returns nil for an image whose
// content is too small to grid, which then has no detail and never matches.
func computeDetail(img image.Image, orientation int) []byte {
	w := newWorkingSide(img, orientation, detailSide)
	r := trimBorders(w.img, w.img.Rect)
	if r.Dx() < 8 || r.Dy() < 8 {
		return nil
	}
	var raw bytes.Buffer
	raw.Grow(maxDetailBytes)
	full := r
	vr := variantRects(w.img, r)
	for _, k := range []VariantKind{VariantTopCut, VariantCenter} {
		var f [4]uint16
		for _, v := range vr {
			if v.kind != k {
				continue
			}
			f = [4]uint16{
				frameCoord(v.rect.Min.X-full.Min.X, full.Dx()), frameCoord(v.rect.Min.Y-full.Min.Y, full.Dy()),
				frameCoord(v.rect.Max.X-full.Min.X, full.Dx()), frameCoord(v.rect.Max.Y-full.Min.Y, full.Dy()),
			}
		}
		_ = binary.Write(&raw, binary.BigEndian, f) // writing to a buffer cannot fail
	}

	lumas := areaGrid(w.img, full, detailCols, detailRows, func(p []uint8) float64 { return luma(p[0], p[1], p[2]) })
	for y := range detailRows {
		prev := 0
		for x := range detailCols {
			q := int(math.Round(lumas[y*detailCols+x] * (lumaLevels - 1) / 255))
			raw.WriteByte(byte((q - prev) & (lumaLevels - 1)))
			prev = q
		}
	}
	cb := areaGrid(w.img, full, chromaCols, chromaRows, func(p []uint8) float64 {
		return 0.564 * (float64(p[2]) - luma(p[0], p[1], p[2]))
	})
	cr := areaGrid(w.img, full, chromaCols, chromaRows, func(p []uint8) float64 {
		return 0.713 * (float64(p[0]) - luma(p[0], p[1], p[2]))
	})
	for i := range cb {
		raw.WriteByte(byte(chromaNibble(cb[i])<<4 | chromaNibble(cr[i])&0xF))
	}

	var out bytes.Buffer
	zw, _ := flate.NewWriter(&out, flate.BestCompression) // the level is valid
	_, _ = zw.Write(raw.Bytes())                          // writing to a buffer cannot fail
	_ = zw.Close()
	return out.Bytes()
}

func frameCoord(v, extent int) uint16 {
	q := frameOrigin + int(math.Round(float64(v)*frameUnit/float64(extent)))
	return uint16(min(math.MaxUint16, max(0, q)))
}

func chromaNibble(c float64) uint8 {
	q := int(math.Round(c / chromaStep))
	return uint8(min(7, max(-8, q)))
}

// areaGrid averages f over r of m on a cols x rows grid. Each working
// pixel is split between the cells it overlaps, so the grid of a resized
// copy averages the same content as its original's.
func areaGrid(m *image.RGBA, r image.Rectangle, cols, rows int, f func(p []uint8) float64) []float64 {
	xs := coverage(r.Dx(), cols)
	ys := coverage(r.Dy(), rows)
	out := make([]float64, cols*rows)
	rowSums := make([]float64, cols)
	for y := range r.Dy() {
		clear(rowSums)
		off := m.PixOffset(r.Min.X, r.Min.Y+y)
		for x := range r.Dx() {
			v := f(m.Pix[off+4*x : off+4*x+3 : off+4*x+3])
			for _, c := range xs[x] {
				rowSums[c.cell] += c.weight * v
			}
		}
		for _, c := range ys[y] {
			line := out[c.cell*cols : (c.cell+1)*cols]
			for i, s := range rowSums {
				line[i] += c.weight * s
			}
		}
	}
	area := float64(r.Dx()) / float64(cols) * float64(r.Dy()) / float64(rows)
	for i := range out {
		out[i] /= area
	}
	return out
}

type share struct {
	cell   int
	weight float64
}

// coverage says, for each of n pixels, which of cells equal cells over the
// same extent it overlaps and by how much of a pixel.
func coverage(n, cells int) [][]share {
	out := make([][]share, n)
	k := float64(cells) / float64(n) // cells per pixel
	for x := range n {
		a, b := float64(x)*k, float64(x+1)*k
		for c := int(a); c < cells && float64(c) < b; c++ {
			lo, hi := math.Max(a, float64(c)), math.Min(b, float64(c+1))
			if hi > lo {
				out[x] = append(out[x], share{c, (hi - lo) / k})
			}
		}
	}
	return out
}

var errBadDetail = errors.New("malformed image detail")

// decodeDetail reads ImagePrint.Detail.
func decodeDetail(data []byte) (*imageDetail, error) {
	var dec detailDecoder
	return dec.decode(data, nil)
}

// detailDecoder reads details with one decompressor and one buffer, which
// cost more to set up than a detail costs to inflate.
type detailDecoder struct {
	zr  io.ReadCloser
	raw []byte
}

func (dec *detailDecoder) inflate(data []byte) ([]byte, error) {
	if dec.zr == nil {
		dec.zr = flate.NewReader(bytes.NewReader(data))
		dec.raw = make([]byte, maxDetailBytes+1)
	} else if err := dec.zr.(flate.Resetter).Reset(bytes.NewReader(data), nil); err != nil {
		return nil, err
	}
	// Read to the end of the stream or one byte past the limit, so that a
	// truncated stream is an error and not a short read.
	n := 0
	for n < len(dec.raw) {
		k, err := dec.zr.Read(dec.raw[n:])
		n += k
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if n != maxDetailBytes {
		return nil, fmt.Errorf("%d bytes or more, want %d", n, maxDetailBytes)
	}
	return dec.raw[:n], nil
}

// decode reads data into d, or into a new detail when d is nil.
func (dec *detailDecoder) decode(data []byte, d *imageDetail) (*imageDetail, error) {
	raw, err := dec.inflate(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errBadDetail, err)
	}
	if d == nil {
		d = &imageDetail{}
	}
	d.aspect = 0 // set by the comparison that needs it
	var frames [2][4]uint16
	for i := range frames {
		for j := range frames[i] {
			frames[i][j] = binary.BigEndian.Uint16(raw[8*i+2*j:])
		}
	}
	toFrame := func(f [4]uint16) (frame, bool) {
		c := func(v uint16) float64 { return (float64(v) - frameOrigin) / frameUnit }
		fr := frame{c(f[0]), c(f[1]), c(f[2]), c(f[3])}
		return fr, fr.w() > 0 && fr.h() > 0
	}
	d.topCut, d.hasTop = toFrame(frames[0])
	d.center, d.hasCen = toFrame(frames[1])
	raw = raw[16:]
	var level [lumaLevels]float32
	for q := range level {
		level[q] = float32(q) * 255 / (lumaLevels - 1)
	}
	for y := range detailRows {
		q := 0
		for x := range detailCols {
			q = (q + int(raw[y*detailCols+x])) & (lumaLevels - 1)
			d.luma[y*detailCols+x] = level[q]
		}
	}
	raw = raw[detailCols*detailRows:]
	d.achromatic = true
	for i, b := range raw {
		cb := float64(float32(int8(b)>>4) * chromaStep)
		cr := float64(float32(int8(b<<4)>>4) * chromaStep)
		d.chroma[i] = math.Hypot(cb, cr)
		d.hue[i] = math.Atan2(cr, cb)
		if d.chroma[i] >= achromaticChroma {
			d.achromatic = false
		}
	}
	return d, nil
}
