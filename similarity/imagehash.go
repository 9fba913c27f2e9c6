package similarity

import (
	"bytes"
	"fmt"
	"image"
	"math"
	"math/bits"
	"slices"
	"strings"

	"github.com/corona10/goimagehash"
)

// ImagePrintVersion identifies how prints are computed: the working size,
// the trimming, the set of variants and the detail signature. Prints of
// different versions are never compared, so a store holding older prints
// recomputes them instead of silently missing copies.
//
// Version 2 trims only the symmetric part of opposite borders and adds the
// detail signature; version 3 lets the cut variants' frames in it reach
// past the trimmed full image.
const ImagePrintVersion = 3

// VariantKind names the part of a normalised image a variant hashes. Copies
// of listing images are usually cut, not only scaled: the phone status bar
// cropped off a screenshot, a few percent shaved from every edge. A
// perceptual hash of the whole image does not survive that, so each image is
// also hashed as it would look after those cuts, and a copy's whole-image
// hash meets the original's cut variant.
type VariantKind string

// The variants every comparable image gets, each also mirrored.
const (
	// VariantFull is the image after uniform borders are trimmed.
	VariantFull VariantKind = "full"
	// VariantTopCut is the image without its top 12%, then trimmed: a
	// screenshot whose status bar and title bar were cropped off.
	VariantTopCut VariantKind = "top-cut"
	// VariantCenter is the central 90% of the image (5% off every side),
	// then trimmed: a copy with its edges cropped.
	VariantCenter VariantKind = "center"
)

// Variant geometry, as fractions of the image.
const (
	topCutShare = 0.12
	centerInset = 0.05
)

// ImageVariant is the pair of 64-bit perceptual hashes of one variant.
// pHash (the signs of the lowest DCT frequencies) captures the overall
// layout and survives re-encoding, scaling and colour changes; dHash (the
// signs of horizontal gradients on a 9x8 grid) captures where edges are.
// Similar-looking screens often agree on one of them but not on both, which
// is why a match needs both.
type ImageVariant struct {
	Kind     VariantKind `json:"kind"`
	Mirrored bool        `json:"mirrored,omitempty"`
	PHash    uint64      `json:"phash"`
	DHash    uint64      `json:"dhash"`
}

// ImagePrint is what the store keeps of a listing image: enough to find and
// verify near-duplicates without the pixels. The zero value is a print of
// nothing and matches nothing.
type ImagePrint struct {
	// Version is the ImagePrintVersion the print was computed with.
	Version int `json:"version"`
	// Width and Height are the displayed size of the source image.
	Width  int `json:"width"`
	Height int `json:"height"`
	// LowInfo says why an image is not compared ("tiny", "flat"); empty
	// for a comparable image. Low-information prints carry no variants.
	LowInfo  string         `json:"low_info,omitempty"`
	Variants []ImageVariant `json:"variants,omitempty"`
	// Detail is the detail signature that verifies a candidate the hashes
	// propose: the luminance of the trimmed image on a 96x64 grid, its
	// colour on a 12x8 grid, and where the cut variants lie in it,
	// compressed (about 1 KB). It is opaque; only Match reads it.
	Detail []byte `json:"detail,omitempty"`
}

// Comparable reports whether the print takes part in matching. Blank
// images, solid colours and tiny icons are shared by unrelated listings and
// would only produce false copies.
func (p ImagePrint) Comparable() bool {
	return p.LowInfo == "" && len(p.Variants) > 0 && len(p.Detail) > 0 && p.Version == ImagePrintVersion
}

// FingerprintImage decodes an encoded image within lim and computes its
// print. Decoding happens once; every variant is cut from one small working
// copy.
func FingerprintImage(data []byte, lim ImageLimits) (ImagePrint, error) {
	img, info, err := decodeRaw(data, lim)
	if err != nil {
		return ImagePrint{}, fmt.Errorf("fingerprint image: %w", err)
	}
	p := fingerprintWorking(newWorking(img, info.Orientation))
	p.Width, p.Height = info.Width, info.Height
	withDetail(&p, img, info.Orientation)
	return p, nil
}

// withDetail adds the detail signature to a comparable print; a print whose
// content is too small for the grid becomes low-information instead.
func withDetail(p *ImagePrint, img image.Image, orientation int) {
	if p.LowInfo != "" {
		return
	}
	if p.Detail = computeDetail(img, orientation); p.Detail == nil {
		p.LowInfo, p.Variants = LowInfoTiny, nil
	}
}

// FingerprintDecoded computes the print of an image that is already decoded
// and upright, such as the result of DecodeImage, so that a caller who needs
// the pixels for something else does not decode twice.
func FingerprintDecoded(img image.Image) (ImagePrint, error) {
	if img == nil || img.Bounds().Empty() {
		return ImagePrint{}, fmt.Errorf("fingerprint image: %w", ErrEmptyImage)
	}
	p := fingerprintWorking(newWorking(img, 1))
	p.Width, p.Height = img.Bounds().Dx(), img.Bounds().Dy()
	withDetail(&p, img, 1)
	return p, nil
}

func fingerprintWorking(w working) ImagePrint {
	p := ImagePrint{Version: ImagePrintVersion}
	r, low := w.normalise()
	if low != "" {
		p.LowInfo = low
		return p
	}
	for _, v := range variantRects(w.img, r) {
		for _, mirrored := range []bool{false, true} {
			img := crop(w.img, v.rect, mirrored)
			ph, dh, err := hashes(img)
			if err != nil {
				continue // unreachable for a non-empty image
			}
			p.Variants = append(p.Variants, ImageVariant{Kind: v.kind, Mirrored: mirrored, PHash: ph, DHash: dh})
		}
	}
	if len(p.Variants) == 0 {
		p.LowInfo = LowInfoTiny
	}
	return p
}

type variantRect struct {
	kind VariantKind
	rect image.Rectangle
}

// variantRects returns the variants of the working image m whose trimmed
// content is r. The cuts are measured on the whole image, not on the
// trimmed content, because that is what a copier cuts: a screenshot whose
// light margins the trim removed is still cropped from its outer edge. Each
// cut is trimmed again, exactly as the cut copy is when it is fingerprinted
// itself.
func variantRects(m *image.RGBA, r image.Rectangle) []variantRect {
	out := []variantRect{{VariantFull, r}}
	b := m.Rect
	top := b
	top.Min.Y += int(math.Round(topCutShare * float64(b.Dy())))
	dx := int(math.Round(centerInset * float64(b.Dx())))
	dy := int(math.Round(centerInset * float64(b.Dy())))
	center := image.Rect(b.Min.X+dx, b.Min.Y+dy, b.Max.X-dx, b.Max.Y-dy)
	const minVariantSide = 8 // working pixels; anything smaller hashes noise
	for _, v := range []variantRect{{VariantTopCut, top}, {VariantCenter, center}} {
		v.rect = trimBorders(m, v.rect)
		if v.rect.Dx() >= minVariantSide && v.rect.Dy() >= minVariantSide {
			out = append(out, v)
		}
	}
	return out
}

func hashes(img image.Image) (phash, dhash uint64, err error) {
	p, err := goimagehash.PerceptionHash(img)
	if err != nil {
		return 0, 0, fmt.Errorf("perception hash: %w", err)
	}
	d, err := goimagehash.DifferenceHash(img)
	if err != nil {
		return 0, 0, fmt.Errorf("difference hash: %w", err)
	}
	return p.GetHash(), d.GetHash(), nil
}

// ImageThresholds decide when two prints show the same picture. The
// hashes propose: a variant pair must be within PHash and DHash, or, for a
// copy with something pasted over a corner (which moves the low
// frequencies pHash keeps much more than the edges dHash keeps), within
// DHashAlone. The detail disposes: the pair's detail signatures must agree
// everywhere except in one patch in a corner no wider or higher than a
// logo, with at most DetailStray cells that differ by more than
// DetailLevel outside it, their colours must agree, their strokes (text,
// icons, edges) must correlate block by block, and they must pass the same
// test at DetailStrictLevel. The variant pair
// only aligns the two pictures: the detail compares all of them that the
// alignment lines up, so two screens cut the same way are still compared
// on the header above the cut.
//
// A zero field means its default, so that thresholds written before a field
// existed keep working; a negative DHashAlone turns that path off.
type ImageThresholds struct {
	// PHash and DHash are Hamming distances out of 64 bits.
	PHash int `json:"phash" yaml:"phash"`
	DHash int `json:"dhash" yaml:"dhash"`
	// DHashAlone is the dHash distance at which a variant pair is a
	// candidate whatever its pHash distance. It is capped at
	// ImageIndexRadius, the neighbourhood an ImageIndex searches.
	DHashAlone int `json:"dhash_alone" yaml:"dhash_alone"`
	// DetailLevel is the luminance difference (0–255, after matching the
	// two images' brightness and contrast) from which a grid cell differs.
	DetailLevel int `json:"detail_level" yaml:"detail_level"`
	// DetailStray is how many differing cells may lie outside the largest
	// patch of differing cells in a corner of the picture.
	DetailStray int `json:"detail_stray" yaml:"detail_stray"`
	// DetailPatch is the largest share of the compared cells that the
	// bounding box of that patch may cover: a logo or sticker pasted in a
	// corner of the copy. Whatever its share, the patch spans at most a
	// quarter of the picture's width each way.
	DetailPatch float64 `json:"detail_patch" yaml:"detail_patch"`
	// DetailStrictLevel and DetailStrictStray are a second, stricter
	// luminance check that a pair passing the first must also pass, with
	// a local brightness offset allowed (see compareDetail): at most
	// DetailStrictStray cells outside one patch may differ by more than
	// DetailStrictLevel. Same-layout screens of other providers differ
	// from each other only in their words, which move few cells by more
	// than DetailLevel; copies, once a colour change's clipping is
	// levelled out, agree more closely. A negative DetailStrictLevel turns
	// the check off.
	DetailStrictLevel int `json:"detail_strict_level" yaml:"detail_strict_level"`
	DetailStrictStray int `json:"detail_strict_stray" yaml:"detail_strict_stray"`
}

// The default thresholds are measured on generated marketplace corpora
// (the tune split of marketgen eval): app screens of a few shared layouts in
// many accent colours, banners and product photographs, each copied with
// eleven edits. See DefaultImageThresholds. DefaultImageDetailLevel keeps
// every edit's recall at or above 0.97 there; lower levels reject more
// same-layout look-alikes (24 about half of those 32 lets through) but
// lose brightened copies, whose luminance the linear fit does not fully
// restore where the filter clips. The strict level catches those
// look-alikes with a local offset that absorbs the clipping instead: on
// the tune split (440 labelled copies, 40 per edit) level 20 with one stray
// cell cut the cross-provider false pairs by a third (155 to 105) but lost
// a copy with a logo pasted over it in the scanner's test corpus; level 24
// with three stray cells keeps it (24 with four: 134 false pairs on tune).
// 18 loses bordered copies, since the grid is quantised in steps of 17.
const (
	DefaultImagePHashThreshold      = 12
	DefaultImageDHashThreshold      = 10
	DefaultImageDHashAloneThreshold = 6
	DefaultImageDetailLevel         = 32
	DefaultImageDetailStray         = 3
	DefaultImageDetailPatch         = 0.10
	DefaultImageDetailStrictLevel   = 24
	DefaultImageDetailStrictStray   = 3
)

// The colour check's bounds. On the tune split a share of 0.3 loses one
// colour-filtered copy of 40 and rejects 4 more false pairs of about 600:
// look-alikes that pass the luminance check mostly share their accent
// colour, so the share is set for recall.
const (
	// maxHueCellShare is the share of cells coloured on both sides that
	// may show a different hue.
	maxHueCellShare = 0.4
	// maxGreyFacing is how many strongly coloured cells may face grey ones.
	maxGreyFacing = 2
)

// DefaultImageThresholds is what MatchImages applies, and the starting
// point for tuning: a function rather than a variable, so no caller can
// change the defaults under another.
func DefaultImageThresholds() ImageThresholds {
	return ImageThresholds{
		PHash:       DefaultImagePHashThreshold,
		DHash:       DefaultImageDHashThreshold,
		DHashAlone:  DefaultImageDHashAloneThreshold,
		DetailLevel: DefaultImageDetailLevel,
		DetailStray: DefaultImageDetailStray,
		DetailPatch: DefaultImageDetailPatch,

		DetailStrictLevel: DefaultImageDetailStrictLevel,
		DetailStrictStray: DefaultImageDetailStrictStray,
	}
}

// withDefaults fills the zero fields.
func (t ImageThresholds) withDefaults() ImageThresholds {
	d := DefaultImageThresholds()
	if t.PHash == 0 && t.DHash == 0 {
		t.PHash, t.DHash = d.PHash, d.DHash
	}
	if t.DHashAlone == 0 {
		t.DHashAlone = d.DHashAlone
	}
	t.DHashAlone = min(t.DHashAlone, ImageIndexRadius)
	if t.DetailLevel <= 0 {
		t.DetailLevel = d.DetailLevel
	}
	if t.DetailStray == 0 {
		t.DetailStray = d.DetailStray
	}
	if t.DetailPatch <= 0 {
		t.DetailPatch = d.DetailPatch
	}
	if t.DetailStrictLevel == 0 {
		t.DetailStrictLevel = d.DetailStrictLevel
	}
	if t.DetailStrictStray == 0 {
		t.DetailStrictStray = d.DetailStrictStray
	}
	return t
}

func (t ImageThresholds) detailParams() detailParams {
	return detailParams{
		level:   float64(t.DetailLevel),
		stray:   max(0, t.DetailStray),
		patch:   t.DetailPatch,
		hueCell: maxHueCellShare,
		greyRun: maxGreyFacing,

		strictLevel: float64(t.DetailStrictLevel),
		strictStray: max(0, t.DetailStrictStray),
	}
}

// candidate reports whether a variant pair at these distances is worth
// verifying.
func (t ImageThresholds) candidate(pd, dd int) bool {
	return (pd <= t.PHash && dd <= t.DHash) || dd <= t.DHashAlone
}

// ImageMatch is the closest pair of variants between two prints.
type ImageMatch struct {
	PHashDistance int `json:"phash_distance"`
	DHashDistance int `json:"dhash_distance"`
	// Kind is the variant of the first print, OtherKind of the second.
	Kind      VariantKind `json:"kind"`
	OtherKind VariantKind `json:"other_kind"`
	// Mirrored is set when one image is the mirror of the other.
	Mirrored bool `json:"mirrored,omitempty"`
	// Score is 1 for identical hashes and falls linearly with the summed
	// distance: 1 - (pHash + dHash distance)/128. It does not depend on the
	// thresholds, so retuning them does not change the scores of findings
	// already reviewed.
	Score float64 `json:"score"`
	// DetailDiff is the share of the detail grid's cells that differ, and
	// Patch the share the largest patch of them covers (a pasted logo);
	// both 0 for identical pictures. They are set for verified pairs.
	DetailDiff float64 `json:"detail_diff,omitempty"`
	Patch      float64 `json:"patch,omitempty"`
}

// Transform describes, for a reviewer, how the two images differ
// geometrically: "mirrored", "top cut", "edges cropped", or "" when they
// match as whole images.
func (m ImageMatch) Transform() string {
	var parts []string
	if m.Mirrored {
		parts = append(parts, "mirrored")
	}
	for _, k := range []VariantKind{m.Kind, m.OtherKind} {
		switch k {
		case VariantTopCut:
			parts = append(parts, "top cut")
		case VariantCenter:
			parts = append(parts, "edges cropped")
		}
	}
	return strings.Join(parts, ", ")
}

// MatchImages compares two prints with the default thresholds.
func MatchImages(a, b ImagePrint) (ImageMatch, bool) {
	return DefaultImageThresholds().Match(a, b)
}

// Match returns the closest variant pair of a and b and whether they show
// the same picture. Low-information prints never match. The non-mirrored
// variants of each print are compared with every variant of the other,
// which finds mirrored copies; mirrored-against-mirrored pairs are skipped
// because they repeat a plain pair. Candidate pairs (see ImageThresholds)
// are verified with the detail signature, closest first, and the first
// that agrees is the match. The pair set, its order and the verification
// are the same both ways round, so Match(a, b) and Match(b, a) agree.
//
// When nothing is verified, the closest pair is still returned with false,
// which is what threshold tuning needs to see.
func (t ImageThresholds) Match(a, b ImagePrint) (ImageMatch, bool) {
	return t.MatchCached(nil, a, b)
}

// DetailCache keeps decoded detail signatures, so that an image compared
// with many others (a listing with each of its candidates) is decoded once:
// decoding was a third of the cost of Match in a catalogue scan. It holds
// prints by the address of their detail bytes, so it is meant to hold
// them for one such round of comparisons; Forget ends a round. It also
// keeps the decompressor and the working grids of the comparisons, which
// cost more to make than to use. A nil cache decodes every time. It is not
// safe for concurrent use.
type DetailCache struct {
	decoded map[*byte]*imageDetail
	dec     detailDecoder
	scratch detailScratch
	// free holds the details of past rounds, decoded into again: each is
	// 25 KB, and a round decodes dozens.
	free []*imageDetail
}

func (c *DetailCache) detail(data []byte) (*imageDetail, error) {
	if c == nil || len(data) == 0 {
		return decodeDetail(data)
	}
	if d, ok := c.decoded[&data[0]]; ok {
		return d, nil
	}
	var into *imageDetail
	if n := len(c.free); n > 0 {
		into, c.free = c.free[n-1], c.free[:n-1]
	}
	d, err := c.dec.decode(data, into)
	if err != nil {
		if into != nil {
			c.free = append(c.free, into)
		}
		return nil, err
	}
	if c.decoded == nil {
		c.decoded = map[*byte]*imageDetail{}
	}
	c.decoded[&data[0]] = d
	return d, nil
}

// Forget drops the decoded details, keeping the cache's working memory for
// its next round of comparisons.
func (c *DetailCache) Forget() {
	for _, d := range c.decoded {
		c.free = append(c.free, d)
	}
	clear(c.decoded)
}

// MatchCached is Match, with detail signatures decoded through cache.
func (t ImageThresholds) MatchCached(cache *DetailCache, a, b ImagePrint) (ImageMatch, bool) {
	if !a.Comparable() || !b.Comparable() {
		return ImageMatch{}, false
	}
	t = t.withDefaults()
	type cand struct {
		key    pairKey
		va, vb ImageVariant
		pd, dd int
	}
	var cands []cand
	best := t.variantPairs(a, b, func(k pairKey, va, vb ImageVariant, pd, dd int) {
		if k.within {
			cands = append(cands, cand{k, va, vb, pd, dd})
		}
	})
	if len(cands) == 0 {
		return best, false
	}
	slices.SortStableFunc(cands, func(x, y cand) int {
		switch {
		case x.key.better(y.key):
			return -1
		case y.key.better(x.key):
			return 1
		}
		return 0
	})
	da, errA := cache.detail(a.Detail)
	db, errB := cache.detail(b.Detail)
	if errA != nil || errB != nil {
		return best, false
	}
	da.aspect = float64(a.Height) / float64(max(1, a.Width))
	db.aspect = float64(b.Height) / float64(max(1, b.Width))
	// The detail comparison is not symmetric in its two sides, so it
	// always runs the same way round, whichever print came first.
	swap := bytes.Compare(a.Detail, b.Detail) > 0
	p := t.detailParams()
	var sc *detailScratch
	if cache != nil {
		sc = &cache.scratch
	}
	for _, c := range cands[:min(len(cands), maxVerified)] {
		var r detailResult
		mirrored := c.va.Mirrored != c.vb.Mirrored
		if swap {
			r = compareDetail(sc, db, da, c.vb.Kind, c.va.Kind, mirrored, p)
		} else {
			r = compareDetail(sc, da, db, c.va.Kind, c.vb.Kind, mirrored, p)
		}
		if r.fineFailed {
			// The texture and the strict level are sensitive to which
			// side the grid samples and which it interpolates (sharp
			// edges blur under interpolation); a pair that passed the
			// level gets the other way round too.
			if swap {
				r = compareDetail(sc, da, db, c.va.Kind, c.vb.Kind, mirrored, p)
			} else {
				r = compareDetail(sc, db, da, c.vb.Kind, c.va.Kind, mirrored, p)
			}
		}
		if r.ok {
			m := newImageMatch(c.va, c.vb, c.pd, c.dd)
			m.DetailDiff = math.Round(float64(r.differ)/float64(r.cells)*1000) / 1000
			m.Patch = math.Round(float64(r.box.area())/float64(r.cells)*1000) / 1000
			return m, true
		}
	}
	return best, false
}

// variantPairs calls fn with every variant pair of a and b (but pairs of
// two mirrored variants, which repeat a plain pair) and returns the
// closest pair.
func (t ImageThresholds) variantPairs(a, b ImagePrint, fn func(k pairKey, va, vb ImageVariant, pd, dd int)) ImageMatch {
	var best ImageMatch
	bestKey := pairKey{within: false, sum: math.MaxInt}
	for _, va := range a.Variants {
		for _, vb := range b.Variants {
			if va.Mirrored && vb.Mirrored {
				continue
			}
			pd := bits.OnesCount64(va.PHash ^ vb.PHash)
			dd := bits.OnesCount64(va.DHash ^ vb.DHash)
			k := pairKey{
				within:   t.candidate(pd, dd),
				sum:      pd + dd,
				phash:    pd,
				rank:     kindRank(va.Kind) + kindRank(vb.Kind),
				mirrored: va.Mirrored != vb.Mirrored,
			}
			if k.better(bestKey) {
				bestKey, best = k, newImageMatch(va, vb, pd, dd)
			}
			if fn != nil {
				fn(k, va, vb, pd, dd)
			}
		}
	}
	return best
}

// Closest returns the closest variant pair of a and b by their hashes
// alone, without verifying the detail: the pair Match reports when it
// verifies nothing. For small, simple pictures such as logos, where the
// hashes say all there is, at a fraction of Match's cost. The bool is
// false when either print is not comparable.
func (t ImageThresholds) Closest(a, b ImagePrint) (ImageMatch, bool) {
	if !a.Comparable() || !b.Comparable() {
		return ImageMatch{}, false
	}
	return t.withDefaults().variantPairs(a, b, nil), true
}

// maxVerified is how many candidate pairs, closest first, Match verifies.
// A copy's closest pair is nearly always the one that explains it; the
// rest repeat it mirrored or cut, and each costs a detail comparison.
const maxVerified = 3

func newImageMatch(va, vb ImageVariant, pd, dd int) ImageMatch {
	return ImageMatch{
		PHashDistance: pd,
		DHashDistance: dd,
		Kind:          va.Kind,
		OtherKind:     vb.Kind,
		Mirrored:      va.Mirrored != vb.Mirrored,
		Score:         1 - float64(pd+dd)/128,
	}
}

// pairKey orders candidate pairs: candidates first, then the
// smallest summed distance, then the smaller pHash distance, then the pair
// that needs the fewest cuts to explain, then the unmirrored one. Every
// criterion is symmetric in the two prints, so swapping them selects a pair
// with the same distances.
type pairKey struct {
	within   bool
	sum      int
	phash    int
	rank     int
	mirrored bool
}

func (k pairKey) better(o pairKey) bool {
	if k.within != o.within {
		return k.within
	}
	if k.sum != o.sum {
		return k.sum < o.sum
	}
	if k.phash != o.phash {
		return k.phash < o.phash
	}
	if k.rank != o.rank {
		return k.rank < o.rank
	}
	return !k.mirrored && o.mirrored
}

func kindRank(k VariantKind) int {
	switch k {
	case VariantFull:
		return 0
	case VariantCenter:
		return 1
	default:
		return 2
	}
}
