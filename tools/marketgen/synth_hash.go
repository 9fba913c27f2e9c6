package marketgen

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"os"
	"slices"
)

// HashOptions configures a file of image hashes for self-join benchmarks.
type HashOptions struct {
	N      int    // hashes, 2–100,000,000
	Seed   uint64 // 0: SynthSeed
	Pairs  int    // planted near-duplicate pairs; at most N/2
	Radius int    // largest planted distance, 2–32; planted distances are even
}

// HashPair is one planted near-duplicate: hash B is hash A with Distance
// bits flipped. A < B are indices into the hash file.
type HashPair struct {
	A        int `json:"a"`
	B        int `json:"b"`
	Distance int `json:"distance"`
}

// WriteHashes writes o.N 64-bit hashes to file (8 bytes little-endian each,
// no header) and the planted pairs to file+".truth.jsonl", one JSON object a
// line in order of A.
//
// The hashes imitate perceptual pHashes: a pHash sets each bit by comparing
// a DCT coefficient with the median of 64, so exactly 32 bits are set. Every
// hash here therefore has popcount 32, and a planted copy flips as many 1s
// to 0 as 0s to 1, which keeps it at 32 bits and makes every distance even:
// planted distances are drawn uniformly from the even values 2…Radius. A
// self-join must find every planted pair; it may also find background pairs
// that fall within Radius by chance (for 1M hashes and radius 8
// about 360, since P(d ≤ 8) = Σ C(32,k)²/C(64,32) over k ≤ 4 ≈ 7·10⁻¹⁰),
// which the truth does not list. Planted pairs are
// disjoint: no hash belongs to two of them.
func WriteHashes(ctx context.Context, file string, o HashOptions) ([]HashPair, error) {
	if o.N < 2 || o.N > 100_000_000 {
		return nil, fmt.Errorf("n %d: want 2–100000000 hashes", o.N)
	}
	if o.Pairs < 0 || 2*o.Pairs > o.N {
		return nil, fmt.Errorf("pairs %d: want 0–%d for %d hashes", o.Pairs, o.N/2, o.N)
	}
	if o.Radius < 2 || o.Radius > 32 {
		return nil, fmt.Errorf("radius %d: want 2–32 (planted distances are even)", o.Radius)
	}
	if o.Seed == 0 {
		o.Seed = SynthSeed
	}
	pairs := plantPairs(o)
	// The copy of each planted pair, by the index it is written at.
	copies := make(map[int]HashPair, len(pairs))
	for _, p := range pairs {
		copies[p.B] = p
	}

	f, err := os.Create(file)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", file, err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	var b [8]byte
	for i := 0; i < o.N; i++ {
		if i%(1<<20) == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("write %s: %w", file, err)
			}
		}
		h := backgroundHash(o.Seed, i)
		if p, ok := copies[i]; ok {
			h = flipBalanced(backgroundHash(o.Seed, p.A), p.Distance, rand.New(rand.NewPCG(o.Seed, uint64(i))))
		}
		binary.LittleEndian.PutUint64(b[:], h)
		w.Write(b[:])
	}
	if err := w.Flush(); err != nil {
		return nil, fmt.Errorf("write %s: %w", file, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("close %s: %w", file, err)
	}

	truth := file + ".truth.jsonl"
	tf, err := os.Create(truth)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", truth, err)
	}
	defer tf.Close()
	tw := bufio.NewWriter(tf)
	enc := json.NewEncoder(tw)
	for _, p := range pairs {
		if err := enc.Encode(p); err != nil {
			return nil, fmt.Errorf("encode %s: %w", truth, err)
		}
	}
	if err := tw.Flush(); err != nil {
		return nil, fmt.Errorf("write %s: %w", truth, err)
	}
	if err := tf.Close(); err != nil {
		return nil, fmt.Errorf("close %s: %w", truth, err)
	}
	return pairs, nil
}

// plantPairs draws disjoint pairs of indices and their distances.
func plantPairs(o HashOptions) []HashPair {
	r := rand.New(rand.NewPCG(o.Seed, 0x9a125))
	used := make(map[int]bool, 2*o.Pairs)
	draw := func() int {
		for {
			i := r.IntN(o.N)
			if !used[i] {
				used[i] = true
				return i
			}
		}
	}
	pairs := make([]HashPair, o.Pairs)
	for k := range pairs {
		a, b := draw(), draw()
		if a > b {
			a, b = b, a
		}
		pairs[k] = HashPair{A: a, B: b, Distance: 2 * (1 + r.IntN(o.Radius/2))}
	}
	slices.SortFunc(pairs, func(x, y HashPair) int { return x.A - y.A })
	return pairs
}

// backgroundHash is hash i before planting: 32 random bits of 64 set.
func backgroundHash(seed uint64, i int) uint64 {
	x := mix64(seed, uint64(i), 0x4a54)
	// Set or clear bits chosen by an independent xorshift stream until 32
	// are set; every position is equally likely, so the result is uniform
	// over the hashes with 32 bits set.
	z := mix64(seed, uint64(i), 0x4a55) | 1
	for n := bits.OnesCount64(x); n != 32; n = bits.OnesCount64(x) {
		z ^= z << 13
		z ^= z >> 7
		z ^= z << 17
		bit := uint64(1) << (z % 64)
		if n > 32 {
			x &^= bit
		} else {
			x |= bit
		}
	}
	return x
}

// flipBalanced flips d/2 set and d/2 clear bits of h.
func flipBalanced(h uint64, d int, r *rand.Rand) uint64 {
	var ones, zeros []int
	for b := 0; b < 64; b++ {
		if h&(1<<b) != 0 {
			ones = append(ones, b)
		} else {
			zeros = append(zeros, b)
		}
	}
	out := h
	for _, b := range pickN(r, ones, d/2) {
		out &^= 1 << b
	}
	for _, b := range pickN(r, zeros, d/2) {
		out |= 1 << b
	}
	return out
}
