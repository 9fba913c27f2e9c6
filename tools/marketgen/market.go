package marketgen

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/listingscan/listingscan/listing"
)

// MarketOptions configures the committed test marketplace.
type MarketOptions struct {
	Seed    uint64 // 0: DefaultMarketSeed
	Fonts   *Fonts // nil: text drawn as blocks
	Workers int    // 0: GOMAXPROCS
	Logger  *slog.Logger
}

// DefaultMarketSeed is the seed of the marketplace committed under
// testdata/marketplace.
const DefaultMarketSeed = 20260101

// marketProviders are the stores of the committed marketplace. P-09 and
// P-10 are two accounts of one company; P-11 to P-13 copy other stores'
// material besides selling a few listings of their own.
var marketProviders = []struct{ id, name, short, domain string }{
	{"P-01", "杭州云栖数智科技有限公司", "云栖数智", "餐饮"},
	{"P-02", "深圳市鲸禾网络科技有限公司", "鲸禾网络", "零售电商"},
	{"P-03", "成都锦程软件开发有限公司", "锦程软件", "教育培训"},
	{"P-04", "南京知微信息技术有限公司", "知微信息", "医疗健康"},
	{"P-05", "广州云帆互联科技有限公司", "云帆互联", "政务服务"},
	{"P-06", "武汉楚天智联科技有限公司", "楚天智联", "企业数字化"},
	{"P-07", "西安秦川数码科技有限公司", "秦川数码", "物业社区"},
	{"P-08", "苏州小满软件有限公司", "小满软件", "酒店文旅"},
	{"P-09", "上海浦江智慧科技有限公司", "浦江智慧", "餐饮零售"},
	{"P-10", "上海浦江智慧科技有限公司杭州分公司", "浦江智慧", "餐饮零售"},
	{"P-11", "厦门速搭网络科技有限公司", "速搭网络", "小程序"},
	{"P-12", "郑州快应用信息科技有限公司", "快应用", "小程序"},
	{"P-13", "长沙易建软件科技有限公司", "易建软件", "管理系统"},
}

// WriteMarket writes the small realistic marketplace used by tests and the
// README: listings spread over a JSON array, JSON Lines, single-object files
// and saved HTML pages, their pictures, planted copies with every image and
// text evasion, honest look-alikes, broken inputs, listingscan.yaml and
// truth.ndjson.
func WriteMarket(ctx context.Context, out string, o MarketOptions) (*Summary, error) {
	if o.Seed == 0 {
		o.Seed = DefaultMarketSeed
	}
	log := orDiscard(o.Logger)
	c, err := newCorpus(o.Seed, "", 4, 1001)
	if err != nil {
		return nil, err
	}
	if err := planMarket(c); err != nil {
		return nil, err
	}
	return c.render(ctx, out, o.Fonts, o.Workers, log)
}

func planMarket(c *corpus) (err error) {
	// Dates below are literals in China time.
	day := func(s string) time.Time {
		t, perr := time.ParseInLocation("2006-01-02 15:04", s, time.FixedZone("CST", 8*3600))
		if perr != nil && err == nil {
			err = fmt.Errorf("market plan date %q: %w", s, perr)
		}
		return t
	}
	P := map[string]*provider{}
	for _, mp := range marketProviders {
		P[mp.id] = c.newProvider(mp.id, mp.name, mp.short, mp.domain)
	}
	// P-10 is P-09's second account: same intro, same logo.
	P["P-10"].Intro = P["P-09"].Intro
	P["P-10"].hue, P["P-10"].logoSeed = P["P-09"].hue, P["P-09"].logoSeed

	array := where{file: "listings.json", format: formatArray}
	jsonl := where{file: "listings.jsonl", format: formatJSONL}
	store := func(p string) where { return where{file: "stores/" + strings.ToLower(p), format: formatSingle} }
	page := where{file: "pages", format: formatHTML}

	original := func(p, cat, at string, w where) *entry {
		pr := P[p]
		e := c.newEntry(pr, cat, c.freshText(pr, cat, textOptions{}), day(at), w)
		c.standardPictures(e)
		return e
	}
	// Originals. O[1]..O[15] are copied once each (by one copier); the rest
	// are partners of honest look-alikes or plain listings.
	O := map[int]*entry{}
	origs := []struct {
		n         int
		p, cat, d string
		w         where
	}{
		{1, "P-01", "餐饮", "2025-01-08 10:30", array},
		{2, "P-01", "餐饮", "2025-02-14 15:00", array},
		{3, "P-02", "零售电商", "2025-01-20 09:12", array},
		{4, "P-02", "零售电商", "2025-03-03 11:45", array},
		{5, "P-03", "教育培训", "2025-02-02 14:20", array},
		{6, "P-03", "教育培训", "2025-04-11 16:05", array},
		{7, "P-04", "医疗健康", "2025-02-25 10:00", array},
		{8, "P-04", "医疗健康", "2025-05-06 09:30", array},
		{9, "P-05", "政务", "2025-03-18 13:40", jsonl},
		{10, "P-05", "政务", "2025-05-27 10:10", jsonl},
		{11, "P-06", "企业办公", "2025-03-30 17:25", jsonl},
		{12, "P-06", "企业办公", "2025-06-15 09:50", jsonl},
		{13, "P-07", "物业", "2025-04-22 11:00", page},
		{14, "P-07", "物业", "2025-07-01 14:35", jsonl},
		{15, "P-08", "酒店旅游", "2025-05-12 08:45", jsonl},
		{16, "P-08", "酒店旅游", "2025-07-19 10:20", page},
		{17, "P-09", "餐饮", "2025-06-03 15:15", jsonl},
		{18, "P-01", "餐饮", "2025-06-28 10:00", jsonl},
		{19, "P-02", "零售电商", "2025-07-09 09:05", jsonl},
		{20, "P-04", "医疗健康", "2025-08-14 16:40", jsonl},
		{21, "P-06", "企业办公", "2025-08-26 11:30", store("P-06")},
		{22, "P-08", "酒店旅游", "2025-09-05 13:10", store("P-08")},
		{23, "P-03", "教育培训", "2025-09-17 10:45", store("P-03")},
		{24, "P-07", "物业", "2025-10-08 15:55", store("P-07")},
	}
	for _, o := range origs {
		O[o.n] = original(o.p, o.cat, o.d, o.w)
	}

	// Planted copies: each takes one picture and/or the text of one
	// original, evades detection one way, and is otherwise its own.
	copies := []struct {
		orig   int
		copier string
		image  string
		pic    int // which of the original's pictures
		text   string
		d      string
		w      where
	}{
		{1, "P-11", "jpeg35", 0, "title_edit1", "2026-01-06 10:00", array},
		{3, "P-11", "resize50", 1, "", "2026-01-13 14:30", array},
		{5, "P-12", "thumb390x260", 2, "zerowidth", "2026-01-20 09:40", array},
		{7, "P-12", "crop5", 0, "", "2026-02-03 16:20", array},
		{9, "P-13", "statusbar12", 0, "traditional", "2026-02-10 11:15", jsonl},
		{11, "P-13", "border20", 1, "", "2026-02-24 10:05", jsonl},
		{13, "P-11", "mirror", 0, "homoglyph", "2026-03-02 15:50", store("P-11")},
		{15, "P-12", "watermark", 0, "", "2026-03-09 09:25", page},
		{2, "P-13", "logo", 1, "spaced", "2026-03-16 13:35", jsonl},
		{4, "P-11", "color", 0, "", "2026-03-23 10:45", jsonl},
		{6, "P-12", "grayscale", 0, "punctuated", "2026-03-30 17:10", store("P-12")},
		{8, "P-13", "", 0, "fullwidth", "2026-04-07 09:55", store("P-13")},
		{10, "P-11", "", 0, "shuffled", "2026-04-14 14:15", store("P-11")},
		{12, "P-12", "", 0, "partial60", "2026-04-21 11:05", store("P-12")},
		{14, "P-13", "", 0, "title_edit2", "2026-04-28 16:30", store("P-13")},
	}
	for _, cp := range copies {
		orig, copier := O[cp.orig], P[cp.copier]
		var lt ListingText
		var rules []string
		if cp.text != "" {
			var err error
			lt, rules, err = c.copyText(orig, copier, cp.text)
			if err != nil {
				return fmt.Errorf("copy %s: %w", orig.l.ID, err)
			}
		} else {
			lt = c.freshText(copier, orig.l.Category, textOptions{})
		}
		e := c.newEntry(copier, orig.l.Category, lt, day(cp.d), cp.w)
		if cp.image != "" {
			src := orig.pictures[cp.pic]
			if cp.image == "statusbar12" && src.kind != kindScreen {
				return fmt.Errorf("statusbar12 copy of %s needs a screen", orig.l.ID)
			}
			got := c.derivePicture(e, src, cp.image, copier)
			c.truth = append(c.truth, TruthLine{Rule: listing.RuleCopyImage, ListingID: e.l.ID, OtherListingID: orig.l.ID,
				Transform: cp.image, Expect: true, Image: c.picturePath(e, got), OtherImage: c.picturePath(orig, src)})
		}
		// A copier's own pictures sit beside the stolen one.
		c.addPicture(e, kindBanner, 0)
		for _, rule := range rules {
			c.addTruth(rule, e, orig, cp.text, true)
		}
	}

	// Honest look-alikes.
	lookTitle := func(p string, other *entry, at string, w where) {
		pr := P[p]
		lt := c.freshText(pr, other.l.Category, textOptions{lookalikeOf: &other.text})
		e := c.newEntry(pr, other.l.Category, lt, day(at), w)
		c.standardPictures(e)
		c.addTruth(listing.RuleCopyTitle, e, other, "lookalike_title", false)
	}
	lookTitle("P-09", O[18], "2025-11-04 10:30", array)
	lookTitle("P-02", O[23], "2025-12-09 14:00", jsonl)

	lookBoiler := func(p, cat string, other *entry, at string, w where) {
		pr := P[p]
		lt := c.freshText(pr, cat, textOptions{boilerplateOf: &other.text.Desc})
		e := c.newEntry(pr, cat, lt, day(at), w)
		c.standardPictures(e)
		c.addTruth(listing.RuleCopyDescription, e, other, "boilerplate", false)
	}
	lookBoiler("P-05", "政务", O[20], "2025-10-21 09:15", array)
	lookBoiler("P-07", "物业", O[21], "2025-11-18 15:30", jsonl)

	lookScreen := func(p string, other *entry, at string, w where) {
		pr := P[p]
		lt := c.freshText(pr, other.l.Category, textOptions{})
		e := c.newEntry(pr, other.l.Category, lt, day(at), w)
		src := other.pictures[0]
		spec := src.screen
		spec.Seed = c.r.Uint64()
		spec.Hue = spec.Hue + 100 + float64(c.r.IntN(160))
		spec.Brand, spec.City = lt.Brand, lt.City
		got := c.addScreen(e, spec)
		c.addPicture(e, kindBanner, 0)
		t := TruthLine{Rule: listing.RuleCopyImage, ListingID: e.l.ID, OtherListingID: other.l.ID, Transform: "lookalike_screen",
			Expect: false, Image: c.picturePath(e, got), OtherImage: c.picturePath(other, src)}
		c.truth = append(c.truth, t)
	}
	lookScreen("P-02", O[22], "2025-12-15 11:20", store("P-02"))
	lookScreen("P-06", O[24], "2026-01-27 10:40", store("P-06"))

	// Reuse of one's own material, and within one company's accounts.
	reuse := func(owner, reuser *provider, cat, at1, at2 string, w1, w2 where, transform string) {
		orig := c.newEntry(owner, cat, c.freshText(owner, cat, textOptions{}), day(at1), w1)
		c.standardPictures(orig)
		lt := orig.text
		lt.Title = c.reuseTitle(orig, reuser)
		lt.Tags = append([]string(nil), orig.text.Tags...)
		e := c.newEntry(reuser, cat, lt, day(at2), w2)
		got := c.derivePicture(e, orig.pictures[0], "", reuser)
		c.addPicture(e, kindBanner, 0)
		c.truth = append(c.truth, TruthLine{Rule: listing.RuleCopyImage, ListingID: e.l.ID, OtherListingID: orig.l.ID, Transform: transform,
			Expect: false, Image: c.picturePath(e, got), OtherImage: c.picturePath(orig, orig.pictures[0])})
		c.addTruth(listing.RuleCopyTitle, e, orig, transform, false)
		c.addTruth(listing.RuleCopyDescription, e, orig, transform, false)
	}
	reuse(P["P-03"], P["P-03"], "教育培训", "2025-05-20 10:00", "2025-11-25 10:00", store("P-03"), store("P-03"), "same_provider")
	reuse(P["P-09"], P["P-10"], "零售电商", "2025-08-05 09:30", "2026-02-16 14:50", store("P-09"), store("P-10"), "provider_group")

	// The copiers' own honest listings.
	for i, p := range []string{"P-11", "P-12", "P-13"} {
		cat := []string{"企业办公", "零售电商", "物业"}[i]
		pr := P[p]
		e := c.newEntry(pr, cat, c.freshText(pr, cat, textOptions{}), day([]string{"2025-09-29 10:00", "2025-10-14 16:00", "2025-11-11 11:11"}[i]), store(p))
		c.standardPictures(e)
	}

	// Broken inputs: a corrupt picture, a truncated JSON line between two
	// good ones, and a page cut off before any product data.
	bp := P["P-05"]
	bad := c.newEntry(bp, "政务", c.freshText(bp, "政务", textOptions{}), day("2025-12-01 10:00"), where{file: "broken", format: formatSingle})
	c.addPicture(bad, kindScreen, LayoutForm).job.outputs[0].transform = "truncate"
	c.addPicture(bad, kindBanner, 0)
	bj := where{file: "broken/partial.jsonl", format: formatJSONLTruncated}
	for i, p := range []string{"P-04", "P-08"} {
		pr := P[p]
		cat := []string{"医疗健康", "酒店旅游"}[i]
		e := c.newEntry(pr, cat, c.freshText(pr, cat, textOptions{}), day([]string{"2025-12-03 09:00", "2025-12-04 09:00"}[i]), bj)
		c.addPicture(e, kindScreen, Layout(c.r.IntN(int(NumLayouts))))
	}
	c.extra["broken/cut-off.html"] = []byte(brokenPage)
	c.extra["listingscan.yaml"] = []byte("# Provider accounts that belong to one company. Material shared between\n" +
		"# them is not copying.\nallow_provider_groups:\n  - [P-09, P-10]\n")
	c.extra["README.md"] = []byte(marketReadme)
	return err
}

// reuseTitle is the title a store gives a second edition of its own
// listing: the edition suffix changes, the rest stays. Among the editions it
// picks one that no third provider's title resembles.
func (c *corpus) reuseTitle(orig *entry, reuser *provider) string {
	t := orig.text.Title
	base, had := t, ""
	for _, suf := range titleSuffixes {
		if suf != "" && strings.HasSuffix(t, suf) {
			base, had = strings.TrimSuffix(t, suf), suf
			break
		}
	}
	exempt := []string{orig.prov.ID, reuser.ID}
	for _, prefix := range []string{"", orig.text.City, orig.text.Customer, orig.text.City + orig.text.Customer} {
		for _, suf := range []string{"·连锁版", "（多门店）", " Pro", "·旗舰版", "·企业版", " SaaS版", "（含管理后台）", " V2.0"} {
			if suf == had {
				continue
			}
			if cand := prefix + base + suf; c.gen.titleOK(orig.l.Category, exempt, cand, 0, 1, "") {
				c.gen.issue(orig.l.Category, reuser.ID, cand)
				return cand
			}
		}
	}
	// Every edition name is taken by someone else: keep the title as it was.
	return t
}

const marketReadme = `# Test marketplace

A small, realistic WeDa app marketplace for listingscan's tests and the
README's first command. Generated; do not edit by hand:

    go run ./cmd/marketgen market -out testdata/marketplace

- listings.json (JSON array), listings.jsonl (JSON Lines), stores/*/*.json
  (one listing per file) and pages/*.html (saved listing pages) hold the
  listings; pictures live in img/ next to the file that names them.
- truth.ndjson lists the planted copies (expect true) and the honest
  look-alikes that must not be reported (expect false).
- listingscan.yaml allow-lists P-09 and P-10, two accounts of one company.
- broken/ holds damaged input: a truncated JPEG, a truncated JSON line
  between two good listings, and a page cut off before its product data.
`
