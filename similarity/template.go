package similarity

import (
	"slices"
	"strings"
	"unicode"
)

// TemplatePrintVersion changes whenever the structural fingerprint changes
// meaning; it is part of the candidate keys.
const TemplatePrintVersion = 1

// Template structure, as the fingerprint sees it. A copier who clones
// another provider's low-code template renames its pages, replaces its
// pictures, recolours it and rewrites its texts — all cheap edits. What is
// expensive to change is the structure: which components are nested how on
// each page, and what data the app stores. So the fingerprint is built from
// component tree shapes and field kinds only; names, titles, texts, colours
// and images never enter it.

// ShapeNode is one component of a page's tree: its type and whether it is
// bound to a data source.
type ShapeNode struct {
	Type     string
	Bound    bool
	Children []ShapeNode
}

// ShapePage is one page's component tree.
type ShapePage struct {
	Nodes []ShapeNode
}

// ShapeField is one data field, by kind: its type and format, never its
// name or title.
type ShapeField struct {
	Type     string
	Format   string
	Required bool
}

// TemplateShape is the structure of one template.
type TemplateShape struct {
	Pages       []ShapePage
	DataSources [][]ShapeField
}

// TemplatePrint is the structural fingerprint of a template. Each part is a
// sorted multiset of 64-bit hashes:
//   - Subtrees: every component's subtree up to three levels deep (itself,
//     children, grandchildren), for subtrees of at least three components,
//     children taken as an unordered multiset so that reordering siblings
//     changes nothing;
//   - Pages: each page's whole tree shape;
//   - Fields: each data field's kind, and each data source's multiset of
//     kinds.
type TemplatePrint struct {
	Version    int      `json:"v"`
	Subtrees   []uint64 `json:"subtrees,omitempty"`
	Pages      []uint64 `json:"pages,omitempty"`
	Fields     []uint64 `json:"fields,omitempty"`
	Components int      `json:"components"`
}

// minSubtreeNodes is the smallest subtree that counts as structure: a lone
// text or image, or a container with one child, is in every app.
const minSubtreeNodes = 3

// subtreeDepth is how many levels a subtree shingle spans.
const subtreeDepth = 3

// canonicalType folds the spellings of one component: ListView, list-view
// and wd-list-view are one type; img is image.
func canonicalType(t string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(t) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	s := b.String()
	for _, p := range []string{"wd", "van", "weui", "tdesign"} {
		if rest, ok := strings.CutPrefix(s, p); ok && len(rest) > 2 {
			s = rest
			break
		}
	}
	switch s {
	case "img", "picture":
		return "image"
	case "div", "container":
		return "view"
	case "span", "label", "richtext":
		return "text"
	}
	return s
}

// FingerprintTemplate computes the structural fingerprint of a template.
func FingerprintTemplate(s TemplateShape) TemplatePrint {
	p := TemplatePrint{Version: TemplatePrintVersion}
	for _, pg := range s.Pages {
		root := ShapeNode{Type: "page", Children: pg.Nodes}
		h, n := p.walk(root, 0)
		p.Pages = append(p.Pages, h)
		p.Components += n - 1
	}
	for _, ds := range s.DataSources {
		kinds := make([]uint64, 0, len(ds))
		for _, f := range ds {
			k := fnv1a("field\x00" + strings.ToLower(strings.TrimSpace(f.Type)) + "\x00" + strings.ToLower(strings.TrimSpace(f.Format)))
			kinds = append(kinds, k)
			p.Fields = append(p.Fields, k)
		}
		if len(kinds) > 1 {
			slices.Sort(kinds)
			h := uint64(fnvOffset64)
			for _, k := range kinds {
				h = mix64(h ^ k)
			}
			p.Fields = append(p.Fields, h)
		}
	}
	slices.Sort(p.Subtrees)
	slices.Sort(p.Pages)
	slices.Sort(p.Fields)
	return p
}

// walk returns the full-shape hash and size of n's subtree, adding the
// subtree shingles of n and its descendants to p.
func (p *TemplatePrint) walk(n ShapeNode, depth int) (uint64, int) {
	size := 1
	kids := make([]uint64, 0, len(n.Children))
	for _, c := range n.Children {
		if depth > 64 {
			break
		}
		h, k := p.walk(c, depth+1)
		kids = append(kids, h)
		size += k
	}
	if n.Type != "page" {
		if h, k := limitedShape(n, subtreeDepth); k >= minSubtreeNodes {
			p.Subtrees = append(p.Subtrees, h)
		}
	}
	return combine(nodeLabel(n), kids), size
}

func nodeLabel(n ShapeNode) uint64 {
	l := canonicalType(n.Type)
	if n.Bound {
		l += "\x00bound"
	}
	return fnv1a(l)
}

// combine hashes a node label with the unordered multiset of its
// children's hashes.
func combine(label uint64, kids []uint64) uint64 {
	slices.Sort(kids)
	h := mix64(label)
	for _, k := range kids {
		h = mix64(h ^ k)
	}
	return mix64(h + uint64(len(kids)))
}

// limitedShape hashes n's subtree cut to depth levels, and counts its
// nodes.
func limitedShape(n ShapeNode, depth int) (uint64, int) {
	if depth <= 1 {
		return combine(nodeLabel(n), nil), 1
	}
	size := 1
	kids := make([]uint64, 0, len(n.Children))
	for _, c := range n.Children {
		h, k := limitedShape(c, depth-1)
		kids = append(kids, h)
		size += k
	}
	return combine(nodeLabel(n), kids), size
}

// Comparable reports whether the print has enough structure to judge: a
// template with a page or two of trivial markup looks like every other.
func (p TemplatePrint) Comparable() bool {
	return p.Version == TemplatePrintVersion && len(p.Subtrees) >= 4
}

// TemplateSimilarity scores how alike two templates' structures are, from 0
// (nothing shared) to 1 (the same structure): the weighted Jaccard
// similarity of the subtree multisets (weight 0.6), the page-shape
// multisets (0.2) and the field-kind multisets (0.2). A part both templates
// lack does not count, and the weights of the others are scaled up.
func TemplateSimilarity(a, b TemplatePrint) float64 {
	if !a.Comparable() || !b.Comparable() {
		return 0
	}
	type part struct {
		w    float64
		x, y []uint64
	}
	var sum, wsum float64
	for _, pt := range []part{{0.6, a.Subtrees, b.Subtrees}, {0.2, a.Pages, b.Pages}, {0.2, a.Fields, b.Fields}} {
		if len(pt.x) == 0 && len(pt.y) == 0 {
			continue
		}
		sum += pt.w * multisetJaccard(pt.x, pt.y)
		wsum += pt.w
	}
	if wsum == 0 {
		return 0
	}
	return sum / wsum
}

// multisetJaccard is |A∩B| / |A∪B| over sorted multisets.
func multisetJaccard(a, b []uint64) float64 {
	i, j, inter := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			inter++
			i++
			j++
		}
	}
	union := len(a) + len(b) - inter
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}

// Template LSH parameters: 16 bands of 2 rows make templates whose
// distinct subtree sets have Jaccard 0.5 candidates with probability 0.99,
// and 0.2 with 0.48; candidates are then scored exactly.
const (
	templateBands = 16
	templateRows  = 2
)

// Keys are the template's candidate keys: LSH bands of the MinHash of its
// distinct subtree shingles. Two templates are worth scoring when they
// share a key.
func (p TemplatePrint) Keys() []string {
	if !p.Comparable() {
		return nil
	}
	set := slices.Compact(slices.Clone(p.Subtrees))
	return BandKeys("tpl1:", MinHash(set, templateBands*templateRows), templateBands, templateRows)
}
