package listing

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html/charset"
)

// HTMLSelectors name the elements of a saved listing page that hold listing
// fields, for pages whose JSON-LD and meta tags leave fields empty. Each is a
// CSS selector, optionally followed by "@attr" to read an attribute instead
// of the element's text: "div.goods-id@data-id". An empty selector is not
// used.
//
// Without "@attr", Images reads data-src, data-original (lazy-loaded
// images keep their real source there), src, href or content, the first one
// set; PublishedAt reads a datetime attribute before
// the text; Description reads the inner HTML of the first match; Tags and
// Images read every match, Price makes one plan of every match; the others
// read the text of the first match.
type HTMLSelectors struct {
	ID           string `json:"id,omitempty" yaml:"id,omitempty"`
	ProviderID   string `json:"provider_id,omitempty" yaml:"provider_id,omitempty"`
	ProviderName string `json:"provider_name,omitempty" yaml:"provider_name,omitempty"`
	TemplateID   string `json:"template_id,omitempty" yaml:"template_id,omitempty"`
	Title        string `json:"title,omitempty" yaml:"title,omitempty"`
	Summary      string `json:"summary,omitempty" yaml:"summary,omitempty"`
	Description  string `json:"description,omitempty" yaml:"description,omitempty"`
	Images       string `json:"images,omitempty" yaml:"images,omitempty"`
	Tags         string `json:"tags,omitempty" yaml:"tags,omitempty"`
	Category     string `json:"category,omitempty" yaml:"category,omitempty"`
	Price        string `json:"price,omitempty" yaml:"price,omitempty"`
	PublishedAt  string `json:"published_at,omitempty" yaml:"published_at,omitempty"`
}

// fields lists the selectors by their configuration names, in a fixed order.
func (s HTMLSelectors) fields() []struct{ name, sel string } {
	return []struct{ name, sel string }{
		{"id", s.ID}, {"provider_id", s.ProviderID}, {"provider_name", s.ProviderName},
		{"template_id", s.TemplateID}, {"title", s.Title}, {"summary", s.Summary},
		{"description", s.Description}, {"images", s.Images}, {"tags", s.Tags},
		{"category", s.Category}, {"price", s.Price}, {"published_at", s.PublishedAt},
	}
}

// Validate reports the first selector that is not valid CSS, so that a bad
// configuration stops a run before any page is read.
func (s HTMLSelectors) Validate() error {
	for _, f := range s.fields() {
		if strings.TrimSpace(f.sel) == "" {
			continue
		}
		css, _ := splitSelector(f.sel)
		if _, err := cascadia.Compile(css); err != nil {
			return fmt.Errorf("selector %s %q: %w", f.name, f.sel, err)
		}
	}
	return nil
}

// isAttrName says whether s can name an HTML attribute.
func isAttrName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '_', r == ':':
		case i > 0 && (r >= '0' && r <= '9' || r == '-' || r == '.'):
		default:
			return false
		}
	}
	return true
}

// splitSelector separates "css@attr" into its parts. An "@" inside an
// attribute selector or a quoted string stays part of the CSS.
func splitSelector(sel string) (css, attr string) {
	sel = strings.TrimSpace(sel)
	i := strings.LastIndexByte(sel, '@')
	if i <= 0 || !isAttrName(sel[i+1:]) {
		return sel, ""
	}
	return strings.TrimSpace(sel[:i]), sel[i+1:]
}

// DecodeHTML reads the one listing a saved marketplace page describes.
// Sources are read in order, each filling only the fields still empty:
//
//  1. schema.org JSON-LD (<script type="application/ld+json">, an object,
//     an array or an @graph) of type Product, SoftwareApplication,
//     WebApplication or MobileApplication: sku or productID is the id,
//     name the title, description the description, image the images (a
//     URL, an ImageObject or a list of them), offers the price plans
//     (price or lowPrice, a priceSpecification of type ListPrice or
//     StrikethroughPrice as list price), offers.seller (name, identifier)
//     or else brand the provider, keywords the tags, category,
//     datePublished and dateModified;
//  2. meta tags, by property or name: listing:id, listing:provider_id,
//     listing:provider_name, listing:template_id, listing:category,
//     listing:tags (repeatable, comma separated), listing:summary,
//     listing:published_at and listing:updated_at, which a marketplace
//     export can add to its pages; then OpenGraph og:title, og:image,
//     og:description, product:retailer_item_id, product:price:amount and
//     product:sale_price:amount (with the latter, price:amount is the list
//     price); and the page's description meta;
//  3. the CSS selectors in sel.
//
// The description is the exception to that order: a Description selector
// that matches gives the page's own HTML, which carries the images, links and
// hidden text that JSON-LD and meta text do not, so it is preferred; failing
// that the JSON-LD, OpenGraph or meta description is used as escaped text.
//
// Image references stay as written, relative ones relative to the page file
// (source), unless the page sets an absolute <base href>; protocol-relative
// references become https. Pages declaring another charset (GBK is common)
// are converted to UTF-8. data is not size-checked here: callers bound it.
// A page that yields no id, provider id or title is an error that says which
// sources were tried.
func DecodeHTML(data []byte, source string, sel HTMLSelectors) (Listing, error) {
	l := Listing{Source: source}
	if err := sel.Validate(); err != nil {
		return l, err
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(toUTF8(data)))
	if err != nil {
		return l, fmt.Errorf("parse page: %w", err)
	}
	var p pageReader
	p.readJSONLD(doc, &l)
	p.readMeta(doc, &l)
	p.readSelectors(doc, sel, &l)
	switch {
	case p.descriptionHTML != "":
		l.DescriptionHTML = p.descriptionHTML
	case p.descriptionText != "":
		l.DescriptionHTML = textToHTML(p.descriptionText)
	}
	l.Images = resolveImages(doc, l.Images)
	l.Tags = dedupe(l.Tags)
	if err := l.Validate(); err != nil {
		return l, p.explain(err, sel)
	}
	if len(p.timeErrs) > 0 {
		return l, p.timeErrs[0]
	}
	return l, nil
}

// toUTF8 converts a page to UTF-8 from the charset its BOM or meta tag
// declares. A page that declares nothing and is valid UTF-8 is UTF-8, not the
// windows-1252 that HTML's detection falls back to.
func toUTF8(data []byte) []byte {
	enc, name, certain := charset.DetermineEncoding(data, "text/html")
	if name == "utf-8" || (!certain && name == "windows-1252" && utf8.Valid(data)) {
		return data
	}
	out, err := enc.NewDecoder().Bytes(data)
	if err != nil {
		return data
	}
	return out
}

// pageReader collects what the sources of one page said, beyond the listing
// fields, to finish the listing and explain a failure.
type pageReader struct {
	descriptionHTML string // from the Description selector
	descriptionText string // from JSON-LD or meta, plain text
	jsonLDBlocks    int
	products        int
	metaTags        int
	notes           []string // malformed JSON-LD and similar, for errors
	timeErrs        []error
}

// explain adds to a missing-field error what the page offered, so that an
// operator can tell a truncated page from a missing selector.
func (p *pageReader) explain(err error, sel HTMLSelectors) error {
	var b strings.Builder
	n := 0
	for _, f := range sel.fields() {
		if f.sel != "" {
			n++
		}
	}
	fmt.Fprintf(&b, "JSON-LD blocks: %d, products among them: %d, listing/OpenGraph/product meta tags: %d, selectors configured: %d", p.jsonLDBlocks, p.products, p.metaTags, n)
	for _, note := range p.notes {
		b.WriteString("; ")
		b.WriteString(note)
	}
	return fmt.Errorf("%w (%s)", err, b.String())
}

func (p *pageReader) setTime(dst *time.Time, text, from string) {
	if !dst.IsZero() || strings.TrimSpace(text) == "" {
		return
	}
	t, err := parseTime(text)
	if err != nil {
		p.timeErrs = append(p.timeErrs, fmt.Errorf("%s: %w", from, err))
		return
	}
	*dst = t
}

func setIfEmpty(dst *string, v string) {
	if *dst == "" {
		*dst = strings.TrimSpace(v)
	}
}

// readJSONLD fills the listing from the first schema.org product on the page.
func (p *pageReader) readJSONLD(doc *goquery.Document, l *Listing) {
	var products []map[string]any
	doc.Find("script").Each(func(i int, s *goquery.Selection) {
		typ, _ := s.Attr("type")
		if !strings.EqualFold(strings.TrimSpace(typ), "application/ld+json") {
			return
		}
		p.jsonLDBlocks++
		dec := json.NewDecoder(strings.NewReader(s.Text()))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			p.notes = append(p.notes, fmt.Sprintf("JSON-LD block %d is malformed: %v", p.jsonLDBlocks, err))
			return
		}
		findProducts(v, &products, 0)
	})
	p.products = len(products)
	if len(products) == 0 {
		return
	}
	prod := products[0]
	setIfEmpty(&l.ID, ldText(prod["sku"]))
	setIfEmpty(&l.ID, ldText(prod["productID"]))
	setIfEmpty(&l.Title, ldText(prod["name"]))
	setIfEmpty(&p.descriptionText, ldText(prod["description"]))
	setIfEmpty(&l.Category, ldText(prod["category"]))
	if len(l.Images) == 0 {
		l.Images = ldImages(prod["image"])
	}
	if len(l.Tags) == 0 {
		l.Tags = ldKeywords(prod["keywords"])
	}
	offers := ldOffers(prod["offers"], 0)
	if len(l.Price.Plans) == 0 {
		for _, o := range offers {
			l.Price.Plans = append(l.Price.Plans, o.plan)
		}
	}
	for _, o := range offers {
		if seller, ok := o.seller.(map[string]any); ok {
			setIfEmpty(&l.Provider.ID, ldText(seller["identifier"]))
			setIfEmpty(&l.Provider.Name, ldText(seller["name"]))
		} else {
			setIfEmpty(&l.Provider.Name, ldText(o.seller))
		}
	}
	setIfEmpty(&l.Provider.Name, ldText(prod["brand"]))
	p.setTime(&l.PublishedAt, ldText(prod["datePublished"]), "JSON-LD datePublished")
	p.setTime(&l.UpdatedAt, ldText(prod["dateModified"]), "JSON-LD dateModified")
}

// findProducts collects product nodes from a JSON-LD value: the value
// itself, the elements of an array, the members of an @graph.
func findProducts(v any, out *[]map[string]any, depth int) {
	if depth > 4 {
		return
	}
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			findProducts(e, out, depth+1)
		}
	case map[string]any:
		if isProduct(v["@type"]) {
			*out = append(*out, v)
		}
		if g, ok := v["@graph"]; ok {
			findProducts(g, out, depth+1)
		}
	}
}

func isProduct(t any) bool {
	switch t := t.(type) {
	case string:
		if i := strings.LastIndexAny(t, "/:#"); i >= 0 {
			t = t[i+1:]
		}
		switch strings.ToLower(t) {
		case "product", "softwareapplication", "webapplication", "mobileapplication", "individualproduct", "productmodel":
			return true
		}
		return false
	case []any:
		for _, e := range t {
			if isProduct(e) {
				return true
			}
		}
	}
	return false
}

// ldText is the text of a JSON-LD value: a string, a number, the @value or
// name of an object, or the first such text of a list.
func ldText(v any) string {
	return ldTextDepth(v, 0)
}

func ldTextDepth(v any, depth int) string {
	if depth > 4 {
		return ""
	}
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v)
	case json.Number:
		return v.String()
	case bool:
		return fmt.Sprint(v)
	case map[string]any:
		if s := ldTextDepth(v["@value"], depth+1); s != "" {
			return s
		}
		return ldTextDepth(v["name"], depth+1)
	case []any:
		for _, e := range v {
			if s := ldTextDepth(e, depth+1); s != "" {
				return s
			}
		}
	}
	return ""
}

// ldImages reads image, which may be a URL, an ImageObject or a list.
func ldImages(v any) []string {
	var out []string
	add := func(e any) {
		switch e := e.(type) {
		case string:
			if s := strings.TrimSpace(e); s != "" {
				out = append(out, s)
			}
		case map[string]any:
			for _, k := range []string{"contentUrl", "url", "@id"} {
				if s, ok := e[k].(string); ok && strings.TrimSpace(s) != "" {
					out = append(out, strings.TrimSpace(s))
					return
				}
			}
		}
	}
	if list, ok := v.([]any); ok {
		for _, e := range list {
			add(e)
		}
	} else {
		add(v)
	}
	return out
}

// ldKeywords reads keywords: a list or a comma-separated string.
func ldKeywords(v any) []string {
	switch v := v.(type) {
	case string:
		return splitTags(v)
	case []any:
		var out []string
		for _, e := range v {
			if s := ldText(e); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// splitTags splits a tag list written as text on ASCII and Chinese commas
// and the Chinese enumeration comma.
func splitTags(s string) []string {
	var out []string
	for _, t := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == ';' || r == '；' }) {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

type ldOffer struct {
	plan   PricePlan
	seller any
}

// ldOffers reads offers: an Offer, an AggregateOffer or a list of them.
func ldOffers(v any, depth int) []ldOffer {
	if depth > 3 {
		return nil
	}
	switch v := v.(type) {
	case []any:
		var out []ldOffer
		for _, e := range v {
			out = append(out, ldOffers(e, depth+1)...)
		}
		return out
	case map[string]any:
		if inner, ok := v["offers"]; ok {
			if out := ldOffers(inner, depth+1); len(out) > 0 {
				return out
			}
		}
		o := ldOffer{seller: v["seller"]}
		o.plan.Name = ldText(v["name"])
		price := ldText(v["price"])
		if price == "" {
			price = ldText(v["lowPrice"])
		}
		o.plan.Price = priceNumber(price)
		o.plan.ListPrice = listPriceSpec(v["priceSpecification"])
		if o.plan.Price == "" && o.plan.ListPrice == "" && o.plan.Name == "" && o.seller == nil {
			return nil
		}
		return []ldOffer{o}
	}
	return nil
}

// listPriceSpec finds the struck-through price among price specifications.
func listPriceSpec(v any) json.Number {
	specs, ok := v.([]any)
	if !ok {
		specs = []any{v}
	}
	for _, s := range specs {
		m, ok := s.(map[string]any)
		if !ok {
			continue
		}
		t := strings.ToLower(ldText(m["priceType"]))
		if strings.HasSuffix(t, "listprice") || strings.HasSuffix(t, "strikethroughprice") {
			return priceNumber(ldText(m["price"]))
		}
	}
	return ""
}

// priceNumber reads a price as written on a page ("¥1,599.00", "1599元")
// into a number when that is all it says, and keeps any other text verbatim
// for the price rule to judge.
func priceNumber(s string) json.Number {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	cleaned := strings.Map(func(r rune) rune {
		switch r {
		case '¥', '￥', ',', '，', ' ', '\u00a0', '元':
			return -1
		}
		return r
	}, s)
	cleaned = strings.TrimPrefix(strings.TrimPrefix(cleaned, "CNY"), "RMB")
	if cleaned != "" && json.Valid([]byte(cleaned)) && (cleaned[0] == '-' || (cleaned[0] >= '0' && cleaned[0] <= '9')) {
		return json.Number(cleaned)
	}
	return json.Number(s)
}

// readMeta fills the listing from listing:*, OpenGraph and product meta tags.
func (p *pageReader) readMeta(doc *goquery.Document, l *Listing) {
	meta := map[string][]string{}
	doc.Find("meta").Each(func(i int, s *goquery.Selection) {
		key, ok := s.Attr("property")
		if !ok || strings.TrimSpace(key) == "" {
			key, ok = s.Attr("name")
		}
		content, hasContent := s.Attr("content")
		if !ok || !hasContent {
			return
		}
		key = strings.ToLower(strings.TrimSpace(key))
		content = strings.TrimSpace(content)
		if content == "" {
			return
		}
		if strings.HasPrefix(key, "listing:") || strings.HasPrefix(key, "og:") || strings.HasPrefix(key, "product:") {
			p.metaTags++
		}
		meta[key] = append(meta[key], content)
	})
	first := func(keys ...string) string {
		for _, k := range keys {
			if v := meta[k]; len(v) > 0 {
				return v[0]
			}
		}
		return ""
	}
	setIfEmpty(&l.ID, first("listing:id", "product:retailer_item_id"))
	setIfEmpty(&l.Provider.ID, first("listing:provider_id"))
	setIfEmpty(&l.Provider.Name, first("listing:provider_name"))
	setIfEmpty(&l.TemplateID, first("listing:template_id"))
	setIfEmpty(&l.Category, first("listing:category"))
	setIfEmpty(&l.Summary, first("listing:summary"))
	setIfEmpty(&l.Title, first("og:title"))
	setIfEmpty(&p.descriptionText, first("og:description", "description"))
	if len(l.Tags) == 0 {
		for _, v := range meta["listing:tags"] {
			l.Tags = append(l.Tags, splitTags(v)...)
		}
	}
	if len(l.Images) == 0 {
		for _, k := range []string{"og:image", "og:image:url", "og:image:secure_url"} {
			l.Images = append(l.Images, meta[k]...)
		}
	}
	if len(l.Price.Plans) == 0 {
		price, sale := first("product:price:amount"), first("product:sale_price:amount")
		switch {
		case sale != "":
			l.Price.Plans = []PricePlan{{Price: priceNumber(sale), ListPrice: priceNumber(price)}}
		case price != "":
			l.Price.Plans = []PricePlan{{Price: priceNumber(price)}}
		}
	}
	p.setTime(&l.PublishedAt, first("listing:published_at"), "meta listing:published_at")
	p.setTime(&l.UpdatedAt, first("listing:updated_at"), "meta listing:updated_at")
}

// readSelectors fills what is still empty from the configured selectors.
func (p *pageReader) readSelectors(doc *goquery.Document, sel HTMLSelectors, l *Listing) {
	find := func(s string) (*goquery.Selection, string) {
		if strings.TrimSpace(s) == "" {
			return nil, ""
		}
		css, attr := splitSelector(s)
		m, err := cascadia.Compile(css)
		if err != nil {
			return nil, ""
		}
		return doc.FindMatcher(m), attr
	}
	value := func(s *goquery.Selection, attr string) string {
		if attr != "" {
			v, _ := s.Attr(attr)
			return strings.TrimSpace(v)
		}
		return collapseSpace(s.Text())
	}
	text := func(dst *string, selector string) {
		if *dst != "" {
			return
		}
		s, attr := find(selector)
		if s == nil {
			return
		}
		s.EachWithBreak(func(i int, e *goquery.Selection) bool {
			*dst = value(e, attr)
			return *dst == ""
		})
	}
	text(&l.ID, sel.ID)
	text(&l.Provider.ID, sel.ProviderID)
	text(&l.Provider.Name, sel.ProviderName)
	text(&l.TemplateID, sel.TemplateID)
	text(&l.Title, sel.Title)
	text(&l.Summary, sel.Summary)
	text(&l.Category, sel.Category)

	if s, attr := find(sel.Description); s != nil && s.Length() > 0 {
		if attr != "" {
			p.descriptionHTML, _ = s.First().Attr(attr)
		} else if h, err := s.First().Html(); err == nil {
			p.descriptionHTML = strings.TrimSpace(h)
		}
	}
	if s, attr := find(sel.Images); s != nil && len(l.Images) == 0 {
		s.Each(func(i int, e *goquery.Selection) {
			keys := []string{attr}
			if attr == "" {
				keys = []string{"data-src", "data-original", "src", "href", "content"}
			}
			for _, k := range keys {
				if v, ok := e.Attr(k); ok && strings.TrimSpace(v) != "" {
					l.Images = append(l.Images, strings.TrimSpace(v))
					return
				}
			}
		})
	}
	if s, attr := find(sel.Tags); s != nil && len(l.Tags) == 0 {
		s.Each(func(i int, e *goquery.Selection) {
			if v := value(e, attr); v != "" {
				l.Tags = append(l.Tags, v)
			}
		})
	}
	if s, attr := find(sel.Price); s != nil && len(l.Price.Plans) == 0 {
		s.Each(func(i int, e *goquery.Selection) {
			if v := value(e, attr); v != "" {
				l.Price.Plans = append(l.Price.Plans, PricePlan{Price: priceNumber(v)})
			}
		})
	}
	if s, attr := find(sel.PublishedAt); s != nil && s.Length() > 0 {
		e := s.First()
		v := value(e, attr)
		if dt, ok := e.Attr("datetime"); ok && attr == "" && strings.TrimSpace(dt) != "" {
			v = dt
		}
		p.setTime(&l.PublishedAt, v, "selector published_at")
	}
}

// resolveImages applies the page's <base href> to relative references and
// gives protocol-relative ones a scheme, dropping empties and repeats.
func resolveImages(doc *goquery.Document, refs []string) []string {
	var base *url.URL
	if href, ok := doc.Find("base[href]").First().Attr("href"); ok {
		if u, err := url.Parse(strings.TrimSpace(href)); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
			base = u
		}
	}
	out := make([]string, 0, len(refs))
	for _, r := range refs {
		r = strings.TrimSpace(r)
		switch {
		case r == "":
			continue
		case strings.HasPrefix(r, "//"):
			r = "https:" + r
		case base != nil:
			if u, err := url.Parse(r); err == nil && u.Scheme == "" {
				r = base.ResolveReference(u).String()
			}
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil
	}
	return dedupe(out)
}

// textToHTML turns plain description text into HTML that reads back as the
// same text, one paragraph per line.
func textToHTML(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			b.WriteString("<p>")
			b.WriteString(html.EscapeString(line))
			b.WriteString("</p>")
		}
	}
	return b.String()
}

// collapseSpace joins the words of s with single spaces.
func collapseSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// dedupe drops repeated strings, keeping the first of each.
func dedupe(in []string) []string {
	if len(in) < 2 {
		return in
	}
	seen := make(map[string]bool, len(in))
	out := in[:0]
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
