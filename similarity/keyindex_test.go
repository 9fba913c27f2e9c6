package similarity

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestKeyIndexHolders(t *testing.T) {
	a, b, c := KeyFingerprint("tt5b0:aa"), KeyFingerprint("tt5b1:aa"), KeyFingerprint("td5b0:aa")
	x, err := NewKeyIndex([][]uint64{
		{a, b},
		{},
		{b, c, b}, // a key twice is held once
		{a},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		key  uint64
		want []int32
	}{
		{"two holders", a, []int32{0, 3}},
		{"listed twice by one", b, []int32{0, 2}},
		{"one holder", c, []int32{2}},
		{"nobody", KeyFingerprint("tt5b2:aa"), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := x.Holders(tc.key)
			var got []int32
			for i := range h.Len() {
				got = append(got, h.Item(i))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("holders = %v, want %v", got, tc.want)
			}
		})
	}
	if x.Len() != 5 {
		t.Errorf("Len = %d, want 5", x.Len())
	}
	var none *KeyIndex
	if none.Holders(a).Len() != 0 || none.Len() != 0 {
		t.Error("a nil index holds something")
	}
}

// TestKeyIndexMatchesMap compares the packed index with a plain map on
// random items, including fingerprints at both ends of the range.
func TestKeyIndexMatchesMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pool := []uint64{0, ^uint64(0), 1 << 63}
	for range 200 {
		pool = append(pool, rng.Uint64())
	}
	items := make([][]uint64, 500)
	want := map[uint64][]int32{}
	for i := range items {
		for range rng.IntN(12) {
			k := pool[rng.IntN(len(pool))]
			items[i] = append(items[i], k)
			fp := k &^ keyItemMask
			if l := want[fp]; len(l) == 0 || l[len(l)-1] != int32(i) {
				want[fp] = append(want[fp], int32(i))
			}
		}
		slices.Sort(items[i]) // holders per key come out ascending either way
	}
	x, err := NewKeyIndex(items)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range pool {
		h := x.Holders(k)
		var got []int32
		for i := range h.Len() {
			got = append(got, h.Item(i))
		}
		if w := want[k&^keyItemMask]; !slices.Equal(got, w) {
			t.Fatalf("key %x: holders %v, want %v", k, got, w)
		}
	}
}

func TestKeyFingerprintStable(t *testing.T) {
	// Fingerprints are stored in listing sketches: a change here must
	// come with a new sketch version.
	if got := KeyFingerprint("tt4b0:0123456789abcdef"); got != 0xd216f4502f0a4803 {
		t.Errorf("fingerprint %#x, want 0xd216f4502f0a4803", got)
	}
	if KeyFingerprint("a") == KeyFingerprint("b") {
		t.Error("two keys, one fingerprint")
	}
}

// BenchmarkNewKeyIndex builds the index of a 100,000-listing catalogue:
// 118 keys per listing, as the title and description bands give.
// catalogueKeys returns the band key fingerprints of a 100,000-listing
// catalogue, 118 a listing.
func catalogueKeys() [][]uint64 {
	rng := rand.New(rand.NewPCG(3, 4))
	items := make([][]uint64, 100_000)
	for i := range items {
		items[i] = make([]uint64, 118)
		for j := range items[i] {
			items[i][j] = rng.Uint64()
		}
	}
	return items
}

func BenchmarkNewKeyIndex(b *testing.B) {
	items := catalogueKeys()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewKeyIndex(items); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkKeyIndexHolders looks up keys of a 100,000-listing catalogue,
// as a text candidate query does for each of a listing's band keys.
func BenchmarkKeyIndexHolders(b *testing.B) {
	items := catalogueKeys()
	x, err := NewKeyIndex(items)
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		if x.Holders(items[i%len(items)][i%118]).Len() == 0 {
			b.Fatal("a held key has no holder")
		}
		i += 7919
	}
}
