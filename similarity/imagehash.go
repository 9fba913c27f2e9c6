package similarity

import (
	"fmt"
	"image"
	"math"
	"math/bits"
	"strings"

	"github.com/corona10/goimagehash"
)

// ImagePrintVersion identifies how prints are computed: the working size,
// the trimming and the set of variants. Prints of different versions are
// never compared, so a store holding older prints recomputes them instead of
// silently missing copies.
const ImagePrintVersion = 1

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
}

// Comparable reports whether the print takes part in matching. Blank
// images, solid colours and tiny icons are shared by unrelated listings and
// would only produce false copies.
func (p ImagePrint) Comparable() bool {
	return p.LowInfo == "" && len(p.Variants) > 0 && p.Version == ImagePrintVersion
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
	return p, nil
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

// ImageThresholds are the largest Hamming distances (out of 64 bits) at
// which two variants still count as the same picture. Both must hold.
type ImageThresholds struct {
	PHash int `json:"phash"`
	DHash int `json:"dhash"`
}

// The default thresholds are measured, not derived. On the test set (30
// generated app screens built from the same parts, 5 photographs, 11 copy
// edits each) copies stay within pHash 6 and dHash 7, except a logo pasted
// over a low-contrast photograph (pHash 12); distinct pictures stay outside,
// the nearest at pHash 12 / dHash 11 and pHash 14 / dHash 8. Screens that
// share one layout and differ only in colour can come as close as copies do
// (64 bits of luminance cannot tell them apart), so tune these on labelled
// marketplace data.
const (
	DefaultImagePHashThreshold = 12
	DefaultImageDHashThreshold = 10
)

// DefaultImageThresholds is what MatchImages applies, and the starting
// point for tuning: a function rather than a variable, so no caller can
// change the defaults under another.
func DefaultImageThresholds() ImageThresholds {
	return ImageThresholds{PHash: DefaultImagePHashThreshold, DHash: DefaultImageDHashThreshold}
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

// Match returns the closest variant pair of a and b and whether it is
// within t. Low-information prints never match. The non-mirrored variants
// of each print are compared with every variant of the other, which finds
// mirrored copies; mirrored-against-mirrored pairs are skipped because they
// repeat a plain pair. The pair set is the same both ways round, so
// Match(a, b) and Match(b, a) report the same distances and score.
//
// When nothing is within t, the closest pair is still returned with false,
// which is what threshold tuning needs to see.
func (t ImageThresholds) Match(a, b ImagePrint) (ImageMatch, bool) {
	if !a.Comparable() || !b.Comparable() {
		return ImageMatch{}, false
	}
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
				within:   pd <= t.PHash && dd <= t.DHash,
				sum:      pd + dd,
				phash:    pd,
				rank:     kindRank(va.Kind) + kindRank(vb.Kind),
				mirrored: va.Mirrored != vb.Mirrored,
			}
			if k.better(bestKey) {
				bestKey = k
				best = ImageMatch{
					PHashDistance: pd,
					DHashDistance: dd,
					Kind:          va.Kind,
					OtherKind:     vb.Kind,
					Mirrored:      va.Mirrored != vb.Mirrored,
					Score:         1 - float64(pd+dd)/128,
				}
			}
		}
	}
	return best, bestKey.within
}

// pairKey orders candidate pairs: within the thresholds first, then the
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
