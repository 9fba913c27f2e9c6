package marketgen

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/listingscan/listingscan/listing"
)

// Rule names as the scanner writes them.
const (
	ruleTemplateMissing   = "template.missing"
	ruleScreenshot        = "consistency.screenshot"
	ruleMetadata          = "consistency.metadata"
	ruleCopyTemplate      = "copy.template"
	rulePrivacy           = "privacy.sensitive_field"
	ruleCopyStore         = "copy.store"
	tplShotPages          = 3
	tplNeutralSentenceMax = 3
)

var neutralSentences = []string{
	"提供完整的后台管理系统，数据可导出为Excel报表。",
	"支持多门店统一管理，员工权限分级设置。",
	"界面简洁，开箱即用，最快三天即可上线。",
	"源码交付，支持二次开发和私有化部署。",
	"提供一年免费升级与远程部署服务。",
	"适配手机、平板和电脑多端访问。",
	"消息通知实时推送，重要事项不遗漏。",
}

// Fragments of the sentences that make each description its own: who, does
// what, to what, with which result.
var (
	descSubjects = []string{"店长", "运营人员", "财务", "前台", "老师", "管理员", "客服", "区域经理", "老板", "值班人员"}
	descVerbs    = []string{"在手机上就能", "每天早上", "通过后台", "随时随地", "一键", "按月", "在电脑端", "用扫码的方式"}
	descObjects  = []string{"查看经营数据", "导出对账单", "审核新用户", "安排人员排班", "回复客户留言", "核对当日流水", "调整商品价格", "发布活动通知", "处理售后申请", "统计到访人数"}
	descResults  = []func(*rand.Rand) string{
		func(r *rand.Rand) string { return fmt.Sprintf("每周至少节省%d个小时", 2+r.IntN(20)) },
		func(r *rand.Rand) string { return fmt.Sprintf("出错率下降了%d%%", 10+r.IntN(80)) },
		func(r *rand.Rand) string { return fmt.Sprintf("试点%d家门店后全面推广", 2+r.IntN(30)) },
		func(r *rand.Rand) string { return fmt.Sprintf("上线%d天就收回了成本", 20+r.IntN(200)) },
		func(r *rand.Rand) string { return fmt.Sprintf("客户满意度提升到%d分", 85+r.IntN(15)) },
		func(r *rand.Rand) string { return fmt.Sprintf("已在%d个城市落地", 2+r.IntN(40)) },
	}
)

// listingOf is one listing the corpus sells.
type tlisting struct {
	l         listing.Listing
	item      *titem
	foreign   bool   // shows screens of an app not in the catalogue
	transform string // how its template screenshots were edited
	banner    bool   // carries an unrelated picture besides the screenshots
}

// plan decides every template, provider and listing of the corpus and
// labels the planted cases.
func (g *tgen) plan(ctx context.Context, n int) error {
	k := max(1, n/8)
	// Honest providers and their templates, one listing each.
	nProv := max(3, n/2)
	for range nProv {
		g.newProvider(pick(g.r, tplCategories).Name)
	}
	var base []*titem
	for i := range n {
		cat := tplCategories[i%len(tplCategories)]
		base = append(base, g.newTemplate(g.provs[g.r.IntN(nProv)], cat))
	}
	// Personal data: planted in templates of categories not allowed for it,
	// and allowed kinds in allowed categories as traps.
	g.r.Shuffle(len(base), func(i, j int) { base[i], base[j] = base[j], base[i] })
	kinds := []string{"id_card", "bank_card", "location", "passport", "face"}
	planted, traps := 0, 0
	for i, it := range base {
		kind := kinds[(planted+i)%len(kinds)]
		allowed := slices.Contains(tplAllowed[kind], it.cat.Name)
		switch {
		case !allowed && planted < k:
			planted++
		case allowed && traps < k:
			traps++
		default:
			continue
		}
		fld := pick(g.r, tplSensitive[kind])
		ds := &it.t.DataSources[g.r.IntN(len(it.t.DataSources))]
		ds.Fields = append(ds.Fields, fld)
		if !allowed {
			it.sensitive = append(it.sensitive, kind)
		} else {
			it.sensitive = append(it.sensitive, "allowed:"+kind)
		}
	}
	for _, it := range base {
		g.newListing(it, it.owner, "")
	}

	// template.missing: no template, an unknown one, one without code.
	for i := range k {
		owner := g.provs[g.r.IntN(nProv)]
		l := g.newListing(base[i%len(base)], owner, "no_template")
		l.l.TemplateID = ""
		l = g.newListing(base[(i+1)%len(base)], owner, "unknown_template")
		l.l.TemplateID = fmt.Sprintf("T-9%03d", i)
		it := g.newTemplate(owner, pick(g.r, tplCategories))
		it.noCode, it.export, it.t.CodeDigest = true, false, ""
		g.newListing(it, owner, "no_code")
	}

	// consistency.screenshot: listings showing another app's screens.
	for i := range k {
		it := base[(i*3+2)%len(base)]
		g.newListing(it, it.owner, "foreign_screens")
	}

	// consistency.metadata: contradicting category, absent features claimed.
	variants := []string{"category", "claim_desc", "claim_tag", "claim_title"}
	for i := range 2 * k {
		it := base[(i*5+1)%len(base)]
		g.newListing(it, it.owner, variants[i%len(variants)])
	}

	// copy.template: clones of base templates by other providers, and a
	// provider reusing its own template as a trap.
	cloneKinds := []string{"renamed", "cross_format", "add_page", "drop_page"}
	for i := range k + 1 {
		orig := base[(i*7+3)%len(base)]
		var cloner *tprov
		if i == k {
			cloner = orig.owner // the trap: one provider, two editions
		} else {
			for cloner == nil || cloner == orig.owner {
				cloner = g.provs[g.r.IntN(len(g.provs))]
			}
		}
		kind := cloneKinds[i%len(cloneKinds)]
		cl := g.cloneTemplate(orig, cloner, kind)
		tl := g.newListing(cl, cloner, "")
		ol := g.listingOf(orig)
		if i == k {
			g.label(ruleCopyTemplate, tl.l.ID, ol.l.ID, "same_provider", false)
		} else {
			g.label(ruleCopyTemplate, tl.l.ID, ol.l.ID, kind, true)
		}
	}

	// copy.store: providers copying another's name, logo or intro.
	storeKinds := []string{"name", "logo", "intro"}
	var sellers []*tprov
	for _, pv := range g.provs[:nProv] {
		if g.firstListingOf(pv) != nil {
			sellers = append(sellers, pv)
		}
	}
	copiedFrom := map[*tprov]bool{}
	for i := range k {
		orig := sellers[i%len(sellers)]
		if storeKinds[i%len(storeKinds)] == "intro" {
			// Intros without figures are template sentences many honest
			// stores share; the rule only judges intros with figures.
			for j := i; (len(digitsIn(orig.p.Intro)) < 3 || copiedFrom[orig]) && j < i+len(sellers); j++ {
				orig = sellers[j%len(sellers)]
			}
		}
		copiedFrom[orig] = true
		cp := g.newProvider("小程序")
		switch kind := storeKinds[i%len(storeKinds)]; kind {
		case "name":
			cp.p.Name = pick(g.r, storeCities) + orig.core + pick(g.r, storeTrades)
			cp.core = orig.core
		case "logo":
			// Downloaded from the other store and uploaded again.
			if data, err := EncodeJPEG(orig.logo, 85); err == nil {
				if img, err := DecodeImage(data); err == nil {
					cp.logo = img
				}
			}
		case "intro":
			cp.p.Intro = strings.ReplaceAll(orig.p.Intro, orig.core, cp.core)
		}
		it := g.newTemplate(cp, pick(g.r, tplCategories))
		cl := g.newListing(it, cp, "")
		g.label(ruleCopyStore, cl.l.ID, g.firstListingOf(orig).l.ID, storeKinds[i%len(storeKinds)], true)
	}
	return ctx.Err()
}

func (g *tgen) listingOf(it *titem) *tlisting {
	for i := range g.tls {
		if g.tls[i].item == it && g.tls[i].l.TemplateID == it.t.ID {
			return g.tls[i]
		}
	}
	return nil
}

func (g *tgen) firstListingOf(p *tprov) *tlisting {
	for _, tl := range g.tls {
		if tl.l.Provider.ID == p.p.ID {
			return tl
		}
	}
	return nil
}

// cloneTemplate copies a template's structure under another provider,
// renaming pages, ids and fields, recolouring it and reordering siblings.
func (g *tgen) cloneTemplate(orig *titem, owner *tprov, kind string) *titem {
	g.nextT++
	cl := &titem{cat: orig.cat, owner: owner, hue: orig.hue + 90 + g.r.Float64()*180, layoutSeed: g.r.Uint64(),
		export: orig.export, feats: slices.Clone(orig.feats), sensitive: slices.Clone(orig.sensitive)}
	if kind == "cross_format" {
		cl.export = !orig.export
	}
	t := cloneTemplateValue(orig.t)
	t.ID = fmt.Sprintf("T-%04d", g.nextT)
	if cl.export {
		t.ID = fmt.Sprintf("weda-mp-%04d", g.nextT)
	}
	t.ProviderID = owner.p.ID
	t.Name = owner.core + orig.cat.Word
	t.CodeDigest = fmt.Sprintf("sha256:%016x%016x", g.r.Uint64(), g.r.Uint64())
	for i := range t.Pages {
		p := &t.Pages[i]
		if syn, ok := pageSynonyms[p.Title]; ok {
			p.Title = pick(g.r, syn)
		}
		p.ID = fmt.Sprintf("pages/%s%d/index", []string{"home", "tab", "view", "page"}[g.r.IntN(4)], i+1)
		shuffleTree(g.r, p.Components)
	}
	for i := range t.DataSources {
		for j := range t.DataSources[i].Fields {
			fl := &t.DataSources[i].Fields[j]
			if _, ok := sensitiveKindOf(*fl); ok {
				continue
			}
			fl.Name = fmt.Sprintf("f%d_%s", j, fl.Name)
		}
	}
	switch kind {
	case "add_page":
		lr := rand.New(rand.NewPCG(cl.layoutSeed, 2))
		t.Pages = append(t.Pages, listing.TemplatePage{ID: "pages/extra/index", Title: "关于我们", Components: randomPage(lr, "")})
	case "drop_page":
		if len(t.Pages) > 3 {
			t.Pages = slices.Delete(t.Pages, 2, 3)
		}
	}
	cl.t = t
	g.items = append(g.items, cl)
	return cl
}

// sensitiveKindOf finds a planted personal-data field.
func sensitiveKindOf(fl listing.DataField) (string, bool) {
	for k, fs := range tplSensitive {
		if slices.Contains(fs, fl) {
			return k, true
		}
	}
	return "", false
}

func cloneTemplateValue(t listing.Template) listing.Template {
	c := t
	c.Features = slices.Clone(t.Features)
	c.Pages = make([]listing.TemplatePage, len(t.Pages))
	for i, p := range t.Pages {
		c.Pages[i] = p
		c.Pages[i].Components = cloneComps(p.Components)
	}
	c.DataSources = make([]listing.DataSource, len(t.DataSources))
	for i, d := range t.DataSources {
		c.DataSources[i] = d
		c.DataSources[i].Fields = slices.Clone(d.Fields)
	}
	return c
}

func cloneComps(cs []listing.Component) []listing.Component {
	if cs == nil {
		return nil
	}
	out := make([]listing.Component, len(cs))
	for i, c := range cs {
		out[i] = c
		out[i].Children = cloneComps(c.Children)
	}
	return out
}

func shuffleTree(r *rand.Rand, cs []listing.Component) {
	r.Shuffle(len(cs), func(i, j int) { cs[i], cs[j] = cs[j], cs[i] })
	for i := range cs {
		shuffleTree(r, cs[i].Children)
	}
}

// newListing adds a listing selling it by seller. violation names the
// planted metadata, screenshot or template.missing case, "" for an honest
// listing; the listing is labelled for every template rule.
func (g *tgen) newListing(it *titem, seller *tprov, violation string) *tlisting {
	g.nextL++
	l := listing.Listing{
		ID:          fmt.Sprintf("L-%05d", g.nextL),
		Provider:    seller.p,
		TemplateID:  it.t.ID,
		Category:    it.cat.Name,
		PublishedAt: g.tick(),
	}
	l.UpdatedAt = l.PublishedAt
	brand := seller.core
	if r := []rune(brand); len(r) > 2 {
		brand = string(r[:2])
	}
	l.Title = brand + it.cat.Word + "小程序"
	l.Tags = []string{it.cat.Name}
	var sentences []string
	for _, fname := range it.feats {
		ft := tplFeatures[fname]
		sentences = append(sentences, ft.Claim)
		if len(l.Tags) < 4 {
			l.Tags = append(l.Tags, ft.Tag)
		}
	}
	sentences = append(sentences, pickN(g.r, neutralSentences, 1+g.r.IntN(tplNeutralSentenceMax))...)
	for range 2 + g.r.IntN(2) {
		sentences = append(sentences, pick(g.r, descSubjects)+pick(g.r, descVerbs)+pick(g.r, descObjects)+fmt.Sprintf("，%s", pick(g.r, descResults)(g.r)))
	}
	l.Summary = fmt.Sprintf("%s，%s行业一站式小程序解决方案。", l.Title, it.cat.Name)
	l.Price = listing.Price{Plans: []listing.PricePlan{{Name: "标准版", Duration: "1年", Unit: "套", ListPrice: "3999", Price: "2999"}}}
	l.Service = listing.Service{AfterSales: "提供安装部署与使用培训，问题24小时内响应。", Hours: "周一至周日 09:00-18:00", Channels: []string{"在线客服", "电话"}}

	absent := func() string {
		var opts []string
		for name := range tplFeatures {
			if !slices.Contains(it.feats, name) {
				opts = append(opts, name)
			}
		}
		slices.Sort(opts)
		return pick(g.r, opts)
	}
	switch violation {
	case "category":
		for l.Category == it.cat.Name {
			l.Category = pick(g.r, tplCategories).Name
		}
		l.Tags[0] = l.Category
	case "claim_desc":
		sentences = append(sentences, tplFeatures[absent()].Claim)
	case "claim_tag":
		l.Tags = append(l.Tags[:min(len(l.Tags), 3)], tplFeatures[absent()].Tag)
	case "claim_title":
		l.Title = brand + tplFeatures[absent()].Tag + it.cat.Word + "小程序"
	}
	g.r.Shuffle(len(sentences), func(i, j int) { sentences[i], sentences[j] = sentences[j], sentences[i] })
	var html strings.Builder
	fmt.Fprintf(&html, "<p>%s是面向%s行业的微搭低代码应用。</p><ul>", l.Title, it.cat.Name)
	for _, s := range sentences {
		fmt.Fprintf(&html, "<li>%s</li>", s)
	}
	html.WriteString("</ul>")
	l.DescriptionHTML = html.String()

	tl := &tlisting{l: l, item: it}
	g.tls = append(g.tls, tl)

	// Labels.
	switch violation {
	case "no_template", "unknown_template", "no_code":
		g.label(ruleTemplateMissing, l.ID, "", violation, true)
	default:
		if g.r.IntN(4) == 0 {
			g.label(ruleTemplateMissing, l.ID, "", "has_code_"+formatName(it), false)
		}
	}
	if violation == "no_template" || violation == "unknown_template" {
		tl.foreign = true
		return tl
	}
	switch violation {
	case "foreign_screens":
		tl.foreign = true
		g.label(ruleScreenshot, l.ID, "", violation, true)
	default:
		tl.transform = []string{"jpeg", "resize", "statusbar", "border"}[g.r.IntN(4)]
		tl.banner = g.r.IntN(3) == 0
		if g.r.IntN(3) == 0 {
			tr := tl.transform
			if tl.banner {
				tr += "+banner"
			}
			g.label(ruleScreenshot, l.ID, "", tr, false)
		}
	}
	switch violation {
	case "category", "claim_desc", "claim_tag", "claim_title":
		g.label(ruleMetadata, l.ID, "", violation, true)
	default:
		if g.r.IntN(4) == 0 {
			g.label(ruleMetadata, l.ID, "", "claims_present_features", false)
		}
	}
	for _, s := range it.sensitive {
		if kind, ok := strings.CutPrefix(s, "allowed:"); ok {
			g.label(rulePrivacy, l.ID, "", "allowed_"+kind, false)
		} else {
			g.label(rulePrivacy, l.ID, "", s, true)
		}
	}
	return tl
}

func formatName(it *titem) string {
	if it.export {
		return "export"
	}
	return "json"
}

func digitsIn(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
