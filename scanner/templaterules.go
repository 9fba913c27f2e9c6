package scanner

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/listingscan/listingscan/listing"
	"github.com/listingscan/listingscan/similarity"
)

// Rule names of the template rules and copy.store.
const (
	RuleTemplateMissing       = "template.missing"
	RuleConsistencyScreenshot = "consistency.screenshot"
	RuleConsistencyMetadata   = "consistency.metadata"
	RuleCopyTemplate          = "copy.template"
	RulePrivacySensitiveField = "privacy.sensitive_field"
	RuleCopyStore             = "copy.store"
)

// templateRulesNeedCatalogue ends the meaning of every rule that runs only
// with a template catalogue.
const templateRulesNeedCatalogue = "needs --templates"

// templateRuleInfo are the rules that hold listings against the templates
// they sell, and providers' stores against each other.
func templateRuleInfo() []RuleInfo {
	return []RuleInfo{
		{RuleTemplateMissing, listing.SeverityMedium, "The listing names no template, a template the catalogue does not hold, or a template that ships no code (" + templateRulesNeedCatalogue + ")."},
		{RuleConsistencyScreenshot, listing.SeverityMedium, "None of the listing's images shows a page of the template it sells: compared with the template's page screenshots, or its image assets when it has none (" + templateRulesNeedCatalogue + ")."},
		{RuleConsistencyMetadata, listing.SeverityMedium, "The listing's category contradicts its template's, or its title, tags or description claim a feature (在线支付, 会员积分, 预约, 外卖配送, 直播 …) the template has no page, component or data source for (" + templateRulesNeedCatalogue + ")."},
		{RuleCopyTemplate, listing.SeverityHigh, "A template's structure (component trees, pages, data model) clones an earlier template of another provider, even with pages renamed, images replaced, colours and texts changed; names the listings that sell the two templates (" + templateRulesNeedCatalogue + ")."},
		{RulePrivacySensitiveField, listing.SeverityHigh, "The template sold collects ID-card or bank-card numbers, precise location, passport, face or fingerprint data, and its category is not allow-listed for that kind (" + templateRulesNeedCatalogue + ")."},
		{RuleCopyStore, listing.SeverityMedium, "A provider's store name, logo or introduction is copied from another provider that appeared earlier; one finding per provider pair, naming each provider's earliest listing."},
	}
}

// templateCatalogue is the loaded template catalogue, kept for
// templateCacheTTL so that pre-publish checks do not read and fingerprint
// every template on every call, while a catalogue edited on disk is seen
// within that time.
type templateCatalogue struct {
	mu       sync.Mutex
	loadedAt time.Time
	loaded   *loadedTemplates
}

type loadedTemplates struct {
	templates []listing.Template
	prints    []similarity.TemplatePrint
	bad       []listing.InputError
}

const templateCacheTTL = 30 * time.Second

func (c *templateCatalogue) get(ctx context.Context, dir string, log *slog.Logger) (*loadedTemplates, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.loaded != nil && time.Since(c.loadedAt) < templateCacheTTL {
		return c.loaded, nil
	}
	ts, bad, err := listing.LoadTemplates(ctx, dir)
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	log.Info("loaded templates", "templates", len(ts), "input_errors", len(bad))
	l := &loadedTemplates{templates: ts, bad: bad, prints: make([]similarity.TemplatePrint, len(ts))}
	for i := range ts {
		l.prints[i] = similarity.FingerprintTemplate(templateShape(&ts[i]))
	}
	c.loaded, c.loadedAt = l, time.Now()
	return l, nil
}

// WithTemplates names the template catalogue directory (see
// listing.LoadTemplates). Without it the rules that need templates do not
// run; copy.store, which needs none, always runs.
func WithTemplates(dir string) Option {
	return func(s *Scanner) { s.templateDir = dir }
}

// tmpl is one catalogue template as the rules see it.
type tmpl struct {
	t       *listing.Template
	print   similarity.TemplatePrint
	sellers []side // listings of this run selling it, earliest first
	owner   string // provider id: the template's, or its first seller's
	images  []tmplImage
	assets  bool // images are image assets, not page screenshots
}

// tmplImage is a template screenshot or asset with its print.
type tmplImage struct {
	page, ref string
	print     similarity.ImagePrint
}

// templateFindings runs the template rules (when a catalogue is set) and
// copy.store over the listings of this run. Problems reading the
// catalogue become input errors of res.
func (s *Scanner) templateFindings(ctx context.Context, sides []side, res *Result) ([]listing.Finding, error) {
	cfg := s.cfg.Templates.withDefaults()
	var out []listing.Finding
	if s.cfg.RuleEnabled(RuleCopyStore) {
		fs, err := s.storeFindings(ctx, sides, cfg)
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	if s.templateDir == "" {
		return out, nil
	}
	cat, err := s.templates.get(ctx, s.templateDir, s.log)
	if err != nil {
		return nil, err
	}
	ts := cat.templates
	res.InputErrors = append(res.InputErrors, cat.bad...)
	byID := make(map[string]*tmpl, len(ts))
	for i := range ts {
		t := &ts[i]
		byID[t.ID] = &tmpl{t: t, print: cat.prints[i], owner: t.ProviderID}
	}
	for _, sd := range sides {
		if tp := byID[sd.l.TemplateID]; tp != nil {
			tp.sellers = append(tp.sellers, sd)
		}
	}
	var sold []*tmpl
	for _, t := range ts {
		tp := byID[t.ID]
		if len(tp.sellers) == 0 {
			continue
		}
		slices.SortStableFunc(tp.sellers, func(a, b side) int { return earlier(a, b) })
		if tp.owner == "" {
			tp.owner = tp.sellers[0].l.Provider.ID
		}
		sold = append(sold, tp)
	}
	if s.cfg.RuleEnabled(RuleConsistencyScreenshot) {
		if err := s.templateImages(ctx, sold, cfg, res); err != nil {
			return nil, err
		}
	}
	for _, sd := range sides {
		tp := byID[sd.l.TemplateID]
		if f, ok := missingTemplate(sd, tp); ok {
			out = append(out, f)
		}
		if tp == nil {
			continue
		}
		if f, ok := s.screenshotFinding(sd, tp); ok {
			out = append(out, f)
		}
		if f, ok := s.metadataFinding(sd, tp, cfg); ok {
			out = append(out, f)
		}
		if f, ok := sensitiveFinding(sd, tp, cfg); ok {
			out = append(out, f)
		}
	}
	out = append(out, s.cloneFindings(sold, cfg)...)
	return out, nil
}

// earlier orders listings by first-seen time, then id.
func earlier(a, b side) int {
	return cmp.Or(a.l.FirstSeen().Compare(b.l.FirstSeen()), cmp.Compare(a.l.ID, b.l.ID))
}

// templateShape is the part of a template the structural fingerprint reads.
func templateShape(t *listing.Template) similarity.TemplateShape {
	var s similarity.TemplateShape
	var conv func(cs []listing.Component) []similarity.ShapeNode
	conv = func(cs []listing.Component) []similarity.ShapeNode {
		out := make([]similarity.ShapeNode, len(cs))
		for i, c := range cs {
			out[i] = similarity.ShapeNode{Type: c.Type, Bound: c.DataSource != "", Children: conv(c.Children)}
		}
		return out
	}
	for _, p := range t.Pages {
		s.Pages = append(s.Pages, similarity.ShapePage{Nodes: conv(p.Components)})
	}
	for _, d := range t.DataSources {
		fs := make([]similarity.ShapeField, len(d.Fields))
		for i, f := range d.Fields {
			fs[i] = similarity.ShapeField{Type: f.Type, Format: f.Format, Required: f.Required}
		}
		s.DataSources = append(s.DataSources, fs)
	}
	return s
}

func singleFinding(rule string, sd side, score float64) listing.Finding {
	sev := listing.SeverityMedium
	if r, ok := ruleInfo(rule); ok {
		sev = r.Severity
	}
	return listing.Finding{
		ID:         listing.FindingID(rule, sd.l.ID),
		Rule:       rule,
		Severity:   sev,
		Score:      round3(score),
		ListingID:  sd.l.ID,
		ProviderID: sd.l.Provider.ID,
		Status:     listing.StatusOpen,
	}
}

// missingTemplate: the listing names no template, an unknown one, or one
// that ships no code.
func missingTemplate(sd side, tp *tmpl) (listing.Finding, bool) {
	var reason string
	switch {
	case strings.TrimSpace(sd.l.TemplateID) == "":
		reason = "listing names no template"
	case tp == nil:
		reason = fmt.Sprintf("template %s is not in the template catalogue", sd.l.TemplateID)
	case !tp.t.HasCode():
		reason = fmt.Sprintf("template %s ships no code (no code_digest, no .js or .wxml files)", tp.t.ID)
	default:
		return listing.Finding{}, false
	}
	f := singleFinding(RuleTemplateMissing, sd, 1)
	f.Evidence.TemplateID = sd.l.TemplateID
	f.Evidence.Text = reason
	return f, true
}

// templateImages reads and fingerprints the screenshots of every sold
// template, or its image assets when it has no screenshots.
func (s *Scanner) templateImages(ctx context.Context, sold []*tmpl, cfg TemplateConfig, res *Result) error {
	var mu sync.Mutex
	return parallel(ctx, s.workers, len(sold), func(ctx context.Context, i int) error {
		tp := sold[i]
		refs := tp.t.Screenshots()
		if len(refs) == 0 {
			tp.assets = true
			for _, a := range tp.t.Images {
				refs = append(refs, listing.PageImage{Ref: a})
			}
		}
		if len(refs) > cfg.MaxTemplateImages {
			refs = refs[:cfg.MaxTemplateImages]
		}
		for _, r := range refs {
			if err := ctx.Err(); err != nil {
				return err
			}
			data, err := s.fp.images.Read(ctx, tp.t.Source, r.Ref)
			var p similarity.ImagePrint
			if err == nil {
				sum := sha256.Sum256(data)
				p, err = s.fp.cache.get(hex.EncodeToString(sum[:16]), func() (similarity.ImagePrint, error) {
					return similarity.FingerprintImage(data, s.fp.limits)
				})
			}
			if err != nil {
				mu.Lock()
				res.InputErrors = append(res.InputErrors, listing.InputError{File: tp.t.Source, Err: fmt.Errorf("template %s: image %s: %w", tp.t.ID, r.Ref, err)})
				mu.Unlock()
				continue
			}
			if p.Comparable() {
				tp.images = append(tp.images, tmplImage{page: r.Page, ref: r.Ref, print: p})
			}
		}
		return nil
	})
}

// screenshotFinding: none of the listing's comparable images matches a
// comparable screenshot (or asset) of its template. A listing or template
// without comparable images is not judged.
func (s *Scanner) screenshotFinding(sd side, tp *tmpl) (listing.Finding, bool) {
	if len(tp.images) == 0 {
		return listing.Finding{}, false
	}
	var (
		best         similarity.ImageMatch
		bestL, bestT string
		found        bool
		compared     int
	)
	best.Score = -1
	for _, im := range sd.p.Images {
		if !im.Print.Comparable() {
			continue
		}
		compared++
		for _, ti := range tp.images {
			m, ok := s.cfg.Image.Match(im.Print, ti.print)
			if ok {
				return listing.Finding{}, false
			}
			if m.Score > best.Score {
				best, bestL, bestT, found = m, im.Ref, ti.ref, true
			}
		}
	}
	if compared == 0 || !found {
		return listing.Finding{}, false
	}
	f := singleFinding(RuleConsistencyScreenshot, sd, 1-max(0, best.Score))
	d := best.PHashDistance
	f.Evidence.Image, f.Evidence.OtherImage, f.Evidence.Distance = bestL, bestT, &d
	f.Evidence.TemplateID = tp.t.ID
	for _, ti := range tp.images {
		name := ti.page
		if name == "" {
			name = ti.ref
		}
		if !slices.Contains(f.Evidence.Pages, name) {
			f.Evidence.Pages = append(f.Evidence.Pages, name)
		}
	}
	what := "page screenshots"
	if tp.assets {
		what = "image assets (the template has no page screenshots)"
	}
	f.Evidence.Text = fmt.Sprintf("none of %d listing images shows any of %d %s of template %s; closest pair at pHash distance %d", compared, len(tp.images), what, tp.t.ID, d)
	return f, true
}

// metadataFinding: category contradicting the template's, or features
// claimed in the title, tags, summary or description that the template
// has no page, component or data source for.
func (s *Scanner) metadataFinding(sd side, tp *tmpl, cfg TemplateConfig) (listing.Finding, bool) {
	norm := s.fp.text.Normalizer()
	var reasons []string
	var claim, lacks string
	if lc, tc := strings.TrimSpace(sd.l.Category), strings.TrimSpace(tp.t.Category); lc != "" && tc != "" && !cfg.compatible(lc, tc) {
		claim = "类目 " + lc
		lacks = "模板类目为 " + tc
		reasons = append(reasons, fmt.Sprintf("category %s contradicts template category %s", lc, tc))
	}
	fields := []struct{ name, text string }{
		{"title", sd.l.Title}, {"tags", strings.Join(sd.l.Tags, " ")}, {"summary", sd.l.Summary}, {"description", sd.p.Desc},
	}
	provides := templateVocabulary(tp.t, norm)
	for i := range fields {
		fields[i].text = norm.Normalize(fields[i].text)
	}
	for _, ft := range featureLexicon {
		where, phrase := "", ""
		for _, fl := range fields {
			for _, c := range ft.Claims {
				if strings.Contains(fl.text, norm.Normalize(c)) {
					where, phrase = fl.name, c
					break
				}
			}
			if where != "" {
				break
			}
		}
		if where == "" || provides.has(ft, norm) {
			continue
		}
		if claim == "" {
			claim = phrase
			lacks = fmt.Sprintf("模板无%s相关页面、组件或数据源", ft.Name)
		}
		reasons = append(reasons, fmt.Sprintf("%s claims %s (%q) but template %s has no page, component or data source for it", where, ft.Name, phrase, tp.t.ID))
	}
	if len(reasons) == 0 {
		return listing.Finding{}, false
	}
	f := singleFinding(RuleConsistencyMetadata, sd, min(1, 0.6+0.2*float64(len(reasons))))
	f.Evidence.TemplateID = tp.t.ID
	f.Evidence.Claim, f.Evidence.Lacks = claim, lacks
	f.Evidence.Text = strings.Join(reasons, "; ")
	return f, true
}

// vocabulary is what a template provides, normalised: page titles, data
// source and field names and titles, declared features, and component
// types.
type vocabulary struct {
	text       string
	components map[string]bool
}

func templateVocabulary(t *listing.Template, norm *similarity.Normalizer) vocabulary {
	var parts []string
	v := vocabulary{components: map[string]bool{}}
	var walk func(cs []listing.Component)
	walk = func(cs []listing.Component) {
		for _, c := range cs {
			v.components[foldName(c.Type)] = true
			if c.DataSource != "" {
				parts = append(parts, c.DataSource)
			}
			walk(c.Children)
		}
	}
	for _, p := range t.Pages {
		parts = append(parts, p.Title, p.ID)
		walk(p.Components)
	}
	for _, d := range t.DataSources {
		parts = append(parts, d.Name, d.Title)
		for _, f := range d.Fields {
			parts = append(parts, f.Name, f.Title)
		}
	}
	v.text = norm.Normalize(strings.ToLower(strings.Join(parts, " | ")))
	return v
}

func (v vocabulary) has(ft feature, norm *similarity.Normalizer) bool {
	for _, c := range ft.Components {
		for typ := range v.components {
			if typ == c || strings.TrimPrefix(strings.TrimPrefix(typ, "wd"), "van") == c {
				return true
			}
		}
	}
	for _, p := range ft.Provides {
		if strings.Contains(v.text, norm.Normalize(strings.ToLower(p))) {
			return true
		}
	}
	return false
}

// sensitiveFinding: the template collects personal data of a kind its
// category is not allow-listed for.
func sensitiveFinding(sd side, tp *tmpl, cfg TemplateConfig) (listing.Finding, bool) {
	type hit struct {
		kind sensitiveKind
		ds   listing.DataSource
		f    listing.DataField
	}
	var hits []hit
	for _, d := range tp.t.DataSources {
		for _, fl := range d.Fields {
			if k, ok := sensitive(fl); ok && !cfg.allowed(k.Kind, tp.t.Category) {
				hits = append(hits, hit{k, d, fl})
			}
		}
	}
	if len(hits) == 0 {
		return listing.Finding{}, false
	}
	f := singleFinding(RulePrivacySensitiveField, sd, min(1, 0.8+0.05*float64(len(hits))))
	h := hits[0]
	f.Evidence.TemplateID = tp.t.ID
	f.Evidence.DataSource = h.ds.Name
	f.Evidence.Field = h.f.Name
	f.Evidence.Claim = h.kind.Kind
	var parts []string
	for _, h := range hits {
		title := h.f.Title
		if title == "" {
			title = h.f.Name
		}
		parts = append(parts, fmt.Sprintf("%s.%s (%s) collects %s", h.ds.Name, h.f.Name, title, h.kind.Label))
	}
	cat := tp.t.Category
	if cat == "" {
		cat = "none"
	}
	f.Evidence.Text = fmt.Sprintf("template %s (category %s): %s", tp.t.ID, cat, strings.Join(parts, "; "))
	return f, true
}

// cloneFindings: templates of different providers whose structures are
// alike. Candidates come from the templates' LSH keys; each candidate pair
// is scored exactly. The later template (by its first listing) is blamed.
func (s *Scanner) cloneFindings(sold []*tmpl, cfg TemplateConfig) []listing.Finding {
	buckets := map[string][]int{}
	for i, tp := range sold {
		for _, k := range tp.print.Keys() {
			buckets[k] = append(buckets[k], i)
		}
	}
	done := map[[2]int]bool{}
	best := map[string]listing.Finding{}
	for _, members := range buckets {
		for x := 0; x < len(members); x++ {
			for y := x + 1; y < len(members); y++ {
				i, j := members[x], members[y]
				k := [2]int{min(i, j), max(i, j)}
				if done[k] {
					continue
				}
				done[k] = true
				a, b := sold[i], sold[j]
				if s.groups.related(a.owner, b.owner) {
					continue
				}
				sim := similarity.TemplateSimilarity(a.print, b.print)
				if sim < cfg.CloneSimilarity {
					continue
				}
				copied, original := a, b
				if earlier(a.firstOf(), b.firstOf()) < 0 {
					copied, original = b, a
				}
				cl, ol := copied.firstOf(), original.firstOf()
				f := pairFinding(RuleCopyTemplate, listing.SeverityHigh, sim, cl, ol)
				f.Evidence.TemplateID, f.Evidence.OtherTemplateID = copied.t.ID, original.t.ID
				f.Evidence.Similarity = round3(sim)
				f.Evidence.Text = fmt.Sprintf("template %s (%d pages) has the structure of template %s (%d pages): similarity %.3f", copied.t.ID, len(copied.t.Pages), original.t.ID, len(original.t.Pages), sim)
				if prev, ok := best[f.ID]; !ok || prev.Score < f.Score {
					best[f.ID] = f
				}
			}
		}
	}
	out := make([]listing.Finding, 0, len(best))
	for _, f := range best {
		out = append(out, f)
	}
	return out
}

// firstOf is the listing a template is known by: its owner's earliest
// listing selling it, or its earliest listing.
func (tp *tmpl) firstOf() side {
	for _, sd := range tp.sellers {
		if sd.l.Provider.ID == tp.owner {
			return sd
		}
	}
	return tp.sellers[0]
}
