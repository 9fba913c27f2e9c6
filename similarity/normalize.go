package similarity

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mtibben/confusables"
	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"
)

// Bounds on the text one call may normalise. Listing titles are a few dozen
// characters and descriptions a few thousand; the limits leave ample room
// while keeping one call to a few milliseconds whatever a provider submits.
const (
	// MaxNormalizeInputBytes is how much of its input Normalize reads; the
	// rest is ignored.
	MaxNormalizeInputBytes = 1 << 20
	// MaxNormalizedRunes is the longest normalised text Normalize returns.
	MaxNormalizedRunes = 64 << 10
)

// Normalizer reduces marketplace text to the form copies are compared in.
//
// A provider who copies another provider's listing rarely pastes it
// unchanged: zero-width characters, full-width letters, Cyrillic or Greek
// look-alikes, compatibility ideographs and Kangxi radicals, traditional
// characters and inserted spaces or punctuation all leave the text looking
// the same to a buyer while defeating a byte comparison. Normalize undoes all
// of these at once, so that the copy and the original normalise to the same
// string and every later step (shingles, signatures, edit distance, matched
// spans) sees through the disguise.
//
// Building a Normalizer loads the traditional-to-simplified tables, which
// takes a few milliseconds; build one and share it. A Normalizer is
// read-only after construction and safe for concurrent use.
type Normalizer struct {
	t2s *t2sConverter
}

// NewNormalizer loads the conversion tables a Normalizer needs.
func NewNormalizer() (*Normalizer, error) {
	t2s, err := newT2SConverter()
	if err != nil {
		return nil, fmt.Errorf("load traditional-to-simplified tables: %w", err)
	}
	return &Normalizer{t2s: t2s}, nil
}

// Normalize returns the comparison form of s: Unicode compatibility
// composition (NFKC), width folding, look-alike letters replaced by the ASCII
// letter they imitate and look-alike kana and radicals by the Chinese
// character they imitate, traditional Chinese converted to simplified,
// letters lower-cased, and everything that is not a letter or a digit —
// spaces, punctuation, symbols, zero-width and other invisible characters —
// removed.
//
// The result keeps only letters (Chinese characters included) and digits,
// so it is no longer prose, but it stays readable: a reviewer shown a matched
// stretch of it recognises the listing's words. Normalize is idempotent and
// always returns valid UTF-8. Input beyond MaxNormalizeInputBytes is ignored
// and the result is cut at MaxNormalizedRunes.
func (n *Normalizer) Normalize(s string) string {
	out, exotic := foldText(s)
	// Removing characters can make neighbours that compose under NFKC (Hangul
	// jamo, for one) adjacent; fold again until the text is stable so that
	// Normalize stays idempotent. Text of ASCII and common Chinese characters
	// only is stable by construction.
	for range 3 {
		if !exotic || norm.NFKC.IsNormalString(out) {
			break
		}
		out, exotic = foldText(out)
	}
	// Traditional characters are converted last, once the punctuation and
	// invisible characters that would split a word are gone. Text without
	// any character the tables change, most simplified text, skips it.
	return n.t2s.simplify(out)
}

// sentenceBreak reports whether r ends a sentence: Chinese and ASCII full
// stops, exclamation and question marks, semicolons (in every width and the
// small forms), and line breaks. The ASCII period is not one: it appears in
// numbers, versions and domain names far more often than at a sentence end in
// Chinese listings.
func sentenceBreak(r rune) bool {
	switch r {
	case '。', '｡', '︒', '！', '!', '﹗', '？', '?', '﹖', '；', ';', '﹔',
		'\n', '\r', '\v', '\f', '\u0085', '\u2028', '\u2029':
		return true
	}
	return false
}

// NormalizeSentences splits s into sentences at sentence punctuation and line
// breaks, then normalises each, dropping those that normalise to nothing.
// It splits before Normalize removes the punctuation that marks the
// boundaries, so that reordering a listing's sentences reorders the result
// without changing any sentence.
func (n *Normalizer) NormalizeSentences(s string) []string {
	s = truncateUTF8(s, MaxNormalizeInputBytes)
	var out []string
	for part := range strings.FieldsFuncSeq(s, sentenceBreak) {
		if sentence := n.Normalize(part); sentence != "" {
			out = append(out, sentence)
		}
	}
	return out
}

// foldText is the per-character part of Normalize: everything but the
// traditional-to-simplified conversion, which works on words rather than
// characters. It reports whether the result holds characters other than
// ASCII and common Chinese characters.
//
// Most listing text is ASCII and common Chinese characters, which width
// folding and NFKC leave as they are and which compose with nothing, so only
// the runs of other characters between them go through those two
// transforms. That halves the cost of normalising Chinese text.
func foldText(s string) (string, bool) {
	s = truncateUTF8(s, MaxNormalizeInputBytes)
	var f folder
	f.b.Grow(len(s))
	for i := 0; i < len(s) && f.count < MaxNormalizedRunes; {
		r, size := utf8.DecodeRuneInString(s[i:])
		if inert(r) {
			f.fold(r)
			i += size
			continue
		}
		if commonPunctuation(r) {
			i += size
			continue
		}
		j := i + size
		for j < len(s) {
			r, size := utf8.DecodeRuneInString(s[j:])
			if inert(r) || commonPunctuation(r) {
				break
			}
			j += size
		}
		for _, r := range norm.NFKC.String(width.Fold.String(s[i:j])) {
			if f.count >= MaxNormalizedRunes {
				break
			}
			f.fold(r)
		}
		i = j
	}
	return f.b.String(), f.exotic
}

// inert reports whether NFKC and width folding leave r alone whatever
// surrounds it: ASCII, and the CJK Unified Ideographs and their Extension A,
// which have no decompositions and take part in no composition.
func inert(r rune) bool {
	return r < utf8.RuneSelf || 0x4e00 <= r && r <= 0x9fff || 0x3400 <= r && r <= 0x4dbf
}

// commonPunctuation reports whether r is punctuation of Chinese text that
// NFKC turns into punctuation at most, so that it can be dropped at once.
func commonPunctuation(r rune) bool {
	switch r {
	case '，', '。', '、', '；', '：', '？', '！', '“', '”', '‘', '’', '（', '）', '《', '》',
		'【', '】', '「', '」', '『', '』', '〈', '〉', '…', '—', '～', '·', '\u3000':
		return true
	}
	return false
}

// folder accumulates the folded text.
type folder struct {
	b      strings.Builder
	count  int
	exotic bool
}

// fold appends the folded form of r, a character already in NFKC, if it is
// a letter or digit.
func (f *folder) fold(r rune) {
	switch {
	case r < utf8.RuneSelf:
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
			f.b.WriteByte(byte(r))
			f.count++
		case 'A' <= r && r <= 'Z':
			f.b.WriteByte(byte(r - 'A' + 'a'))
			f.count++
		}
		return
	case inert(r):
		f.b.WriteRune(r)
		f.count++
		return
	case r == 'ー':
		// The long vowel mark is how 一 is most often imitated.
		f.b.WriteRune('一')
		f.count++
		return
	case unicode.Is(unicode.Han, r):
		if !unicode.IsLetter(r) && !unicode.IsNumber(r) {
			// CJK radicals written as symbols stand in for the
			// character they look like, or for nothing.
			h, ok := hanLookalike(r)
			if !ok {
				return
			}
			r = h
		}
		f.b.WriteRune(r)
		f.count++
	case unicode.In(r, unicode.Hiragana, unicode.Katakana):
		if h, ok := hanLookalike(r); ok {
			r = h
		} else if !unicode.IsLetter(r) {
			return
		}
		f.b.WriteRune(r)
		f.count++
	case unicode.IsLetter(r) || unicode.IsNumber(r):
		g := latinLookalike(r)
		f.b.WriteString(g)
		f.count += utf8.RuneCountInString(g)
	default:
		return
	}
	f.exotic = true
}

// hanLookalike maps kana and CJK radicals that imitate a Chinese character
// (ロ for 口, エ for 工, ⺁ for 厂) to that character. Unicode's confusable
// data names the character for most of them. (The long vowel mark ー, which
// imitates 一, is the exception: that data maps 一 to it rather than the
// reverse, so foldText handles it by name.)
func hanLookalike(r rune) (rune, bool) {
	sk := []rune(confusables.Skeleton(string(r)))
	if len(sk) == 1 && sk[0] != r && unicode.Is(unicode.Han, sk[0]) && unicode.IsLetter(sk[0]) {
		return sk[0], true
	}
	return 0, false
}

// latinLookalike replaces a non-ASCII letter or digit by the ASCII it
// imitates (Cyrillic а, Greek ο, accented é, dotless ı) when Unicode's
// confusable data says it looks like one, and otherwise lower-cases it.
//
// The lower-case form is tried first so that Cyrillic І reads as i, the way
// its Latin twin normalises, rather than as the l its skeleton names; the
// original form is tried next so that capitals whose lower case looks like
// nothing Latin (Cyrillic В, Н, Т) still read as b, h, t.
func latinLookalike(r rune) string {
	lower := unicode.ToLower(r)
	if s, ok := asciiSkeleton(lower); ok {
		return s
	}
	if lower != r {
		if s, ok := asciiSkeleton(r); ok {
			return s
		}
	}
	return string(lower)
}

// asciiSkeleton returns the lower-case ASCII letters and digits r's
// confusable skeleton consists of, ignoring combining marks; ok is false when
// the skeleton holds anything else.
func asciiSkeleton(r rune) (string, bool) {
	sk := confusables.Skeleton(string(r))
	var b strings.Builder
	for _, c := range sk {
		switch {
		case unicode.Is(unicode.Mn, c):
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			b.WriteRune(c)
		case 'A' <= c && c <= 'Z':
			b.WriteRune(c - 'A' + 'a')
		default:
			return "", false
		}
	}
	if b.Len() == 0 {
		return "", false
	}
	return b.String(), true
}

// truncateUTF8 cuts s to at most max bytes without splitting a character.
func truncateUTF8(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
