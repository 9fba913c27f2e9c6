package similarity

import (
	"image"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"testing"
)

func TestHashKeys(t *testing.T) {
	tests := []struct {
		name   string
		prefix string
		h      uint64
		want   []string
	}{
		{"zero", "ph", 0, []string{"ph0:0000", "ph1:0000", "ph2:0000", "ph3:0000"}},
		{"chunks most significant first", "ph", 0x0123_4567_89ab_cdef, []string{"ph0:0123", "ph1:4567", "ph2:89ab", "ph3:cdef"}},
		{"all ones", "x.", ^uint64(0), []string{"x.0:ffff", "x.1:ffff", "x.2:ffff", "x.3:ffff"}},
		{"empty prefix", "", 0xffff_0000_0000_0001, []string{"0:ffff", "1:0000", "2:0000", "3:0001"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HashKeys(tt.prefix, tt.h); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("HashKeys = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestHashQueryKeysFindEveryHashWithinRadius checks the pigeonhole
// guarantee on random hashes: whatever radius bits are flipped, the flipped
// hash's stored keys meet the query keys of the original.
func TestHashQueryKeysFindEveryHashWithinRadius(t *testing.T) {
	rnd := rand.New(rand.NewPCG(42, 7))
	for radius := 0; radius <= MaxHashQueryRadius; radius++ {
		h := rnd.Uint64()
		query := HashQueryKeys("ph", h, radius)
		index := make(map[string]bool, len(query))
		for _, k := range query {
			index[k] = true
		}
		trials := 300
		for range trials {
			// Flip exactly k distinct bits, k up to radius; the worst cases
			// spread them evenly over the chunks, so try many.
			k := rnd.IntN(radius + 1)
			other := h
			for _, bit := range rnd.Perm(64)[:k] {
				other ^= 1 << bit
			}
			found := false
			for _, s := range HashKeys("ph", other) {
				if index[s] {
					found = true
					break
				}
			}
			if !found {
				t.Fatalf("radius %d: hash %016x at distance %d shares no key with the query of %016x", radius, other, k, h)
			}
		}
		// The tightest case: the radius spread as evenly as possible, so
		// each chunk differs in floor(radius/4) or one more bit.
		other := h
		for i := range radius {
			chunkIdx, bitInChunk := i%4, i/4
			other ^= 1 << (16*chunkIdx + bitInChunk)
		}
		found := false
		for _, s := range HashKeys("ph", other) {
			found = found || index[s]
		}
		if !found {
			t.Errorf("radius %d: evenly spread flips are not found", radius)
		}
	}
}

func TestHashQueryKeysCounts(t *testing.T) {
	tests := []struct {
		radius int
		want   int
	}{
		{-1, 4}, {0, 4}, {3, 4},
		{4, 4 * 17}, {7, 4 * 17},
		{8, 4 * 137}, {10, 4 * 137}, {11, 4 * 137},
		{12, 4 * 697},
		{16, 4 * 2517},
		{40, 4 * 2517}, // capped at MaxHashQueryRadius
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(max(tt.radius, 0)), func(t *testing.T) {
			keys := HashQueryKeys("ph", 0x8000_0001_7fff_1234, tt.radius)
			if len(keys) != tt.want {
				t.Errorf("radius %d: %d keys, want %d", tt.radius, len(keys), tt.want)
			}
			seen := make(map[string]bool, len(keys))
			for _, k := range keys {
				if seen[k] {
					t.Fatalf("duplicate key %s", k)
				}
				seen[k] = true
			}
			if again := HashQueryKeys("ph", 0x8000_0001_7fff_1234, tt.radius); !slices.Equal(keys, again) {
				t.Error("key order differs between calls")
			}
			if !slices.Equal(keys[:1], HashKeys("ph", 0x8000_0001_7fff_1234)[:1]) {
				t.Errorf("first key %s is not the hash's own first chunk", keys[0])
			}
		})
	}
	for _, r := range []int{8, 10, 12} {
		t.Logf("radius %2d: %4d query keys per hash", r, len(HashQueryKeys("ph", 0, r)))
	}
}

func TestImagePrintKeys(t *testing.T) {
	src := drawScreen(15, screenW, screenH)
	w, h := src.Rect.Dx(), src.Rect.Dy()
	orig := fingerprint(t, encodePNG(t, src))
	tests := []struct {
		name string
		copy []byte
	}{
		{"mirrored", encodePNG(t, mirrored(src))},
		{"status bar cut", encodePNG(t, cropped(src, image.Rect(0, h*12/100, w, h)))},
		{"mirrored and cut", encodeJPEG(t, mirrored(cropped(src, image.Rect(0, h*12/100, w, h))), 60)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cp := fingerprint(t, tt.copy)
			if _, ok := MatchImages(orig, cp); !ok {
				t.Fatal("copy does not match; the keys cannot be checked")
			}
			radius := DefaultImageThresholds().PHash
			for _, dir := range []struct {
				name          string
				query, stored ImagePrint
			}{{"copy queries original", cp, orig}, {"original queries copy", orig, cp}} {
				stored := make(map[string]bool)
				for _, k := range dir.stored.StoreKeys() {
					stored[k] = true
				}
				n := 0
				for _, k := range dir.query.QueryKeys(radius) {
					if stored[k] {
						n++
					}
				}
				if n == 0 {
					t.Errorf("%s: no shared key", dir.name)
				}
			}
		})
	}

	t.Run("store keys cover every variant", func(t *testing.T) {
		keys := orig.StoreKeys()
		if !slices.IsSorted(keys) || len(slices.Compact(slices.Clone(keys))) != len(keys) {
			t.Error("store keys are not sorted and unique")
		}
		for _, v := range orig.Variants {
			for _, k := range HashKeys(ImageKeyPrefix, v.PHash) {
				if _, ok := slices.BinarySearch(keys, k); !ok {
					t.Errorf("variant %s/%v key %s missing", v.Kind, v.Mirrored, k)
				}
			}
		}
	})
	t.Run("query keys come from the plain variants only", func(t *testing.T) {
		plain := orig
		plain.Variants = slices.DeleteFunc(slices.Clone(orig.Variants), func(v ImageVariant) bool { return v.Mirrored })
		if got, want := orig.QueryKeys(8), plain.QueryKeys(8); !slices.Equal(got, want) {
			t.Errorf("QueryKeys uses mirrored variants: %d keys, want %d", len(got), len(want))
		}
		if keys := orig.QueryKeys(8); !slices.IsSorted(keys) || len(keys) > 3*4*137 {
			t.Errorf("%d query keys, want sorted and at most %d", len(keys), 3*4*137)
		}
	})
}

func BenchmarkHashQueryKeys(b *testing.B) {
	for _, radius := range []int{8, 10, 12} {
		b.Run("radius "+strconv.Itoa(radius), func(b *testing.B) {
			h := uint64(0x9e37_79b9_7f4a_7c15)
			for b.Loop() {
				h = h*6364136223846793005 + 1442695040888963407
				HashQueryKeys(ImageKeyPrefix, h, radius)
			}
		})
	}
}
