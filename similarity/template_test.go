package similarity

import (
	"slices"
	"testing"
)

func n(t string, kids ...ShapeNode) ShapeNode { return ShapeNode{Type: t, Children: kids} }

func bound(t string, kids ...ShapeNode) ShapeNode {
	return ShapeNode{Type: t, Bound: true, Children: kids}
}

// canteen is a small catering app: banner, icon grid, a bound menu list,
// an order form, and an orders data source.
func canteen() TemplateShape {
	return TemplateShape{
		Pages: []ShapePage{
			{Nodes: []ShapeNode{
				n("swiper", n("swiper-item", n("image")), n("swiper-item", n("image")), n("swiper-item", n("image"))),
				n("view", n("view", n("image"), n("text")), n("view", n("image"), n("text")), n("navigator", n("icon"), n("text")), n("view", n("image"), n("text"))),
				bound("scroll-view", n("view", n("image"), n("view", n("text"), n("text")), n("button"))),
			}},
			{Nodes: []ShapeNode{
				bound("form", n("view", n("text"), n("input")), n("view", n("text"), n("picker")), n("view", n("text"), n("textarea")), n("button")),
			}},
			{Nodes: []ShapeNode{
				n("view", n("image"), n("view", n("text"), n("text"), n("text"))),
				n("view", n("text"), n("text"), n("text")),
			}},
		},
		DataSources: [][]ShapeField{{
			{Type: "string"}, {Type: "string", Format: "tel"}, {Type: "number"}, {Type: "string", Format: "date-time"},
		}},
	}
}

// clinic is an unrelated app built from the same component library.
func clinic() TemplateShape {
	return TemplateShape{
		Pages: []ShapePage{
			{Nodes: []ShapeNode{
				n("view", n("icon"), n("input")),
				n("view", n("navigator", n("icon"), n("text")), n("navigator", n("icon"), n("text")), n("navigator", n("icon"), n("text")), n("navigator", n("icon"), n("text")), n("navigator", n("icon"), n("text"))),
				n("view", n("icon"), n("swiper", n("swiper-item", n("text")), n("swiper-item", n("text")))),
			}},
			{Nodes: []ShapeNode{
				bound("scroll-view", n("view", n("image"), n("view", n("text"))), n("view", n("image"), n("view", n("text")))),
				n("view", n("view", n("text"), n("text")), n("view", n("progress"), n("text"))),
			}},
			{Nodes: []ShapeNode{
				bound("form", n("view", n("text"), n("picker")), n("view", n("text"), n("switch")), n("button")),
			}},
		},
		DataSources: [][]ShapeField{{
			{Type: "string"}, {Type: "string", Format: "x-enum"}, {Type: "string", Format: "date"}, {Type: "string", Format: "tel"}, {Type: "string"},
		}},
	}
}

// edit applies a copier's edits that leave the structure alone.
func reversedPages(s TemplateShape) TemplateShape {
	var out TemplateShape
	for i := len(s.Pages) - 1; i >= 0; i-- {
		nodes := slices.Clone(s.Pages[i].Nodes)
		slices.Reverse(nodes)
		out.Pages = append(out.Pages, ShapePage{Nodes: nodes})
	}
	out.DataSources = s.DataSources
	return out
}

func renamedTypes(s TemplateShape) TemplateShape {
	var rename func(ns []ShapeNode) []ShapeNode
	rename = func(ns []ShapeNode) []ShapeNode {
		out := make([]ShapeNode, len(ns))
		for i, x := range ns {
			t := map[string]string{"scroll-view": "ScrollView", "swiper-item": "SwiperItem", "image": "Image", "view": "wd-view", "text": "Text"}[x.Type]
			if t == "" {
				t = x.Type
			}
			out[i] = ShapeNode{Type: t, Bound: x.Bound, Children: rename(x.Children)}
		}
		return out
	}
	var out TemplateShape
	for _, p := range s.Pages {
		out.Pages = append(out.Pages, ShapePage{Nodes: rename(p.Nodes)})
	}
	out.DataSources = s.DataSources
	return out
}

func withExtraPage(s TemplateShape) TemplateShape {
	s.Pages = append(slices.Clone(s.Pages), ShapePage{Nodes: []ShapeNode{n("view", n("image"), n("text"), n("text"))}})
	return s
}

func TestTemplateSimilarity(t *testing.T) {
	a := FingerprintTemplate(canteen())
	tests := []struct {
		name     string
		other    TemplateShape
		min, max float64
	}{
		{"itself", canteen(), 1, 1},
		{"pages and siblings reordered", reversedPages(canteen()), 1, 1},
		{"component names spelt the editor's way", renamedTypes(canteen()), 1, 1},
		{"a page added", withExtraPage(canteen()), 0.75, 0.99},
		{"an unrelated app of the same components", clinic(), 0, 0.3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := FingerprintTemplate(tt.other)
			got := TemplateSimilarity(a, b)
			if got < tt.min || got > tt.max {
				t.Errorf("similarity %.3f, want within [%.2f, %.2f]", got, tt.min, tt.max)
			}
			if back := TemplateSimilarity(b, a); back != got {
				t.Errorf("not symmetric: %.3f vs %.3f", got, back)
			}
		})
	}
}

func TestTemplateKeysFindClones(t *testing.T) {
	a := FingerprintTemplate(canteen()).Keys()
	if len(a) == 0 {
		t.Fatal("no keys for a template with structure")
	}
	shared := func(x, y []string) bool {
		for _, k := range x {
			if slices.Contains(y, k) {
				return true
			}
		}
		return false
	}
	if !shared(a, FingerprintTemplate(reversedPages(canteen())).Keys()) {
		t.Error("a reordered clone shares no key with its original")
	}
	if !shared(a, FingerprintTemplate(withExtraPage(canteen())).Keys()) {
		t.Error("a clone with a page added shares no key with its original")
	}
}

func TestTemplatePrintNeedsStructure(t *testing.T) {
	trivial := FingerprintTemplate(TemplateShape{Pages: []ShapePage{{Nodes: []ShapeNode{n("view"), n("text")}}}})
	if trivial.Comparable() || trivial.Keys() != nil {
		t.Errorf("a page of two leaves is comparable: %+v", trivial)
	}
	if got := TemplateSimilarity(trivial, trivial); got != 0 {
		t.Errorf("trivial templates score %.3f, want 0", got)
	}
	if got := TemplateSimilarity(TemplatePrint{}, TemplatePrint{}); got != 0 {
		t.Errorf("zero prints score %.3f", got)
	}
}

func TestCanonicalType(t *testing.T) {
	for in, want := range map[string]string{
		"ScrollView": "scrollview", "scroll-view": "scrollview", "wd-scroll-view": "scrollview",
		"img": "image", "Image": "image", "van-button": "button", "wdText": "text", "view": "view",
	} {
		if got := canonicalType(in); got != want {
			t.Errorf("canonicalType(%q) = %q, want %q", in, got, want)
		}
	}
}

func BenchmarkFingerprintTemplate(b *testing.B) {
	s := canteen()
	for b.Loop() {
		FingerprintTemplate(s)
	}
}
