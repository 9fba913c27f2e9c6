package similarity

import (
	"image"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestImageIndexFindsCopiesFromBothSides(t *testing.T) {
	src := drawScreen(15, screenW, screenH)
	w, h := src.Rect.Dx(), src.Rect.Dy()
	orig := fingerprint(t, encodePNG(t, src))
	other := fingerprint(t, encodePNG(t, drawScreen(3, screenW, screenH)))
	tests := []struct {
		name string
		copy []byte
	}{
		{"mirrored", encodePNG(t, mirrored(src))},
		{"status bar cut", encodePNG(t, cropped(src, image.Rect(0, h*12/100, w, h)))},
		{"mirrored and cut", encodeJPEG(t, mirrored(cropped(src, image.Rect(0, h*12/100, w, h))), 60)},
		{"five per cent cropped", encodeJPEG(t, cropped(src, image.Rect(w/20, h/20, w-w/20, h-h/20)), 70)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cp := fingerprint(t, tt.copy)
			if _, ok := MatchImages(orig, cp); !ok {
				t.Fatal("copy does not match; the index cannot be checked")
			}
			for _, dir := range []struct {
				name          string
				query, stored ImagePrint
			}{{"copy queries original", cp, orig}, {"original queries copy", orig, cp}} {
				x, err := NewImageIndex(DefaultImageThresholds(), []Sketch{AppendSketch(nil, other), AppendSketch(nil, dir.stored)})
				if err != nil {
					t.Fatal(err)
				}
				if got := x.Candidates(AppendSketch(nil, dir.query), 0); !slices.Contains(got, 1) {
					t.Errorf("%s: candidates %v, want the copy (1)", dir.name, got)
				}
			}
		})
	}
}

func TestImageIndexCandidatesEqualTheThresholds(t *testing.T) {
	// Synthetic variants around one query: the index must propose exactly
	// the stored sketches with a variant pair that passes the candidate
	// test and lies within ImageIndexRadius on one hash.
	rng := rand.New(rand.NewPCG(3, 4))
	th := DefaultImageThresholds()
	flip := func(h uint64, n int) uint64 {
		for _, b := range rng.Perm(64)[:n] {
			h ^= 1 << b
		}
		return h
	}
	qp, qd := rng.Uint64(), rng.Uint64()
	query := sketchOf(qp, qd, false)
	var stored []Sketch
	var want []int32
	for i := range 400 {
		pd, dd := rng.IntN(20), rng.IntN(20)
		mirroredVariant := i%5 == 0
		stored = append(stored, sketchOf(flip(qp, pd), flip(qd, dd), mirroredVariant))
		if th.candidate(pd, dd) && (pd <= ImageIndexRadius || dd <= ImageIndexRadius) {
			want = append(want, int32(i))
		}
	}
	x, err := NewImageIndex(th, stored)
	if err != nil {
		t.Fatal(err)
	}
	if got := x.Candidates(query, 0); !slices.Equal(got, want) {
		t.Fatalf("candidates %v\nwant %v", got, want)
	}
	if got := x.Candidates(sketchOf(qp, qd, true), 0); len(got) != 0 {
		t.Errorf("a mirrored query variant proposed %v; only plain ones query", got)
	}
}

func sketchOf(ph, dh uint64, mirrored bool) Sketch {
	var s Sketch
	return AppendSketch(s, ImagePrint{
		Version:  ImagePrintVersion,
		Detail:   []byte{1},
		Variants: []ImageVariant{{Kind: VariantFull, PHash: ph, DHash: dh, Mirrored: mirrored}},
	})
}

func TestNewImageIndexRejectsMalformedSketch(t *testing.T) {
	if _, err := NewImageIndex(DefaultImageThresholds(), []Sketch{make(Sketch, 17), make(Sketch, 5)}); err == nil {
		t.Fatal("a 5-byte sketch was accepted")
	}
}

func BenchmarkHashIndexNear(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		rng := rand.New(rand.NewPCG(1, 2))
		hs := randomHashes(rng, n)
		for _, c := range []struct {
			name string
			x    *HashIndex
		}{
			{"cut for joins", NewHashIndex(hs)},
			{"cut for queries", NewHashIndexFor(hs, ImageIndexRadius)},
		} {
			b.Run("hashes="+itoa(n)+", "+c.name, func(b *testing.B) {
				i := 0
				for b.Loop() {
					c.x.Near(hs[i%n]^0x5, ImageIndexRadius, func(int32, int) {})
					i += 7919
				}
			})
		}
	}
}

func itoa(n int) string {
	switch {
	case n%1_000_000 == 0:
		return string(rune('0'+n/1_000_000)) + "M"
	default:
		return string(rune('0'+n/100_000)) + "00k"
	}
}

// With a limit, the nearest owners are kept.
func TestImageIndexCandidatesKeepTheNearest(t *testing.T) {
	var th ImageThresholds
	base := uint64(0x0f0f_0f0f_0f0f_0f0f)
	var sketches []Sketch
	for d := range 6 {
		// 0, 3, 5, 7, 9 and 11 bits away on both hashes.
		flip := uint64(1)<<(2*d+1) - 1
		if d == 0 {
			flip = 0
		}
		sketches = append(sketches, sketchOf(base^flip, base^flip, false))
	}
	// Owners in reverse order of nearness, so order by id would differ.
	slices.Reverse(sketches)
	x, err := NewImageIndex(th, sketches)
	if err != nil {
		t.Fatal(err)
	}
	all := x.Candidates(sketchOf(base, base, false), 0)
	near := x.Candidates(sketchOf(base, base, false), 2)
	if len(all) < 4 || !slices.Equal(near, []int32{4, 5}) {
		t.Fatalf("all %v, nearest two %v; want the last two owners", all, near)
	}
}

// CandidatesOfAll answers for every owner what Candidates answers for the
// sketch it indexed, cut or not, with mirrored variants and owners that
// share pictures.
func TestImageIndexCandidatesOfAllEqualsCandidates(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	ph := randomHashes(rng, 3000)
	dh := randomHashes(rng, 3000)
	var sketches []Sketch
	for o := 0; o < 900; o++ {
		var s Sketch
		for v := range 1 + rng.IntN(5) {
			k := rng.IntN(len(ph))
			s = AppendSketch(s, ImagePrint{
				Version:  ImagePrintVersion,
				Detail:   []byte{1},
				Variants: []ImageVariant{{Kind: VariantFull, PHash: ph[k] ^ uint64(rng.IntN(4)), DHash: dh[k], Mirrored: v%3 == 2}},
			})
		}
		sketches = append(sketches, s)
	}
	x, err := NewImageIndex(DefaultImageThresholds(), sketches)
	if err != nil {
		t.Fatal(err)
	}
	for _, limit := range []int{0, 3} {
		all := x.CandidatesOfAll(limit, 3)
		met := 0
		for o, s := range sketches {
			if !x.Holds(int32(o), s) {
				t.Fatalf("owner %d: index does not hold its own sketch", o)
			}
			want := x.Candidates(s, limit)
			if !slices.Equal(all[o], want) {
				t.Fatalf("limit %d, owner %d: %v, Candidates gives %v", limit, o, all[o], want)
			}
			met += len(want)
		}
		if met < 2*len(sketches) {
			t.Fatalf("limit %d: only %d candidates in all; the test needs owners that meet others", limit, met)
		}
	}
	if x.Holds(0, sketches[1]) && !slices.Equal(sketches[0], sketches[1]) {
		t.Fatal("owner 0 holds owner 1's sketch")
	}
}

// BenchmarkImageIndexCandidatesOfAll compares the two ways a batch scan can
// ask for the image candidates of every listing: one Candidates query per
// listing, and one join of the index with itself.
func BenchmarkImageIndexCandidatesOfAll(b *testing.B) {
	const owners = 20_000
	rng := rand.New(rand.NewPCG(5, 5))
	ph := randomHashes(rng, owners*3)
	dh := randomHashes(rng, owners*3)
	sketches := make([]Sketch, owners)
	for o := range sketches {
		for v := range 6 {
			k := 3*o + v/2
			sketches[o] = AppendSketch(sketches[o], ImagePrint{
				Version:  ImagePrintVersion,
				Detail:   []byte{1},
				Variants: []ImageVariant{{Kind: VariantFull, PHash: ph[k], DHash: dh[k], Mirrored: v%2 == 1}},
			})
		}
	}
	x, err := NewImageIndex(DefaultImageThresholds(), sketches)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("query per listing", func(b *testing.B) {
		for b.Loop() {
			for _, s := range sketches {
				x.Candidates(s, 64)
			}
		}
	})
	b.Run("join", func(b *testing.B) {
		for b.Loop() {
			x.CandidatesOfAll(64, 1)
		}
	})
}
