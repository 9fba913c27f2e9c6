package similarity

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"sync"
)

// ImageIndexRadius is the Hamming distance within which an ImageIndex
// finds variant pairs, by pHash or by dHash. A variant pair further apart
// on both hashes is never proposed, whatever the thresholds. On the
// labelled holdout corpus every copy MatchImages accepts at the default
// thresholds has a variant pair within 8 on one of the two hashes but
// one watermarked screen (1 of 1,100 copies); at 8 a query of a catalogue
// of a million variants visits 65 buckets of about 140 hashes per query
// hash (see queryChunkCount).
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
	t     ImageThresholds
	owner []int32
	// start[o] is the first variant of owner o; its variants run to
	// start[o+1].
	start    []int32
	ph, dh   []uint64
	mirrored []bool
	byP, byD *HashIndex
}

// NewImageIndex indexes sketches; the owner of sketches[i] is i. A
// malformed sketch is an error naming its position.
func NewImageIndex(t ImageThresholds, sketches []Sketch) (*ImageIndex, error) {
	x := &ImageIndex{t: t.withDefaults()}
	x.start = make([]int32, 0, len(sketches)+1)
	for i, s := range sketches {
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("sketch %d: %w", i, err)
		}
		x.start = append(x.start, int32(len(x.owner)))
		s.variants(func(ph, dh uint64, mirrored bool) {
			x.owner = append(x.owner, int32(i))
			x.ph = append(x.ph, ph)
			x.dh = append(x.dh, dh)
			x.mirrored = append(x.mirrored, mirrored)
		})
	}
	x.start = append(x.start, int32(len(x.owner)))
	x.byP, x.byD = NewHashIndexFor(x.ph, ImageIndexRadius), NewHashIndexFor(x.dh, ImageIndexRadius)
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
	return nearestOwners(nearest, limit)
}

// nearestOwners lists the owners of nearest, sorted, cut to the limit
// nearest when limit > 0 (ties by owner).
func nearestOwners[D int | uint8](nearest map[int32]D, limit int) []int32 {
	out := make([]int32, 0, len(nearest))
	for o := range nearest {
		out = append(out, o)
	}
	if limit > 0 && len(out) > limit {
		slices.SortFunc(out, func(a, b int32) int {
			if da, db := nearest[a], nearest[b]; da != db {
				return int(da) - int(db)
			}
			return int(a - b)
		})
		out = out[:limit]
	}
	slices.Sort(out)
	return out
}

// Holds reports whether owner's images in the index are those of sketch,
// so that CandidatesOfAll answers for it what Candidates(sketch) would.
func (x *ImageIndex) Holds(owner int32, sketch Sketch) bool {
	if owner < 0 || int(owner) >= len(x.start)-1 || sketch.Validate() != nil {
		return false
	}
	id := x.start[owner]
	same := len(sketch)/sketchVariantSize == int(x.start[owner+1]-id)
	sketch.variants(func(ph, dh uint64, mirrored bool) {
		if same && (ph != x.ph[id] || dh != x.dh[id] || mirrored != x.mirrored[id]) {
			same = false
		}
		id++
	})
	return same
}

// CandidatesOfAll returns, for every owner, what Candidates would return
// for the sketch it indexed: a batch scan, whose listings are all in the
// index, asks this once instead of asking each listing.
//
// It joins the index with itself (HashIndex.SelfJoin) instead of querying
// it once per variant. A query visits about 65 buckets at random places of
// tables larger than the processor's caches; the join reads the same
// buckets in order, pairing each with its neighbours, so the memory it
// reads is read once, in sequence. A variant pair within the radius on
// either hash counts for the owner of each plain variant of the pair, as
// in Candidates, where only plain variants query; every owner meets itself
// at distance 0, through its own plain variants.
func (x *ImageIndex) CandidatesOfAll(limit, workers int) [][]int32 {
	owners := len(x.start) - 1
	nearest := make([]map[int32]uint8, owners)
	var locks [64]sync.Mutex
	meet := func(o, other int32, d int) {
		mu := &locks[o%int32(len(locks))]
		mu.Lock()
		if nearest[o] == nil {
			nearest[o] = map[int32]uint8{}
		}
		if old, seen := nearest[o][other]; !seen || uint8(d) < old {
			nearest[o][other] = uint8(d)
		}
		mu.Unlock()
	}
	for id, mirrored := range x.mirrored {
		if !mirrored && x.t.candidate(0, 0) {
			meet(x.owner[id], x.owner[id], 0)
		}
	}
	pair := func(a, b int32, _ int) {
		oa, ob := x.owner[a], x.owner[b]
		if oa == ob {
			return // the owner met itself at 0 already
		}
		pd := bits.OnesCount64(x.ph[a] ^ x.ph[b])
		dd := bits.OnesCount64(x.dh[a] ^ x.dh[b])
		if !x.t.candidate(pd, dd) {
			return
		}
		if !x.mirrored[a] {
			meet(oa, ob, pd+dd)
		}
		if !x.mirrored[b] {
			meet(ob, oa, pd+dd)
		}
	}
	// The query indexes are cut for random visits; the join reads buckets
	// in order and is faster over the narrower buckets of a join cut,
	// built here one hash at a time.
	NewHashIndex(x.ph).SelfJoin(ImageIndexRadius, workers, pair)
	NewHashIndex(x.dh).SelfJoin(ImageIndexRadius, workers, pair)
	out := make([][]int32, owners)
	for o, n := range nearest {
		if n != nil {
			out[o] = nearestOwners(n, limit)
		}
	}
	return out
}
