package marketgen

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/longbridgeapp/opencc"
)

// The text evasions copiers use to slip copied titles and descriptions past
// exact matching. Each changes the raw text while a reader still sees the
// same words. Functions that take a *rand.Rand are deterministic for a given
// generator state.

// ZeroWidthChars are the invisible characters ZeroWidth inserts.
var ZeroWidthChars = []rune{'\u200b', '\u200c', '\u200d', '\u2060', '\ufeff'}

// ZeroWidth inserts invisible zero-width characters between characters.
func ZeroWidth(s string, rng *rand.Rand) string {
	rs := []rune(s)
	if len(rs) < 2 {
		return s
	}
	var sb strings.Builder
	inserted := false
	for i, r := range rs {
		sb.WriteRune(r)
		if i < len(rs)-1 && (rng.IntN(3) == 0 || (!inserted && i == len(rs)-2)) {
			sb.WriteRune(ZeroWidthChars[rng.IntN(len(ZeroWidthChars))])
			inserted = true
		}
	}
	return sb.String()
}

// StripZeroWidth removes the characters ZeroWidth inserts.
func StripZeroWidth(s string) string {
	return strings.Map(func(r rune) rune {
		for _, z := range ZeroWidthChars {
			if r == z {
				return -1
			}
		}
		return r
	}, s)
}

// FullWidth turns ASCII letters, digits, punctuation and spaces into their
// full-width forms (Ａ, １, ！, U+3000).
func FullWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ':
			return '\u3000'
		case r >= 0x21 && r <= 0x7e:
			return r + 0xfee0
		}
		return r
	}, s)
}

// homoglyphs maps Latin letters to Cyrillic or Greek letters that look the same.
var homoglyphs = map[rune][]rune{
	'a': {'а', 'α'}, 'c': {'с', 'ϲ'}, 'e': {'е'}, 'i': {'і', 'ι'}, 'j': {'ј'}, 'o': {'о', 'ο'}, 'p': {'р', 'ρ'},
	's': {'ѕ'}, 'x': {'х', 'χ'}, 'y': {'у'}, 'k': {'κ'}, 'v': {'ν'}, 'h': {'һ'},
	'A': {'А', 'Α'}, 'B': {'В', 'Β'}, 'C': {'С'}, 'E': {'Е', 'Ε'}, 'H': {'Н', 'Η'}, 'I': {'І', 'Ι'}, 'J': {'Ј'},
	'K': {'К', 'Κ'}, 'M': {'М', 'Μ'}, 'N': {'Ν'}, 'O': {'О', 'Ο'}, 'P': {'Р', 'Ρ'}, 'S': {'Ѕ'}, 'T': {'Т', 'Τ'},
	'X': {'Х', 'Χ'}, 'Y': {'Υ'}, 'Z': {'Ζ'},
}

// HomoglyphLatin maps a homoglyph back to the Latin letter it imitates
// (unchanged when r is not one of ours).
func HomoglyphLatin(r rune) rune {
	for latin, gs := range homoglyphs {
		for _, g := range gs {
			if g == r {
				return latin
			}
		}
	}
	return r
}

// CanHomoglyph reports whether s has a Latin letter Homoglyph can replace.
func CanHomoglyph(s string) bool {
	for _, r := range s {
		if _, ok := homoglyphs[r]; ok {
			return true
		}
	}
	return false
}

// Homoglyph replaces Latin letters in the text's Latin words (SaaS, API,
// Excel…) with Cyrillic and Greek look-alikes. At least one letter is
// replaced when any can be.
func Homoglyph(s string, rng *rand.Rand) string {
	rs := []rune(s)
	var cand []int
	for i, r := range rs {
		if _, ok := homoglyphs[r]; ok {
			cand = append(cand, i)
		}
	}
	if len(cand) == 0 {
		return s
	}
	must := cand[rng.IntN(len(cand))]
	for _, i := range cand {
		if i == must || rng.IntN(2) == 0 {
			gs := homoglyphs[rs[i]]
			rs[i] = gs[rng.IntN(len(gs))]
		}
	}
	return string(rs)
}

// Traditionalizer converts simplified Chinese to traditional characters, the
// evasion that defeats byte-level comparison of Chinese text.
type Traditionalizer struct {
	s2t *opencc.OpenCC
}

// NewTraditionalizer loads the OpenCC simplified→traditional dictionaries.
func NewTraditionalizer() (*Traditionalizer, error) {
	cc, err := opencc.New("s2t")
	if err != nil {
		return nil, fmt.Errorf("load opencc s2t: %w", err)
	}
	return &Traditionalizer{s2t: cc}, nil
}

// Traditional converts s to traditional characters.
func (t *Traditionalizer) Traditional(s string) (string, error) {
	out, err := t.s2t.Convert(s)
	if err != nil {
		return "", fmt.Errorf("convert to traditional: %w", err)
	}
	return out, nil
}

// spaceable reports whether a separator may follow r: between letters of
// words, not inside runs of punctuation.
func spaceable(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// Spaced inserts spaces (ASCII or ideographic) between characters.
func Spaced(s string, rng *rand.Rand) string {
	seps := []string{" ", " ", " ", "\u3000"}
	return insertBetween(s, rng, func() string { return seps[rng.IntN(len(seps))] }, 1)
}

// PunctuationFillers are the separators Punctuated inserts.
var PunctuationFillers = []string{"·", ".", "*", "_", "-", "~", "|", "、", "•"}

// Punctuated inserts punctuation marks between characters.
func Punctuated(s string, rng *rand.Rand) string {
	fill := PunctuationFillers[rng.IntN(len(PunctuationFillers))]
	return insertBetween(s, rng, func() string { return fill }, 2)
}

// insertBetween inserts sep() after roughly every other letter (every letter
// when every == 1).
func insertBetween(s string, rng *rand.Rand, sep func() string, every int) string {
	rs := []rune(s)
	var sb strings.Builder
	inserted := false
	for i, r := range rs {
		sb.WriteRune(r)
		if i == len(rs)-1 || !spaceable(r) || !spaceable(rs[i+1]) {
			continue
		}
		if every == 1 || rng.IntN(every) == 0 || !inserted {
			sb.WriteString(sep())
			inserted = true
		}
	}
	return sb.String()
}

// SplitSentences splits Chinese text after 。！？； and line breaks, keeping
// the terminators.
func SplitSentences(s string) []string {
	var out []string
	start := 0
	for i, r := range s {
		if r == '。' || r == '！' || r == '？' || r == '；' || r == '\n' {
			end := i + utf8.RuneLen(r)
			if t := strings.TrimSpace(s[start:end]); t != "" {
				out = append(out, t)
			}
			start = end
		}
	}
	if t := strings.TrimSpace(s[start:]); t != "" {
		out = append(out, t)
	}
	return out
}

// Shuffled reorders the sentences of s. The result differs from s whenever
// s has two different sentences.
func Shuffled(s string, rng *rand.Rand) string {
	return strings.Join(shuffleSentences(SplitSentences(s), rng), "")
}

func shuffleSentences(ss []string, rng *rand.Rand) []string {
	out := append([]string(nil), ss...)
	if len(out) < 2 {
		return out
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	if strings.Join(out, "") == strings.Join(ss, "") {
		out = append(out[1:], out[0])
	}
	return out
}

// PartialCopy keeps about keep (0–1) of s's sentences, by length, in their
// order, and mixes in the copier's own sentences.
func PartialCopy(s string, keep float64, own []string, rng *rand.Rand) string {
	kept := keepFraction(SplitSentences(s), keep, rng)
	return strings.Join(mixIn(kept, own, rng), "")
}

// keepFraction drops whole sentences at random until about keep of the text
// (by runes) is left.
func keepFraction(ss []string, keep float64, rng *rand.Rand) []string {
	total := 0
	for _, s := range ss {
		total += utf8.RuneCountInString(s)
	}
	target := int(float64(total)*keep + 0.5)
	alive := make([]bool, len(ss))
	for i := range alive {
		alive[i] = true
	}
	left := total
	for _, i := range rng.Perm(len(ss)) {
		n := utf8.RuneCountInString(ss[i])
		// Drop only if that moves us closer to the target.
		if abs(left-n-target) < abs(left-target) {
			alive[i] = false
			left -= n
		}
	}
	var out []string
	for i, s := range ss {
		if alive[i] {
			out = append(out, s)
		}
	}
	return out
}

func mixIn(kept, own []string, rng *rand.Rand) []string {
	out := append([]string(nil), kept...)
	for _, o := range own {
		at := rng.IntN(len(out) + 1)
		out = append(out[:at], append([]string{o}, out[at:]...)...)
	}
	return out
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// EditTitle changes n (1 or 2) characters of a title, the way copiers make a
// stolen title "their own": the edit distance to the original is exactly n.
func EditTitle(title string, n int, rng *rand.Rand) string {
	rs := []rune(title)
	var cand []int
	for i, r := range rs {
		if unicode.Is(unicode.Han, r) {
			cand = append(cand, i)
		}
	}
	if len(cand) < n {
		for i := range rs {
			if unicode.IsLetter(rs[i]) && !unicode.Is(unicode.Han, rs[i]) {
				cand = append(cand, i)
			}
		}
	}
	if len(cand) < n {
		return title + strings.Repeat("新", n)
	}
	for attempt := 0; attempt < 50; attempt++ {
		out := append([]rune(nil), rs...)
		for _, ci := range pickN(rng, cand, n) {
			for {
				c := titleEditChars[rng.IntN(len(titleEditChars))]
				if c != out[ci] && c != rs[ci] {
					out[ci] = c
					break
				}
			}
		}
		if runeDistance(out, rs) == n {
			return string(out)
		}
	}
	return string(append(rs, []rune("新版")[:n]...))
}

func runeDistance(a, b []rune) int {
	// Small, allocation-light Levenshtein over runes for short titles.
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// TextTransforms names every text evasion the generators plant.
var TextTransforms = []string{"zerowidth", "fullwidth", "homoglyph", "traditional", "spaced", "punctuated", "shuffled", "partial60", "title_edit1", "title_edit2"}

// Evader applies the named text evasions. It holds the dictionaries the
// traditional-character evasion needs; it is safe for concurrent use only
// if OpenCC's converter is, so give each goroutine its own.
type Evader struct {
	trad *Traditionalizer
}

// NewEvader loads what the evasions need.
func NewEvader() (*Evader, error) {
	t, err := NewTraditionalizer()
	if err != nil {
		return nil, err
	}
	return &Evader{trad: t}, nil
}

// Apply runs the character-level evasion name on s (zerowidth, fullwidth,
// homoglyph, traditional, spaced, punctuated; shuffled and partial60 on a
// whole text; title_edit1/2 on a title).
func (e *Evader) Apply(name, s string, rng *rand.Rand) (string, error) {
	switch name {
	case "zerowidth":
		return ZeroWidth(s, rng), nil
	case "fullwidth":
		return FullWidth(s), nil
	case "homoglyph":
		return Homoglyph(s, rng), nil
	case "traditional":
		return e.trad.Traditional(s)
	case "spaced":
		return Spaced(s, rng), nil
	case "punctuated":
		return Punctuated(s, rng), nil
	case "shuffled":
		return Shuffled(s, rng), nil
	case "partial60":
		return PartialCopy(s, 0.6, nil, rng), nil
	case "title_edit1":
		return EditTitle(s, 1, rng), nil
	case "title_edit2":
		return EditTitle(s, 2, rng), nil
	}
	return "", fmt.Errorf("unknown text transform %q", name)
}

// charLevel reports whether the evasion works character by character, so it
// applies to titles and to each sentence of a description alike.
func charLevel(name string) bool {
	switch name {
	case "zerowidth", "fullwidth", "homoglyph", "traditional", "spaced", "punctuated":
		return true
	}
	return false
}

// evadeDescription applies a text evasion to a whole description. For
// partial60, own holds the copier's sentences to mix in.
func (e *Evader) evadeDescription(name string, d Description, own []string, rng *rand.Rand) (Description, error) {
	if charLevel(name) {
		var err error
		out := d.Map(func(s string) string {
			if err != nil {
				return s
			}
			var v string
			v, err = e.Apply(name, s, rng)
			return v
		})
		return out, err
	}
	switch name {
	case "shuffled":
		return paragraphs(shuffleSentences(flatSentences(d), rng), hasImage(d), rng), nil
	case "partial60":
		kept := keepFraction(flatSentences(d), 0.6, rng)
		return paragraphs(mixIn(kept, own, rng), hasImage(d), rng), nil
	}
	return Description{}, fmt.Errorf("transform %q does not apply to descriptions", name)
}

// flatSentences lists a description's sentences, each ending in a terminator.
func flatSentences(d Description) []string {
	var out []string
	for _, s := range d.Sentences() {
		for _, t := range SplitSentences(s) {
			if r, _ := utf8.DecodeLastRuneInString(t); !strings.ContainsRune("。！？；", r) {
				t += "。"
			}
			out = append(out, t)
		}
	}
	return out
}

func hasImage(d Description) bool {
	for _, b := range d.Blocks {
		if b.Kind == BlockImage {
			return true
		}
	}
	return false
}

// paragraphs regroups sentences into paragraphs of two or three.
func paragraphs(ss []string, image bool, rng *rand.Rand) Description {
	var d Description
	for len(ss) > 0 {
		n := min(len(ss), 2+rng.IntN(2))
		d.Blocks = append(d.Blocks, Block{Kind: BlockPara, Items: append([]string(nil), ss[:n]...)})
		ss = ss[n:]
		if image && len(d.Blocks) == 1 {
			d.Blocks = append(d.Blocks, Block{Kind: BlockImage})
		}
	}
	return d
}
