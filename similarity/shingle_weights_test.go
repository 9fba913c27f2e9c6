package similarity

import (
	"fmt"
	"math"
	"testing"
)

func TestWeightsConfigScaled(t *testing.T) {
	for _, tc := range []struct {
		cfg                WeightsConfig
		share              float64
		wantFull, wantZero int
	}{
		{WeightsConfig{FullUpTo: 20, ZeroFrom: 100}, 1, 20, 100},
		{WeightsConfig{FullUpTo: 20, ZeroFrom: 100}, 2, 20, 100},
		{WeightsConfig{FullUpTo: 20, ZeroFrom: 100}, 0.05, 1, 5},
		{WeightsConfig{FullUpTo: 20, ZeroFrom: 100}, 0.1, 2, 10},
		{WeightsConfig{FullUpTo: 2, ZeroFrom: 10}, 0.01, 1, 2},
		{WeightsConfig{}, 0.5, 1, 5},
	} {
		got := tc.cfg.Scaled(tc.share)
		if got.FullUpTo != tc.wantFull || got.ZeroFrom != tc.wantZero {
			t.Errorf("%+v scaled by %v = %+v, want full %d zero %d", tc.cfg, tc.share, got, tc.wantFull, tc.wantZero)
		}
	}
}

// TestWeightsFilter checks that the bit filter in front of the weights map
// changes no weight: shingles of 3, 5 and 12 providers weigh what the
// configuration says, and thousands of shingles never shared weigh 1.
func TestWeightsFilter(t *testing.T) {
	cfg := WeightsConfig{FullUpTo: 2, ZeroFrom: 10}
	b := NewWeightsBuilder(cfg)
	providersOf := map[uint64]int{}
	for h := uint64(1); h <= 3000; h++ {
		n := []int{1, 3, 5, 12}[h%4]
		providersOf[h*7919] = n
		for p := range n {
			b.Add(fmt.Sprintf("P-%d", p), []uint64{h * 7919})
		}
	}
	w := b.Build()
	for h, n := range providersOf {
		if got, want := w.Weight(h), cfg.weight(n); math.Abs(got-want) > 1e-6 {
			t.Fatalf("shingle of %d providers weighs %v, want %v", n, got, want)
		}
	}
	for h := uint64(1); h <= 100_000; h++ {
		if _, seen := providersOf[h]; !seen && w.Weight(h) != 1 {
			t.Fatalf("unseen shingle %d weighs %v", h, w.Weight(h))
		}
	}
	if (Weights{}).Weight(42) != 1 {
		t.Error("empty weights do not weigh 1")
	}
}
