package listing

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
)

// MaxDescriptionBytes bounds the description_html ParseDescription reads.
// Marketplace descriptions are a few kilobytes; the limit leaves room for
// inline data: images.
const MaxDescriptionBytes = 8 << 20

// Description is what a buyer sees, and what a buyer cannot see, in a
// listing's description_html. Copy and off-platform rules read it as
// evidence: hidden text is where keyword stuffing and contact details go to
// pass a glance from a reviewer.
type Description struct {
	// Text is the visible text, one line per block element (paragraph,
	// list item, heading, table row…), white space collapsed as a browser
	// would.
	Text string
	// Hidden holds the text of each element hidden from view, one entry per
	// outermost hidden element: the hidden attribute; inline styles with
	// display:none, visibility:hidden, zero font size, zero opacity,
	// transparent text, text the colour of its background (inline
	// background colours, on a white page), far off-screen positions,
	// zero-size boxes with overflow:hidden, or a zero clip; and elements
	// that simple <style> rules hide the same ways.
	Hidden []string
	// Images are the <img> sources, hidden or not, in document order
	// without repeats; of one element, the lazy-loading data-src and
	// data-original come before the src placeholder.
	Images []string
	// Links are the href of every <a> and <area>, as written, in document
	// order without repeats.
	Links []string
}

// DescriptionImages returns the image sources description_html s may
// name, without building the document: every source ParseDescription
// finds, in its order, and possibly more (an <image> in SVG, an image in a
// document too broken to read). It is for a caller that only needs to know
// whether a listing's images changed, at a fraction of the cost of
// parsing the description; inputs over MaxDescriptionBytes give nil, as
// ParseDescription gives nothing for them.
func DescriptionImages(s string) []string {
	if len(s) > MaxDescriptionBytes || !mayHoldImages(s) {
		return nil
	}
	var b descBuilder
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return b.images
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			// The HTML parser reads an <image> tag as <img>.
			if !hasAttr || (string(name) != "img" && string(name) != "image") {
				continue
			}
			b.element("img", tagAttrs(z, hasAttr))
		}
	}
}

// tagAttrs reads the attributes of the tag z is at, for lookups by name;
// of repeated attributes the first counts, as in the HTML parser.
func tagAttrs(z *html.Tokenizer, hasAttr bool) func(string) (string, bool) {
	var attrs []html.Attribute
	for more := hasAttr; more; {
		var k, v []byte
		k, v, more = z.TagAttr()
		attrs = append(attrs, html.Attribute{Key: string(k), Val: string(v)})
	}
	return func(k string) (string, bool) {
		for _, a := range attrs {
			if strings.EqualFold(a.Key, k) {
				return a.Val, true
			}
		}
		return "", false
	}
}

// mayHoldImages reports whether s has a tag starting "<im", in any case:
// without one there is no <img> or <image> to read.
func mayHoldImages(s string) bool {
	for i := strings.IndexByte(s, '<'); i >= 0; {
		if len(s)-i >= 3 && strings.EqualFold(s[i+1:i+3], "im") {
			return true
		}
		next := strings.IndexByte(s[i+1:], '<')
		if next < 0 {
			break
		}
		i += 1 + next
	}
	return false
}

// ParseDescription reads description_html. Script and style contents are
// neither visible nor hidden text. Markup too deeply nested for the HTML
// parser (over 512 open elements, a way to defeat parsers) is still read,
// element by element without a tree; style sheets are then not applied. The
// only error is input over MaxDescriptionBytes.
func ParseDescription(s string) (Description, error) {
	if len(s) > MaxDescriptionBytes {
		return Description{}, fmt.Errorf("description is %s: %w of %s", byteSize(int64(len(s))), ErrTooLarge, byteSize(MaxDescriptionBytes))
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(s))
	if err != nil || len(doc.Nodes) == 0 {
		return parseFlat(s), nil
	}
	root := doc.Nodes[0]
	w := descWalker{sheet: stylesheetHidden(root)}
	w.walk(root, styleState{bg: rgb{255, 255, 255}, bgKnown: true}, &w.visible)
	return w.result(), nil
}

// styleState is what an element inherits from its ancestors.
type styleState struct {
	hidden  bool
	pre     bool
	bg      rgb
	bgKnown bool
}

// descWalker accumulates a Description over the document tree.
type descWalker struct {
	sheet   map[*html.Node]bool
	out     descBuilder
	visible textBuf
}

// descBuilder collects images, links and hidden entries without repeats.
type descBuilder struct {
	images, links []string
	seen          map[string]bool
	hidden        []string
}

func (b *descBuilder) add(list *[]string, kind, v string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return
	}
	if b.seen == nil {
		b.seen = map[string]bool{}
	}
	if key := kind + "\x00" + v; !b.seen[key] {
		b.seen[key] = true
		*list = append(*list, v)
	}
}

// element records the references an element carries.
func (b *descBuilder) element(tag string, attr func(string) (string, bool)) {
	switch tag {
	case "img":
		for _, k := range []string{"data-src", "data-original", "src"} {
			if v, ok := attr(k); ok {
				b.add(&b.images, "img", v)
			}
		}
	case "a", "area":
		if v, ok := attr("href"); ok {
			b.add(&b.links, "a", v)
		}
	}
}

func (b *descBuilder) hiddenEntry(t *textBuf) {
	if s := t.String(); s != "" {
		b.hidden = append(b.hidden, s)
	}
}

func (w *descWalker) result() Description {
	return Description{
		Text:   w.visible.String(),
		Hidden: w.out.hidden,
		Images: w.out.images,
		Links:  w.out.links,
	}
}

// walk visits n and its subtree; buf receives the text, the visible text
// or that of the hidden element being read.
func (w *descWalker) walk(n *html.Node, st styleState, buf *textBuf) {
	switch n.Type {
	case html.TextNode:
		buf.text(n.Data, st.pre)
		return
	case html.ElementNode:
	case html.DocumentNode:
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			w.walk(c, st, buf)
		}
		return
	default:
		return
	}
	tag := strings.ToLower(n.Data)
	attr := func(k string) (string, bool) { return nodeAttr(n, k) }
	w.out.element(tag, attr)
	if isSkipped(tag) {
		return
	}
	child, selfHidden := elementStyle(tag, attr, st)
	if !st.hidden && !selfHidden && w.sheet[n] {
		selfHidden = true
	}
	if selfHidden && !st.hidden {
		var hidden textBuf
		child.hidden = true
		w.children(n, tag, child, &hidden)
		w.out.hiddenEntry(&hidden)
		if isBlock(tag) {
			buf.newline()
		}
		return
	}
	if selfHidden {
		child.hidden = true
	}
	w.children(n, tag, child, buf)
}

func (w *descWalker) children(n *html.Node, tag string, st styleState, buf *textBuf) {
	if tag == "br" {
		buf.newline()
		return
	}
	block := isBlock(tag)
	if block {
		buf.newline()
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c, st, buf)
	}
	switch {
	case block:
		buf.newline()
	case tag == "td" || tag == "th":
		buf.text(" ", false)
	}
}

func nodeAttr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return a.Val, true
		}
	}
	return "", false
}

// isSkipped says whether a tag holds no text a buyer reads. The references
// such elements carry still count.
func isSkipped(tag string) bool {
	switch tag {
	case "script", "style", "noscript", "template", "head", "title", "iframe", "object", "svg",
		"math":
		return true
	}
	return false
}

// isBlock says whether a tag starts and ends a line of text.
func isBlock(tag string) bool {
	switch tag {
	case "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
		"dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
		"h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li",
		"main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "tfoot", "thead",
		"tr", "ul", "option":
		return true
	}
	return false
}

// textBuf builds text a browser would render: white space collapsed outside
// preformatted elements, block boundaries as newlines.
type textBuf struct {
	b strings.Builder
}

func (t *textBuf) last() byte {
	s := t.b.String()
	if s == "" {
		return '\n'
	}
	return s[len(s)-1]
}

func (t *textBuf) newline() {
	if t.last() != '\n' {
		t.b.WriteByte('\n')
	}
}

func (t *textBuf) text(s string, pre bool) {
	if pre {
		t.b.WriteString(strings.ReplaceAll(s, "\r\n", "\n"))
		return
	}
	space := false
	for _, r := range s {
		switch r {
		case ' ', '\t', '\n', '\r', '\f':
			space = true
			continue
		}
		if space {
			if l := t.last(); l != ' ' && l != '\n' {
				t.b.WriteByte(' ')
			}
			space = false
		}
		t.b.WriteRune(r)
	}
	if space {
		if l := t.last(); l != ' ' && l != '\n' {
			t.b.WriteByte(' ')
		}
	}
}

// String is the text with each line trimmed and empty lines dropped.
func (t *textBuf) String() string {
	lines := strings.Split(t.b.String(), "\n")
	out := lines[:0]
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// elementStyle reads an element's presentational attributes: whether it
// hides itself, and what its children inherit.
func elementStyle(tag string, attr func(string) (string, bool), parent styleState) (child styleState, hidden bool) {
	child = parent
	if tag == "pre" || tag == "textarea" || tag == "listing" || tag == "xmp" {
		child.pre = true
	}
	if _, ok := attr("hidden"); ok {
		hidden = true
	}
	if v, ok := attr("type"); ok && tag == "input" && strings.EqualFold(strings.TrimSpace(v), "hidden") {
		hidden = true
	}
	decls := map[string]string{}
	if style, ok := attr("style"); ok {
		decls = parseDecls(style)
	}
	if hidesDecls(decls) {
		hidden = true
	}
	if ws := decls["white-space"]; strings.HasPrefix(ws, "pre") {
		child.pre = true
	}

	// Background: inline style, else the legacy bgcolor attribute.
	bg, hasBG := decls["background-color"]
	if b, ok := decls["background"]; ok {
		bg, hasBG = b, true
	}
	if !hasBG {
		bg, hasBG = attr("bgcolor")
	}
	if hasBG {
		switch c, ok := parseColor(bg); {
		case ok && c.transparent:
		case ok:
			child.bg, child.bgKnown = c.rgb, true
		default:
			// An image, a gradient or a variable: the colour is unknown.
			child.bgKnown = false
		}
	}

	// Foreground: inline style, else <font color>.
	fg, hasFG := decls["color"]
	if !hasFG && tag == "font" {
		fg, hasFG = attr("color")
	}
	if hasFG && child.bgKnown {
		if c, ok := parseColor(fg); ok && !c.transparent && c.rgb.near(child.bg) {
			hidden = true
		}
	}
	return child, hidden
}

// parseDecls reads a CSS declaration block into lower-case properties and
// values, the last declaration of a property winning, !important dropped.
func parseDecls(style string) map[string]string {
	decls := map[string]string{}
	for _, d := range strings.Split(style, ";") {
		prop, val, ok := strings.Cut(d, ":")
		if !ok {
			continue
		}
		prop = strings.ToLower(strings.TrimSpace(prop))
		val = strings.ToLower(strings.TrimSpace(val))
		val = strings.TrimSpace(strings.TrimSuffix(val, "!important"))
		if prop != "" {
			decls[prop] = val
		}
	}
	return decls
}

// hidesDecls says whether declarations hide an element's text whatever its
// colours.
func hidesDecls(d map[string]string) bool {
	if d["display"] == "none" {
		return true
	}
	if v := d["visibility"]; v == "hidden" || v == "collapse" {
		return true
	}
	if v, ok := d["font-size"]; ok && isZeroLength(v) {
		return true
	}
	if v, ok := d["opacity"]; ok {
		if f, ok := cssNumber(v); ok && f <= 0 {
			return true
		}
	}
	if v := d["color"]; v == "transparent" {
		return true
	}
	for _, p := range []string{"left", "top", "text-indent", "margin-left", "margin-top", "right"} {
		if v, ok := d[p]; ok && isFarOffscreen(v) {
			return true
		}
	}
	if strings.HasPrefix(d["overflow"], "hidden") || strings.HasPrefix(d["overflow"], "clip") {
		for _, p := range []string{"width", "height", "max-width", "max-height"} {
			if v, ok := d[p]; ok && isZeroLength(v) {
				return true
			}
		}
	}
	if v := strings.ReplaceAll(d["clip"], " ", ""); v == "rect(0,0,0,0)" || v == "rect(0000)" || v == "rect(0px,0px,0px,0px)" || v == "rect(0px0px0px0px)" {
		return true
	}
	if v := strings.ReplaceAll(d["transform"], " ", ""); v == "scale(0)" || v == "scale(0,0)" {
		return true
	}
	return false
}

// cssNumber reads the number a CSS length or percentage starts with.
func cssNumber(v string) (float64, bool) {
	v = strings.TrimSpace(v)
	end := 0
	for end < len(v) && strings.IndexByte("+-.0123456789eE", v[end]) >= 0 {
		end++
	}
	// "1e" in "1em" is not an exponent.
	for end > 0 && (v[end-1] == 'e' || v[end-1] == 'E') {
		end--
	}
	f, err := strconv.ParseFloat(v[:end], 64)
	if err != nil || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

func isZeroLength(v string) bool {
	f, ok := cssNumber(v)
	return ok && f == 0
}

// isFarOffscreen says whether a position moves content out of any viewport.
func isFarOffscreen(v string) bool {
	f, ok := cssNumber(v)
	if !ok || f >= 0 {
		return false
	}
	unit := strings.TrimLeft(strings.TrimSpace(v), "+-.0123456789")
	switch unit {
	case "em", "rem":
		return f <= -100
	case "%", "vw", "vh":
		return f <= -100
	default:
		return f <= -999
	}
}

// rgb is an opaque colour.
type rgb struct{ r, g, b uint8 }

// near says whether two colours are too close to tell apart on screen.
func (c rgb) near(o rgb) bool {
	d := func(a, b uint8) int {
		if a > b {
			return int(a - b)
		}
		return int(b - a)
	}
	return d(c.r, o.r) <= 8 && d(c.g, o.g) <= 8 && d(c.b, o.b) <= 8
}

type cssColor struct {
	rgb
	transparent bool
}

// namedColor reads the colour keywords descriptions use for hiding text.
func namedColor(name string) (rgb, bool) {
	switch name {
	case "white":
		return rgb{255, 255, 255}, true
	case "black":
		return rgb{0, 0, 0}, true
	case "red":
		return rgb{255, 0, 0}, true
	case "green":
		return rgb{0, 128, 0}, true
	case "blue":
		return rgb{0, 0, 255}, true
	case "yellow":
		return rgb{255, 255, 0}, true
	case "gray", "grey":
		return rgb{128, 128, 128}, true
	case "silver":
		return rgb{192, 192, 192}, true
	case "whitesmoke":
		return rgb{245, 245, 245}, true
	case "snow":
		return rgb{255, 250, 250}, true
	case "ivory":
		return rgb{255, 255, 240}, true
	}
	return rgb{}, false
}

// parseColor reads a CSS colour, or a background shorthand made of only a
// colour. Anything it cannot read (images, gradients, variables) is not ok.
func parseColor(v string) (cssColor, bool) {
	v = strings.ToLower(strings.TrimSpace(v))
	v = strings.TrimSpace(strings.TrimSuffix(v, "!important"))
	if v == "transparent" || v == "none" {
		return cssColor{transparent: true}, true
	}
	if c, ok := namedColor(v); ok {
		return cssColor{rgb: c}, true
	}
	if strings.HasPrefix(v, "#") {
		h := v[1:]
		switch len(h) {
		case 3:
			h = string([]byte{h[0], h[0], h[1], h[1], h[2], h[2]})
		case 4:
			h = string([]byte{h[0], h[0], h[1], h[1], h[2], h[2], h[3], h[3]})
		case 6, 8:
		default:
			return cssColor{}, false
		}
		n, err := strconv.ParseUint(h, 16, 64)
		if err != nil {
			return cssColor{}, false
		}
		if len(h) == 8 {
			if n&0xff == 0 {
				return cssColor{transparent: true}, true
			}
			n >>= 8
		}
		return cssColor{rgb: rgb{uint8(n >> 16), uint8(n >> 8), uint8(n)}}, true
	}
	if strings.HasPrefix(v, "rgb(") || strings.HasPrefix(v, "rgba(") {
		inner := v[strings.IndexByte(v, '(')+1:]
		inner = strings.TrimSuffix(inner, ")")
		parts := strings.FieldsFunc(inner, func(r rune) bool { return r == ',' || r == ' ' || r == '/' })
		if len(parts) < 3 {
			return cssColor{}, false
		}
		var ch [3]uint8
		for i := range 3 {
			f, ok := cssNumber(parts[i])
			if !ok {
				return cssColor{}, false
			}
			if strings.HasSuffix(parts[i], "%") {
				f = f * 255 / 100
			}
			ch[i] = uint8(math.Max(0, math.Min(255, math.Round(f))))
		}
		if len(parts) >= 4 {
			if a, ok := cssNumber(parts[3]); ok && a == 0 {
				return cssColor{transparent: true}, true
			}
		}
		return cssColor{rgb: rgb{ch[0], ch[1], ch[2]}}, true
	}
	return cssColor{}, false
}

// Limits on the style sheets a description may carry, so that a hostile
// description cannot make matching quadratic in its size.
const (
	maxStyleRules   = 512
	maxHidingRules  = 64
	maxSelectorText = 1024
)

// stylesheetHidden finds the elements that the description's own <style>
// rules hide. Media queries are ignored (their rules are applied), as are
// selectors the matcher does not support.
func stylesheetHidden(root *html.Node) map[*html.Node]bool {
	var sheets []string
	var find func(n *html.Node)
	find = func(n *html.Node) {
		if n.Type == html.ElementNode && strings.EqualFold(n.Data, "style") {
			var b strings.Builder
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.TextNode {
					b.WriteString(c.Data)
				}
			}
			sheets = append(sheets, b.String())
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			find(c)
		}
	}
	find(root)
	if len(sheets) == 0 {
		return nil
	}
	hidden := map[*html.Node]bool{}
	hiding := 0
	for _, r := range parseCSSRules(strings.Join(sheets, "\n"), maxStyleRules) {
		if !hidesDecls(parseDecls(r.decls)) || len(r.selectors) > maxSelectorText {
			continue
		}
		if hiding++; hiding > maxHidingRules {
			break
		}
		sel, err := cascadia.ParseGroup(r.selectors)
		if err != nil {
			continue
		}
		for _, n := range cascadia.QueryAll(root, sel) {
			hidden[n] = true
		}
	}
	return hidden
}

type cssRule struct {
	selectors, decls string
}

// parseCSSRules splits a style sheet into style rules, descending into
// conditional at-rules and skipping the others.
func parseCSSRules(css string, max int) []cssRule {
	css = stripCSSComments(css)
	var out []cssRule
	var parse func(s string, depth int)
	parse = func(s string, depth int) {
		for len(s) > 0 && len(out) < max {
			open := strings.IndexByte(s, '{')
			if open < 0 {
				return
			}
			prelude := s[:open]
			if i := strings.LastIndexAny(prelude, ";}"); i >= 0 {
				prelude = prelude[i+1:]
			}
			prelude = strings.TrimSpace(prelude)
			level, end := 1, len(s)
		scan:
			for i := open + 1; i < len(s); i++ {
				switch s[i] {
				case '{':
					level++
				case '}':
					if level--; level == 0 {
						end = i
						break scan
					}
				}
			}
			body := s[open+1 : end]
			switch {
			case strings.HasPrefix(prelude, "@"):
				name := strings.ToLower(prelude)
				if depth < 3 && (strings.HasPrefix(name, "@media") || strings.HasPrefix(name, "@supports") || strings.HasPrefix(name, "@layer") || strings.HasPrefix(name, "@container")) {
					parse(body, depth+1)
				}
			case prelude != "":
				out = append(out, cssRule{selectors: prelude, decls: body})
			}
			if end >= len(s) {
				return
			}
			s = s[end+1:]
		}
	}
	parse(css, 0)
	return out
}

func stripCSSComments(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "/*")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		j := strings.Index(s[i+2:], "*/")
		if j < 0 {
			return b.String()
		}
		s = s[i+2+j+2:]
	}
}

// isVoid says whether a tag has no end tag.
func isVoid(tag string) bool {
	switch tag {
	case "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
		"track", "wbr", "param":
		return true
	}
	return false
}

// maxFlatDepth bounds the element stack of the flat reader.
const maxFlatDepth = 4096

// parseFlat reads markup the tree parser refused, tag by tag, keeping a
// stack of open elements for inherited hiding.
func parseFlat(s string) Description {
	type frame struct {
		tag    string
		st     styleState
		skip   bool
		hidden *textBuf // set on the outermost hidden element
	}
	var (
		out     descBuilder
		visible textBuf
		stack   = []frame{{st: styleState{bg: rgb{255, 255, 255}, bgKnown: true}}}
	)
	buffer := func() *textBuf {
		for i := len(stack) - 1; i >= 0; i-- {
			if stack[i].hidden != nil {
				return stack[i].hidden
			}
		}
		return &visible
	}
	pop := func() {
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch {
		case top.hidden != nil:
			out.hiddenEntry(top.hidden)
		case isBlock(top.tag):
			buffer().newline()
		case top.tag == "td" || top.tag == "th":
			buffer().text(" ", false)
		}
	}
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			for len(stack) > 1 {
				pop()
			}
			d := Description{Text: visible.String(), Hidden: out.hidden, Images: out.images, Links: out.links}
			return d
		case html.TextToken:
			top := stack[len(stack)-1]
			if !top.skip {
				buffer().text(string(z.Text()), top.st.pre)
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			tag := strings.ToLower(string(name))
			attr := tagAttrs(z, hasAttr)
			out.element(tag, attr)
			parent := stack[len(stack)-1]
			if tag == "br" && !parent.skip {
				buffer().newline()
			}
			if isVoid(tag) || tt == html.SelfClosingTagToken || len(stack) >= maxFlatDepth {
				continue
			}
			child, hidden := elementStyle(tag, attr, parent.st)
			f := frame{tag: tag, st: child, skip: parent.skip || isSkipped(tag)}
			if hidden && !parent.st.hidden {
				f.hidden = &textBuf{}
			}
			if hidden {
				f.st.hidden = true
			}
			if isBlock(tag) && f.hidden == nil {
				buffer().newline()
			}
			stack = append(stack, f)
		case html.EndTagToken:
			name, _ := z.TagName()
			tag := strings.ToLower(string(name))
			for i := len(stack) - 1; i > 0; i-- {
				if stack[i].tag == tag {
					for len(stack) > i {
						pop()
					}
					break
				}
			}
		}
	}
}
