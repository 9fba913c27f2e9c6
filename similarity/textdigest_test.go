package similarity

import (
	"math"
	"math/rand/v2"
	"testing"
)

// shingleSets returns two random sets of sizes na and nb sharing common
// shingles.
func shingleSets(rng *rand.Rand, na, nb, common int) (a, b []uint64) {
	for range common {
		s := rng.Uint64()
		a, b = append(a, s), append(b, s)
	}
	for range na - common {
		a = append(a, rng.Uint64())
	}
	for range nb - common {
		b = append(b, rng.Uint64())
	}
	return a, b
}

func TestEstimateContainmentFollowsContainment(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cases := []struct {
		name           string
		na, nb, common int
		// sized: sets of similar size, whose estimate must be close.
		sized bool
	}{
		{"identical", 500, 500, 500, true},
		{"disjoint", 500, 500, 0, true},
		{"partial 60% of equal length", 500, 500, 300, true},
		{"stock overlap", 400, 600, 30, true},
		{"short text inside a long one", 80, 1000, 80, false},
		{"half of a short text", 120, 300, 60, false},
		{"short text sharing stock words with a long one", 60, 900, 5, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var sumErr float64
			const trials = 300
			under := 0
			for range trials {
				a, b := shingleSets(rng, tc.na, tc.nb, tc.common)
				want := Containment(a, b, Weights{})
				est, bound := EstimateContainment(DigestShingles(a), DigestShingles(b))
				if e2, b2 := EstimateContainment(DigestShingles(b), DigestShingles(a)); e2 != est || b2 != bound {
					t.Fatalf("not symmetric: %v/%v vs %v/%v", est, bound, e2, b2)
				}
				sumErr += math.Abs(est - want)
				// A filter holds the bound against a rule's threshold
				// (0.55 by default): under it, it must not be wrong.
				if bound < min(want, 0.55) {
					under++
				}
			}
			if under > 0 {
				t.Errorf("bound below the containment (up to 0.55) in %d of %d trials", under, trials)
			}
			// The estimate of J has a standard deviation of at most
			// 1/16; containment of equal sets magnifies it by up to 2.
			if mean := sumErr / trials; tc.sized && mean > 0.08 {
				t.Errorf("mean error %.3f, want <= 0.08", mean)
			}
		})
	}
}

// The bound must rule out what a candidate filter needs it to: unrelated
// texts and texts sharing a few stock words.
func TestContainmentBoundRulesOutUnrelated(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, tc := range []struct{ na, nb, common int }{{500, 500, 0}, {400, 600, 30}, {300, 300, 20}} {
		kept := 0
		for range 300 {
			a, b := shingleSets(rng, tc.na, tc.nb, tc.common)
			if _, bound := EstimateContainment(DigestShingles(a), DigestShingles(b)); bound >= 0.55 {
				kept++
			}
		}
		if kept > 3 {
			t.Errorf("%+v: %d of 300 unrelated pairs bounded over 0.55", tc, kept)
		}
	}
}

func TestTextDigestEdges(t *testing.T) {
	if d := DigestShingles(nil); d.Valid() || len(d) != 0 {
		t.Fatalf("empty set: digest %v", d)
	}
	d := DigestShingles([]uint64{3, 1, 2, 2})
	if !d.Valid() || d.size() != 3 {
		t.Fatalf("digest of 3 shingles: valid %v size %d", d.Valid(), d.size())
	}
	if got, _ := EstimateContainment(d, DigestShingles([]uint64{1, 2, 3})); got != 1 {
		t.Errorf("same set, other order: %v, want 1", got)
	}
	if got, bound := EstimateContainment(d, TextDigest{1, 2}); got != 0 || bound != 0 {
		t.Errorf("truncated digest: %v/%v, want 0", got, bound)
	}
}

func BenchmarkDigestShingles(b *testing.B) {
	a, _ := shingleSets(rand.New(rand.NewPCG(3, 4)), 550, 0, 0)
	for b.Loop() {
		DigestShingles(a)
	}
}
