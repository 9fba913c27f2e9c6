package similarity

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/agnivade/levenshtein"
)

// Text copies are found in two steps. Candidates come from keys: a
// listing's title and description are normalised, cut into shingles,
// stripped of boilerplate and turned into LSH keys (TitleLSH,
// DescriptionLSH), and listings sharing a key are candidates. Candidates are
// then verified exactly: titles, being short, by edit distance
// (LevenshteinRatio); descriptions, which may be copied in part or
// reordered, by weighted shingle containment (Containment). MatchedSpans
// shows a reviewer which text the two share.

// TextPrintVersion identifies how text fingerprints are made: the
// normaliser, the shingles, the boilerplate and the LSH parameters. It is
// part of the key prefixes, so that keys of different versions never meet,
// and of every TextFingerprint, so that a store holding older fingerprints
// recomputes them instead of comparing unlike with unlike.
const TextPrintVersion = 1

// TextFingerprint is what the scanner keeps about one text field of a
// listing: enough to verify a candidate pair without the original text.
type TextFingerprint struct {
	Version int `json:"version"`
	// Normalized is the field's normalised text, compared by
	// LevenshteinRatio and quoted by MatchedSpans.
	Normalized string `json:"normalized"`
	// Shingles is the field's shingle set with boilerplate removed, sorted.
	Shingles []uint64 `json:"shingles,omitempty"`
	// Keys are the field's candidate keys.
	Keys []string `json:"keys,omitempty"`
}

// Comparable reports whether the fingerprint was made by this version and
// has text to compare.
func (p TextFingerprint) Comparable() bool {
	return p.Version == TextPrintVersion && p.Normalized != ""
}

// TextFingerprinter computes text fingerprints with one Normalizer and the
// built-in boilerplate. It is safe for concurrent use.
type TextFingerprinter struct {
	norm *Normalizer
	bp   Boilerplate
}

// NewTextFingerprinter loads the normaliser's tables and the boilerplate.
func NewTextFingerprinter() (*TextFingerprinter, error) {
	n, err := NewNormalizer()
	if err != nil {
		return nil, err
	}
	return &TextFingerprinter{norm: n, bp: DefaultBoilerplate()}, nil
}

// Normalizer is the fingerprinter's normaliser, for fields that need only
// normalising.
func (f *TextFingerprinter) Normalizer() *Normalizer { return f.norm }

// Title fingerprints a listing title: its TitleShingles without stock
// bigrams, and their TitleLSH keys.
func (f *TextFingerprinter) Title(title string) TextFingerprint {
	norm := f.norm.Normalize(title)
	sh := f.bp.TitleShingles(norm)
	return TextFingerprint{Version: TextPrintVersion, Normalized: norm, Shingles: sh, Keys: TitleLSH().Keys(sh)}
}

// Description fingerprints the visible text of a listing description: its
// DescriptionShingles without stock phrases, and their DescriptionLSH keys.
func (f *TextFingerprinter) Description(text string) TextFingerprint {
	sh := f.bp.DescriptionShingles(f.norm.NormalizeSentences(text))
	if cap(sh) > len(sh)+len(sh)/8 {
		sh = slices.Clone(sh) // without the room of the n-grams repeated
	}
	return TextFingerprint{
		Version: TextPrintVersion,
		// A copy of exactly its length: the normaliser's last builder has
		// room to spare, and a catalogue scan keeps every description.
		Normalized: strings.Clone(f.norm.Normalize(text)),
		Shingles:   sh,
		Keys:       DescriptionLSH().Keys(sh),
	}
}

// MaxLevenshteinRunes bounds LevenshteinRatio, whose cost grows with the
// product of the lengths: longer texts are compared on their first
// MaxLevenshteinRunes characters. Edit distance is meant for titles and
// other short fields; long texts are compared by Containment.
const MaxLevenshteinRunes = 2048

// LevenshteinRatio is 1 - d/max(len(a), len(b)), d being the edit distance
// between a and b in characters: 1 for equal texts, 0 for texts with nothing
// in common. Changing one character of a twelve-character title gives 0.92,
// two give 0.83, while two different titles of one category
// (智慧餐厅点餐小程序, 餐饮外卖点餐系统) score well under 0.5. An empty text
// carries no evidence of copying, so a comparison with one scores 0. Pass
// normalised texts.
func LevenshteinRatio(a, b string) float64 {
	if a == b && a != "" {
		return 1 // the generic titles many providers share
	}
	a, b = truncateRunes(a, MaxLevenshteinRunes), truncateRunes(b, MaxLevenshteinRunes)
	la, lb := utf8.RuneCountInString(a), utf8.RuneCountInString(b)
	if la == 0 || lb == 0 {
		return 0
	}
	d := levenshtein.ComputeDistance(a, b)
	return 1 - float64(d)/float64(max(la, lb))
}

// Containment is the weighted share of the smaller shingle set that the
// other set also holds: w(A∩B) / min(w(A), w(B)), w summing the Weights of a
// set's shingles, so that shingles many providers share count for little
// or nothing. It is 1 when one text is wholly contained in the other — a
// copy cut short, or a whole copy padded with the copier's own text — and
// the copied share of the original when the copier replaced the rest: a copy
// that keeps 60% of a description and pads it back to length scores about
// 0.6, while honest descriptions of one category score under 0.1. Duplicates
// in a or b count once; an empty or weightless set scores 0.
func Containment(a, b []uint64, w Weights) float64 {
	a, b = asSortedSet(a), asSortedSet(b)
	return ContainmentOf(a, w.Of(a), b, w.Of(b))
}

// ContainmentOf is Containment of two sorted sets without duplicates (as
// fingerprint shingles are) whose weights were looked up once (Weights.Of):
// a description compared with dozens of candidates pays for its lookups
// once, not once per pair.
func ContainmentOf(a []uint64, wa []float32, b []uint64, wb []float32) float64 {
	var sumA, sumB, common float64
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || (i < len(a) && a[i] < b[j]):
			sumA += float64(wa[i])
			i++
		case i == len(a) || b[j] < a[i]:
			sumB += float64(wb[j])
			j++
		default:
			v := float64(wa[i])
			sumA += v
			sumB += v
			common += v
			i++
			j++
		}
	}
	denom := min(sumA, sumB)
	if denom <= 0 {
		return 0
	}
	return min(common/denom, 1)
}

// asSortedSet returns s if it is sorted without duplicates, as fingerprint
// shingles are, and a sorted, deduplicated copy otherwise.
func asSortedSet(s []uint64) []uint64 {
	for i := 1; i < len(s); i++ {
		if s[i] <= s[i-1] {
			return sortedSet(slices.Clone(s))
		}
	}
	return s
}

// Span is a stretch of text two listings share: Text occurs at runes
// [AStart, AEnd) of the first text and [BStart, BEnd) of the second.
type Span struct {
	Text   string
	AStart int
	AEnd   int
	BStart int
	BEnd   int
}

// MaxSpanRunes bounds MatchedSpans, whose cost is the product of the two
// lengths: texts are compared on their first MaxSpanRunes characters, about
// 25 million steps and a few tens of milliseconds at most. Listing
// descriptions are well within it.
const MaxSpanRunes = 5000

// maxSpanCandidates bounds the maximal matches MatchedSpans collects before
// choosing among them. Ordinary text has a few dozen; only highly repetitive
// text reaches the bound, and then the shortest matches are dropped first.
const maxSpanCandidates = 1 << 14

// MatchedSpans returns the stretches of at least minRunes characters that a
// and b share, for a reviewer to see what was copied. Offsets count runes of
// a and b, which should be normalised texts.
//
// Every maximal common substring (one that cannot be extended on either
// side) is found by dynamic programming over the two texts; the longest are
// then kept greedily, skipping any that overlaps one already kept in either
// text, so that each character is quoted once. Spans are returned in the
// order they occur in a. Sentences copied in another order come out as
// separate spans. minRunes below 1 counts as 1.
func MatchedSpans(a, b string, minRunes int) []Span {
	ra := []rune(truncateRunes(a, MaxSpanRunes))
	rb := []rune(truncateRunes(b, MaxSpanRunes))
	minRunes = max(minRunes, 1)
	if len(ra) < minRunes || len(rb) < minRunes {
		return nil
	}

	type match struct{ aEnd, bEnd, n int }
	var cands []match
	threshold := minRunes
	// prev[j+1] and cur[j+1] are the lengths of the common suffixes of
	// ra[:i] and rb[:j+1] for the previous and current i.
	prev := make([]int32, len(rb)+1)
	cur := make([]int32, len(rb)+1)
	for i := range ra {
		for j := range rb {
			if ra[i] != rb[j] {
				cur[j+1] = 0
				continue
			}
			n := prev[j] + 1
			cur[j+1] = n
			extends := i+1 < len(ra) && j+1 < len(rb) && ra[i+1] == rb[j+1]
			if extends || int(n) < threshold {
				continue
			}
			cands = append(cands, match{i + 1, j + 1, int(n)})
			if len(cands) > maxSpanCandidates {
				slices.SortFunc(cands, func(x, y match) int { return y.n - x.n })
				cands = cands[:maxSpanCandidates/2]
				threshold = max(threshold, cands[len(cands)-1].n)
			}
		}
		prev, cur = cur, prev
	}

	slices.SortStableFunc(cands, func(x, y match) int {
		if x.n != y.n {
			return y.n - x.n
		}
		if x.aEnd != y.aEnd {
			return x.aEnd - y.aEnd
		}
		return x.bEnd - y.bEnd
	})
	usedA := make([]bool, len(ra))
	usedB := make([]bool, len(rb))
	var spans []Span
	for _, m := range cands {
		as, bs := m.aEnd-m.n, m.bEnd-m.n
		if slices.Contains(usedA[as:m.aEnd], true) || slices.Contains(usedB[bs:m.bEnd], true) {
			continue
		}
		for k := range m.n {
			usedA[as+k] = true
			usedB[bs+k] = true
		}
		spans = append(spans, Span{
			Text:   string(ra[as:m.aEnd]),
			AStart: as, AEnd: m.aEnd,
			BStart: bs, BEnd: m.bEnd,
		})
	}
	slices.SortFunc(spans, func(x, y Span) int { return x.AStart - y.AStart })
	return spans
}

// truncateRunes cuts s to its first n runes.
// RuneSet is a 64-bit signature of the characters a text uses, for a lower
// bound of its edit distance to another (EditsAtLeast) that costs a pass
// over one text instead of the distance's product of both lengths.
type RuneSet uint64

// RuneSetOf returns the signature of s's characters.
func RuneSetOf(s string) RuneSet {
	var set RuneSet
	for _, r := range s {
		set |= runeBit(r)
	}
	return set
}

// runeBit places a character on the signature (Fibonacci hashing, so that
// the code points of one script spread over the bits).
func runeBit(r rune) RuneSet {
	return 1 << (uint32(r) * 0x9e3779b1 >> 26)
}

// EditsAtLeast is a lower bound of the edit distance between a and b, given
// their signatures: each character of one whose bit the other's signature
// lacks is a character the other does not contain, which an edit must
// replace or delete.
func EditsAtLeast(a string, setA RuneSet, b string, setB RuneSet) int {
	missing := func(s string, other RuneSet) int {
		n := 0
		for _, r := range s {
			if other&runeBit(r) == 0 {
				n++
			}
		}
		return n
	}
	return max(missing(a, setB), missing(b, setA))
}

func truncateRunes(s string, n int) string {
	count := 0
	for i := range s {
		if count == n {
			return s[:i]
		}
		count++
	}
	return s
}
