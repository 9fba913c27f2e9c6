package similarity

import (
	"math"
	"slices"
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
	// cornerReach is how far (as a share of the grid's width and height)
	// from a side and from the top or bottom a differing patch may start
	// and still be a pasted logo; the outermost ring of cells, which is
	// not compared, and a copier's margin lie within it.
	cornerReach = 0.15
	// logoSpan is the most a pasted logo spans, each way, as a share of
	// the picture's width: a small mark, not a band. Copy tools paste
	// logos at about a fifth of the width; the title across a header
	// that another screen of one layout shows in other words spans more
	// than half of it.
	logoSpan = 0.25
	// patchReach is how far apart (in cells) two differing cells may lie
	// and still belong to one patch: a pasted logo differs at its outline
	// and its lettering, and its inside may match what it covers.
	patchReach = 3
	// stampBalance and stampMinCells: see stampBalanced; wideAspect is
	// the height-to-width ratio up to which a picture is a banner, the
	// only shape held to it. On a banner the caption band covers half
	// the height and the slogan with it; on screens and photos the
	// explained cells follow the content under the stamp, not the stamp.
	// Measured on a tune split of 100 base listings (marketgen eval
	// -split tune -n 100 -seed 777): without the balance 94 false pairs
	// and 96 of 100 stamped copies found; at 0.42, 53 and 96; at 0.5, 44
	// and 95, and a stamped banner of the scanner's test corpus lost.
	stampBalance  = 0.42
	stampMinCells = 8
	wideAspect    = 0.6
	// recolouredScale is how much stronger (or weaker) the colours of one
	// side must be for a pair to be read as a colour change that may clip;
	// the quantised colour grid puts unchanged pictures within a few
	// percent.
	recolouredScale = 1.08
	// textureBlock, textureEnergy, textureCorrelation and textureStray
	// hold the strokes of a picture to its copy (see textureAgrees): in
	// blocks of textureBlock x textureBlock cells whose fine structure
	// varies by more than textureEnergy (the mean square, 0–255 squared,
	// of cells against their 3x3 mean: text, icons, edges) on both sides,
	// the two structures must correlate by at least textureCorrelation,
	// in all but textureStray blocks. In a stamp's rows the copy may be
	// brightened by its caption instead, by textureCovered (0–255) on
	// average over the block at least; otherwise a block there must
	// correlate too, in all but textureStampStray blocks. Measured on the
	// tune split of marketgen eval with a pair-level pass over its
	// labelled copies and the false pairs of the previous build: unmarked
	// copies correlate over 0.5 in nearly every such block, other words of
	// one font in one place under 0.3. 52 false pairs came down to 14
	// with no copy lost; a lift of 12 loses a stamped copy, no stray block
	// loses two cropped ones, one stray in a stamp's rows keeps 10 more
	// false pairs.
	textureBlock       = 8
	textureEnergy      = 100
	textureCorrelation = 0.3
	textureStray       = 1
	textureStampStray  = 0
	textureCovered     = 8
)

// detailParams are the thresholds of one detail comparison.
type detailParams struct {
	level   float64 // luminance difference (0–255) that makes a cell differ
	stray   int     // differing cells allowed outside the largest patch
	patch   float64 // largest patch's bounding box, as a share of the cells
	hueCell float64 // share of both-coloured cells allowed a different hue
	greyRun int     // coloured cells allowed to face grey ones

	strictLevel float64 // the stricter level; off when not positive
	strictStray int     // cells allowed over it outside the largest patch
}

// detailResult is the outcome of comparing two details through one
// variant pair.
type detailResult struct {
	ok       bool
	colourOK bool
	cells    int   // compared
	differ   int   // over the level
	box      patch // the largest patch of differing cells
	// fineFailed is set when the pair passed the level but failed a check
	// of its finer detail, the texture or the strict level: both depend on
	// which side the grid samples and which it interpolates.
	fineFailed bool
}

// compareDetail compares the part of a that variant ka covers with the
// part of b that kb covers, b mirrored when mirrored is set. The variant
// pair aligns the two pictures; all of a that the alignment lines up with
// b is compared (see overlap). The cells of a are compared with b sampled
// at the corresponding places; a cell differs when neither side can be
// explained as the other one (after a brightness and contrast fit, half a
// cell of misalignment and, where a copier's stamp lies, its overlay)
// within the level. The outermost cells do not count. A pair that agrees
// must then also agree at the strict level (ImageThresholds.
// DetailStrictLevel), where a local brightness offset is allowed instead:
// the words of two same-layout screens differ by less than the level in
// most cells, but by more than the strict level in a few, spread over the
// picture.
//
// sc lends the working grids; it may be nil.
func compareDetail(sc *detailScratch, a, b *imageDetail, ka, kb VariantKind, mirrored bool, p detailParams) detailResult {
	sc.reset()
	fa, okA := a.frame(ka)
	fb, okB := b.frame(kb)
	if !okA || !okB {
		return detailResult{}
	}
	fo := overlap(fa, fb, mirrored)
	// Colour is cheap to compare and settles most pairs of one layout
	// in different colours, so it goes before the luminance lattice.
	agree, chromaScale := colourAgrees(a, b, fa, fb, fo, mirrored, p)
	if !agree {
		return detailResult{}
	}
	la, lb, ya, yb, nx, ny := lattice(sc, a, b, fa, fb, fo, mirrored)
	if nx < 8 || ny < 8 {
		return detailResult{}
	}
	// The lattice's cells are a's, so a's shape sizes a logo on it.
	logo := logoBoundsFor(a.aspect)
	alpha, beta := photometricFit(la, lb)
	for i, v := range la {
		la[i] = min(255, max(0, alpha*v+beta))
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
	type reading struct {
		dir      int
		src, dst []float64
		stamp    []stampRow
		r        []float64
		differ   int
		passes   bool
	}
	// passes is the first level: at most stray cells outside one patch,
	// whose bounding box is within the patch share.
	passes := func(differ int, box patch) bool {
		return differ-box.size <= p.stray && float64(box.area()) <= p.patch*float64(nx*ny)
	}
	// bounds[dir] is what the original explains each way round, without
	// an overlay; every reading that way round starts from it.
	var bounds [2]*cellBounds
	boundsOf := func(dir int, dst []float64) *cellBounds {
		if bounds[dir] == nil {
			bounds[dir] = neighbourBounds(sc, dst, nx, ny)
		}
		return bounds[dir]
	}
	var all []reading
	var res detailResult
	// resCopy, resOrig and resStamp are the reading res is from: which
	// side it takes for the copy, and its overlay rows.
	var resCopy, resOrig []float64
	var resStamp []stampRow
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
				markTextRows(sc, stamp, src, dst, nx, copyAspect, p.level)
			}
			var plain []float64 // this way round without the overlay
			if overlay {
				plain = all[dir].r
			}
			r := overlayResidual(sc, src, boundsOf(dir, dst), nx, ny, stamp, plain)
			// all[dir] is the plain reading the same way round.
			if overlay && copyAspect <= wideAspect && !stampBalanced(all[dir].r, r, nx, ny, p.level) {
				continue
			}
			differ, box := differing(sc, r, nx, ny, p.level, nil, p.stray+int(p.patch*float64(nx*ny)), logo)
			all = append(all, reading{dir, src, dst, stamp, r, differ, passes(differ, box)})
			if first || differ-box.size < res.differ-res.box.size {
				res = detailResult{cells: nx * ny, differ: differ, box: box}
				resCopy, resOrig, resStamp = src, dst, stamp
				first = false
			}
		}
	}
	// A colour change that clips moves a vivid region's luminance by more
	// than the global fit explains; when nothing else passed and the
	// colours are stronger or weaker on one side, the better of the plain
	// readings (all[0] and all[1]) is tried again with the local offset
	// taken out (see localLevel). levelled holds the local-offset copy of
	// each way round; the strict level reuses it.
	var levelled, levelledPlain [2][]float64
	if !passes(res.differ, res.box) && math.Abs(math.Log(chromaScale)) >= math.Log(recolouredScale) {
		rd := all[0]
		if all[1].differ < rd.differ {
			rd = all[1]
		}
		levelled[rd.dir] = localLevel(sc, rd.src, rd.dst, nx, ny)
		r := overlayResidual(sc, levelled[rd.dir], boundsOf(rd.dir, rd.dst), nx, ny, nil, nil)
		levelledPlain[rd.dir] = r
		differ, box := differing(sc, r, nx, ny, p.level, nil, p.stray+int(p.patch*float64(nx*ny)), logo)
		all = append(all, reading{rd.dir, rd.src, rd.dst, nil, r, differ, passes(differ, box)})
		if differ-box.size < res.differ-res.box.size {
			res = detailResult{cells: nx * ny, differ: differ, box: box}
			resCopy, resOrig, resStamp = rd.src, rd.dst, nil
		}
	}
	res.colourOK = true
	res.ok = passes(res.differ, res.box)
	if res.ok && !textureAgrees(sc, resOrig, resCopy, nx, ny, res.box, resStamp) {
		res.ok, res.fineFailed = false, true
		return res
	}
	if !res.ok || p.strictLevel <= 0 {
		return res
	}
	// The strict level: the best reading, with or without a local
	// brightness offset, must leave at most strictStray cells outside one
	// patch. Rows a stamp may cover are left to the level above.
	res.ok, res.fineFailed = false, true
	skips := make([][]bool, len(all))
	for k, rd := range all {
		if rd.stamp == nil {
			continue
		}
		// A reading that found a stamp's text rows and passed the level
		// with them is a stamped copy: the stamp's glyphs lie between
		// the rows found and the strict level would hold them against
		// it. Otherwise only the caption band is left out.
		if rd.passes && slices.ContainsFunc(rd.stamp, func(s stampRow) bool { return s.grey }) {
			res.ok, res.fineFailed = true, false
			return res
		}
		skips[k] = make([]bool, ny)
		for y, s := range rd.stamp {
			skips[k][y] = s.grey || s.white
		}
	}
	for k, rd := range all {
		if d, pt := differing(sc, rd.r, nx, ny, p.strictLevel, skips[k], p.strictStray+nx*ny, logo); d-pt.size <= p.strictStray {
			res.ok, res.fineFailed = true, false
			return res
		}
	}
	// The local offset depends only on which side is the copy, not on
	// the overlay reading.
	for k, rd := range all {
		if levelled[rd.dir] == nil {
			levelled[rd.dir] = localLevel(sc, rd.src, rd.dst, nx, ny)
		}
		r := levelledPlain[rd.dir]
		if r == nil || rd.stamp != nil {
			r = overlayResidual(sc, levelled[rd.dir], boundsOf(rd.dir, rd.dst), nx, ny, rd.stamp, levelledPlain[rd.dir])
		}
		if rd.stamp == nil {
			levelledPlain[rd.dir] = r
		}
		if d, pt := differing(sc, r, nx, ny, p.strictLevel, skips[k], p.strictStray+nx*ny, logo); d-pt.size <= p.strictStray {
			res.ok, res.fineFailed = true, false
			return res
		}
	}
	return res
}

// textureAgrees reports whether the fine structure of two lattices agrees
// block by block. The neighbour bounds of the level allow each cell half a
// cell of misalignment, which in a block of text or icons spans nearly
// every value: two slogans of one font in one place of a banner, or two
// titles over one header, then pass the level. A copy, resized, recompressed
// or recoloured, keeps its strokes where they were; other words put theirs
// elsewhere. So in every block where both sides have strokes, the two
// structures (each cell less the mean of its 3x3 neighbourhood) must
// correlate at one of the nine alignments within a cell. Blocks that touch
// the excused patch (a pasted logo) are left out. In the rows of a stamp
// reading (stamp, when given) a copier's light caption may cover the
// original's strokes: a block there that the copy shows brighter on
// average is excused, but not one where other strokes of the same
// brightness took the original's place.
func textureAgrees(sc *detailScratch, orig, copyGrid []float64, nx, ny int, box patch, stamp []stampRow) bool {
	ho, hc := highPass(sc, orig, nx, ny), highPass(sc, copyGrid, nx, ny)
	const n = textureBlock * textureBlock
	low, lowStamped := 0, 0
	// Blocks start inside the outermost ring of cells, which the level
	// leaves out, and one cell further in, so that every shifted block
	// reads cells with a whole neighbourhood.
	for by := 2; by+textureBlock <= ny-2; by += textureBlock {
		stamped := len(stamp) > 0 && slices.ContainsFunc(stamp[by:by+textureBlock], func(s stampRow) bool { return s.grey || s.white })
	blocks:
		for bx := 2; bx+textureBlock <= nx-2; bx += textureBlock {
			if box.size > 0 && bx <= box.x1 && bx+textureBlock-1 >= box.x0 && by <= box.y1 && by+textureBlock-1 >= box.y0 {
				continue
			}
			var eo, ec float64
			for y := by; y < by+textureBlock; y++ {
				for x := bx; x < bx+textureBlock; x++ {
					i := y*nx + x
					eo += ho[i] * ho[i]
					ec += hc[i] * hc[i]
				}
			}
			if eo < textureEnergy*n || ec < textureEnergy*n {
				continue
			}
			for sy := -1; sy <= 1; sy++ {
				for sx := -1; sx <= 1; sx++ {
					var oc, cc float64
					for y := by; y < by+textureBlock; y++ {
						for x := bx; x < bx+textureBlock; x++ {
							i := y*nx + x
							w := hc[(y+sy)*nx+x+sx]
							oc += ho[i] * w
							cc += w * w
						}
					}
					if cc > 0 && oc >= textureCorrelation*math.Sqrt(eo*cc) {
						continue blocks
					}
				}
			}
			if stamped {
				var lift float64
				for y := by; y < by+textureBlock; y++ {
					for x := bx; x < bx+textureBlock; x++ {
						lift += copyGrid[y*nx+x] - orig[y*nx+x]
					}
				}
				if lift >= textureCovered*n {
					continue
				}
				lowStamped++
			} else {
				low++
			}
			if low > textureStray || lowStamped > textureStampStray {
				return false
			}
		}
	}
	return true
}

// highPass is each cell of v less the mean of its 3x3 neighbourhood; the
// outermost cells, which have no whole neighbourhood, are 0.
func highPass(sc *detailScratch, v []float64, nx, ny int) []float64 {
	out := sc.float64s(len(v))
	rows := sc.float64s(len(v)) // sums of three cells along each row
	for y := range ny {
		for x := 1; x < nx-1; x++ {
			i := y*nx + x
			rows[i] = v[i-1] + v[i] + v[i+1]
		}
	}
	for y := 1; y < ny-1; y++ {
		for x := 1; x < nx-1; x++ {
			i := y*nx + x
			out[i] = v[i] - (rows[i-nx]+rows[i]+rows[i+nx])/9
		}
	}
	return out
}

// stampBalanced reports whether the cells a stamp reading explains (over
// level in the plain residual, within it in the stamped one) balance
// around the picture's vertical midline: the smaller half holds at least
// stampBalance of the larger. A copier's stamp is laid over the whole
// picture, its rows of text across the full width and its caption
// centred; the other words of a same-layout banner sit on one side of it.
// Only banners are held to it (see wideAspect). A reading that explains
// fewer than stampMinCells cells is balanced: the stamp makes no
// difference to it.
func stampBalanced(plain, stamped []float64, nx, ny int, level float64) bool {
	var left, right int
	for y := 1; y < ny-1; y++ {
		for x := 1; x < nx-1; x++ {
			i := y*nx + x
			if plain[i] <= level || stamped[i] > level {
				continue
			}
			if 2*x < nx {
				left++
			} else {
				right++
			}
		}
	}
	if left+right < stampMinCells {
		return true
	}
	return float64(min(left, right)) >= stampBalance*float64(max(left, right))
}

// differing counts the cells of the residual r over level, leaving out the
// outermost cells and the rows skip marks, and finds their largest patch.
// When more than hopeless cells differ, no patch can excuse them; the
// patch search, the costly part, is skipped and the patch reported empty.
func differing(sc *detailScratch, r []float64, nx, ny int, level float64, skip []bool, hopeless int, logo logoBounds) (differ int, largest patch) {
	strong := sc.bools(len(r))
	// The outermost cells are not held against a pair: a cut or a trim
	// puts the picture's edge up to a cell from where the other frame
	// expects it, so an edge cell averages content the other side does
	// not have.
	for y := 1; y < ny-1; y++ {
		if skip != nil && skip[y] {
			continue
		}
		for i := y*nx + 1; i < (y+1)*nx-1; i++ {
			if r[i] > level {
				strong[i] = true
				differ++
			}
		}
	}
	if differ > hopeless {
		return differ, patch{}
	}
	return differ, largestPatch(sc, strong, nx, ny, logo)
}

// localLevel is src moved by the local offset between src and dst: the
// median of their difference over the 5x5 cells around each cell. A
// colour change that clips shifts the luminance of a whole coloured region
// by more than the global fit explains; other words or a moved object
// change a few cells against their surroundings, which the median keeps.
// The differences are rounded to whole levels and their median kept in a
// histogram that slides along each row, so a cell costs a few updates
// instead of sorting its window; the offset is within half a level of the
// exact median.
func localLevel(sc *detailScratch, src, dst []float64, nx, ny int) []float64 {
	const zero = 255 // histogram bin of a zero difference
	bin := sc.int16s(len(src))
	for i := range src {
		bin[i] = int16(math.Round(math.Max(-255, math.Min(255, src[i]-dst[i])))) + zero
	}
	out := sc.float64s(len(src))
	var hist [2*zero + 1]int32
	for y := range ny {
		y0, y1 := max(0, y-2), min(ny-1, y+2)
		clear(hist[:])
		n, median, below := 0, zero, 0 // below: values in bins under median
		column := func(x, delta int) {
			for yy := y0; yy <= y1; yy++ {
				v := int(bin[yy*nx+x])
				hist[v] += int32(delta)
				n += delta
				if v < median {
					below += delta
				}
			}
		}
		for x := range min(nx, 2) {
			column(x, 1)
		}
		for x := range nx {
			if x+2 < nx {
				column(x+2, 1)
			}
			if x-3 >= 0 {
				column(x-3, -1)
			}
			// The median is the value at rank n/2 of the window sorted.
			k := n / 2
			for below > k {
				median--
				below -= int(hist[median])
			}
			for below+int(hist[median]) <= k {
				below += int(hist[median])
				median++
			}
			out[y*nx+x] = src[y*nx+x] - float64(median-zero)
		}
	}
	return out
}

// overlap is the part of a's picture that the variant pair lines up with
// some part of b's: fa stretched as far as fb can be stretched within b,
// clipped to a. The variant pair fixes how the pictures align, not how
// much of them is compared: both screens cut below the status bar still
// show, and must agree on, the header above the cut, and a picture whose
// full trim took a few more rows than its copy's is compared where both
// have content.
func overlap(fa, fb frame, mirrored bool) frame {
	// b's picture [0, 1] in the variant's own coordinates u, v.
	u0, u1 := -fb.x0/fb.w(), (1-fb.x0)/fb.w()
	if mirrored {
		u0, u1 = 1-u1, 1-u0
	}
	v0, v1 := -fb.y0/fb.h(), (1-fb.y0)/fb.h()
	return frame{
		x0: math.Max(0, fa.x0+u0*fa.w()), x1: math.Min(1, fa.x0+u1*fa.w()),
		y0: math.Max(0, fa.y0+v0*fa.h()), y1: math.Min(1, fa.y0+v1*fa.h()),
	}
}

// lattice returns the cells of a whose centres lie in fo and the values of
// b at the places of fb that correspond to them through fa, bilinearly
// interpolated, as nx x ny grids.
func lattice(sc *detailScratch, a, b *imageDetail, fa, fb, fo frame, mirrored bool) (la, lb, ya, yb []float64, nx, ny int) {
	x0 := max(0, int(math.Ceil(fo.x0*detailCols-0.5)))
	x1 := min(detailCols-1, int(math.Floor(fo.x1*detailCols-0.5)))
	y0 := max(0, int(math.Ceil(fo.y0*detailRows-0.5)))
	y1 := min(detailRows-1, int(math.Floor(fo.y1*detailRows-0.5)))
	nx, ny = x1-x0+1, y1-y0+1
	if nx <= 0 || ny <= 0 {
		return nil, nil, nil, nil, 0, 0
	}
	// Where each column of a falls between b's columns, worked out once
	// for all rows.
	ix := make([]int, nx)
	fx := sc.float64s(nx)
	for i := range nx {
		u := ((float64(x0+i)+0.5)/detailCols - fa.x0) / fa.w()
		if mirrored {
			u = 1 - u
		}
		ix[i], fx[i] = gridStep((fb.x0+u*fb.w())*detailCols-0.5, detailCols)
	}
	la = sc.float64s(nx * ny)
	lb = sc.float64s(nx * ny)
	ya = sc.float64s(ny)
	yb = sc.float64s(ny)
	for j := range ny {
		ya[j] = (float64(y0+j) + 0.5) / detailRows
		v := (ya[j] - fa.y0) / fa.h()
		yb[j] = fb.y0 + v*fb.h()
		iy, fy := gridStep(yb[j]*detailRows-0.5, detailRows)
		top, bottom := b.luma[iy*detailCols:(iy+1)*detailCols], b.luma[(iy+1)*detailCols:(iy+2)*detailCols]
		for i := range nx {
			la[j*nx+i] = float64(a.luma[(y0+j)*detailCols+x0+i])
			// Bilinear: the row above and the row below, each between
			// its two columns.
			x, f := ix[i], fx[i]
			lb[j*nx+i] = (1-fy)*((1-f)*float64(top[x])+f*float64(top[x+1])) + fy*((1-f)*float64(bottom[x])+f*float64(bottom[x+1]))
		}
	}
	return la, lb, ya, yb, nx, ny
}

// gridStep places coordinate c (cell centres at whole numbers), clamped to
// a grid of n cells, between cell i and i+1, f of the way from i.
func gridStep(c float64, n int) (i int, f float64) {
	c = math.Max(0, math.Min(float64(n-1), c))
	i = min(int(c), n-2)
	return i, c - float64(i)
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
func markTextRows(sc *detailScratch, stamp []stampRow, copyGrid, orig []float64, nx int, aspect, level float64) {
	ny := len(stamp)
	reach := stampRowReach
	if aspect > 0 {
		reach = max(reach, int(math.Ceil(stampText/2/aspect*detailRows)))
	}
	hit := sc.bools(ny)
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

// cellBounds is, per cell of an original, the range of values it shows
// within half a cell: its own value and the midpoints towards its four
// neighbours. A copy's edge that falls half a cell away from the
// original's lies within it.
type cellBounds struct{ lo, hi []float64 }

func neighbourBounds(sc *detailScratch, orig []float64, nx, ny int) *cellBounds {
	b := &cellBounds{lo: sc.float64s(len(orig)), hi: sc.float64s(len(orig))}
	for y := range ny {
		for x := range nx {
			i := y*nx + x
			o := orig[i]
			lo, hi := o, o
			// Half a cell towards each neighbour there is.
			if x > 0 {
				lo, hi = widen(lo, hi, (o+orig[i-1])/2)
			}
			if x < nx-1 {
				lo, hi = widen(lo, hi, (o+orig[i+1])/2)
			}
			if y > 0 {
				lo, hi = widen(lo, hi, (o+orig[i-nx])/2)
			}
			if y < ny-1 {
				lo, hi = widen(lo, hi, (o+orig[i+nx])/2)
			}
			b.lo[i], b.hi[i] = lo, hi
		}
	}
	return b
}

// widen stretches [lo, hi] to take in h.
func widen(lo, hi, h float64) (float64, float64) {
	if h < lo {
		return h, hi
	} else if h > hi {
		return lo, h
	}
	return lo, hi
}

// overlayResidual is, per cell, how far the copy's value lies outside what
// the original explains (its cellBounds), widened towards grey or white in
// the rows the stamp may cover, when stamp is given. plain, when given, is
// the residual of the same copy without the stamp, which the rows the
// stamp leaves alone repeat.
func overlayResidual(sc *detailScratch, copyGrid []float64, orig *cellBounds, nx, ny int, stamp []stampRow, plain []float64) []float64 {
	r := sc.float64s(len(copyGrid))
	for y := range ny {
		var row stampRow
		if stamp != nil {
			row = stamp[y]
		}
		if plain != nil && !row.grey && !row.white {
			copy(r[y*nx:(y+1)*nx], plain[y*nx:(y+1)*nx])
			continue
		}
		for i := y * nx; i < (y+1)*nx; i++ {
			lo, hi := orig.lo[i], orig.hi[i]
			if row.grey {
				if lo > overlayGrey {
					lo += overlayAlpha * (overlayGrey - lo)
				}
				if hi < overlayGrey {
					hi += overlayAlpha * (overlayGrey - hi)
				}
			}
			if row.white {
				hi += whiteAlpha * (255 - hi)
			}
			v := copyGrid[i]
			if v > hi {
				r[i] = v - hi
			} else if v < lo {
				r[i] = lo - v
			}
		}
	}
	return r
}

// patch is a group of differing cells and its bounding box.
type patch struct {
	size           int
	x0, y0, x1, y1 int
}

// area is the size of the patch's bounding box; 0 for no patch.
func (pt patch) area() int {
	if pt.size == 0 {
		return 0
	}
	return (pt.x1 - pt.x0 + 1) * (pt.y1 - pt.y0 + 1)
}

// covers reports whether cell (x, y) lies in the patch's bounding box.
func (pt patch) covers(x, y int) bool {
	return pt.size > 0 && x >= pt.x0 && x <= pt.x1 && y >= pt.y0 && y <= pt.y1
}

// logoBounds is the largest bounding box, in cells, that a pasted logo
// covers on a grid.
type logoBounds struct{ w, h int }

// logoBoundsFor is the bounding box, in detail cells, of logoSpan of a
// picture of the given aspect (height over width) each way. An unknown
// aspect bounds the width alone.
func logoBoundsFor(aspect float64) logoBounds {
	b := logoBounds{w: int(logoSpan * detailCols), h: detailRows}
	if aspect > 0 {
		b.h = min(detailRows, int(logoSpan*detailRows/aspect))
	}
	return b
}

// largestPatch finds the largest group of marked cells in a corner of the
// grid, cells within patchReach of each other counting as one group. A
// group is in a corner when its bounding box comes within cornerReach of a
// side and of the top or bottom, and fits in logo or is a line one cell
// thin: a copier pastes a logo or a badge there. A group elsewhere, or
// wider or higher, is the part of a same-layout picture that carries its
// own content (the slogan of a banner, the product in a photo, the title
// across a screen's header) and is never excused.
func largestPatch(sc *detailScratch, marked []bool, nx, ny int, logo logoBounds) patch {
	rx := int(math.Ceil(cornerReach * float64(nx)))
	ry := int(math.Ceil(cornerReach * float64(ny)))
	seen := sc.bools(len(marked))
	var stack []int
	if sc != nil {
		stack = sc.stack[:0]
		defer func() { sc.stack = stack }()
	}
	var best patch
	for i := range marked {
		if !marked[i] || seen[i] {
			continue
		}
		g := patch{x0: nx, y0: ny, x1: -1, y1: -1}
		seen[i] = true
		stack = append(stack[:0], i)
		for len(stack) > 0 {
			c := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			g.size++
			cx, cy := c%nx, c/nx
			g.x0, g.y0, g.x1, g.y1 = min(g.x0, cx), min(g.y0, cy), max(g.x1, cx), max(g.y1, cy)
			for y := max(0, cy-patchReach); y <= min(ny-1, cy+patchReach); y++ {
				for x := max(0, cx-patchReach); x <= min(nx-1, cx+patchReach); x++ {
					if k := y*nx + x; marked[k] && !seen[k] {
						seen[k] = true
						stack = append(stack, k)
					}
				}
			}
		}
		inCorner := (g.x0 <= rx || g.x1 >= nx-1-rx) && (g.y0 <= ry || g.y1 >= ny-1-ry)
		// A line one cell thin is no pasted object but an edge that the
		// alignment put a cell off, whatever its length.
		thin := g.x0 == g.x1 || g.y0 == g.y1
		fits := thin || g.x1-g.x0 < logo.w && g.y1-g.y0 < logo.h
		if inCorner && fits && g.size > best.size {
			best = g
		}
	}
	return best
}

// colourAgrees compares the colour grids of the two frames: the hue of
// cells both show in colour, and coloured cells facing grey ones. A copy
// keeps its hues through recompression, resizing and saturation changes;
// the same layout from another provider has another accent colour. A side
// without any colour (a grayscale copy) agrees with everything. The grid is
// coarse, so a cell is compared with the cells around the place it maps
// to, and disagrees only when none of them agrees. A logo pasted in a
// corner brings its own colours: the largest corner patch of disagreeing
// cells is left out when it is no larger than the luminance check allows.
// chromaScale is the median ratio of b's colour strength to a's over the
// strongly coloured cells both show: 1 for pictures whose colours are as
// strong, away from 1 when one is a saturation or brightness change of the
// other; 1 too when there is nothing to measure.
func colourAgrees(a, b *imageDetail, fa, fb, fo frame, mirrored bool, p detailParams) (agree bool, chromaScale float64) {
	if a.achromatic || b.achromatic {
		return true, 1
	}
	var ratios []float64
	const (
		unseen = iota
		agrees
		otherHue
		facesGrey // a strongly coloured cell facing grey ones
		weakGrey  // a weakly coloured cell facing grey ones: not held against the pair
	)
	var verdict [chromaRows * chromaCols]uint8
	compared := 0
	// Only cells (nearly) wholly inside the overlap take part: a cell its
	// edge cuts deeper averages colour from outside the other picture.
	const slack = 0.25 // of a cell
	for cj := range chromaRows {
		v := ((float64(cj)+0.5)/chromaRows - fa.y0) / fa.h()
		if (float64(cj)+slack)/chromaRows < fo.y0 || (float64(cj+1)-slack)/chromaRows > fo.y1 {
			continue
		}
		y := int(math.Floor((fb.y0 + v*fb.h()) * chromaRows))
		for ci := range chromaCols {
			u := ((float64(ci)+0.5)/chromaCols - fa.x0) / fa.w()
			if (float64(ci)+slack)/chromaCols < fo.x0 || (float64(ci+1)-slack)/chromaCols > fo.x1 {
				continue
			}
			compared++
			if mirrored {
				u = 1 - u
			}
			x := int(math.Floor((fb.x0 + u*fb.w()) * chromaCols))
			i := cj*chromaCols + ci
			ma, hueA := a.chroma[i], a.hue[i]
			if ma < chromaticChroma {
				continue
			}
			if ma >= strongChroma {
				k := min(max(y, 0), chromaRows-1)*chromaCols + min(max(x, 0), chromaCols-1)
				if mb := b.chroma[k]; mb >= strongChroma {
					ratios = append(ratios, mb/ma)
				}
			}
			sameHue, anyColour, faced := false, false, false
			for yy := max(0, y-1); yy <= min(chromaRows-1, y+1); yy++ {
				for xx := max(0, x-1); xx <= min(chromaCols-1, x+1); xx++ {
					k := yy*chromaCols + xx
					faced = true
					mb := b.chroma[k]
					if mb >= achromaticChroma {
						anyColour = true
					}
					if mb >= chromaticChroma && hueDistance(hueA, b.hue[k]) <= maxHueShift {
						sameHue = true
					}
				}
			}
			switch {
			case !faced:
			case !anyColour && ma >= strongChroma:
				verdict[i] = facesGrey
			case !anyColour:
				verdict[i] = weakGrey
			case sameHue:
				verdict[i] = agrees
			default:
				verdict[i] = otherHue
			}
		}
	}
	var bad [chromaRows * chromaCols]bool
	for i, v := range verdict {
		bad[i] = v == otherHue || v == facesGrey
	}
	logo := largestPatch(nil, bad[:], chromaCols, chromaRows, logoBounds{chromaCols, chromaRows})
	if float64(logo.area()) > p.patch*float64(compared) {
		logo = patch{}
	}
	both, hue, grey := 0, 0, 0
	for i, v := range verdict {
		if logo.covers(i%chromaCols, i/chromaCols) {
			continue
		}
		switch v {
		case agrees:
			both++
		case otherHue:
			both++
			hue++
		case facesGrey:
			grey++
		}
	}
	chromaScale = 1
	if len(ratios) > 0 {
		slices.Sort(ratios)
		chromaScale = ratios[len(ratios)/2]
	}
	return float64(hue) <= p.hueCell*float64(max(both, 1)) && grey <= p.greyRun, chromaScale
}

// hueDistance is the angle between two hues, the angles of two colour
// differences (Cb, Cr).
func hueDistance(h1, h2 float64) float64 {
	d := math.Abs(h1 - h2)
	if d > math.Pi {
		d = 2*math.Pi - d
	}
	return d
}

// ColoursAgree reports whether two prints' whole pictures agree in colour,
// b mirrored when mirrored is set: the colour test Match applies to a
// verified pair, on its own. It is for pictures judged by their hashes
// alone, such as logos, where a luminance hash cannot tell a purple badge
// from a green one of the same shape. A picture without colour agrees with
// any; an incomparable or unreadable print agrees with none.
func ColoursAgree(a, b ImagePrint, mirrored bool) bool {
	return ColoursAgreeCached(nil, a, b, mirrored)
}

// ColoursAgreeCached is ColoursAgree, with detail signatures decoded
// through cache.
func ColoursAgreeCached(cache *DetailCache, a, b ImagePrint, mirrored bool) bool {
	if !a.Comparable() || !b.Comparable() {
		return false
	}
	da, errA := cache.detail(a.Detail)
	db, errB := cache.detail(b.Detail)
	if errA != nil || errB != nil {
		return false
	}
	fa, okA := da.frame(VariantFull)
	fb, okB := db.frame(VariantFull)
	if !okA || !okB {
		return false
	}
	agree, _ := colourAgrees(da, db, fa, fb, overlap(fa, fb, mirrored), mirrored, DefaultImageThresholds().detailParams())
	return agree
}

// detailScratch lends compareDetail its working grids. A worker compares
// thousands of pairs, each with a dozen grids of a few thousand cells;
// reusing them spares the garbage collector hundreds of kilobytes a pair.
// Grids are handed out zeroed and taken back all at once by reset, at the
// start of each comparison. A nil scratch allocates.
type detailScratch struct {
	f64   arena[float64]
	flags arena[bool]
	i16   arena[int16]
	stack []int
}

func (sc *detailScratch) reset() {
	if sc != nil {
		sc.f64.used, sc.flags.used, sc.i16.used = 0, 0, 0
	}
}

func (sc *detailScratch) float64s(n int) []float64 {
	if sc == nil {
		return make([]float64, n)
	}
	return sc.f64.take(n)
}

func (sc *detailScratch) bools(n int) []bool {
	if sc == nil {
		return make([]bool, n)
	}
	return sc.flags.take(n)
}

func (sc *detailScratch) int16s(n int) []int16 {
	if sc == nil {
		return make([]int16, n)
	}
	return sc.i16.take(n)
}

// arena hands out zeroed slices of one backing array until reset. When it
// runs out it starts a larger one; slices already handed out keep the old.
type arena[T any] struct {
	buf  []T
	used int
}

func (a *arena[T]) take(n int) []T {
	if a.used+n > len(a.buf) {
		a.buf = make([]T, max(2*len(a.buf), 16*n))
		a.used = 0
	}
	out := a.buf[a.used : a.used+n : a.used+n]
	a.used += n
	clear(out)
	return out
}
