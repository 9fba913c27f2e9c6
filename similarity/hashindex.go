package similarity

import (
	"math"
	"math/bits"
	"sync"
)

// HashIndex finds, among millions of 64-bit hashes held in memory, every
// hash within a Hamming radius of a query, without comparing the query
// with each of them (multi-index hashing).
//
// Each hash is cut into m chunks. If two hashes differ in at most r bits,
// then by the pigeonhole principle at least one chunk differs in at most
// floor(r/m) bits. So for each chunk the index keeps the hashes sorted by
// that chunk's value (a counting sort: an offsets table and the hashes in
// bucket order, contiguous), and a query visits, in each chunk, the buckets
// of every value within floor(r/m) bits of its own chunk, and checks the
// full distance of each hash it meets there. A hash found through more
// than one chunk is reported from the first only.
//
// The chunk width follows the number of hashes, about log2(n) bits, so
// that a bucket holds about one hash: wider chunks mean fewer random
// hashes to check but more buckets to visit per query. With n hashes and m
// chunks a query costs about m·V(w, r/m) bucket visits, V being the number
// of values within r/m bits of a w-bit value, plus the hashes met there:
// independent of n for random hashes as long as w grows with log2(n).
// Building is O(m·(n + 2^w)).
//
// A HashIndex is immutable and safe for concurrent queries.
type HashIndex struct {
	hashes []uint64
	chunks []hashChunk
}

// hashChunk is the index of one chunk of the hashes: bucket v holds the
// positions ids[offsets[v]:offsets[v+1]], with their hashes alongside in
// sorted, so that a bucket scan reads memory in order.
type hashChunk struct {
	shift   uint
	width   uint
	offsets []uint32
	ids     []int32
	sorted  []uint64
}

// Index geometry bounds: no chunk wider than maxChunkBits, so an offsets
// table stays within 16 MiB, and at most maxChunks chunks, as small
// indexes need no finer cut.
const (
	maxChunks    = 8
	maxChunkBits = 22
)

// NewHashIndex indexes hashes; a hash's id in query results is its
// position in hashes. The slice is kept, not copied: the caller must not
// change it afterwards. Its chunks suit SelfJoin, which reads buckets in
// order; an index for Near queries at a known radius is better cut by
// NewHashIndexFor.
func NewHashIndex(hashes []uint64) *HashIndex {
	return newHashIndex(hashes, chunkCount(len(hashes)))
}

// NewHashIndexFor indexes hashes for Near queries at radius: it cuts them
// into the number of chunks that makes such a query cheapest (see
// queryChunkCount). The answers are those of NewHashIndex.
func NewHashIndexFor(hashes []uint64, radius int) *HashIndex {
	return newHashIndex(hashes, queryChunkCount(len(hashes), radius))
}

func newHashIndex(hashes []uint64, m int) *HashIndex {
	x := &HashIndex{hashes: hashes, chunks: make([]hashChunk, m)}
	shift := uint(64)
	for c := range m {
		width := uint(64 / m)
		if c < 64%m {
			width++
		}
		shift -= width
		x.chunks[c] = buildChunk(hashes, shift, width)
	}
	return x
}

// chunkCount picks m ≈ 64/log2(n) chunks, the choice that leaves about one
// hash per bucket, within [64/maxChunkBits rounded up, maxChunks].
func chunkCount(n int) int {
	least := (64 + maxChunkBits - 1) / maxChunkBits
	return min(maxChunks, max(least, 64/bits.Len(uint(max(n, 1)))))
}

// queryChunkCount picks, for a Near query at radius among n hashes, the
// chunk count m that costs least: m·V(w, ⌊r/m⌋) bucket visits for w-bit
// chunks, each a likely cache miss in a table too large for the cache,
// plus the n/2^w hashes each bucket holds, which are read in order and
// cost a fraction of a miss each. chunkCount's one hash per bucket makes
// the visits many at a large radius: at radius 8, three 21- or 22-bit
// chunks take about 700 visits, five 13-bit chunks 65 visits of some
// dozens or hundreds of hashes each. Measured on hashes of 32 set bits,
// as pHashes have: 84 -> 16 µs a query among 100,000 of them, 97 -> 82 µs
// among 740,000 (as many as the variants of 100,000 listings).
func queryChunkCount(n, radius int) int {
	const missPerHash = 50 // a bucket visit costs about as much as checking 50 hashes in order
	// Chunks no wider than chunkCount's: emptier buckets save nothing and
	// their tables take memory.
	best, bestCost := chunkCount(n), math.Inf(1)
	for m := best; m <= maxChunks; m++ {
		w := 64.0 / float64(m)
		visits := float64(m) * neighbours(int(w), max(0, radius)/m)
		cost := visits * (missPerHash + float64(n)/math.Exp2(w))
		if cost < bestCost {
			best, bestCost = m, cost
		}
	}
	return best
}

// neighbours is the number of w-bit values within d bits of one.
func neighbours(w, d int) float64 {
	total, term := 0.0, 1.0
	for k := 0; k <= min(d, w); k++ {
		total += term
		term = term * float64(w-k) / float64(k+1)
	}
	return total
}

func buildChunk(hashes []uint64, shift, width uint) hashChunk {
	c := hashChunk{shift: shift, width: width}
	c.offsets = make([]uint32, 1<<width+1)
	mask := uint64(1)<<width - 1
	for _, h := range hashes {
		c.offsets[(h>>shift&mask)+1]++
	}
	for v := 1; v < len(c.offsets); v++ {
		c.offsets[v] += c.offsets[v-1]
	}
	c.ids = make([]int32, len(hashes))
	c.sorted = make([]uint64, len(hashes))
	next := make([]uint32, 1<<width)
	copy(next, c.offsets)
	for i, h := range hashes {
		v := h >> shift & mask
		c.ids[next[v]] = int32(i)
		c.sorted[next[v]] = h
		next[v]++
	}
	return c
}

// Near calls fn once for every indexed hash within Hamming distance radius
// of h, with its id and distance, in no particular order. A negative radius
// finds nothing; radii of 32 and more are allowed but visit most of the
// index.
func (x *HashIndex) Near(h uint64, radius int, fn func(id int32, dist int)) {
	if radius < 0 || len(x.hashes) == 0 {
		return
	}
	d := radius / len(x.chunks)
	for ci := range x.chunks {
		c := &x.chunks[ci]
		mask := uint64(1)<<c.width - 1
		own := h >> c.shift & mask
		eachWithin(c.width, d, func(flip uint64) {
			v := own ^ flip
			lo, hi := c.offsets[v], c.offsets[v+1]
			for k := lo; k < hi; k++ {
				diff := c.sorted[k] ^ h
				dist := bits.OnesCount64(diff)
				if dist > radius || x.seenEarlier(diff, ci, d) {
					continue
				}
				fn(c.ids[k], dist)
			}
		})
	}
}

// seenEarlier reports whether a hash differing from the query by diff was
// already reported through a chunk before ci.
func (x *HashIndex) seenEarlier(diff uint64, ci, d int) bool {
	for e := range ci {
		c := &x.chunks[e]
		if bits.OnesCount64(diff>>c.shift&(uint64(1)<<c.width-1)) <= d {
			return true
		}
	}
	return false
}

// eachWithin calls fn with every width-bit value of at most d bits set, the
// flips that turn a chunk into its neighbours, zero first.
func eachWithin(width uint, d int, fn func(uint64)) {
	var rec func(start uint, left int, v uint64)
	rec = func(start uint, left int, v uint64) {
		fn(v)
		if left == 0 {
			return
		}
		for b := start; b < width; b++ {
			rec(b+1, left-1, v|uint64(1)<<b)
		}
	}
	rec(0, min(d, int(width)), 0)
}

// SelfJoin calls fn for every pair of indexed hashes within radius of each
// other, once per pair with a < b, from workers goroutines at once (fn must
// be safe for concurrent use).
//
// It is Near for every hash, reordered for memory: for each chunk and each
// flip of at most floor(r/m) bits, it sweeps the buckets in order and pairs
// every bucket with the bucket of its value with those bits flipped, so
// both are read in ascending order instead of at random. A pair is
// reported from the first chunk that brings it together, like Near.
func (x *HashIndex) SelfJoin(radius, workers int, fn func(a, b int32, dist int)) {
	if radius < 0 || len(x.hashes) < 2 {
		return
	}
	d := radius / len(x.chunks)
	for ci := range x.chunks {
		c := &x.chunks[ci]
		var flips []uint64
		eachWithin(c.width, d, func(f uint64) { flips = append(flips, f) })
		var used []uint32 // the values of the non-empty buckets, ascending
		for v := range uint32(len(c.offsets) - 1) {
			if c.offsets[v] != c.offsets[v+1] {
				used = append(used, v)
			}
		}
		next := make(chan uint64)
		var wg sync.WaitGroup
		for range max(1, workers) {
			wg.Go(func() {
				for f := range next {
					x.joinFlip(c, ci, d, radius, used, f, fn)
				}
			})
		}
		for _, f := range flips {
			next <- f
		}
		close(next)
		wg.Wait()
	}
}

// joinFlip pairs, in chunk ci, every bucket with the bucket flip away.
func (x *HashIndex) joinFlip(c *hashChunk, ci, d, radius int, used []uint32, flip uint64, fn func(a, b int32, dist int)) {
	for _, v := range used {
		t := uint64(v) ^ flip
		if flip != 0 && t < uint64(v) {
			continue // the pair of buckets is met again from t's side; take it once
		}
		tlo, thi := c.offsets[t], c.offsets[t+1]
		if tlo == thi {
			continue
		}
		lo, hi := c.offsets[v], c.offsets[v+1]
		for k := lo; k < hi; k++ {
			hk := c.sorted[k]
			start := tlo
			if flip == 0 {
				start = k + 1 // within one bucket, each pair once
			}
			for j := start; j < thi; j++ {
				diff := hk ^ c.sorted[j]
				dist := bits.OnesCount64(diff)
				if dist > radius || x.seenEarlier(diff, ci, d) {
					continue
				}
				a, b := c.ids[k], c.ids[j]
				fn(min(a, b), max(a, b), dist)
			}
		}
	}
}
