package similarity

import "testing"

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
