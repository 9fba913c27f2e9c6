package similarity

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"slices"
)

// ImageIndexRadius is the Hamming distance within which an ImageIndex
// finds variant pairs, by pHash or by dHash. A variant pair further apart
// on both hashes is never proposed, whatever the thresholds. On the
// labelled holdout corpus every copy MatchImages accepts at the default
// thresholds has a variant pair within 8 on one of the two hashes but
// one watermarked screen (1 of 1,100 copies); at 8 a query of a catalogue
// of a million variants visits about 2 x 718 buckets per query hash.
const ImageIndexRadius = 8

// A Sketch is the hashes of a listing's comparable images, without their
// detail grids: 17 bytes per variant (pHash, dHash, flags), which is what
// a candidate index of a whole catalogue holds in memory. Low-information
// images have no variants and add nothing.
type Sketch []byte

const sketchVariantSize = 17

// sketchMirrored flags a variant hashed from the mirrored image.
const sketchMirrored = 1

// AppendSketch adds p's variants to s.
func AppendSketch(s Sketch, p ImagePrint) Sketch {
	if !p.Comparable() {
		return s
	}
	for _, v := range p.Variants {
		var flags byte
		if v.Mirrored {
			flags |= sketchMirrored
		}
		s = binary.LittleEndian.AppendUint64(s, v.PHash)
		s = binary.LittleEndian.AppendUint64(s, v.DHash)
		s = append(s, flags)
	}
	return s
}

// errSketchSize reports a sketch whose length is not a whole number of
// variants: a truncated or foreign value.
var errSketchSize = errors.New("sketch length is not a multiple of 17")

// Validate reports whether s is well formed.
func (s Sketch) Validate() error {
	if len(s)%sketchVariantSize != 0 {
		return fmt.Errorf("%w: %d bytes", errSketchSize, len(s))
	}
	return nil
}

// variants calls fn with each variant of a valid sketch.
func (s Sketch) variants(fn func(ph, dh uint64, mirrored bool)) {
	for off := 0; off+sketchVariantSize <= len(s); off += sketchVariantSize {
		fn(binary.LittleEndian.Uint64(s[off:]), binary.LittleEndian.Uint64(s[off+8:]), s[off+16]&sketchMirrored != 0)
	}
}

// ImageIndex proposes the candidate pairs of MatchImages among the images
// of many listings, held in memory: the pHashes and dHashes of every
// variant, each kind in a HashIndex. A query image meets a stored one when
// one of its plain variants is within ImageIndexRadius of a stored variant
// (mirrored ones included, so mirrored copies are met) by pHash or by
// dHash, and the pair passes the thresholds' candidate test on both
// distances; MatchImages then verifies the detail.
//
// Owners are the caller's numbers for the sketches it indexes (a listing's
// position, say). An ImageIndex is immutable and safe for concurrent use.
type ImageIndex struct {
	t        ImageThresholds
	owner    []int32
	ph, dh   []uint64
	mirrored []bool
	byP, byD *HashIndex
}

// NewImageIndex indexes sketches; the owner of sketches[i] is i. A
// malformed sketch is an error naming its position.
func NewImageIndex(t ImageThresholds, sketches []Sketch) (*ImageIndex, error) {
	x := &ImageIndex{t: t.withDefaults()}
	for i, s := range sketches {
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("sketch %d: %w", i, err)
		}
		s.variants(func(ph, dh uint64, mirrored bool) {
			x.owner = append(x.owner, int32(i))
			x.ph = append(x.ph, ph)
			x.dh = append(x.dh, dh)
			x.mirrored = append(x.mirrored, mirrored)
		})
	}
	x.byP, x.byD = NewHashIndex(x.ph), NewHashIndex(x.dh)
	return x, nil
}

// Candidates returns the owners of the stored images that may match one of
// the query's images, sorted, each once. With limit > 0 only the limit
// owners nearest to the query are kept, nearness being an owner's smallest
// pHash plus dHash distance to any query image, ties by owner: a stock
// picture that hundreds of listings show would otherwise make every one of
// them a candidate. An invalid sketch finds nothing.
func (x *ImageIndex) Candidates(query Sketch, limit int) []int32 {
	if query.Validate() != nil {
		return nil
	}
	nearest := map[int32]int{}
	query.variants(func(ph, dh uint64, mirrored bool) {
		if mirrored {
			return // the stored mirrored variants stand for the query's
		}
		check := func(id int32, _ int) {
			pd := bits.OnesCount64(ph ^ x.ph[id])
			dd := bits.OnesCount64(dh ^ x.dh[id])
			if !x.t.candidate(pd, dd) {
				return
			}
			o := x.owner[id]
			if d, seen := nearest[o]; !seen || pd+dd < d {
				nearest[o] = pd + dd
			}
		}
		x.byP.Near(ph, ImageIndexRadius, check)
		x.byD.Near(dh, ImageIndexRadius, check)
	})
	out := make([]int32, 0, len(nearest))
	for o := range nearest {
		out = append(out, o)
	}
	if limit > 0 && len(out) > limit {
		slices.SortFunc(out, func(a, b int32) int {
			if da, db := nearest[a], nearest[b]; da != db {
				return da - db
			}
			return int(a - b)
		})
		out = out[:limit]
	}
	slices.Sort(out)
	return out
}
