package similarity

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/longbridgeapp/opencc"
)

// t2sMaxWindow is how many characters one dictionary lookup may span. It is
// the window OpenCC uses; no traditional-to-simplified phrase is longer.
const t2sMaxWindow = 10

// t2sMaxPasses bounds the conversion passes simplify makes. A handful of
// phrases in the tables protect a character only in the traditional
// context (乾隆 keeps 乾, but the converted 乾图 then reads 干图), so one pass
// is not always a fixed point; two always are for the shipped tables, and
// the tests check it.
const t2sMaxPasses = 4

// t2sConverter converts traditional Chinese to simplified with OpenCC's t2s
// tables (phrases first, then single characters, longest match first).
//
// OpenCC's own Convert allocates a map and a rune slice per character, which
// made it the dominant cost of normalising a description. The converter here
// walks the same tries byte by byte, producing exactly what OpenCC produces
// (a test compares the two), without allocating per character. It also
// knows which characters any table entry can change, so that text without
// them, which is most simplified text, is not converted at all.
type t2sConverter struct {
	cc *opencc.OpenCC
	// changing is a bitset of runes: a text in which none of them occurs
	// is its own conversion.
	changing []uint64
}

func newT2SConverter() (*t2sConverter, error) {
	cc, err := opencc.New("t2s")
	if err != nil {
		return nil, err
	}
	c := &t2sConverter{cc: cc}
	if err := c.indexChanges(); err != nil {
		return nil, err
	}
	return c, nil
}

// indexChanges finds, for every table entry that changes its key, a
// character that must occur in any text the entry applies to: a character
// that is itself converted on its own when the key holds one, otherwise every
// character the entry replaces. A text without any of them contains no
// changing key, so converting it gives it back unchanged.
func (c *t2sConverter) indexChanges() error {
	type entry struct{ key, value string }
	var entries []entry
	single := map[rune]bool{}
	for _, group := range c.cc.DictChains {
		for _, d := range group.Dicts {
			if d == nil || d.Trie == nil {
				return fmt.Errorf("conversion table missing")
			}
			for _, id := range d.Trie.PrefixPredict(nil, 0) {
				k, err := d.Trie.Key(id)
				if err != nil {
					return fmt.Errorf("read conversion table key: %w", err)
				}
				v, err := d.Trie.Value(id)
				if err != nil || v < 0 || v >= len(d.Values) {
					return fmt.Errorf("read conversion table value of %q", k)
				}
				if len(d.Values[v]) == 0 || d.Values[v][0] == string(k) {
					continue
				}
				e := entry{string(k), d.Values[v][0]}
				entries = append(entries, e)
				if utf8.RuneCountInString(e.key) == 1 {
					r, _ := utf8.DecodeRuneInString(e.key)
					single[r] = true
				}
			}
		}
	}
	mark := func(r rune) {
		i := int(r) / 64
		for len(c.changing) <= i {
			c.changing = append(c.changing, 0)
		}
		c.changing[i] |= 1 << (uint(r) % 64)
	}
	for _, e := range entries {
		marked := false
		for _, r := range e.key {
			if single[r] {
				mark(r)
				marked = true
				break
			}
		}
		if marked {
			continue
		}
		kr, vr := []rune(e.key), []rune(e.value)
		for i, r := range kr {
			if i >= len(vr) || vr[i] != r || len(kr) != len(vr) {
				mark(r)
			}
		}
	}
	return nil
}

// mayChange reports whether r occurs in a table entry that changes text.
func (c *t2sConverter) mayChange(r rune) bool {
	i := int(r) / 64
	return r >= 0 && i < len(c.changing) && c.changing[i]&(1<<(uint(r)%64)) != 0
}

func (c *t2sConverter) mayChangeText(s string) bool {
	for _, r := range s {
		if c.mayChange(r) {
			return true
		}
	}
	return false
}

// simplify converts s until it no longer changes, so that simplified text
// is its own conversion and Normalize stays idempotent.
func (c *t2sConverter) simplify(s string) string {
	for range t2sMaxPasses {
		if !c.mayChangeText(s) {
			break
		}
		next := c.convert(s)
		if next == s {
			break
		}
		s = next
	}
	return s
}

// convert applies each conversion group in turn, as OpenCC does.
func (c *t2sConverter) convert(s string) string {
	for _, group := range c.cc.DictChains {
		s = convertGroup(group, s)
	}
	return s
}

// convertGroup replaces, left to right, the longest key of the first
// dictionary of the group that has a key starting at the current position
// (within t2sMaxWindow characters) by its first value; characters no key
// starts with are copied.
func convertGroup(group *opencc.Group, s string) string {
	var b strings.Builder
	b.Grow(len(s))
	var one [1]byte
	for i := 0; i < len(s); {
		matched := false
		for _, d := range group.Dicts {
			best, bestValue := -1, 0
			from, runes := 0, 0
			for p := i; p < len(s); p++ {
				if utf8.RuneStart(s[p]) {
					if runes == t2sMaxWindow {
						break
					}
					runes++
				}
				one[0] = s[p]
				to, err := d.Trie.Jump(one[:], from)
				if err != nil {
					break
				}
				if v, err := d.Trie.Value(to); err == nil {
					best, bestValue = p+1, v
				}
				from = to
			}
			if best < 0 {
				continue
			}
			if vals := d.Values[bestValue]; len(vals) > 0 {
				b.WriteString(vals[0])
			} else {
				b.WriteString(s[i:best])
			}
			i = best
			matched = true
			break
		}
		if !matched {
			_, size := utf8.DecodeRuneInString(s[i:])
			b.WriteString(s[i : i+size])
			i += size
		}
	}
	return b.String()
}
