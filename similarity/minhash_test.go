package similarity

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestLSHParameters(t *testing.T) {
	for _, p := range []LSH{TitleLSH(), DescriptionLSH()} {
		if p.K != p.Bands*p.Rows {
			t.Errorf("%+v: K is not Bands*Rows", p)
		}
		if p.Prefix == "" {
			t.Errorf("%+v: prefix must be set", p)
		}
	}
	a, b := TitleLSH().Prefix, DescriptionLSH().Prefix
	// Keys are stored: the prefixes change only with TextPrintVersion.
	if a != "tt1b" || b != "td1b" {
		t.Errorf("prefixes %q and %q, want tt1b and td1b at version 1", a, b)
	}
	if strings.HasPrefix(a, b) || strings.HasPrefix(b, a) {
		t.Errorf("title prefix %q and description prefix %q overlap", a, b)
	}
}

// TestLSHProbability pins the S-curves documented on TitleLSH and
// DescriptionLSH, and the targets they were chosen for.
func TestLSHProbability(t *testing.T) {
	tests := []struct {
		name string
		p    LSH
		j    float64
		want float64
	}{
		{"title at 0.2", TitleLSH(), 0.2, 0.3199},
		{"title at 0.3", TitleLSH(), 0.3, 0.7312},
		{"title at 0.4", TitleLSH(), 0.4, 0.9582},
		{"title at 0.45", TitleLSH(), 0.45, 0.9898},
		{"title at 0.48", TitleLSH(), 0.48, 0.9964},
		{"title at 0.5", TitleLSH(), 0.5, 0.9984},
		{"title at 0.52", TitleLSH(), 0.52, 0.9993},
		{"title at 0.6", TitleLSH(), 0.6, 1.0000},
		{"description at 0.1", DescriptionLSH(), 0.1, 0.0676},
		{"description at 0.2", DescriptionLSH(), 0.2, 0.4301},
		{"description at 0.3", DescriptionLSH(), 0.3, 0.8528},
		{"description at 0.4", DescriptionLSH(), 0.4, 0.9902},
		{"description at 0.6/1.4", DescriptionLSH(), 0.6 / 1.4, 0.9968},
		{"description at 0.5", DescriptionLSH(), 0.5, 0.9999},
		{"description at 0.6", DescriptionLSH(), 0.6, 1.0000},
		{"nothing in common", TitleLSH(), 0, 0},
		{"identical", DescriptionLSH(), 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.Probability(tt.j); math.Abs(got-tt.want) > 5e-4 {
				t.Errorf("P(%.2f) = %.4f, documented %.4f", tt.j, got, tt.want)
			}
		})
	}
	if p := TitleLSH().Probability(0.5); p < 0.995 {
		t.Errorf("title P(0.5) = %.4f, want >= 0.995", p)
	}
	if p := DescriptionLSH().Probability(0.6 / 1.4); p < 0.995 {
		t.Errorf("description P(0.6/1.4) = %.4f, want >= 0.995", p)
	}
}

// Ten-character titles of the kind the marketplace lists.
var tenCharTitles = []string{
	"悦享轻食扫码点餐系统",
	"花漾美业门店预约平台",
	"邻里优选社区团购商城",
	"智联物业报修缴费助手",
	"启航教育课程报名平台",
	"乐动健身会员约课系统",
	"安居房产经纪人展业通",
	"鲜果汇水果生鲜配送站",
}

// TestTitleEditsBecomeCandidates changes every pair of characters of
// ten-character titles and checks that each edited title stays within the
// title S-curve's target: Jaccard similarity high enough for a candidate
// probability of at least 0.995, and in fact a shared key.
func TestTitleEditsBecomeCandidates(t *testing.T) {
	bp := DefaultBoilerplate()
	p := TitleLSH()
	const replacements = "甲乙"
	minJ, pairs, candidates := 1.0, 0, 0
	for _, title := range tenCharTitles {
		r := []rune(title)
		orig := bp.TitleShingles(title)
		origKeys := p.Keys(orig)
		for i := range r {
			for j := i + 1; j < len(r); j++ {
				edited := slices.Clone(r)
				edited[i], edited[j] = []rune(replacements)[0], []rune(replacements)[1]
				sh := bp.TitleShingles(string(edited))
				jac := jaccard(orig, sh)
				if jac < minJ {
					minJ = jac
				}
				if prob := p.Probability(jac); prob < 0.995 {
					t.Errorf("%s → %s: J = %.3f, candidate probability %.4f < 0.995", title, string(edited), jac, prob)
				}
				pairs++
				if sharedKeys(origKeys, p.Keys(sh)) > 0 {
					candidates++
				}
			}
		}
	}
	t.Logf("%d edited titles, lowest Jaccard %.3f, %d candidates", pairs, minJ, candidates)
	if candidates < pairs {
		t.Errorf("%d of %d edited titles share no key with the original", pairs-candidates, pairs)
	}
}

// TestDescriptionPartialCopyIsCandidate checks the description target on a
// realistic 60% copy and on the worst case the parameters were chosen for.
func TestDescriptionPartialCopyIsCandidate(t *testing.T) {
	f := fingerprinter(t)
	p := DescriptionLSH()
	a, b := f.Description(descOriginal), f.Description(descPartialCopy)
	j := jaccard(a.Shingles, b.Shingles)
	if prob := p.Probability(j); prob < 0.995 {
		t.Errorf("partial copy: J = %.3f, candidate probability %.4f < 0.995", j, prob)
	}
	if sharedKeys(a.Keys, b.Keys) == 0 {
		t.Errorf("partial copy (J = %.3f) shares no key with the original", j)
	}
	t.Logf("partial copy: J = %.3f, P = %.4f, %d shared keys of %d", j, p.Probability(j), sharedKeys(a.Keys, b.Keys), len(a.Keys))

	// 60% of a text plus as much new text again: J = 0.6/1.4.
	orig, copied := syntheticPair(300, 0.6/1.4, 1)
	if j := jaccard(orig, copied); math.Abs(j-0.6/1.4) > 0.01 {
		t.Fatalf("synthetic pair has J = %.3f", j)
	}
	if prob := p.Probability(0.6 / 1.4); prob < 0.995 {
		t.Errorf("60%% copy as long as the original: candidate probability %.4f < 0.995", prob)
	}
}

// TestLSHSCurveEmpirical checks that the fixed permutations behave like
// random ones: over many pairs of sets with a known Jaccard similarity, the
// share of pairs with a common key matches the S-curve.
func TestLSHSCurveEmpirical(t *testing.T) {
	const pairs = 400
	for _, p := range []LSH{TitleLSH(), DescriptionLSH()} {
		for _, j := range []float64{0.2, 0.3, 0.4, 0.5} {
			t.Run(fmt.Sprintf("%s J=%.1f", p.Prefix, j), func(t *testing.T) {
				hits := 0
				for i := range pairs {
					a, b := syntheticPair(100, j, uint64(i)+uint64(j*1e6))
					if sharedKeys(p.Keys(a), p.Keys(b)) > 0 {
						hits++
					}
				}
				want := p.Probability(j)
				got := float64(hits) / pairs
				sigma := math.Sqrt(want * (1 - want) / pairs)
				if math.Abs(got-want) > 4*sigma+0.01 {
					t.Errorf("candidate rate %.3f, S-curve %.3f (σ %.3f)", got, want, sigma)
				}
			})
		}
	}
}

func TestMinHashEstimatesJaccard(t *testing.T) {
	for _, j := range []float64{0.1, 0.3, 0.5, 0.7, 0.9} {
		a, b := syntheticPair(400, j, 7)
		sa, sb := MinHash(a, 192), MinHash(b, 192)
		equal := 0
		for i := range sa {
			if sa[i] == sb[i] {
				equal++
			}
		}
		est := float64(equal) / float64(len(sa))
		// Standard error at K = 192 is at most 0.036.
		if math.Abs(est-j) > 0.11 {
			t.Errorf("J = %.2f estimated as %.3f", j, est)
		}
	}
}

func TestMinHash(t *testing.T) {
	sh := []uint64{3, 1, 2}
	sig := MinHash(sh, 4)
	// The signature is stored by both backends and compared across runs:
	// it must never change.
	want := []uint64{0x0becab0e6a1edc4a, 0x79dbcb328560e571, 0x266909d9c63c126f, 0x07345171471f3f13}
	if !slices.Equal(sig, want) {
		t.Errorf("MinHash(%v, 4) = %#x, want %#x", sh, sig, want)
	}
	if !slices.Equal(MinHash([]uint64{2, 2, 1, 3, 1}, 4), sig) {
		t.Errorf("MinHash depends on order or duplicates")
	}
	if !slices.Equal(MinHash(sh, 8)[:4], sig) {
		t.Errorf("a longer signature does not start with the shorter one")
	}
	for _, tt := range []struct {
		name string
		sh   []uint64
		k    int
	}{{"empty set", nil, 4}, {"k zero", sh, 0}, {"k negative", sh, -1}} {
		if got := MinHash(tt.sh, tt.k); got != nil {
			t.Errorf("%s: MinHash = %v, want nil", tt.name, got)
		}
	}
}

func TestBandKeys(t *testing.T) {
	sig := MinHash([]uint64{1, 2, 3}, 12)
	keyRE := regexp.MustCompile(`^tt1b([0-9]+):[0-9a-f]{16}$`)
	tests := []struct {
		name        string
		sig         []uint64
		bands, rows int
		want        int
	}{
		{"full", sig, 4, 3, 4},
		{"short signature fills fewer bands", sig[:7], 4, 3, 2},
		{"bands beyond signature", sig, 10, 3, 4},
		{"no rows", sig, 4, 0, 0},
		{"no bands", sig, 0, 3, 0},
		{"no signature", nil, 4, 3, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys := BandKeys("tt1b", tt.sig, tt.bands, tt.rows)
			if len(keys) != tt.want {
				t.Fatalf("%d keys, want %d: %q", len(keys), tt.want, keys)
			}
			for i, k := range keys {
				m := keyRE.FindStringSubmatch(k)
				if m == nil || m[1] != fmt.Sprint(i) {
					t.Errorf("key %d = %q, want tt1b%d:<16 hex>", i, k, i)
				}
			}
		})
	}
	// Keys are stored: pin one.
	if got, want := BandKeys("tt1b", sig, 1, 3)[0], "tt1b0:"+BandKeys("x", sig, 1, 3)[0][len("x0:"):]; got != want {
		t.Errorf("prefix changes the hash: %q vs %q", got, want)
	}
	if got, want := BandKeys("tt1b", sig, 1, 3)[0], "tt1b0:0fbc52afc1845795"; got != want {
		t.Errorf("BandKeys = %q, want %q", got, want)
	}
	// A band key depends on every value of its band and only on them.
	changed := slices.Clone(sig)
	changed[4]++
	a, b := BandKeys("d", sig, 4, 3), BandKeys("d", changed, 4, 3)
	if a[0] != b[0] || a[1] == b[1] || a[2] != b[2] {
		t.Errorf("changing value 4 changed keys %v → %v; want only band 1", a, b)
	}
}

func jaccard(a, b []uint64) float64 {
	c := countCommon(a, b)
	union := len(a) + len(b) - c
	if union == 0 {
		return 0
	}
	return float64(c) / float64(union)
}

// syntheticPair returns two sorted shingle sets whose union has `union`
// members and whose Jaccard similarity is j (to the nearest member), made
// of pseudo-random values derived from seed.
func syntheticPair(union int, j float64, seed uint64) (a, b []uint64) {
	common := int(math.Round(j * float64(union)))
	x := seed * 0x9e3779b97f4a7c15
	next := func() uint64 { x++; return mix64(x ^ 0x5bd1e995) }
	for range common {
		v := next()
		a, b = append(a, v), append(b, v)
	}
	for i := range union - common {
		if i%2 == 0 {
			a = append(a, next())
		} else {
			b = append(b, next())
		}
	}
	return sortedSet(a), sortedSet(b)
}

func BenchmarkMinHash(b *testing.B) {
	f := fingerprinter(b)
	title := f.Title(titleOriginal).Shingles
	desc := f.Description(descOriginal).Shingles
	for _, bm := range []struct {
		name string
		p    LSH
		sh   []uint64
	}{
		{"title", TitleLSH(), title},
		{"description", DescriptionLSH(), desc},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportMetric(float64(len(bm.sh)), "shingles")
			for b.Loop() {
				bm.p.BandKeys(bm.p.Signature(bm.sh))
			}
		})
	}
	b.Run("bandkeys-only", func(b *testing.B) {
		sig := DescriptionLSH().Signature(desc)
		for b.Loop() {
			DescriptionLSH().BandKeys(sig)
		}
	})
}

func BenchmarkDescriptionFingerprint(b *testing.B) {
	f := fingerprinter(b)
	for b.Loop() {
		f.Description(descOriginal)
	}
}
