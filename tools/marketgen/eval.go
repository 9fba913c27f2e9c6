package marketgen

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/listingscan/listingscan/listing"
)

// EvalOptions configures a labelled evaluation corpus.
type EvalOptions struct {
	// Split is "tune" or "holdout". The splits use different seeds, so
	// thresholds tuned on one are measured honestly on the other.
	Split   string
	N       int    // base listings; 0 means 100
	Seed    uint64 // 0: the split's default seed
	Fonts   *Fonts
	Workers int
	Logger  *slog.Logger
}

// Default seeds of the evaluation splits.
const (
	TuneSeed    = 0x74756e65
	HoldoutSeed = 0x686f6c64
)

// pickSplit gives the id prefix and seed of a tune or holdout split; a
// non-zero extra seed varies the corpus while keeping the split apart.
func pickSplit(split, tunePrefix string, tuneSeed uint64, holdoutPrefix string, holdoutSeed uint64, extra uint64) (string, uint64, error) {
	var prefix string
	var seed uint64
	switch split {
	case "tune":
		prefix, seed = tunePrefix, tuneSeed
	case "holdout":
		prefix, seed = holdoutPrefix, holdoutSeed
	default:
		return "", 0, fmt.Errorf("split %q: want tune or holdout", split)
	}
	if extra != 0 {
		seed ^= extra * 0x9e3779b97f4a7c15
	}
	return prefix, seed, nil
}

// orDiscard is log, or a logger that writes nowhere.
func orDiscard(log *slog.Logger) *slog.Logger {
	if log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return log
}

// WriteEval writes an evaluation corpus to out: listings.jsonl, img/,
// truth.ndjson and listingscan.yaml. For each of N distinct base listings
// there is one copy per image transformation and per text evasion, each a
// separate listing by a copier that contains only the transformed material,
// and N honest look-alikes of each kind (generic similar title, shared
// boilerplate, same-layout screen, a store reusing its own material, two
// accounts of one company sharing material).
func WriteEval(ctx context.Context, out string, o EvalOptions) (*Summary, error) {
	prefix, seed, err := pickSplit(o.Split, "T", TuneSeed, "H", HoldoutSeed, o.Seed)
	if err != nil {
		return nil, err
	}
	if o.N == 0 {
		o.N = 100
	}
	if o.N < 1 || o.N > 5000 {
		return nil, fmt.Errorf("n %d: want 1–5000 base listings", o.N)
	}
	log := orDiscard(o.Logger)
	c, err := newCorpus(seed, prefix, 5, 1)
	if err != nil {
		return nil, err
	}
	if err := planEval(c, prefix, o.N); err != nil {
		return nil, err
	}
	return c.render(ctx, out, o.Fonts, o.Workers, log)
}

func planEval(c *corpus, prefix string, n int) error {
	r := c.r
	w := where{file: "listings.jsonl", format: formatJSONL}
	pid := 0
	newProv := func() *provider {
		pid++
		return c.newProvider(fmt.Sprintf("P-%s%03d", prefix, pid), "", "", pick(r, Categories))
	}
	honest := make([]*provider, max(12, n/3))
	for i := range honest {
		honest[i] = newProv()
	}
	copiers := make([]*provider, max(4, n/4))
	for i := range copiers {
		copiers[i] = newProv()
	}
	groups := make([][2]*provider, max(1, n/10))
	var yaml strings.Builder
	yaml.WriteString("# Provider accounts that belong to one company. Material shared between\n# them is not copying.\nallow_provider_groups:\n")
	for i := range groups {
		a := newProv()
		b := c.newProvider(fmt.Sprintf("P-%s%03d", prefix, pid+1), a.Name+pick(r, []string{"华东分公司", "华南服务中心", "第二店铺", "旗舰店"}), a.short, "")
		pid++
		b.Intro, b.hue, b.logoSeed = a.Intro, a.hue, a.logoSeed
		groups[i] = [2]*provider{a, b}
		fmt.Fprintf(&yaml, "  - [%s, %s]\n", a.ID, b.ID)
	}
	c.extra["listingscan.yaml"] = []byte(yaml.String())
	other := func(not *provider) *provider {
		for {
			p := pick(r, honest)
			if p != not {
				return p
			}
		}
	}
	base0 := time.Date(2025, 1, 1, 1, 0, 0, 0, time.UTC)
	later0 := time.Date(2026, 1, 1, 1, 0, 0, 0, time.UTC)
	span := 330 * 24 * time.Hour
	later := func() time.Time { return later0.Add(time.Duration(r.Int64N(int64(150 * 24 * time.Hour)))) }

	bases := make([]*entry, n)
	for i := range bases {
		cat := Categories[i%len(Categories)]
		p := honest[r.IntN(len(honest))]
		at := base0.Add(span * time.Duration(i) / time.Duration(n)).Add(time.Duration(r.IntN(20)) * time.Hour)
		e := c.newEntry(p, cat, c.freshText(p, cat, textOptions{}), at, w)
		c.standardPictures(e)
		bases[i] = e
	}
	for i, b := range bases {
		x := copiers[i%len(copiers)]
		cat := b.l.Category
		for k, t := range ImageTransforms {
			e := c.newEntry(x, cat, c.freshText(x, cat, textOptions{}), later(), w)
			src := b.pictures[(i+k)%len(b.pictures)]
			if t == "statusbar12" {
				src = b.pictures[0]
			}
			got := c.derivePicture(e, src, t, x)
			c.truth = append(c.truth, TruthLine{Rule: listing.RuleCopyImage, ListingID: e.l.ID, OtherListingID: b.l.ID,
				Transform: t, Expect: true, Image: c.picturePath(e, got), OtherImage: c.picturePath(b, src)})
		}
		for _, t := range TextTransforms {
			lt, rules, err := c.copyText(b, x, t)
			if err != nil {
				return fmt.Errorf("copy %s: %w", b.l.ID, err)
			}
			e := c.newEntry(x, cat, lt, later(), w)
			if r.IntN(4) == 0 {
				c.addPicture(e, kindBanner, 0)
			}
			for _, rule := range rules {
				c.addTruth(rule, e, b, t, true)
			}
		}
	}
	for i, b := range bases {
		cat := b.l.Category
		// A generic title like the base's, everything else its own.
		p := other(b.prov)
		e := c.newEntry(p, cat, c.freshText(p, cat, textOptions{lookalikeOf: &b.text}), later(), w)
		c.addPicture(e, kindPhoto, 0)
		c.addTruth(listing.RuleCopyTitle, e, b, "lookalike_title", false)

		// The same delivery-and-service paragraph, nothing else.
		p = other(b.prov)
		e = c.newEntry(p, cat, c.freshText(p, cat, textOptions{boilerplateOf: &b.text.Desc}), later(), w)
		c.addPicture(e, kindBanner, 0)
		c.addTruth(listing.RuleCopyDescription, e, b, "boilerplate", false)

		// A screen of the same layout with other content and colours.
		p = other(b.prov)
		lt := c.freshText(p, cat, textOptions{})
		e = c.newEntry(p, cat, lt, later(), w)
		spec := b.pictures[0].screen
		spec.Seed = r.Uint64()
		spec.Hue += 100 + float64(r.IntN(160))
		spec.Brand, spec.City = lt.Brand, lt.City
		got := c.addScreen(e, spec)
		c.truth = append(c.truth, TruthLine{Rule: listing.RuleCopyImage, ListingID: e.l.ID, OtherListingID: b.l.ID,
			Transform: "lookalike_screen", Expect: false, Image: c.picturePath(e, got), OtherImage: c.picturePath(b, b.pictures[0])})

		// A store reusing its own material, and two accounts of one company.
		owner := pick(r, honest)
		c.evalReuse(owner, owner, Categories[(i+3)%len(Categories)], base0.Add(time.Duration(r.Int64N(int64(span)))), later(), w, "same_provider")
		g := groups[i%len(groups)]
		c.evalReuse(g[0], g[1], Categories[(i+5)%len(Categories)], base0.Add(time.Duration(r.Int64N(int64(span)))), later(), w, "provider_group")
	}
	return nil
}

// evalReuse adds an original by owner and a later listing by reuser that
// reuses its screen, title wording and description.
func (c *corpus) evalReuse(owner, reuser *provider, cat string, at1, at2 time.Time, w where, transform string) {
	orig := c.newEntry(owner, cat, c.freshText(owner, cat, textOptions{}), at1, w)
	c.addPicture(orig, kindScreen, Layout(c.r.IntN(int(NumLayouts))))
	c.addPicture(orig, kindBanner, 0)
	lt := orig.text
	lt.Title = c.reuseTitle(orig, reuser)
	e := c.newEntry(reuser, cat, lt, at2, w)
	got := c.derivePicture(e, orig.pictures[0], "", reuser)
	c.truth = append(c.truth, TruthLine{Rule: listing.RuleCopyImage, ListingID: e.l.ID, OtherListingID: orig.l.ID, Transform: transform,
		Expect: false, Image: c.picturePath(e, got), OtherImage: c.picturePath(orig, orig.pictures[0])})
	c.addTruth(listing.RuleCopyTitle, e, orig, transform, false)
	c.addTruth(listing.RuleCopyDescription, e, orig, transform, false)
}
