package similarity

import (
	"image"
	"image/color"
	"image/draw"
	"math"

	xdraw "golang.org/x/image/draw"
)

// Normalisation parameters. They are measured on synthetic app screens and
// photographs (see the tests) rather than derived, and they are part of what
// ImagePrintVersion versions: changing one changes the hashes.
const (
	// workingSide is the long side of the working copy every hash is
	// computed from. The perceptual hashes look at 64x64 and 9x8 pixels, so
	// more resolution only costs time; less would make border trimming
	// coarse.
	workingSide = 256

	// minSourceSide is the smallest trimmed side, in source pixels, of an
	// image worth comparing. Below it an image is an icon or a bullet, and
	// icons are shared legitimately between many listings.
	minSourceSide = 24

	// trimTolerance is how far (per channel, 0–255) a pixel of a border line
	// may stray from the border colour: JPEG noise and the resampling blur
	// at the edge of content.
	trimTolerance = 24
	// trimMeanTolerance is how far the mean luminance of a border line may
	// stray from the border colour's. A padding is one flat colour; a sky or a
	// gradient drifts and is content, so it is not trimmed away.
	trimMeanTolerance = 2
	// trimOutlierShare is the share of pixels of a line allowed outside
	// trimTolerance (specks, a stray anti-aliased pixel).
	trimOutlierShare = 0.02

	// trimRunSlack (working pixels) is how much longer one border run may
	// be than the opposite one and still go whole: the two sides of a
	// padding rarely fall on the same working pixel boundary.
	trimRunSlack = 0

	// minTrimSide (working pixels) ends trimming: a smaller remainder is
	// an icon or a mark, low-information whatever its exact extent.
	minTrimSide = 16

	// flatStdDev is the luminance standard deviation (0–255) under which an
	// image carries too little to compare: blank pages, solid colours,
	// faint gradients.
	flatStdDev = 5.0
)

// Reasons an image is low-information, as recorded in ImagePrint.LowInfo.
const (
	LowInfoTiny = "tiny"
	LowInfoFlat = "flat"
)

// working is the small upright copy of an image that hashes are computed
// from: alpha composed onto white, EXIF orientation applied, long side at
// most workingSide.
type working struct {
	img *image.RGBA
	// scale is source pixels per working pixel (>= 1).
	scale float64
}

// newWorking resamples src once to the working size the hashes use.
func newWorking(src image.Image, orientation int) working {
	return newWorkingSide(src, orientation, workingSide)
}

// newWorkingSide resamples src once to a long side of at most side. A
// large image is first averaged over f x f blocks, converting a strip of f
// rows at a time so the extra memory stays at one strip whatever the image
// size; a bilinear kernel then brings it to the working size. Every source
// pixel contributes, so resized copies of an image end up with nearly the
// same working copy. Transparent pixels are composed onto white on the way.
func newWorkingSide(src image.Image, orientation, side int) working {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	scale := 1.0
	if long := max(w, h); long > side {
		scale = float64(long) / float64(side)
	}
	dw := max(1, int(math.Round(float64(w)/scale)))
	dh := max(1, int(math.Round(float64(h)/scale)))
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	switch f := int(scale); {
	case dw == w && dh == h:
		draw.Draw(dst, dst.Rect, image.NewUniform(color.White), image.Point{}, draw.Src)
		draw.Draw(dst, dst.Rect, src, b.Min, draw.Over)
	case f >= 2:
		reduced := boxReduce(src, f)
		xdraw.BiLinear.Scale(dst, dst.Rect, reduced, reduced.Rect, xdraw.Src, nil)
	default:
		draw.Draw(dst, dst.Rect, image.NewUniform(color.White), image.Point{}, draw.Src)
		xdraw.BiLinear.Scale(dst, dst.Rect, src, b, xdraw.Over, nil)
	}
	return working{img: orientRGBA(dst, orientation), scale: scale}
}

// boxReduce averages src over f x f blocks (partial blocks at the right and
// bottom edges over the pixels they have), composed onto white.
func boxReduce(src image.Image, f int) *image.RGBA {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	ow, oh := (w+f-1)/f, (h+f-1)/f
	dst := image.NewRGBA(image.Rect(0, 0, ow, oh))
	sums := make([]uint32, 3*ow)

	if ycc, ok := src.(*image.YCbCr); ok {
		boxReduceYCbCr(dst, ycc, f, sums)
		return dst
	}
	// An RGBA source is read in place: premultiplied colour over white is
	// c + 255 - alpha. Anything else is converted a strip at a time.
	rgba, direct := src.(*image.RGBA)
	var strip *image.RGBA
	op := draw.Src
	if !direct {
		strip = image.NewRGBA(image.Rect(0, 0, w, f))
		if !isOpaque(src) {
			op = draw.Over
		}
	}
	for oy := range oh {
		rows := min(f, h-oy*f)
		pix, stride := []uint8(nil), 0
		if direct {
			pix, stride = rgba.Pix[rgba.PixOffset(b.Min.X, b.Min.Y+oy*f):], rgba.Stride
		} else {
			r := image.Rect(0, 0, w, rows)
			if op == draw.Over {
				draw.Draw(strip, r, image.NewUniform(color.White), image.Point{}, draw.Src)
			}
			draw.Draw(strip, r, src, image.Pt(b.Min.X, b.Min.Y+oy*f), op)
			pix, stride = strip.Pix, strip.Stride
		}
		clear(sums)
		for y := range rows {
			row := pix[y*stride : y*stride+4*w]
			x := 0
			for ox := range ow {
				var r, g, bl uint32
				for end := min(x+f, w); x < end; x++ {
					p := row[4*x : 4*x+4 : 4*x+4]
					white := 255 - uint32(p[3])
					r += uint32(p[0]) + white
					g += uint32(p[1]) + white
					bl += uint32(p[2]) + white
				}
				sums[3*ox] += r
				sums[3*ox+1] += g
				sums[3*ox+2] += bl
			}
		}
		out := dst.Pix[oy*dst.Stride:]
		for ox := range ow {
			n := uint32(rows * min(f, w-ox*f))
			out[4*ox] = uint8((sums[3*ox] + n/2) / n)
			out[4*ox+1] = uint8((sums[3*ox+1] + n/2) / n)
			out[4*ox+2] = uint8((sums[3*ox+2] + n/2) / n)
			out[4*ox+3] = 0xFF
		}
	}
	return dst
}

// boxReduceYCbCr is boxReduce for JPEG's native layout. It averages Y, Cb
// and Cr and converts each block's average once: the conversion is affine,
// so that equals averaging the converted pixels except where a channel
// clips, and it saves converting every pixel of a large photo.
func boxReduceYCbCr(dst *image.RGBA, src *image.YCbCr, f int, sums []uint32) {
	b := src.Rect
	w, h := b.Dx(), b.Dy()
	ow := dst.Rect.Dx()
	for oy := range dst.Rect.Dy() {
		rows := min(f, h-oy*f)
		clear(sums)
		for y := range rows {
			sy := b.Min.Y + oy*f + y
			x := 0
			for ox := range ow {
				var ys, cbs, crs uint32
				for end := min(x+f, w); x < end; x++ {
					sx := b.Min.X + x
					ci := src.COffset(sx, sy)
					ys += uint32(src.Y[src.YOffset(sx, sy)])
					cbs += uint32(src.Cb[ci])
					crs += uint32(src.Cr[ci])
				}
				sums[3*ox] += ys
				sums[3*ox+1] += cbs
				sums[3*ox+2] += crs
			}
		}
		out := dst.Pix[oy*dst.Stride:]
		for ox := range ow {
			n := uint32(rows * min(f, w-ox*f))
			r, g, bl := color.YCbCrToRGB(uint8((sums[3*ox]+n/2)/n), uint8((sums[3*ox+1]+n/2)/n), uint8((sums[3*ox+2]+n/2)/n))
			out[4*ox], out[4*ox+1], out[4*ox+2], out[4*ox+3] = r, g, bl, 0xFF
		}
	}
}

// side names an edge of a rectangle.
type side uint8

const (
	sideTop side = iota
	sideBottom
	sideLeft
	sideRight
)

// trimBorders shrinks r by the uniform border around it: padding added
// around a copy, letterbox bars, the blank margin of a scan. Borders are
// trimmed in pairs of opposite edges, only when both edges of the pair
// carry a run of the same colour, and by the shorter of the two runs on both
// sides. Padding and letterboxing are symmetric, while a uniform area
// exposed by a crop (blank space between sections of a screen) or a
// picture's own blank margin usually is not, and trimming it would shift
// the content of a copy against its original. A line with content on it (a status
// bar's clock, a row of icons) ends a run, so content is never cut. The pass
// repeats so that a coloured frame around a white margin goes too.
func trimBorders(m *image.RGBA, r image.Rectangle) image.Rectangle {
	for range 4 {
		before := r
		for _, pair := range [2][2]side{{sideTop, sideBottom}, {sideLeft, sideRight}} {
			n1, c1 := uniformRun(m, r, pair[0])
			n2, c2 := uniformRun(m, r, pair[1])
			if n1 == 0 || n2 == 0 || colourDistance(c1, c2) > trimTolerance {
				continue
			}
			extent := r.Dy()
			if pair[0] == sideLeft {
				extent = r.Dx()
			}
			if n1+n2 >= extent {
				return image.Rectangle{Min: r.Min, Max: r.Min} // all border: flat
			}
			// Only the symmetric part of the two runs goes: padding adds
			// the same width on both sides, so whatever one side has beyond
			// the other is the picture's own margin and stays, and a padded
			// copy trims back to exactly the original.
			// Blend lines go too, but one line of content always stays.
			// Runs within trimRunSlack of each other are the same padding
			// rounded differently and go whole; otherwise the longer side
			// loses exactly what the shorter one does.
			switch {
			case n1 > n2+trimRunSlack:
				n2 += min(blendLines(m, r, pair[1], n2, c2), max(0, extent-2*n2-1))
				n1 = n2
			case n2 > n1+trimRunSlack:
				n1 += min(blendLines(m, r, pair[0], n1, c1), max(0, extent-2*n1-1))
				n2 = n1
			default:
				n1 += min(blendLines(m, r, pair[0], n1, c1), max(0, extent-n1-n2-1))
				n2 += min(blendLines(m, r, pair[1], n2, c2), max(0, extent-n1-n2-1))
			}
			if pair[0] == sideTop {
				r.Min.Y += n1
				r.Max.Y -= n2
			} else {
				r.Min.X += n1
				r.Max.X -= n2
			}
			if r.Dx() < minTrimSide || r.Dy() < minTrimSide {
				// What is left is a mark too small to compare; trimming on
				// would only eat into it.
				return r
			}
		}
		if r == before {
			break
		}
	}
	return r
}

func colourDistance(a, b [3]uint8) int {
	return max(absInt(int(a[0])-int(b[0])), absInt(int(a[1])-int(b[1])), absInt(int(a[2])-int(b[2])))
}

// uniformRun counts the lines from side s inwards that are border lines of
// the colour of the outermost line, and returns that colour. Pixels are
// compared per channel; the drift of a line's mean is measured on the
// luminance, so that a copy turned to grayscale trims exactly like its
// original.
func uniformRun(m *image.RGBA, r image.Rectangle, s side) (int, [3]uint8) {
	if r.Empty() {
		return 0, [3]uint8{}
	}
	n, length := r.Dy(), r.Dx() // lines and their length
	if s == sideLeft || s == sideRight {
		n, length = r.Dx(), r.Dy()
	}
	// line returns the pixel offset of the start of line i and the step
	// between its pixels.
	line := func(i int) (int, int) {
		switch s {
		case sideTop:
			return m.PixOffset(r.Min.X, r.Min.Y+i), 4
		case sideBottom:
			return m.PixOffset(r.Min.X, r.Max.Y-1-i), 4
		case sideLeft:
			return m.PixOffset(r.Min.X+i, r.Min.Y), m.Stride
		default:
			return m.PixOffset(r.Max.X-1-i, r.Min.Y), m.Stride
		}
	}
	ref := medianColour(m.Pix, line, length)
	refLuma := luma(ref[0], ref[1], ref[2])
	maxOut := int(trimOutlierShare * float64(length))
	run := 0
	for ; run < n; run++ {
		off, step := line(run)
		out := 0
		var sum float64
		for k := range length {
			p := m.Pix[off+k*step : off+k*step+3 : off+k*step+3]
			if colourDistance([3]uint8{p[0], p[1], p[2]}, ref) > trimTolerance {
				out++
			}
			sum += luma(p[0], p[1], p[2])
		}
		if out > maxOut || math.Abs(sum/float64(length)-refLuma) > trimMeanTolerance {
			break
		}
	}
	return run, ref
}

// blendLines counts the lines after a border run of colour c that mix
// border and content: the edge rarely falls on a working pixel boundary,
// and resampling spreads it over up to two lines. Keeping them would put a
// faint frame around the content, which flips the gradient bits of smooth
// pictures. The first line after the run always goes; the second goes when
// its luminance still lies between the border's and the next line's.
func blendLines(m *image.RGBA, r image.Rectangle, s side, run int, c [3]uint8) int {
	n := r.Dy()
	if s == sideLeft || s == sideRight {
		n = r.Dx()
	}
	if run+3 > n {
		return min(1, n-run)
	}
	border := luma(c[0], c[1], c[2])
	second, third := lineLuma(m, r, s, run+1), lineLuma(m, r, s, run+2)
	if math.Abs(second-third) > trimMeanTolerance && (second-border)*(third-second) > 0 {
		return 2
	}
	return 1
}

// lineLuma is the mean luminance of line i counted from side s.
func lineLuma(m *image.RGBA, r image.Rectangle, s side, i int) float64 {
	var x0, y0, dx, dy, length int
	switch s {
	case sideTop:
		x0, y0, dx, length = r.Min.X, r.Min.Y+i, 1, r.Dx()
	case sideBottom:
		x0, y0, dx, length = r.Min.X, r.Max.Y-1-i, 1, r.Dx()
	case sideLeft:
		x0, y0, dy, length = r.Min.X+i, r.Min.Y, 1, r.Dy()
	default:
		x0, y0, dy, length = r.Max.X-1-i, r.Min.Y, 1, r.Dy()
	}
	var sum float64
	for k := range length {
		p := m.Pix[m.PixOffset(x0+k*dx, y0+k*dy):]
		sum += luma(p[0], p[1], p[2])
	}
	return sum / float64(length)
}

// luma is the luminance with the weights the perceptual hashes use.
func luma(r, g, b uint8) float64 {
	return 0.299*float64(r) + 0.587*float64(g) + 0.114*float64(b)
}

// medianColour is the per-channel median of the first line, the border
// colour candidate. A median ignores the few pixels of a speck or a stray
// content edge.
func medianColour(pix []uint8, line func(int) (int, int), length int) [3]uint8 {
	var hist [3][256]int
	off, step := line(0)
	for k := range length {
		for c := range 3 {
			hist[c][pix[off+k*step+c]]++
		}
	}
	var ref [3]uint8
	for c := range 3 {
		acc := 0
		for v := range 256 {
			acc += hist[c][v]
			if 2*acc >= length {
				ref[c] = uint8(v)
				break
			}
		}
	}
	return ref
}

func absInt(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// lumaStdDev is the standard deviation of the luminance over r, in 0–255
// units, with the weights the hashes use.
func lumaStdDev(m *image.RGBA, r image.Rectangle) float64 {
	var sum, sq float64
	for y := r.Min.Y; y < r.Max.Y; y++ {
		off := m.PixOffset(r.Min.X, y)
		for x := 0; x < r.Dx(); x++ {
			p := m.Pix[off+4*x : off+4*x+3 : off+4*x+3]
			l := luma(p[0], p[1], p[2])
			sum += l
			sq += l * l
		}
	}
	n := float64(r.Dx() * r.Dy())
	if n == 0 {
		return 0
	}
	mean := sum / n
	return math.Sqrt(max(0, sq/n-mean*mean))
}

// normalise trims the working copy and decides whether what is left is
// worth comparing. It returns the content rectangle and, for an image that
// is not, the reason.
func (w working) normalise() (image.Rectangle, string) {
	r := trimBorders(w.img, w.img.Rect)
	if r.Empty() {
		return r, LowInfoFlat
	}
	if float64(r.Dx())*w.scale < minSourceSide || float64(r.Dy())*w.scale < minSourceSide {
		return r, LowInfoTiny
	}
	if lumaStdDev(w.img, r) < flatStdDev {
		return r, LowInfoFlat
	}
	return r, ""
}

// crop copies r of m into a new image with origin (0, 0), mirrored
// left-to-right when mirror is set.
func crop(m *image.RGBA, r image.Rectangle, mirror bool) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	for y := range r.Dy() {
		so := m.PixOffset(r.Min.X, r.Min.Y+y)
		do := y * dst.Stride
		if !mirror {
			copy(dst.Pix[do:do+4*r.Dx()], m.Pix[so:so+4*r.Dx()])
			continue
		}
		for x := range r.Dx() {
			d := do + 4*(r.Dx()-1-x)
			copy(dst.Pix[d:d+4], m.Pix[so+4*x:so+4*x+4])
		}
	}
	return dst
}
