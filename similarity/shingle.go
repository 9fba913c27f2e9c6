package similarity

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Shingle sizes. Titles are a dozen characters, too short for anything but
// single characters and pairs: with both, one changed character costs a
// title one unigram and two bigrams out of roughly twenty shingles, so a
// lightly edited copy keeps most of them. Descriptions are long enough for
// character trigrams, which in Chinese are specific enough that two honest
// descriptions share few beyond the boilerplate removed separately.
const (
	DescriptionShingleSize = 3
	// MinSentenceRunes is the shortest sentence of a description shingled
	// on its own; shorter ones are joined to their neighbours. See
	// DescriptionShingles.
	MinSentenceRunes = 8
)

// FNV-1a, 64 bit. Shingle hashes are stored and compared across runs, hosts
// and storage backends, so the hash is fixed here rather than taken from a
// library whose seed or algorithm may change.
const (
	fnvOffset64 = 14695981039346656037
	fnvPrime64  = 1099511628211
)

func fnv1a(s string) uint64 {
	h := uint64(fnvOffset64)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime64
	}
	return h
}

// Shingles returns the set of character n-grams of norm, hashed, sorted and
// without duplicates. A text shorter than n characters is one shingle, so
// that a short text still has something to match. norm is expected to be
// the output of Normalize; an empty text or n < 1 has no shingles.
func Shingles(norm string, n int) []uint64 {
	return appendShingles(nil, norm, n)
}

func appendShingles(dst []uint64, norm string, n int) []uint64 {
	if n < 1 || norm == "" {
		return dst
	}
	if utf8.RuneCountInString(norm) < n {
		return append(dst, fnv1a(norm))
	}
	return appendNgrams(dst, norm, n)
}

// appendNgrams appends the hashes of the n-grams of s, deduplicated; a text
// shorter than n has none.
func appendNgrams(dst []uint64, s string, n int) []uint64 {
	if n < 1 {
		return dst
	}
	start := len(dst)
	// Room for every n-gram up front: a catalogue scan holds every
	// listing's shingles, and growing by appending left up to half of
	// each set's memory unused.
	dst = slices.Grow(dst, max(0, utf8.RuneCountInString(s)-n+1))
	// ring holds the byte offsets of the n most recent rune starts.
	ring := make([]int, n)
	runes := 0
	for i, r := range s {
		ring[runes%n] = i
		runes++
		if runes >= n {
			from := ring[(runes-n)%n]
			dst = append(dst, fnv1a(s[from:i+runeLen(r, s[i:])]))
		}
	}
	added := dst[start:]
	slices.Sort(added)
	added = slices.Compact(added)
	return dst[:start+len(added)]
}

// runeLen is the byte length of the rune r decoded at the start of s, which
// is 1 for an invalid byte.
func runeLen(r rune, s string) int {
	if r == utf8.RuneError {
		_, size := utf8.DecodeRuneInString(s)
		return size
	}
	return utf8.RuneLen(r)
}

// TitleShingles returns the unigrams and bigrams of a normalised title, as a
// sorted set.
func TitleShingles(norm string) []uint64 {
	sh := appendShingles(nil, norm, 1)
	sh = appendShingles(sh, norm, 2)
	return sortedSet(sh)
}

// DescriptionShingles returns the character trigrams of a normalised
// description given as its sentences (NormalizeSentences), as a sorted set.
//
// Trigrams are taken within each sentence and never across a sentence
// boundary, so a copy that only reorders the original's sentences has
// exactly the original's shingles, whatever the order. Taken naively, that
// would reward a copier who inserts sentence punctuation to cut the text
// into pieces too short to have trigrams of their own. So a boundary is kept
// only between two sentences of at least MinSentenceRunes characters: a
// shorter piece is joined to both its neighbours. Inserting a full stop
// every few characters then gives back the uncut text, whose trigrams
// include all of the original's; cutting into pieces of MinSentenceRunes or
// more loses at most two trigrams per cut, a quarter of the shingles at the
// very worst, for text no buyer would read. A short sentence moved
// elsewhere costs the few trigrams that join it to its neighbours.
func DescriptionShingles(sentences []string) []uint64 {
	return Boilerplate{}.DescriptionShingles(sentences)
}

// joinShortSentences joins consecutive sentences unless both have at least
// min runes.
func joinShortSentences(sentences []string, min int) []string {
	var pieces []string
	var cur strings.Builder
	prevLong := false
	for _, s := range sentences {
		if s == "" {
			continue
		}
		long := utf8.RuneCountInString(s) >= min
		if cur.Len() > 0 && prevLong && long {
			pieces = append(pieces, cur.String())
			cur.Reset()
		}
		cur.WriteString(s)
		prevLong = long
	}
	if cur.Len() > 0 {
		pieces = append(pieces, cur.String())
	}
	return pieces
}

// sortedSet sorts s and removes duplicates in place.
func sortedSet(s []uint64) []uint64 {
	slices.Sort(s)
	return slices.Compact(s)
}
