package marketgen

import (
	"encoding/json"
	"fmt"
	"html"
	"strings"
	"time"
)

// listingPage renders a listing as the marketplace's product page, saved from
// a browser: schema.org Product JSON-LD, OpenGraph and listing meta tags, and
// the visible page with gallery, price plans and description.
func listingPage(e *entry) string {
	l := e.l
	esc := html.EscapeString
	var low, high string
	if len(l.Price.Plans) > 0 {
		low, high = string(l.Price.Plans[0].Price), string(l.Price.Plans[len(l.Price.Plans)-1].Price)
	}
	ld := map[string]any{
		"@context":    "https://schema.org",
		"@type":       "Product",
		"name":        l.Title,
		"description": e.text.Desc.PlainText(),
		"image":       l.Images,
		"sku":         l.ID,
		"category":    l.Category,
		"brand":       map[string]any{"@type": "Brand", "name": l.Provider.Name},
		"offers": map[string]any{
			"@type": "AggregateOffer", "priceCurrency": "CNY", "lowPrice": json.Number(low), "highPrice": json.Number(high),
			"offerCount": len(l.Price.Plans),
			"seller":     map[string]any{"@type": "Organization", "name": l.Provider.Name},
		},
	}
	var ldb strings.Builder
	enc := json.NewEncoder(&ldb)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(ld) // maps of strings and numbers always encode
	ldText := strings.ReplaceAll(ldb.String(), "</", `<\/`)

	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n")
	w("<title>%s - 微搭应用市场</title>\n", esc(l.Title))
	w("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	w("<meta name=\"keywords\" content=\"%s\">\n", esc(strings.Join(l.Tags, ",")))
	w("<meta name=\"description\" content=\"%s\">\n", esc(l.Summary))
	w("<meta property=\"og:type\" content=\"product\">\n")
	w("<meta property=\"og:site_name\" content=\"微搭应用市场\">\n")
	w("<meta property=\"og:title\" content=\"%s\">\n", esc(l.Title))
	w("<meta property=\"og:description\" content=\"%s\">\n", esc(l.Summary))
	for _, img := range l.Images {
		w("<meta property=\"og:image\" content=\"%s\">\n", esc(img))
	}
	w("<meta property=\"product:price:amount\" content=\"%s\">\n", esc(low))
	w("<meta property=\"product:price:currency\" content=\"CNY\">\n")
	w("<meta name=\"listing:id\" content=\"%s\">\n", esc(l.ID))
	w("<meta name=\"listing:provider_id\" content=\"%s\">\n", esc(l.Provider.ID))
	w("<meta name=\"listing:provider_name\" content=\"%s\">\n", esc(l.Provider.Name))
	w("<meta name=\"listing:category\" content=\"%s\">\n", esc(l.Category))
	w("<meta name=\"listing:published_at\" content=\"%s\">\n", l.PublishedAt.Format(time.RFC3339))
	w("<meta name=\"listing:updated_at\" content=\"%s\">\n", l.UpdatedAt.Format(time.RFC3339))
	w("<link rel=\"stylesheet\" href=\"https://market.example.com/static/css/detail.3f9a1c.css\">\n")
	w("<script type=\"application/ld+json\">\n%s</script>\n", ldText)
	w("</head>\n<body>\n")
	w("<header class=\"market-header\"><a href=\"/\">微搭应用市场</a> <span>›</span> <a href=\"/category/%s\">%s</a></header>\n", esc(l.Category), esc(l.Category))
	w("<main class=\"listing-detail\" data-listing-id=\"%s\">\n", esc(l.ID))
	w("<div class=\"gallery\">\n")
	for i, img := range l.Images {
		w("  <img class=\"gallery-item\" src=\"%s\" alt=\"%s 截图%d\">\n", esc(img), esc(l.Title), i+1)
	}
	w("</div>\n<section class=\"summary-box\">\n")
	w("  <h1 class=\"listing-title\">%s</h1>\n", esc(l.Title))
	w("  <p class=\"listing-summary\">%s</p>\n", esc(l.Summary))
	w("  <div class=\"tags\">")
	for _, t := range l.Tags {
		w("<span class=\"tag\">%s</span>", esc(t))
	}
	w("</div>\n  <table class=\"price-plans\">\n    <tr><th>版本</th><th>时长</th><th>原价</th><th>售价</th></tr>\n")
	for _, p := range l.Price.Plans {
		w("    <tr><td>%s</td><td>%s</td><td><del>¥%s</del></td><td class=\"price\">¥%s</td></tr>\n", esc(p.Name), esc(p.Duration), esc(string(p.ListPrice)), esc(string(p.Price)))
	}
	w("  </table>\n</section>\n")
	w("<aside class=\"provider-card\" data-provider-id=\"%s\">\n", esc(l.Provider.ID))
	w("  <img class=\"provider-logo\" src=\"%s\" alt=\"\">\n", esc(l.Provider.Logo))
	w("  <span class=\"provider-name\">%s</span>\n", esc(l.Provider.Name))
	w("  <p class=\"provider-intro\">%s</p>\n</aside>\n", esc(l.Provider.Intro))
	w("<section class=\"description\">\n%s\n</section>\n", l.DescriptionHTML)
	w("<section class=\"service\">\n  <p class=\"after-sales\">售后服务：%s</p>\n  <p class=\"service-hours\">服务时间：%s</p>\n  <p class=\"service-channels\">服务渠道：%s</p>\n</section>\n",
		esc(l.Service.AfterSales), esc(l.Service.Hours), esc(strings.Join(l.Service.Channels, "、")))
	w("</main>\n<footer class=\"market-footer\">© 2026 微搭应用市场 · 腾讯云</footer>\n</body>\n</html>\n")
	return b.String()
}

// brokenPage is a page saved before the app finished loading and cut off
// mid-way: no product data at all.
const brokenPage = `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>微搭应用市场</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="https://market.example.com/static/css/app.8c21d0.css">
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "Prod`
