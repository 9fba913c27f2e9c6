package similarity

import (
	"math"
)

// Comparison parameters of the detail signature that are not thresholds a
// deployment tunes: they follow from the grid geometry and from what
// copiers do to a picture.
const (
	// achromaticChroma is the colour difference (Cb, Cr, 0–255) under which
	// a cell has no colour.
	achromaticChroma = 10
	// chromaticChroma is the colour difference from which a cell's hue is
	// read; below it JPEG noise and the quantisation make hue meaningless.
	chromaticChroma = 2 * chromaStep
	// strongChroma is a clearly coloured cell, which must not face a grey
	// one in a copy unless the copy has lost its colour altogether.
	strongChroma = 3 * chromaStep
	// maxHueShift is the hue difference (radians) two cells of a copy may
	// show: saturation changes keep the hue, JPEG chroma subsampling and
	// the quantisation move it a little.
	maxHueShift = 25 * math.Pi / 180
	// fitOutlier is the distance (0–255) from the photometric fit beyond
	// which a cell no longer shapes it: a pasted patch must not bend the
	// fit for the rest of the picture.
	fitOutlier = 20
	// overlayGrey and overlayAlpha describe the faint text a copier stamps
	// over a picture: grey, at most this opaque; whiteAlpha the light
	// caption across its middle, drawn bold and so more opaque. Where the
	// stamp lies (see stampRows and markTextRows), a copy may lie between
	// its original and that grey or white.
	overlayGrey  = 128
	overlayAlpha = 0.42
	whiteAlpha   = 0.85
	// stampText and stampCaption are the heights of a stamp's text and of
	// its caption as shares of the picture's width: copy tools scale the
	// stamp to the picture, and the caption is the larger.
	stampText    = 1.0 / 9
	stampCaption = 1.0 / 5
	// stampDarken, stampRowShare and stampRowReach find the rows of a
	// stamp's grey text: rows where at least stampRowShare of the cells
	// are darker than the original by more than stampDarken (and no darker
	// than the grey explains), and the rows within half a text height,
	// at least stampRowReach, around them: a glyph is taller than the rows
	// where it is dense. Measured on the tune split of marketgen eval with
	// a pair-level pass over its labelled copies and every cross-provider
	// pair: at 0.16 every watermark copy is verified; 0.20 loses 3 of 40
	// and saves about 100 false pairs of 730, 0.12 saves none of them.
	stampDarken   = 12
	stampRowShare = 0.16
	stampRowReach = 2
)

// detailParams are the thresholds of one detail comparison.
type detailParams struct {
	level   float64 // luminance difference (0–255) that makes a cell differ
	stray   int     // differing cells allowed outside the largest patch
	patch   float64 // largest patch's bounding box, as a share of the cells
	hueCell float64 // share of both-coloured cells allowed a different hue
	greyRun int     // coloured cells allowed to face grey ones
}

// detailResult is the outcome of comparing two details through one
// variant pair.
type detailResult struct {
	ok        bool
	colourOK  bool
	cells     int // compared
	differ    int // over the level
	patch     int // cells of the largest patch of differing cells
	patchArea int // its bounding box
}

// compareDetail compares the part of a that variant ka covers with the
// part of b that kb covers, b mirrored when mirrored is set. The cells of a
// inside its frame are compared with b sampled at the same places of its
// frame; a cell differs when neither side can be explained as the other
// one (after a brightness and contrast fit, half a cell of misalignment
// and, where a copier's stamp lies, its overlay) within the level. The
// outermost cells do not count.
func compareDetail(a, b *imageDetail, ka, kb VariantKind, mirrored bool, p detailParams) detailResult {
	fa, okA := a.frame(ka)
	fb, okB := b.frame(kb)
	if !okA || !okB {
		return detailResult{}
	}
	la, lb, ya, yb, nx, ny := lattice(a, b, fa, fb, mirrored)
	if nx < 8 || ny < 8 {
		return detailResult{}
	}
	alpha, beta := photometricFit(la, lb)
	for i, v := range la {
		la[i] = math.Max(0, math.Min(255, alpha*v+beta))
	}
	// Either side may be the copy, and the copy may or may not carry a
	// faint overlay; the comparison is the best of those readings. The
	// overlay reading is left out when a side has no colour: a picture
	// that lost its colour is held to its luminance alone, since the
	// colour check cannot back the looser reading up.
	readings := []bool{false}
	if !a.achromatic && !b.achromatic {
		readings = append(readings, true)
	}
	var res detailResult
	first := true
	for _, overlay := range readings {
		for dir := range 2 {
			src, dst := lb, la
			ys, copyAspect := yb, b.aspect
			if dir == 1 {
				src, dst = la, lb
				ys, copyAspect = ya, a.aspect
			}
			var stamp []stampRow
			if overlay {
				stamp = stampRows(ys, copyAspect)
				markTextRows(stamp, src, dst, nx, copyAspect, p.level)
			}
			r := overlayResidual(src, dst, nx, ny, stamp)
			strong := make([]bool, len(r))
			differ := 0
			for i, v := range r {
				// The outermost cells are not held against a pair: a
				// cut or a trim puts the picture's edge up to a cell
				// from where the other frame expects it, so an edge
				// cell averages content the other side does not have.
				if x, y := i%nx, i/nx; x == 0 || y == 0 || x == nx-1 || y == ny-1 {
					continue
				}
				if v > p.level {
					strong[i] = true
					differ++
				}
			}
			patch, area := largestPatch(strong, nx, ny)
			if first || differ-patch < res.differ-res.patch {
				res = detailResult{cells: nx * ny, differ: differ, patch: patch, patchArea: area}
				first = false
			}
		}
	}
	res.colourOK = colourAgrees(a, b, fa, fb, mirrored, p)
	res.ok = res.colourOK && res.differ-res.patch <= p.stray && float64(res.patchArea) <= p.patch*float64(res.cells)
	return res
}

// lattice returns the cells of a whose centres lie in fa and the values of
// b at the same places of fb, bilinearly interpolated, as nx x ny grids.
func lattice(a, b *imageDetail, fa, fb frame, mirrored bool) (la, lb, ya, yb []float64, nx, ny int) {
	// A frame may reach past the grid (see frameOrigin); only the cells
	// the grid has take part.
	x0 := max(0, int(math.Ceil(fa.x0*detailCols-0.5)))
	x1 := min(detailCols-1, int(math.Floor(fa.x1*detailCols-0.5)))
	y0 := max(0, int(math.Ceil(fa.y0*detailRows-0.5)))
	y1 := min(detailRows-1, int(math.Floor(fa.y1*detailRows-0.5)))
	nx, ny = x1-x0+1, y1-y0+1
	if nx <= 0 || ny <= 0 {
		return nil, nil, nil, nil, 0, 0
	}
	xs := make([]float64, nx)
	for i := range nx {
		u := ((float64(x0+i)+0.5)/detailCols - fa.x0) / fa.w()
		if mirrored {
			u = 1 - u
		}
		xs[i] = (fb.x0+u*fb.w())*detailCols - 0.5
	}
	la = make([]float64, nx*ny)
	lb = make([]float64, nx*ny)
	ya = make([]float64, ny)
	yb = make([]float64, ny)
	for j := range ny {
		ya[j] = (float64(y0+j) + 0.5) / detailRows
		v := (ya[j] - fa.y0) / fa.h()
		yb[j] = fb.y0 + v*fb.h()
		y := yb[j]*detailRows - 0.5
		for i := range nx {
			la[j*nx+i] = float64(a.luma[(y0+j)*detailCols+x0+i])
			lb[j*nx+i] = b.at(xs[i], y)
		}
	}
	return la, lb, ya, yb, nx, ny
}

// at interpolates the luminance grid bilinearly at (x, y) in cell
// coordinates (cell centres at whole numbers), clamped to the grid.
func (d *imageDetail) at(x, y float64) float64 {
	x = math.Max(0, math.Min(detailCols-1, x))
	y = math.Max(0, math.Min(detailRows-1, y))
	ix, iy := min(int(x), detailCols-2), min(int(y), detailRows-2)
	fx, fy := x-float64(ix), y-float64(iy)
	g := func(i, j int) float64 { return float64(d.luma[j*detailCols+i]) }
	return (1-fy)*((1-fx)*g(ix, iy)+fx*g(ix+1, iy)) + fy*((1-fx)*g(ix, iy+1)+fx*g(ix+1, iy+1))
}

// photometricFit fits b ≈ alpha*a + beta on the cells neither side has
// saturated, dropping cells far from the fit twice, so that a brightened
// or contrast-changed copy lines up with its original and a pasted patch
// does not bend the fit.
func photometricFit(a, b []float64) (alpha, beta float64) {
	alpha, beta = 1, 0
	for iter := range 3 {
		var sa, sb, saa, sab, n float64
		for i := range a {
			if a[i] >= 245 || b[i] >= 245 {
				continue
			}
			if iter > 0 && math.Abs(alpha*a[i]+beta-b[i]) > fitOutlier {
				continue
			}
			sa += a[i]
			sb += b[i]
			saa += a[i] * a[i]
			sab += a[i] * b[i]
			n++
		}
		if n < 16 {
			return alpha, beta
		}
		if den := n*saa - sa*sa; den > 1e-6 {
			alpha = math.Max(0.6, math.Min(1.6, (n*sab-sa*sb)/den))
		}
		beta = (sb - alpha*sa) / n
	}
	return alpha, beta
}

// stampRow says which overlay a row of grid cells of a stamped copy may
// carry.
type stampRow struct{ grey, white bool }

// stampRows places the light caption of a copier's stamp on the copy's grid
// rows, given as fractions of its height, for a copy of height aspect
// times its width: a band across the middle, stampCaption of the width
// high. The grey text rows are found from the pictures (markTextRows).
// Either overlay is allowed only where the stamp lies, not anywhere: a
// per-cell allowance would also excuse the different words of a
// same-layout screen from another provider.
func stampRows(ys []float64, aspect float64) []stampRow {
	out := make([]stampRow, len(ys))
	if aspect <= 0 {
		return out // unknown shape: no caption band
	}
	slack := 0.5 / detailRows * aspect // half a cell, in widths
	mid := aspect / 2
	for j, y := range ys {
		t := y * aspect // distance from the top, in widths
		// The caption sits on a baseline a third of its height below
		// the middle; its glyphs rise to about its height above it.
		out[j].white = t >= mid-0.65*stampCaption-slack && t <= mid+0.55*stampCaption+slack
	}
	return out
}

// markTextRows marks the rows where the copy is darkened towards grey
// across much of the width, and the rows around them, as rows the stamp's
// grey text covers. A row of stamped text runs across the picture; the
// different words of a same-layout screen sit in a few places of a row.
func markTextRows(stamp []stampRow, copyGrid, orig []float64, nx int, aspect, level float64) {
	ny := len(stamp)
	reach := stampRowReach
	if aspect > 0 {
		reach = max(reach, int(math.Ceil(stampText/2/aspect*detailRows)))
	}
	hit := make([]bool, ny)
	for y := range ny {
		n := 0
		for x := range nx {
			i := y*nx + x
			// Darker, but no darker than the stamp's grey can make it
			// within the level: dark words over a light ground go
			// further.
			if o, d := orig[i], orig[i]-copyGrid[i]; o > overlayGrey && d > stampDarken && d <= overlayAlpha*(o-overlayGrey)+level {
				n++
			}
		}
		hit[y] = float64(n) >= stampRowShare*float64(nx)
	}
	for y := range ny {
		for k := max(0, y-reach); k <= min(ny-1, y+reach); k++ {
			if hit[k] {
				stamp[y].grey = true
				break
			}
		}
	}
}

// overlayResidual is, per cell, how far the copy's value lies outside what
// the original explains: the range the original shows within half a cell
// (an edge that falls half a cell apart), widened towards grey or white
// in the rows the stamp may cover, when stamp is given.
func overlayResidual(copyGrid, orig []float64, nx, ny int, stamp []stampRow) []float64 {
	r := make([]float64, len(orig))
	for y := range ny {
		for x := range nx {
			i := y*nx + x
			o := orig[i]
			lo, hi := o, o
			widen := func(k int) {
				h := (o + orig[k]) / 2 // half a cell towards the neighbour
				if h < lo {
					lo = h
				} else if h > hi {
					hi = h
				}
			}
			if x > 0 {
				widen(i - 1)
			}
			if x < nx-1 {
				widen(i + 1)
			}
			if y > 0 {
				widen(i - nx)
			}
			if y < ny-1 {
				widen(i + nx)
			}
			if stamp != nil {
				if stamp[y].grey {
					if lo > overlayGrey {
						lo += overlayAlpha * (overlayGrey - lo)
					}
					if hi < overlayGrey {
						hi += overlayAlpha * (overlayGrey - hi)
					}
				}
				if stamp[y].white {
					hi += whiteAlpha * (255 - hi)
				}
			}
			switch v := copyGrid[i]; {
			case v > hi:
				r[i] = v - hi
			case v < lo:
				r[i] = lo - v
			}
		}
	}
	return r
}

// largestPatch finds the largest group of marked cells, cells within two
// of each other counting as one group, and returns its size and the area
// of its bounding box.
func largestPatch(marked []bool, nx, ny int) (size, area int) {
	seen := make([]bool, len(marked))
	var stack []int
	for i := range marked {
		if !marked[i] || seen[i] {
			continue
		}
		n := 0
		x0, y0, x1, y1 := nx, ny, -1, -1
		seen[i] = true
		stack = append(stack[:0], i)
		for len(stack) > 0 {
			c := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			n++
			cx, cy := c%nx, c/nx
			x0, y0, x1, y1 = min(x0, cx), min(y0, cy), max(x1, cx), max(y1, cy)
			for y := max(0, cy-2); y <= min(ny-1, cy+2); y++ {
				for x := max(0, cx-2); x <= min(nx-1, cx+2); x++ {
					if k := y*nx + x; marked[k] && !seen[k] {
						seen[k] = true
						stack = append(stack, k)
					}
				}
			}
		}
		if n > size {
			size, area = n, (x1-x0+1)*(y1-y0+1)
		}
	}
	return size, area
}

// colourAgrees compares the colour grids of the two frames: the hue of
// cells both show in colour, and coloured cells facing grey ones. A copy
// keeps its hues through recompression, resizing and saturation changes;
// the same layout from another provider has another accent colour. A side
// without any colour (a grayscale copy) agrees with everything. The grid is
// coarse, so a cell is compared with the cells around the place it maps
// to, and disagrees only when none of them agrees.
func colourAgrees(a, b *imageDetail, fa, fb frame, mirrored bool, p detailParams) bool {
	if a.achromatic || b.achromatic {
		return true
	}
	both, hue, grey := 0, 0, 0
	// Only cells wholly inside the frame take part: a cell the frame's
	// edge cuts averages colour from outside the other picture.
	for cj := range chromaRows {
		v := ((float64(cj)+0.5)/chromaRows - fa.y0) / fa.h()
		if float64(cj)/chromaRows < fa.y0 || float64(cj+1)/chromaRows > fa.y1 {
			continue
		}
		y := int(math.Floor((fb.y0 + v*fb.h()) * chromaRows))
		for ci := range chromaCols {
			u := ((float64(ci)+0.5)/chromaCols - fa.x0) / fa.w()
			if float64(ci)/chromaCols < fa.x0 || float64(ci+1)/chromaCols > fa.x1 {
				continue
			}
			if mirrored {
				u = 1 - u
			}
			x := int(math.Floor((fb.x0 + u*fb.w()) * chromaCols))
			i := cj*chromaCols + ci
			ca, cb := float64(a.cb[i]), float64(a.cr[i])
			ma := math.Hypot(ca, cb)
			if ma < chromaticChroma {
				continue
			}
			sameHue, anyColour, faced := false, false, false
			for yy := max(0, y-1); yy <= min(chromaRows-1, y+1); yy++ {
				for xx := max(0, x-1); xx <= min(chromaCols-1, x+1); xx++ {
					k := yy*chromaCols + xx
					faced = true
					mb := math.Hypot(float64(b.cb[k]), float64(b.cr[k]))
					if mb >= achromaticChroma {
						anyColour = true
					}
					if mb >= chromaticChroma && hueDistance(ca, cb, float64(b.cb[k]), float64(b.cr[k])) <= maxHueShift {
						sameHue = true
					}
				}
			}
			switch {
			case !faced:
			case !anyColour:
				if ma >= strongChroma {
					grey++
				}
			default:
				both++
				if !sameHue {
					hue++
				}
			}
		}
	}
	return float64(hue) <= p.hueCell*float64(max(both, 1)) && grey <= p.greyRun
}

// hueDistance is the angle between two colour differences (Cb, Cr).
func hueDistance(cb1, cr1, cb2, cr2 float64) float64 {
	d := math.Abs(math.Atan2(cr1, cb1) - math.Atan2(cr2, cb2))
	if d > math.Pi {
		d = 2*math.Pi - d
	}
	return d
}
