package similarity

import (
	"math/bits"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

// randomHashes returns n hashes of 32 set bits, as pHashes have, with
// planted near neighbours: every tenth hash is a copy of an earlier one
// with a few bits flipped.
func randomHashes(rng *rand.Rand, n int) []uint64 {
	hs := make([]uint64, n)
	for i := range hs {
		if i >= 10 && i%10 == 0 {
			h := hs[rng.IntN(i)]
			for range rng.IntN(7) {
				h ^= 1 << rng.IntN(64)
			}
			hs[i] = h
			continue
		}
		var h uint64
		for bits.OnesCount64(h) < 32 {
			h |= 1 << rng.IntN(64)
		}
		hs[i] = h
	}
	return hs
}

func bruteNear(hs []uint64, q uint64, r int) []int32 {
	var out []int32
	for i, h := range hs {
		if bits.OnesCount64(h^q) <= r {
			out = append(out, int32(i))
		}
	}
	return out
}

func TestHashIndexNearEqualsBruteForce(t *testing.T) {
	for _, tc := range []struct {
		name   string
		n      int
		radius []int
	}{
		{"empty", 0, []int{0, 8}},
		{"tiny index, eight chunks", 50, []int{0, 3, 8, 12}},
		{"small index, four chunks", 5000, []int{0, 4, 8, 12}},
		{"three chunks", 70000, []int{0, 2, 5, 8}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(tc.n)))
			hs := randomHashes(rng, tc.n)
			queries := append(slices.Clone(hs[:min(len(hs), 40)]), randomHashes(rng, 20)...)
			for _, r := range tc.radius {
				// Both cuts give the same answers.
				for _, x := range []*HashIndex{NewHashIndex(hs), NewHashIndexFor(hs, r)} {
					for _, q := range queries {
						var got []int32
						x.Near(q, r, func(id int32, dist int) {
							if d := bits.OnesCount64(hs[id] ^ q); d != dist {
								t.Fatalf("reported distance %d, real %d", dist, d)
							}
							got = append(got, id)
						})
						slices.Sort(got)
						if want := bruteNear(hs, q, r); !slices.Equal(got, want) {
							t.Fatalf("%d chunks, radius %d: got %v, want %v", len(x.chunks), r, got, want)
						}
					}
				}
			}
		})
	}
}

func TestHashIndexChunkCountFollowsSize(t *testing.T) {
	for _, tc := range []struct{ n, chunks int }{
		{0, 8}, {100, 8}, {10_000, 4}, {100_000, 3}, {1_000_000, 3}, {50_000_000, 3},
	} {
		if got := chunkCount(tc.n); got != tc.chunks {
			t.Errorf("chunkCount(%d) = %d, want %d", tc.n, got, tc.chunks)
		}
	}
}

func TestQueryChunkCount(t *testing.T) {
	for _, tc := range []struct{ n, radius, chunks int }{
		{0, 8, 8}, {1000, 8, 6}, {100_000, 8, 5}, {1_000_000, 8, 5}, {10_000_000, 8, 3},
		{100_000, 2, 3}, {1_000_000, 0, 3},
	} {
		if got := queryChunkCount(tc.n, tc.radius); got != tc.chunks {
			t.Errorf("queryChunkCount(%d, %d) = %d, want %d", tc.n, tc.radius, got, tc.chunks)
		}
	}
}

func TestHashIndexSelfJoinEqualsBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	hs := randomHashes(rng, 3000)
	const radius = 8
	var want [][2]int32
	for a := range hs {
		for b := a + 1; b < len(hs); b++ {
			if bits.OnesCount64(hs[a]^hs[b]) <= radius {
				want = append(want, [2]int32{int32(a), int32(b)})
			}
		}
	}
	if len(want) < 200 {
		t.Fatalf("only %d planted pairs; the test needs more", len(want))
	}
	var mu sync.Mutex
	var got [][2]int32
	NewHashIndex(hs).SelfJoin(radius, 3, func(a, b int32, _ int) {
		mu.Lock()
		got = append(got, [2]int32{a, b})
		mu.Unlock()
	})
	slices.SortFunc(got, comparePairs)
	if !slices.Equal(got, want) {
		t.Fatalf("self-join found %d pairs, brute force %d", len(got), len(want))
	}
}

// TestHashIndexSelfJoinEqualsNear checks the bucket sweep against Near on
// an index large enough for three chunks.
func TestHashIndexSelfJoinEqualsNear(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	hs := randomHashes(rng, 70000)
	x := NewHashIndex(hs)
	if len(x.chunks) != 3 {
		t.Fatalf("%d chunks, want 3", len(x.chunks))
	}
	const radius = 5
	var want [][2]int32
	for a, h := range hs {
		x.Near(h, radius, func(b int32, _ int) {
			if b > int32(a) {
				want = append(want, [2]int32{int32(a), b})
			}
		})
	}
	var mu sync.Mutex
	var got [][2]int32
	x.SelfJoin(radius, 2, func(a, b int32, _ int) {
		mu.Lock()
		got = append(got, [2]int32{a, b})
		mu.Unlock()
	})
	slices.SortFunc(got, comparePairs)
	slices.SortFunc(want, comparePairs)
	if len(want) < 1000 || !slices.Equal(got, want) {
		t.Fatalf("self-join found %d pairs, Near %d", len(got), len(want))
	}
}

func comparePairs(x, y [2]int32) int {
	if x[0] != y[0] {
		return int(x[0] - y[0])
	}
	return int(x[1] - y[1])
}
