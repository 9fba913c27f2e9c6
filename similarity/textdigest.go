package similarity

import (
	"encoding/binary"
	"math"
)

// A TextDigest summarises a shingle set in TextDigestSize bytes, small
// enough to hold one for every listing of a catalogue in memory, so that
// most text candidates can be ruled out before their prints are read.
//
// It is a b-bit MinHash: the set's size and, for each of 64 hash functions,
// eight bits of the smallest hash over the set. Two sets agree on a slot
// with probability J + (1-J)/256, J their Jaccard similarity, which
// EstimateContainment turns back into an estimate of J and, with the sizes,
// of Containment without weights. With 64 slots the estimate of J has a
// standard deviation of at most 0.0625.
type TextDigest []byte

const (
	digestSlots = 64
	// TextDigestSize is the length of a digest: the set size (2 bytes,
	// saturating) and one byte per slot.
	TextDigestSize = 2 + digestSlots
)

// digestMultipliers are odd constants that turn one mixed hash of a
// shingle into the 64 independent-enough orders the slots minimise over.
var digestMultipliers = func() [digestSlots]uint64 {
	var m [digestSlots]uint64
	x := uint64(0x9e3779b97f4a7c15)
	for i := range m {
		x = mix64(x + uint64(i))
		m[i] = x | 1
	}
	return m
}()

// DigestShingles returns the digest of a shingle set; duplicates count
// once. An empty set has an empty digest.
func DigestShingles(shingles []uint64) TextDigest {
	set := asSortedSet(shingles)
	if len(set) == 0 {
		return nil
	}
	var mins [digestSlots]uint64
	for i := range mins {
		mins[i] = math.MaxUint64
	}
	for _, s := range set {
		h := mix64(s)
		for i, m := range digestMultipliers {
			if v := h * m; v < mins[i] {
				mins[i] = v
			}
		}
	}
	d := make(TextDigest, TextDigestSize)
	binary.LittleEndian.PutUint16(d, uint16(min(len(set), math.MaxUint16)))
	for i, m := range mins {
		// The top bits decide the minimum; bits below them are
		// independent of which shingle won.
		d[2+i] = byte(m >> 24)
	}
	return d
}

// Valid reports whether d is a digest of a non-empty set.
func (d TextDigest) Valid() bool { return len(d) == TextDigestSize }

// size is the number of distinct shingles the digest was made from.
func (d TextDigest) size() int { return int(binary.LittleEndian.Uint16(d)) }

// containmentZ is how many standard deviations ContainmentBound adds to
// the estimate: at 4 a set pair is ruled out wrongly about once in 30,000.
const containmentZ = 4

// EstimateContainment estimates Containment(a, b) without weights, the
// share of the smaller set found in the other, and an upper bound on it
// that holds but for chance (containmentZ standard deviations). The
// estimate is good for sets of similar size; a small set against a large
// one magnifies the error of J by their size ratio, and the bound widens
// accordingly. Invalid digests give 0, 0.
func EstimateContainment(a, b TextDigest) (estimate, bound float64) {
	if !a.Valid() || !b.Valid() {
		return 0, 0
	}
	agree := 0
	for i := 2; i < TextDigestSize; i++ {
		if a[i] == b[i] {
			agree++
		}
	}
	f := float64(agree) / digestSlots
	sd := math.Sqrt(max(f, 1.0/digestSlots) * max(1-f, 1.0/digestSlots) / digestSlots)
	na, nb := float64(a.size()), float64(b.size())
	containment := func(f float64) float64 {
		const chance = 1.0 / 256
		j := min(max((f-chance)/(1-chance), 0), 1)
		return min(j*(na+nb)/(1+j)/min(na, nb), 1)
	}
	return containment(f), containment(f + containmentZ*sd)
}
