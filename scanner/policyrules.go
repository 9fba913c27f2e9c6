package scanner

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/listingscan/listingscan/listing"
)

// Names of the rules that judge one listing on its own.
const (
	RuleOffplatformContact   = "offplatform.contact"
	RuleOffplatformQR        = "offplatform.qr"
	RuleConsistencyPrice     = "consistency.price"
	RuleServiceHours         = "service.hours"
	RuleServiceMissing       = "service.missing"
	RuleOAuthUnreviewed      = "oauth.unreviewed"
	RuleQualityTitleLength   = "quality.title_length"
	RuleQualityTags          = "quality.tags"
	RuleQualitySummaryLength = "quality.summary_length"
	RuleQualityImage         = "quality.image_unreadable"
	RuleQualityCategory      = "quality.category"
)

var policyRuleList = []RuleInfo{
	{RuleOffplatformContact, listing.SeverityHigh, "The listing's text gives a QQ number, WeChat id, phone number, e-mail address or external link, or asks buyers to trade off the platform, also when disguised (加薇, vx, homophone digits, hidden text)."},
	{RuleOffplatformQR, listing.SeverityHigh, "A listing image carries a QR code: a payment code, a contact card or a link off the marketplace; the decoded payload is the evidence."},
	{RuleConsistencyPrice, listing.SeverityMedium, "The price plans are missing or malformed: a non-numeric, non-positive or absurd price, a price above its list price, or two plans of one name."},
	{RuleServiceHours, listing.SeverityMedium, "The declared after-sales hours do not cover 09:00-18:00 on every day of the week, or state no time at all."},
	{RuleServiceMissing, listing.SeverityMedium, "The listing describes no after-sales service."},
	{RuleOAuthUnreviewed, listing.SeverityHigh, "The app signs users in through OAuth, and the integration has not been reviewed by the marketplace."},
	{RuleQualityTitleLength, listing.SeverityLow, "The title is shorter or longer than the marketplace's limits (4-30 characters by default, white space not counted)."},
	{RuleQualityTags, listing.SeverityLow, "The listing has fewer or more tags than allowed (1-5 by default), or an empty or repeated tag."},
	{RuleQualitySummaryLength, listing.SeverityLow, "The summary is longer than allowed (140 characters by default)."},
	{RuleQualityImage, listing.SeverityLow, "A listing image is broken or unreadable: missing, truncated, not an image, or too large to decode."},
	{RuleQualityCategory, listing.SeverityLow, "The category is not one of the marketplace's categories (only when the config lists them)."},
}

// policyRuleInfo are the rules that judge one listing on its own: contact
// details that steer buyers off the platform, prices, service promises,
// OAuth review and field limits.
func policyRuleInfo() []RuleInfo { return append([]RuleInfo(nil), policyRuleList...) }

// policyRules checks one listing against the single-listing rules. It is
// safe for concurrent use.
type policyRules struct {
	cfg      PolicyConfig
	contact  *contactFinder
	qr       qrClassifier
	from, to int
}

func newPolicyRules(cfg PolicyConfig) (*policyRules, error) {
	from, err := parseClock(cfg.Service.From)
	if err != nil {
		return nil, fmt.Errorf("policy.service.from: %w", err)
	}
	to, err := parseClock(cfg.Service.To)
	if err != nil {
		return nil, fmt.Errorf("policy.service.to: %w", err)
	}
	cf := newContactFinder(cfg.Contact)
	return &policyRules{cfg: cfg, contact: cf, qr: qrClassifier{cfg: cfg.QR, contact: cf}, from: from, to: to}, nil
}

func policyFinding(rule string, l *listing.Listing, score float64, ms []listing.Match) listing.Finding {
	sev := listing.SeverityMedium
	for _, r := range policyRuleList {
		if r.Name == rule {
			sev = r.Severity
		}
	}
	texts := make([]string, 0, len(ms))
	for _, m := range ms {
		t := m.Text
		if t == "" {
			t = m.Value
		}
		texts = append(texts, t)
	}
	return listing.Finding{
		ID:         listing.FindingID(rule, l.ID),
		Rule:       rule,
		Severity:   sev,
		Score:      score,
		ListingID:  l.ID,
		ProviderID: l.Provider.ID,
		Status:     listing.StatusOpen,
		Evidence:   listing.Evidence{Text: clipRunes(strings.Join(texts, "; "), 300), Matches: ms},
	}
}

// check returns the single-listing findings of l, whose images p
// describes (p may be nil: the image rules are then skipped).
func (r *policyRules) check(l *listing.Listing, p *Print) []listing.Finding {
	var out []listing.Finding
	emit := func(rule string, score float64, ms []listing.Match) {
		if len(ms) > 0 {
			out = append(out, policyFinding(rule, l, score, ms))
		}
	}
	emit(RuleOffplatformContact, 1, r.contactMatches(l))
	if p != nil {
		emit(RuleOffplatformQR, 1, r.qrMatches(p))
		emit(RuleQualityImage, 1, imageMatches(p))
	}
	emit(RuleConsistencyPrice, 1, r.priceMatches(l.Price))
	emit(RuleServiceMissing, 1, r.serviceMissing(l.Service))
	emit(RuleServiceHours, 1, r.hoursMatches(l.Service))
	if l.OAuth.Enabled && !l.OAuth.Reviewed {
		emit(RuleOAuthUnreviewed, 1, []listing.Match{{Field: "oauth", Kind: "unreviewed", Value: "enabled, not reviewed"}})
	}
	emit(RuleQualityTitleLength, 1, r.titleMatches(l.Title))
	emit(RuleQualityTags, 1, r.tagMatches(l.Tags))
	if n := visibleRunes(l.Summary); n > r.cfg.Quality.SummaryMaxRunes {
		emit(RuleQualitySummaryLength, 1, []listing.Match{{Field: "summary", Kind: "too_long",
			Value: fmt.Sprintf("%d characters, at most %d", n, r.cfg.Quality.SummaryMaxRunes)}})
	}
	if cats := r.cfg.Quality.Categories; len(cats) > 0 {
		known := false
		for _, c := range cats {
			known = known || c == strings.TrimSpace(l.Category)
		}
		if !known {
			emit(RuleQualityCategory, 1, []listing.Match{{Field: "category", Kind: "unknown", Text: l.Category}})
		}
	}
	return out
}

// contactMatches reads every text field a buyer sees, and the description
// text a buyer does not see.
func (r *policyRules) contactMatches(l *listing.Listing) []listing.Match {
	var ms []listing.Match
	find := func(field, text string) { ms = append(ms, r.contact.find(field, text)...) }
	find("title", l.Title)
	find("summary", l.Summary)
	for i, t := range l.Tags {
		find(fmt.Sprintf("tags[%d]", i), t)
	}
	if l.DescriptionHTML != "" {
		desc, err := listing.ParseDescription(l.DescriptionHTML)
		if err == nil {
			find("description", desc.Text)
			for i, h := range desc.Hidden {
				find(fmt.Sprintf("description.hidden[%d]", i), h)
			}
			for i, href := range desc.Links {
				ms = append(ms, r.linkMatches(fmt.Sprintf("description.links[%d]", i), href)...)
			}
		}
	}
	find("service.after_sales", l.Service.AfterSales)
	find("service.hours", l.Service.Hours)
	for i, c := range l.Service.Channels {
		find(fmt.Sprintf("service.channels[%d]", i), c)
	}
	for i, p := range l.Price.Plans {
		find(fmt.Sprintf("price.plans[%d].name", i), p.Name)
	}
	return ms
}

// linkMatches judges one href of the description: relative links and
// marketplace pages are fine; mailto:, tel: and other hosts are contacts.
func (r *policyRules) linkMatches(field, href string) []listing.Match {
	h := strings.TrimSpace(href)
	low := strings.ToLower(h)
	n := utf8.RuneCountInString(href)
	switch {
	case strings.HasPrefix(low, "mailto:"):
		return []listing.Match{{Field: field, Kind: contactEmail, Text: href, Value: strings.TrimPrefix(h[len("mailto:"):], "//"), End: n}}
	case strings.HasPrefix(low, "tel:"):
		return []listing.Match{{Field: field, Kind: contactMobile, Text: href, Value: h[len("tel:"):], End: n}}
	case strings.HasPrefix(low, "weixin:"), strings.HasPrefix(low, "mqqwpa:"), strings.HasPrefix(low, "tencent:"):
		return []listing.Match{{Field: field, Kind: contactLink, Text: href, Value: low, End: n}}
	}
	host := linkHost(h)
	if host == "" || r.contact.allowedHost(host) {
		return nil
	}
	return []listing.Match{{Field: field, Kind: contactLink, Text: href, Value: host, End: n}}
}

func (r *policyRules) qrMatches(p *Print) []listing.Match {
	var ms []listing.Match
	for _, im := range p.Images {
		for _, payload := range im.QR {
			kind, value, allowed := r.qr.classify(payload)
			if allowed {
				continue
			}
			ms = append(ms, listing.Match{Field: "image:" + im.Ref, Kind: kind, Text: payload, Value: value})
		}
	}
	return ms
}

func imageMatches(p *Print) []listing.Match {
	var ms []listing.Match
	for _, im := range p.Images {
		if im.Err != "" {
			ms = append(ms, listing.Match{Field: "image:" + im.Ref, Kind: "unreadable", Text: im.Ref, Value: im.Err})
		}
	}
	return ms
}

// parsePrice reads a raw price as the loader kept it: a number, or a
// numeric string possibly with thousands separators.
func parsePrice(n json.Number) (float64, string) {
	s := strings.TrimSpace(string(n))
	if s == "" || s == "null" {
		return 0, "missing"
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	switch {
	case err != nil && !isRangeErr(err):
		return 0, fmt.Sprintf("%q is not a number", s)
	case math.IsNaN(v) || math.IsInf(v, 0) || isRangeErr(err):
		return 0, fmt.Sprintf("%q is not a finite number", s)
	case v <= 0:
		return v, fmt.Sprintf("%s is not positive", s)
	}
	return v, ""
}

func isRangeErr(err error) bool {
	var ne *strconv.NumError
	if e, ok := err.(*strconv.NumError); ok {
		ne = e
	}
	return ne != nil && ne.Err == strconv.ErrRange
}

func (r *policyRules) priceMatches(p listing.Price) []listing.Match {
	if len(p.Plans) == 0 {
		return []listing.Match{{Field: "price", Kind: "no_plans", Value: "no price plans"}}
	}
	var ms []listing.Match
	seen := map[string]int{}
	for i, pl := range p.Plans {
		field := fmt.Sprintf("price.plans[%d]", i)
		bad := func(kind, why string) {
			ms = append(ms, listing.Match{Field: field, Kind: kind, Text: pl.Name, Value: why})
		}
		name := strings.ToLower(strings.Join(strings.Fields(pl.Name), " "))
		if name == "" {
			// A bare price is one nameless plan; among several, a plan
			// without a name cannot be told apart.
			if len(p.Plans) > 1 {
				bad("no_name", "plan has no name")
			}
		} else if j, dup := seen[name]; dup {
			bad("duplicate_name", fmt.Sprintf("same name as price.plans[%d]", j))
		} else {
			seen[name] = i
		}
		price, why := parsePrice(pl.Price)
		if why != "" {
			bad("bad_price", "price "+why)
			continue
		}
		if price > r.cfg.Price.MaxPrice {
			bad("absurd_price", fmt.Sprintf("price %s above the believable %.0f", pl.Price, r.cfg.Price.MaxPrice))
			continue
		}
		if strings.TrimSpace(string(pl.ListPrice)) == "" {
			continue
		}
		list, why := parsePrice(pl.ListPrice)
		switch {
		case why != "":
			bad("bad_list_price", "list price "+why)
		case list > r.cfg.Price.MaxPrice:
			bad("absurd_price", fmt.Sprintf("list price %s above the believable %.0f", pl.ListPrice, r.cfg.Price.MaxPrice))
		case price > list:
			bad("above_list_price", fmt.Sprintf("price %s above list price %s", pl.Price, pl.ListPrice))
		}
	}
	return ms
}

func (r *policyRules) serviceMissing(s listing.Service) []listing.Match {
	if utf8.RuneCountInString(strings.TrimSpace(s.AfterSales)) >= r.cfg.Service.MinAfterSalesRunes {
		return nil
	}
	return []listing.Match{{Field: "service.after_sales", Kind: "missing", Text: s.AfterSales, Value: "no after-sales description"}}
}

// hoursMatches judges the declared service hours; without an hours line
// the after-sales text is read for them.
func (r *policyRules) hoursMatches(s listing.Service) []listing.Match {
	field, line := "service.hours", s.Hours
	if strings.TrimSpace(line) == "" {
		field, line = "service.after_sales", s.AfterSales
	}
	week, ok := parseServiceHours(line)
	if !ok {
		return []listing.Match{{Field: field, Kind: "no_hours", Text: clipRunes(line, 80), Value: "no service hours stated"}}
	}
	if why := hoursShortfall(week, r.from, r.to); why != "" {
		return []listing.Match{{Field: field, Kind: "short_hours", Text: clipRunes(line, 80), Value: why, End: utf8.RuneCountInString(line)}}
	}
	return nil
}

// visibleRunes counts the characters of a field limit: white space (often
// inserted to disguise a copied title) does not count.
func visibleRunes(s string) int {
	n := 0
	for _, r := range s {
		if !unicode.IsSpace(r) && !isZeroWidth(r) {
			n++
		}
	}
	return n
}

func (r *policyRules) titleMatches(title string) []listing.Match {
	n := visibleRunes(title)
	q := r.cfg.Quality
	switch {
	case n < q.TitleMinRunes:
		return []listing.Match{{Field: "title", Kind: "too_short", Text: title, Value: fmt.Sprintf("%d characters, at least %d", n, q.TitleMinRunes)}}
	case n > q.TitleMaxRunes:
		return []listing.Match{{Field: "title", Kind: "too_long", Text: title, Value: fmt.Sprintf("%d characters, at most %d", n, q.TitleMaxRunes)}}
	}
	return nil
}

func (r *policyRules) tagMatches(tags []string) []listing.Match {
	q := r.cfg.Quality
	var ms []listing.Match
	if len(tags) < q.TagsMin || len(tags) > q.TagsMax {
		ms = append(ms, listing.Match{Field: "tags", Kind: "count", Value: fmt.Sprintf("%d tags, want %d-%d", len(tags), q.TagsMin, q.TagsMax)})
	}
	seen := map[string]bool{}
	for i, t := range tags {
		k := strings.ToLower(strings.TrimSpace(t))
		switch {
		case k == "":
			ms = append(ms, listing.Match{Field: fmt.Sprintf("tags[%d]", i), Kind: "empty", Value: "empty tag"})
		case seen[k]:
			ms = append(ms, listing.Match{Field: fmt.Sprintf("tags[%d]", i), Kind: "duplicate", Text: t, Value: "repeated tag"})
		}
		seen[k] = true
	}
	return ms
}
