package marketgen

import (
	"fmt"
	"html"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Description is a listing's description before it becomes HTML: blocks of
// sentences. Evasions work on the sentences; rendering adds the markup and
// points <img> at the listing's own pictures.
type Description struct {
	Blocks []Block
}

// BlockKind says how a block is rendered.
type BlockKind int

// Block kinds.
const (
	BlockPara  BlockKind = iota // one <p> holding its items as consecutive sentences
	BlockList                   // a <ul> with one <li> per item
	BlockImage                  // an <img> showing one of the listing's images
)

// Block is one paragraph, bullet list or picture of a description.
type Block struct {
	Kind  BlockKind
	Items []string
	// Boilerplate marks the delivery-and-service paragraph that nearly every
	// listing carries.
	Boilerplate bool
}

// Sentences returns every text item in reading order.
func (d Description) Sentences() []string {
	var out []string
	for _, b := range d.Blocks {
		out = append(out, b.Items...)
	}
	return out
}

// PlainText is the visible text without markup: a paragraph's sentences
// run on, list items and blocks go on lines of their own.
func (d Description) PlainText() string {
	var lines []string
	for _, b := range d.Blocks {
		switch b.Kind {
		case BlockPara:
			lines = append(lines, strings.Join(b.Items, ""))
		case BlockList:
			lines = append(lines, b.Items...)
		}
	}
	return strings.Join(lines, "\n")
}

// Map returns a copy with f applied to every sentence.
func (d Description) Map(f func(string) string) Description {
	out := Description{Blocks: make([]Block, len(d.Blocks))}
	for i, b := range d.Blocks {
		nb := b
		nb.Items = make([]string, len(b.Items))
		for j, s := range b.Items {
			nb.Items[j] = f(s)
		}
		out.Blocks[i] = nb
	}
	return out
}

// HTML renders the description. Image blocks show images[len-1] (the
// listing's detail picture); without images they are dropped.
func (d Description) HTML(images []string) string {
	var sb strings.Builder
	for _, b := range d.Blocks {
		switch b.Kind {
		case BlockPara:
			sb.WriteString("<p>")
			for _, s := range b.Items {
				sb.WriteString(html.EscapeString(s))
			}
			sb.WriteString("</p>")
		case BlockList:
			sb.WriteString("<ul>")
			for _, s := range b.Items {
				sb.WriteString("<li>")
				sb.WriteString(html.EscapeString(s))
				sb.WriteString("</li>")
			}
			sb.WriteString("</ul>")
		case BlockImage:
			if len(images) > 0 {
				fmt.Fprintf(&sb, `<img src="%s">`, html.EscapeString(images[len(images)-1]))
			}
		}
	}
	return sb.String()
}

// slots fills {name} placeholders. Values not given are drawn from rng.
type slots struct {
	rng  *rand.Rand
	vars map[string]string
}

func (s slots) fill(tpl string) string {
	var sb strings.Builder
	for {
		i := strings.IndexByte(tpl, '{')
		if i < 0 {
			sb.WriteString(tpl)
			return sb.String()
		}
		j := strings.IndexByte(tpl[i:], '}')
		if j < 0 {
			sb.WriteString(tpl)
			return sb.String()
		}
		sb.WriteString(tpl[:i])
		sb.WriteString(s.value(tpl[i+1 : i+j]))
		tpl = tpl[i+j+1:]
	}
}

func (s slots) value(name string) string {
	if v, ok := s.vars[name]; ok {
		return v
	}
	r := s.rng
	switch name {
	case "n":
		return strconv.Itoa(3 + r.IntN(28))
	case "n2":
		return strconv.Itoa((12 + r.IntN(980)) * 10)
	case "n3":
		return strconv.Itoa(1000 + r.IntN(98000))
	case "pct":
		return strconv.Itoa(12 + r.IntN(54))
	case "sec":
		return strconv.Itoa(15 + r.IntN(46))
	case "score":
		return fmt.Sprintf("4.%d", 6+r.IntN(4))
	case "a":
		a := 20 + r.IntN(30)
		s.vars["a"] = strconv.Itoa(a)
		s.vars["b"] = strconv.Itoa(a + 10 + r.IntN(30))
		return s.vars["a"]
	case "b":
		return strconv.Itoa(50 + r.IntN(40))
	case "hh":
		return fmt.Sprintf("%02d", 8+r.IntN(11))
	case "mm":
		return fmt.Sprintf("%02d", 1+r.IntN(12))
	case "dd":
		return fmt.Sprintf("%02d", 1+r.IntN(28))
	case "year":
		return strconv.Itoa(2012 + r.IntN(12))
	case "city", "city2":
		return pick(r, cities)
	}
	return name
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// pickN draws n distinct elements in random order.
func pickN[T any](r *rand.Rand, xs []T, n int) []T {
	idx := r.Perm(len(xs))
	if n > len(xs) {
		n = len(xs)
	}
	out := make([]T, n)
	for i := 0; i < n; i++ {
		out[i] = xs[idx[i]]
	}
	return out
}

// ListingText is the text of one listing.
type ListingText struct {
	Title    string
	Summary  string
	Desc     Description
	Tags     []string
	Brand    string
	Customer string
	City     string
	Group    int // product group within the category
}

// textGen writes listing text for one category. It keeps the titles it has
// handed out so that honest titles of different providers stay clearly
// apart and only planted copies are near-identical.
type textGen struct {
	// fallbacks counts titles handed out although no candidate met the
	// distinctness rules; tests expect none.
	fallbacks int
	titles    map[string][]issuedTitle // by category
	descs     map[string][]issuedDesc  // by category
	brands    map[string]bool
	descSeen  map[string]int // sentence → how often handed out
}

type issuedTitle struct {
	norm     []rune
	provider string
}

func newTextGen() *textGen {
	return &textGen{titles: map[string][]issuedTitle{}, descs: map[string][]issuedDesc{}, brands: map[string]bool{}, descSeen: map[string]int{}}
}

// NormalizeTitle keeps letters and digits, lower-cased: what a reader sees as
// the title's content.
func NormalizeTitle(s string) []rune {
	var out []rune
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			out = append(out, unicode.ToLower(r))
		}
	}
	return out
}

// TitleSimilarity is 1 − edit distance / longer length over normalised titles.
func TitleSimilarity(a, b string) float64 {
	return runeSimilarity(NormalizeTitle(a), NormalizeTitle(b))
}

func runeSimilarity(a, b []rune) float64 {
	n := max(len(a), len(b))
	if n == 0 {
		return 1
	}
	return 1 - float64(runeDistance(a, b))/float64(n)
}

// honestTitleMax is the highest similarity two honest titles of different
// providers may have; planted title edits sit well above it.
const honestTitleMax = 0.55

func (g *textGen) titleOK(category string, exempt []string, title string, lo, hi float64, other string) bool {
	if utf8.RuneCountInString(title) > 30 {
		return false
	}
	n := NormalizeTitle(title)
	buf := make([]int, 2*(len(n)+32))
	for _, t := range g.titles[category] {
		if indexOf(exempt, t.provider) >= 0 {
			continue
		}
		if similarAtLeast(n, t.norm, honestTitleMax, buf) {
			return false
		}
	}
	if other != "" {
		s := runeSimilarity(n, NormalizeTitle(other))
		if s < lo || s >= hi {
			return false
		}
	}
	return true
}

// similarAtLeast reports whether 1 − distance/longer ≥ thr, skipping the
// full computation when the lengths alone rule it out.
func similarAtLeast(a, b []rune, thr float64, buf []int) bool {
	n := max(len(a), len(b))
	if n == 0 {
		return true
	}
	allowed := int((1 - thr) * float64(n))
	if abs(len(a)-len(b)) > allowed {
		return false
	}
	return boundedDistance(a, b, allowed, buf) <= allowed
}

// boundedDistance is the Levenshtein distance of a and b, or any value above
// limit once the distance is known to exceed it.
func boundedDistance(a, b []rune, limit int, buf []int) int {
	if len(buf) < 2*(len(b)+1) {
		buf = make([]int, 2*(len(b)+1))
	}
	prev, cur := buf[:len(b)+1], buf[len(b)+1:2*(len(b)+1)]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			c = min(c, prev[j]+1, cur[j-1]+1)
			cur[j] = c
			rowMin = min(rowMin, c)
		}
		if rowMin > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func (g *textGen) issue(category, provider, title string) {
	g.titles[category] = append(g.titles[category], issuedTitle{norm: NormalizeTitle(title), provider: provider})
}

func (g *textGen) brand(r *rand.Rand) string {
	for i := 0; ; i++ {
		b := pick(r, brandHeads) + pick(r, brandTails)
		if []rune(b)[0] == []rune(b)[1] {
			continue
		}
		if !g.brands[b] || i > 50 {
			g.brands[b] = true
			return b
		}
	}
}

// titleForms are the shapes marketplace titles take.
var titleForms = []string{
	"{brand}{qual}{product}{suffix}",
	"{brand}{qual}{product}{suffix}",
	"{brand}{cust}{product}",
	"{qual}{product}（{cust}专用）",
	"{brand}{product}·{cust}版",
	"{qual}{cust}{product}{suffix}",
	"{city}{brand}{product}{suffix}",
}

func makeTitle(r *rand.Rand, brand, product, cust string, withBrand bool) string {
	q := pick(r, titleQualifiers)
	if strings.Contains(product, q) {
		q = ""
	}
	suf := pick(r, titleSuffixes)
	if strings.HasSuffix(product, "小程序") && strings.Contains(suf, "小程序") {
		suf = ""
	}
	form := pick(r, titleForms)
	if !withBrand {
		form = strings.ReplaceAll(strings.ReplaceAll(form, "{brand}", ""), "{city}", "")
	}
	t := strings.NewReplacer("{brand}", brand, "{qual}", q, "{product}", product, "{suffix}", suf,
		"{cust}", cust, "{city}", pick(r, cities)).Replace(form)
	return strings.TrimSpace(t)
}

// textOptions steers one piece of listing text.
type textOptions struct {
	category string
	provider string
	short    string // provider short name, for own sentences
	// lookalikeOf makes a generic title similar in kind to this one
	// (same product group, different wording).
	lookalikeOf *ListingText
	// boilerplateOf reuses this description's boilerplate paragraph verbatim.
	boilerplateOf *Description
	noImageBlock  bool
}

// pickTitle draws titles until one is clearly apart from every other
// provider's title of the category (and, for a look-alike, similar in kind
// but not in wording to the title it resembles). It returns the title and
// the product phrase it names.
func (g *textGen) pickTitle(r *rand.Rand, bank *categoryBank, o textOptions, lt *ListingText) (string, string) {
	var t, product string
	for attempt := 0; attempt < 5000; attempt++ {
		if o.lookalikeOf == nil && attempt > 0 && attempt%6 == 0 {
			lt.Group = r.IntN(len(bank.products))
		}
		if attempt > 0 && attempt%20 == 0 {
			lt.Brand = g.brand(r)
		}
		product = pick(r, bank.products[lt.Group])
		cust := pick(r, bank.customers)
		if o.lookalikeOf != nil {
			if strings.Contains(o.lookalikeOf.Title, product) {
				continue
			}
			// Generic titles as close in wording as honesty allows first;
			// branded and less alike ones once those run out.
			lo := 0.3
			switch {
			case attempt > 1500:
				lo = 0
			case attempt > 600:
				lo = 0.1
			case attempt > 200:
				lo = 0.2
			}
			t = makeTitle(r, lt.Brand, product, cust, attempt > 100)
			if g.titleOK(o.category, []string{o.provider}, t, lo, honestTitleMax, o.lookalikeOf.Title) {
				return t, product
			}
			continue
		}
		t = makeTitle(r, lt.Brand, product, cust, attempt < 300 || r.IntN(2) == 0)
		if g.titleOK(o.category, []string{o.provider}, t, 0, 1, "") {
			// The description speaks of the customer the title names.
			lt.Customer = cust
			return t, product
		}
	}
	g.fallbacks++
	return t, product
}

// listingText writes the title, summary, tags and description of a new
// listing.
func (g *textGen) listingText(r *rand.Rand, o textOptions) ListingText {
	bank := bankFor(o.category)
	lt := ListingText{Brand: g.brand(r), Customer: pick(r, bank.customers), City: pick(r, cities)}
	lt.Group = r.IntN(len(bank.products))
	if o.lookalikeOf != nil {
		lt.Group = o.lookalikeOf.Group
	}
	var product string
	lt.Title, product = g.pickTitle(r, bank, o, &lt)
	g.issue(o.category, o.provider, lt.Title)

	s := slots{rng: r, vars: map[string]string{
		"brand": lt.Brand, "product": product, "cust": lt.Customer, "city": lt.City,
		"catword": bank.catWord, "unit": bank.unitWord, "short": o.short,
		"pain": pick(r, bank.pains), "benefit": pick(r, bank.benefits), "metric": pick(r, bank.metrics),
		"sys": pick(r, bank.systems), "doc": pick(r, bank.docs),
	}}
	if c2 := pick(r, cities); c2 != lt.City {
		s.vars["city2"] = c2
	} else {
		s.vars["city2"] = cities[(indexOf(cities, c2)+7)%len(cities)]
	}

	var bp Block
	if o.boilerplateOf != nil {
		for _, b := range o.boilerplateOf.Blocks {
			if b.Boilerplate {
				bp = Block{Kind: BlockPara, Items: append([]string(nil), b.Items...), Boilerplate: true}
			}
		}
	}
	if bp.Items == nil {
		bp = Block{Kind: BlockPara, Items: []string{pick(r, boilerplateLeads) + strings.Join(pickN(r, Boilerplate, 3+r.IntN(3)), "，") + "。"}, Boilerplate: true}
	}
	// Draw descriptions until one is clearly apart from other providers'
	// descriptions of the category (boilerplate aside).
	var feats []feature
	var sh []uint64
	for attempt := 0; ; attempt++ {
		feats = pickN(r, bank.features, 3+r.IntN(2))
		var items []string
		for _, f := range feats {
			items = append(items, g.featureSentence(r, s, f))
		}
		s.vars["benefit"] = pick(r, bank.benefits)
		s.vars["pain"] = pick(r, bank.pains)
		intro := s.fill(pick(r, introTemplates))
		tech := s.fill(pick(r, techTemplates))
		s.vars["metric"] = pick(r, bank.metrics)
		story := s.fill(pick(r, caseTemplates))
		d := Description{Blocks: []Block{
			{Kind: BlockPara, Items: []string{intro, tech}},
			{Kind: BlockList, Items: items},
		}}
		if !o.noImageBlock {
			d.Blocks = append(d.Blocks, Block{Kind: BlockImage})
		}
		d.Blocks = append(d.Blocks, Block{Kind: BlockPara, Items: []string{story}}, bp)
		// Keep the rendered HTML within 200–600 characters.
		for utf8.RuneCountInString(d.HTML([]string{"img/L-00000-0.jpg"})) > 600 && len(d.Blocks[1].Items) > 2 {
			d.Blocks[1].Items = d.Blocks[1].Items[:len(d.Blocks[1].Items)-1]
		}
		lt.Desc = d
		sh = descShingles(d)
		if g.descOK(o.category, o.provider, sh) {
			break
		}
		if attempt == 50 {
			g.fallbacks++
			break
		}
	}
	g.descs[o.category] = append(g.descs[o.category], issuedDesc{provider: o.provider, shingles: sh})

	fnames := make([]string, len(feats))
	for i, f := range feats {
		fnames[i] = f.name
	}
	summaries := []string{
		"{brand}{product}，" + strings.Join(fnames[:3], "、") + "一站搞定，适合{cust}使用。",
		"面向{cust}的{product}，支持" + fnames[0] + "、" + fnames[1] + "和" + fnames[2] + "。",
		strings.Join(fnames[:3], "+") + "，{brand}为{city}{cust}打造的{product}。",
		"{brand}{product}：{benefit}。",
	}
	lt.Summary = s.fill(pick(r, summaries))
	for utf8.RuneCountInString(lt.Summary) > 140 {
		lt.Summary = string([]rune(lt.Summary)[:139]) + "。"
	}
	lt.Tags = append([]string{bank.tags[0]}, pickN(r, bank.tags[1:], 1+r.IntN(3))...)
	return lt
}

func (g *textGen) featureSentence(r *rand.Rand, s slots, f feature) string {
	forms := []string{"{name}：{act}，{effect}", "{act}，{effect}", "{name}——{act}，{effect}", "{act}；{effect}"}
	for i := 0; ; i++ {
		act, eff := pick(r, f.acts), pick(r, f.effects)
		form := pick(r, forms)
		out := strings.NewReplacer("{name}", f.name, "{act}", act, "{effect}", eff).Replace(form)
		out = s.fill(out)
		if g.descSeen[out] == 0 || i > 8 {
			g.descSeen[out]++
			return out
		}
	}
}

// ownSentences writes sentences a copier adds around copied text: a word
// about itself and feature sentences of its own.
func (g *textGen) ownSentences(r *rand.Rand, category, short string, n int) []string {
	bank := bankFor(category)
	s := slots{rng: r, vars: map[string]string{"short": short, "city": pick(r, cities)}}
	out := []string{s.fill(pick(r, ownSentenceTemplates))}
	for _, f := range pickN(r, bank.features, n-1) {
		out = append(out, g.featureSentence(r, s, f)+"。")
	}
	return out
}

func indexOf(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}

type issuedDesc struct {
	provider string
	shingles []uint64
}

// honestDescMax bounds how much of one honest description may reappear in
// another provider's (shingle containment, boilerplate excluded); a planted
// partial copy keeps about 60%.
const honestDescMax = 0.35

func (g *textGen) descOK(category, provider string, sh []uint64) bool {
	for _, d := range g.descs[category] {
		if d.provider != provider && sortedContainment(sh, d.shingles) > honestDescMax {
			return false
		}
	}
	return true
}

// descShingles hashes the 4-character shingles of a description's own
// (non-boilerplate) text, sorted and unique.
func descShingles(d Description) []uint64 {
	var text []rune
	for _, b := range d.Blocks {
		if b.Boilerplate {
			continue
		}
		for _, s := range b.Items {
			text = append(text, NormalizeTitle(s)...)
		}
	}
	var out []uint64
	for i := 0; i+4 <= len(text); i++ {
		h := uint64(14695981039346656037)
		for _, r := range text[i : i+4] {
			h ^= uint64(r)
			h *= 1099511628211
		}
		out = append(out, h)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// sortedContainment is |a ∩ b| / min(|a|, |b|) for sorted sets.
func sortedContainment(a, b []uint64) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	n := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			n++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return float64(n) / float64(min(len(a), len(b)))
}
