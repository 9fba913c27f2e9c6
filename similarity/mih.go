package similarity

import (
	"slices"
)

// Multi-index hashing finds, among millions of stored 64-bit hashes, those
// within a small Hamming distance of a query without comparing against each
// of them. A hash is cut into hashChunks chunks of chunkBits bits, and each
// chunk, tagged with its position, is one key in an ordinary exact-match
// index (an SQLite table, an Elasticsearch keyword field). If two hashes
// differ in at most r bits, then by the pigeonhole principle at least one of
// the chunks differs in at most floor(r/hashChunks) bits, so a query that
// asks for every chunk value within that many bits of its own chunks meets
// every stored hash within distance r in at least one key. The keys only
// propose candidates; the exact distance is checked afterwards.
const (
	hashChunks = 4
	chunkBits  = 64 / hashChunks
)

// ImageKeyPrefix starts the keys of image pHashes, and DHashKeyPrefix
// those of dHashes, keeping them apart from each other and from other keys
// held in the same index.
const (
	ImageKeyPrefix = "ph"
	DHashKeyPrefix = "dh"
)

// DHashQueryRadius is the dHash neighbourhood QueryKeys covers, and so the
// largest ImageThresholds.DHashAlone that Match honours: a copy with
// something pasted over it has its pHash moved far and its dHash little,
// and must still be found. At 7 bits it costs 68 query keys per hash.
const DHashQueryRadius = 7

// MaxHashQueryRadius is the largest radius HashQueryKeys honours. At 16 a
// query already makes 10,068 keys per hash; larger radii would make the key
// lists impractical and are meaningless for 64-bit perceptual hashes, where
// unrelated images sit near 32.
const MaxHashQueryRadius = 16

const hexDigits = "0123456789abcdef"

// chunkKey formats "<prefix><chunk index>:<4 hex digits>".
func chunkKey(buf []byte, prefix string, index int, v uint16) string {
	buf = append(buf[:0], prefix...)
	buf = append(buf, byte('0'+index), ':',
		hexDigits[v>>12], hexDigits[v>>8&0xf], hexDigits[v>>4&0xf], hexDigits[v&0xf])
	return string(buf)
}

func chunk(h uint64, index int) uint16 {
	return uint16(h >> (64 - chunkBits*(index+1)))
}

// HashKeys returns the keys stored for h, one per chunk, most significant
// chunk first.
func HashKeys(prefix string, h uint64) []string {
	keys := make([]string, 0, hashChunks)
	buf := make([]byte, 0, len(prefix)+6)
	for i := range hashChunks {
		keys = append(keys, chunkKey(buf, prefix, i, chunk(h, i)))
	}
	return keys
}

// HashQueryKeys returns the keys that find every stored hash within Hamming
// distance radius of h: for each chunk, all values within floor(radius/4)
// bits of h's chunk. Keys are unique and in a fixed order (by chunk, then by
// distance from h's chunk, then by value). A radius above
// MaxHashQueryRadius is treated as MaxHashQueryRadius; a negative radius as 0.
//
// Key counts per hash: radius 0–3: 4; 4–7: 68; 8–11: 548; 12–15: 2,788;
// 16: 10,068.
func HashQueryKeys(prefix string, h uint64, radius int) []string {
	radius = min(max(radius, 0), MaxHashQueryRadius)
	flips := chunkMasks(radius / hashChunks)
	keys := make([]string, 0, hashChunks*len(flips))
	buf := make([]byte, 0, len(prefix)+6)
	for i := range hashChunks {
		c := chunk(h, i)
		for _, m := range flips {
			keys = append(keys, chunkKey(buf, prefix, i, c^m))
		}
	}
	return keys
}

// chunkMasks lists every chunkBits-bit mask with at most d bits set, by
// number of bits then by value. It is recomputed per call (at most 2,517
// masks, cheaper than the string keys built from them), which keeps the
// package free of shared state.
func chunkMasks(d int) []uint16 {
	masks := []uint16{0}
	for k := 1; k <= d; k++ {
		// Gosper's hack: the next larger integer with the same popcount.
		for v := uint32(1)<<k - 1; v < 1<<chunkBits; {
			masks = append(masks, uint16(v))
			c := v & -v
			r := v + c
			v = ((r^v)>>2)/c | r
		}
	}
	return masks
}

// StoreKeys returns the index keys of every variant's pHash and dHash,
// mirrored ones included, deduplicated and sorted: at most 48 keys. A
// low-information print has no keys: it is never compared, so it must not
// be found either.
func (p ImagePrint) StoreKeys() []string {
	if !p.Comparable() {
		return nil
	}
	var keys []string
	for _, v := range p.Variants {
		keys = append(keys, HashKeys(ImageKeyPrefix, v.PHash)...)
		keys = append(keys, HashKeys(DHashKeyPrefix, v.DHash)...)
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// QueryKeys returns the keys that find every stored print Match can accept
// against p with a pHash threshold of radius: those with a variant within
// pHash distance radius of one of p's non-mirrored variants, and those
// within dHash distance DHashQueryRadius of one (the stored mirrored
// variants make mirrored copies findable). Use the pHash threshold as the
// radius. Deduplicated and sorted; none for a low-information print. Per
// image that is up to 3 x 68 dHash keys plus, at radius 12, 3 x 2,788
// pHash keys, at radius 8–11 3 x 548.
func (p ImagePrint) QueryKeys(radius int) []string {
	if !p.Comparable() {
		return nil
	}
	var keys []string
	for _, v := range p.Variants {
		if !v.Mirrored {
			keys = append(keys, HashQueryKeys(ImageKeyPrefix, v.PHash, radius)...)
			keys = append(keys, HashQueryKeys(DHashKeyPrefix, v.DHash, DHashQueryRadius)...)
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}
