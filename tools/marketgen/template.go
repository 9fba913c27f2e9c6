package marketgen

import (
	"context"
	"fmt"
	"image"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/listingscan/listingscan/listing"
)

// TemplateOptions configures WriteTemplates.
type TemplateOptions struct {
	// Split is "tune" or "holdout" (different seeds, so thresholds tuned on
	// one are measured on the other), or "fixture" for the small committed
	// catalogue under testdata/templates.
	Split string
	// N is the number of honest base templates; planted cases scale with it.
	N      int
	Seed   uint64
	Logger *slog.Logger
}

// TemplateTruth is one line of a template corpus's truth.ndjson. Rules of
// one listing leave OtherListingID empty; copy.template and copy.store
// name the blamed listing and the original's.
type TemplateTruth struct {
	Rule           string `json:"rule"`
	ListingID      string `json:"listing_id"`
	OtherListingID string `json:"other_listing_id,omitempty"`
	Transform      string `json:"transform"`
	Expect         bool   `json:"expect"`
}

// tgen builds one template corpus.
type tgen struct {
	r        *rand.Rand
	out      string
	split    string
	start    time.Time
	clock    time.Duration
	nextL    int
	nextT    int
	nextP    int
	usedCore map[string]bool
	provs    []*tprov
	items    []*titem
	tls      []*tlisting
	truth    []TemplateTruth
	files    int
	bytes    int64
}

// tprov is a generated provider with its store front.
type tprov struct {
	p      listing.Provider
	core   string
	hue    float64
	logo   image.Image
	logoAt string // file of the logo, relative to the corpus root
}

// titem is a generated template and what is known about it.
type titem struct {
	t          listing.Template
	cat        tplCategory
	feats      []string
	owner      *tprov
	hue        float64
	layoutSeed uint64
	sensitive  []string // kinds of personal data it collects outside the allow-list
	shots      []image.Image
	export     bool
	noCode     bool
}

// listingsDir is where a template corpus keeps its listings, their images
// and the truth labels: inside the catalogue directory, under a name
// LoadTemplates skips, so that one directory holds a whole corpus.
const listingsDir = "_listings/"

// WriteTemplates writes a labelled template corpus to out. out itself is
// the template catalogue (template.json files with their screenshots under
// _shots/, and exported mini-program directories); _listings/ holds
// listings.jsonl selling the templates, their images under img/, and
// truth.ndjson labelling every planted violation (expect true) and trap
// (expect false) of template.missing, consistency.screenshot,
// consistency.metadata, copy.template, privacy.sensitive_field and
// copy.store. Score it with
//
//	listingscan eval out/_listings --templates out
func WriteTemplates(ctx context.Context, out string, o TemplateOptions) (*Summary, error) {
	seed := o.Seed
	if seed == 0 {
		switch o.Split {
		case "tune":
			seed = 0x7e3a11
		case "holdout":
			seed = 0x5eed4011
		case "fixture":
			seed = 7
		default:
			return nil, fmt.Errorf("unknown split %q (want tune, holdout or fixture)", o.Split)
		}
	}
	if o.N < 4 {
		return nil, fmt.Errorf("need at least 4 base templates, got %d", o.N)
	}
	g := &tgen{
		r: rand.New(rand.NewPCG(seed, 0x7e1a7e)), out: out, split: o.Split,
		start: time.Date(2025, 1, 6, 9, 0, 0, 0, time.FixedZone("CST", 8*3600)), usedCore: map[string]bool{},
	}
	for _, d := range []string{"_shots", listingsDir + "img"} {
		if err := os.MkdirAll(filepath.Join(out, d), 0o755); err != nil {
			return nil, err
		}
	}
	if err := g.plan(ctx, o.N); err != nil {
		return nil, err
	}
	if err := g.write(ctx); err != nil {
		return nil, err
	}
	sum := &Summary{Listings: len(g.tls), Providers: len(g.provs), Files: g.files, Bytes: g.bytes}
	for _, t := range g.truth {
		sum.Truth = append(sum.Truth, TruthLine{Rule: t.Rule, ListingID: t.ListingID, OtherListingID: t.OtherListingID, Transform: t.Transform, Expect: t.Expect})
	}
	return sum, nil
}

func (g *tgen) tick() time.Time {
	g.clock += time.Duration(5+g.r.IntN(300)) * time.Hour
	return g.start.Add(g.clock)
}

func (g *tgen) label(rule, id, other, transform string, expect bool) {
	g.truth = append(g.truth, TemplateTruth{Rule: rule, ListingID: id, OtherListingID: other, Transform: transform, Expect: expect})
}

// newCore invents a store's distinctive name part.
func (g *tgen) newCore() string {
	for {
		c := pick(g.r, storeSyllables) + pick(g.r, storeSyllables)
		if g.r.IntN(3) == 0 {
			c += pick(g.r, storeSyllables)
		}
		if !g.usedCore[c] && len([]rune(c)) >= 2 && []rune(c)[0] != []rune(c)[1] {
			g.usedCore[c] = true
			return c
		}
	}
}

func (g *tgen) fillIntro(tpl, short, domain string) string {
	return strings.NewReplacer("{short}", short, "{domain}", domain,
		"{n}", fmt.Sprint(6+g.r.IntN(90)), "{n2}", fmt.Sprint(300+g.r.IntN(9000)),
		"{year}", fmt.Sprint(2008+g.r.IntN(15)), "{city}", pick(g.r, storeCities)).Replace(tpl)
}

func (g *tgen) newProvider(domain string) *tprov {
	g.nextP++
	core := g.newCore()
	pv := &tprov{core: core, hue: g.r.Float64() * 360}
	pv.p = listing.Provider{
		ID:    fmt.Sprintf("P-%03d", g.nextP),
		Name:  pick(g.r, storeCities) + core + pick(g.r, storeTrades),
		Intro: g.fillIntro(pick(g.r, storeIntros), core, domain),
	}
	pv.logo = drawLogo(g.r.Uint64(), pv.hue)
	pv.logoAt = fmt.Sprintf("img/logo-%s.png", strings.ToLower(pv.p.ID))
	pv.p.Logo = pv.logoAt
	g.provs = append(g.provs, pv)
	return pv
}

// newTemplate builds an honest template of a category with some of its
// features.
func (g *tgen) newTemplate(owner *tprov, cat tplCategory) *titem {
	g.nextT++
	it := &titem{cat: cat, owner: owner, hue: g.r.Float64() * 360, layoutSeed: g.r.Uint64(), export: g.r.IntN(2) == 0}
	it.feats = pickN(g.r, cat.Features, 1+g.r.IntN(min(3, len(cat.Features))))
	t := &it.t
	t.ID = fmt.Sprintf("T-%04d", g.nextT)
	if it.export {
		t.ID = fmt.Sprintf("weda-%s-%04d", []string{"app", "mp", "shop", "lowcode"}[g.r.IntN(4)], g.nextT)
	}
	t.ProviderID = owner.p.ID
	t.Name = owner.core + cat.Word
	t.Version = fmt.Sprintf("%d.%d.%d", 1+g.r.IntN(3), g.r.IntN(10), g.r.IntN(10))
	t.Category = cat.Name
	t.Features = slices.Clone(it.feats)
	lr := rand.New(rand.NewPCG(it.layoutSeed, 1))
	for i, title := range cat.Pages {
		t.Pages = append(t.Pages, listing.TemplatePage{ID: pageSlug(i, title), Title: title, IsHome: i == 0, IsTab: i == 0 || i == len(cat.Pages)-1, Components: randomPage(lr, cat.Data.Name)})
	}
	ds := cat.Data
	t.DataSources = append(t.DataSources, listing.DataSource{Name: ds.Name, Title: ds.Title, Fields: slices.Clone(ds.Fields)})
	for _, fname := range it.feats {
		ft := tplFeatures[fname]
		comps := randomPage(lr, "")
		if ft.Component != "" {
			comps = append([]listing.Component{{Type: ft.Component}}, comps...)
		}
		if ft.Data != nil {
			comps = append(comps, listing.Component{Type: "scroll-view", DataSource: ft.Data.Name, Children: []listing.Component{{Type: "view", Children: []listing.Component{{Type: "text"}, {Type: "text"}}}}})
			t.DataSources = append(t.DataSources, listing.DataSource{Name: ft.Data.Name, Title: ft.Data.Title, Fields: slices.Clone(ft.Data.Fields)})
		}
		t.Pages = append(t.Pages, listing.TemplatePage{ID: pageSlug(len(t.Pages), ft.Page), Title: ft.Page, Components: comps})
	}
	// A harmless look-alike field in some templates: the privacy traps.
	if g.r.IntN(3) == 0 {
		t.DataSources[0].Fields = append(t.DataSources[0].Fields, pick(g.r, tplHarmless))
	}
	t.CodeDigest = fmt.Sprintf("sha256:%016x%016x", g.r.Uint64(), g.r.Uint64())
	g.items = append(g.items, it)
	return it
}

func pageSlug(i int, _ string) string {
	return fmt.Sprintf("pages/p%d/index", i+1)
}

// randomPage makes the component tree of one page from a small library of
// blocks with random sizes, as a low-code editor user composes it.
func randomPage(r *rand.Rand, ds string) []listing.Component {
	leaf := func(t string) listing.Component { return listing.Component{Type: t} }
	node := func(t string, kids ...listing.Component) listing.Component {
		return listing.Component{Type: t, Children: kids}
	}
	rep := func(n int, c func() listing.Component) []listing.Component {
		out := make([]listing.Component, n)
		for i := range out {
			out[i] = c()
		}
		return out
	}
	blocks := []func() listing.Component{
		func() listing.Component {
			return node("swiper", rep(2+r.IntN(4), func() listing.Component { return node("swiper-item", leaf("image")) })...)
		},
		func() listing.Component {
			return node("view", rep(3+r.IntN(6), func() listing.Component {
				if r.IntN(2) == 0 {
					return node("view", leaf("image"), leaf("text"))
				}
				return node("navigator", leaf("icon"), leaf("text"))
			})...)
		},
		func() listing.Component {
			row := func() listing.Component {
				kids := []listing.Component{leaf("image"), node("view", rep(1+r.IntN(3), func() listing.Component { return leaf("text") })...)}
				if r.IntN(2) == 0 {
					kids = append(kids, leaf("button"))
				}
				return node("view", kids...)
			}
			c := node("scroll-view", rep(1+r.IntN(2), row)...)
			c.DataSource = ds
			return c
		},
		func() listing.Component {
			items := rep(2+r.IntN(5), func() listing.Component {
				return node("view", leaf("text"), leaf([]string{"input", "picker", "textarea", "switch", "radio-group"}[r.IntN(5)]))
			})
			c := node("form", append(items, leaf("button"))...)
			c.DataSource = ds
			return c
		},
		func() listing.Component {
			return node("view", leaf("image"), node("view", rep(2+r.IntN(3), func() listing.Component { return leaf("text") })...))
		},
		func() listing.Component {
			return node("view", rep(2+r.IntN(4), func() listing.Component { return leaf("text") })...)
		},
		func() listing.Component { return node("view", leaf("icon"), leaf("input")) },
		func() listing.Component {
			return node("view", leaf("icon"), node("swiper", rep(1+r.IntN(3), func() listing.Component { return node("swiper-item", leaf("text")) })...))
		},
		func() listing.Component {
			return node("view", node("view", leaf("text"), leaf("text")), node("view", leaf("progress"), leaf("text")))
		},
	}
	n := 2 + r.IntN(5)
	out := make([]listing.Component, 0, n)
	for range n {
		out = append(out, blocks[r.IntN(len(blocks))]())
	}
	return out
}
